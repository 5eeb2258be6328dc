//! Socket values followed across files (crate::scan::js::flow): a connection handed to
//! per-feature handler modules, a NestJS gateway's socket handed to an injected service where it
//! is typed as Node's `EventEmitter`, a client socket exported by one module and used under
//! another name or through a getter in others. Each site must be found with its side, and the
//! look-alikes next to them (an `EventEmitter`, a `mitt` bus, a method of the same shape no
//! socket reaches) must stay silent. The fixture is `tests/fixtures/scan/flow/`.

use std::path::Path;

use evdoc::scan::{scan, Role, ScanOptions, Site};

fn sites() -> Vec<Site> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/flow");
    scan(&root, &ScanOptions::default(), None).unwrap().sites
}

/// `file:line role event side side_from`.
fn brief(s: &Site) -> String {
    let role = match s.role {
        Role::Emit => "emit",
        Role::Listen => "listen",
    };
    format!(
        "{}:{} {role} {} {} {}",
        s.file,
        s.line,
        s.event.as_deref().unwrap_or("~"),
        s.side.map_or("?", |x| x.as_str()),
        s.side_from.map_or("?", |x| x.as_str()),
    )
}

#[test]
fn sockets_are_followed_across_files_with_their_sides() {
    let got: Vec<String> = sites().iter().map(brief).collect();
    assert_eq!(
        got,
        [
            "api/src/jobs/jobs.gateway.ts:9 listen job:start server flow",
            "api/src/jobs/jobs.service.ts:6 emit job:progress server flow",
            "api/src/jobs/jobs.service.ts:11 emit job:done server flow",
            "server/handlers/chat.js:3 listen chat:send server flow",
            "server/handlers/chat.js:4 emit chat:new server flow",
            "server/handlers/presence.js:6 listen presence:ping server flow",
            "server/handlers/presence.js:7 emit presence:pong server flow",
            "server/index.js:8 listen connection server flow",
            "web/src/components/chat.ts:4 emit chat:send client flow",
            "web/src/components/chat.ts:7 listen chat:new client flow",
            "web/src/feed.ts:6 listen feed:item client flow",
        ],
        "{got:#?}"
    );
}
