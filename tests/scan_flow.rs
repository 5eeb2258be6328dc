//! Socket values followed across files (crate::scan::js::flow): a connection handed to
//! per-feature handler modules, a NestJS gateway's socket handed to an injected service where it
//! is typed as Node's `EventEmitter` (or a project interface extending it), a socket imported
//! through an `@/` alias no configuration evdoc reads declares, a client socket exported by one module and used under
//! another name or through a getter in others, an object of wrappers handed out by a factory and
//! imported through SvelteKit's `$lib`, chained listeners, a local `send` wrapper, sockets kept
//! in a container and a `Map`, the `<script>` of a server-rendered EJS page, and a client class
//! whose `on`/`emit` methods wrap its socket, used through `this` and through a browser global
//! from another file, a Pinia options store whose action keeps the socket, and a React socket
//! handed down as a JSX prop or an options-object property to a destructuring parameter, or
//! declared in a props type, and handlers written in Svelte and Vue templates. Each site must be found with its side, and the look-alikes next
//! to them (an `EventEmitter` and its chained listeners, a `mitt` bus, another object's `send`,
//! a method of the same shape no socket reaches) must stay silent. The fixture is
//! `tests/fixtures/scan/flow/` (see its README).

use std::path::Path;

use evdoc::scan::{scan, Role, ScanOptions, Site};

fn sites() -> Vec<Site> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/flow");
    scan(&root, &ScanOptions::default(), None).unwrap().sites
}

/// `file:line role event side side_from [via=…]`.
fn brief(s: &Site) -> String {
    let role = match s.role {
        Role::Emit => "emit",
        Role::Listen => "listen",
    };
    let via = s
        .via
        .as_ref()
        .map(|v| format!(" via={v}"))
        .unwrap_or_default();
    format!(
        "{}:{} {role} {} {} {}{via}",
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
            "api/src/jobs/tail.gateway.ts:10 listen tail:start server flow",
            "api/src/jobs/tail.gateway.ts:15 emit tail:error server flow",
            "api/src/jobs/tail.service.ts:12 emit tail:line server flow",
            "api/src/jobs/tail.service.ts:19 listen disconnect server flow",
            "api/src/pty/pty.gateway.ts:8 listen pty:open server flow",
            "api/src/pty/pty.service.ts:14 emit pty:ready server flow",
            "api/src/pty/pty.service.ts:15 listen pty:input server flow",
            "api/src/term/term.gateway.ts:9 listen term:start server flow",
            "api/src/term/term.gateway.ts:15 listen term:size server flow",
            "api/src/term/term.service.ts:15 emit term:ready server flow",
            "api/src/term/term.service.ts:16 listen term:input server flow",
            "desk/form.js:2 listen doc:changed client flow via=LiveClient.on",
            "desk/realtime.js:17 emit doc:watch client flow via=LiveClient.emit",
            "server/handlers/chat.js:3 listen chat:send server flow",
            "server/handlers/chat.js:4 emit chat:new server flow",
            "server/handlers/presence.js:6 listen presence:ping server flow",
            "server/handlers/presence.js:7 emit presence:pong server flow",
            "server/index.js:8 listen connection server flow",
            "server/rooms.js:6 listen connection server flow",
            "server/rooms.js:12 emit notify:user server flow",
            "server/rooms.js:15 emit notify:kicked server flow",
            "server/rooms.js:18 emit nodes:sync server flow",
            "server/views/board.ejs:9 listen board:update client flow",
            "server/views/board.ejs:10 emit board:refresh client flow",
            "spa/src/components/Board.tsx:9 listen board:changed client flow",
            "spa/src/components/Board.tsx:10 emit board:hello client flow",
            "spa/src/components/Dialog.vue:4 emit dialog:confirm client flow",
            "spa/src/components/Dialog.vue:13 listen dialog:open client flow",
            "spa/src/components/Feed.tsx:9 listen feed:item client flow",
            "spa/src/components/Feed.tsx:10 emit feed:seen client flow",
            "spa/src/components/Inbox.ts:5 emit chat:read client flow",
            "spa/src/components/Lobby.svelte:8 listen lobby:count client flow",
            "spa/src/components/Lobby.svelte:13 emit lobby:start client flow",
            "spa/src/components/Lobby.svelte:15 emit lobby:list client flow",
            "spa/src/components/Panel.vue:5 listen panel:update client flow",
            "spa/src/components/Panel.vue:6 emit panel:ready client flow",
            "spa/src/components/Status.vue:6 listen status:changed client flow",
            "spa/src/components/Status.vue:7 emit status:ready client flow",
            "spa/src/props/Badge.tsx:9 listen badge:count client flow",
            "spa/src/props/Whiteboard.tsx:3 listen draw:cleared client flow",
            "spa/src/props/Whiteboard.tsx:4 emit draw:clear client flow",
            "spa/src/props/tools.ts:3 emit draw:stroke client flow",
            "spa/src/stores/chat.ts:18 listen chat:message client flow",
            "spa/src/stores/chat.ts:24 emit chat:say client flow",
            "web-ng/src/app/audit/audit.component.ts:12 emit audit:check client flow via=Channel.call",
            "web-ng/src/app/audit/audit.component.ts:13 listen audit:result client flow",
            "web-ng/src/app/board/board.component.ts:17 emit board:list client flow via=Channel.call",
            "web-ng/src/app/board/board.component.ts:19 listen board:changed client flow",
            "web-ng/src/app/board/board.component.ts:23 emit board:save client flow via=Channel.call",
            "web-ng/src/app/core/channel.service.ts:23 listen connect client flow",
            "web-ng/src/app/core/channel.service.ts:26 emit channel:bye client flow",
            "web-vite/src/components/ticker.ts:4 emit ticker:watch client flow",
            "web-vite/src/components/ticker.ts:5 listen ticker:price client flow",
            "web/src/components/chat.ts:4 emit chat:send client flow",
            "web/src/components/chat.ts:7 listen chat:new client flow",
            "web/src/feed.ts:6 listen feed:item client flow",
            "web/src/lib/stores/live.ts:9 listen connect client flow",
            "web/src/lib/stores/live.ts:10 listen live:hello client flow",
            "web/src/lib/stores/live.ts:15 emit live:ping client flow via=send",
            "web/src/routes/page.ts:4 listen live:update client flow via=on",
        ],
        "{got:#?}"
    );
}

/// A NestJS handler that returns a value acknowledges (Nest sends it back); one that returns
/// nothing of its own does not.
#[test]
fn nest_handlers_that_return_a_value_acknowledge() {
    let acks: Vec<(String, bool)> = sites()
        .iter()
        .filter(|s| s.call == "@SubscribeMessage" && s.file.starts_with("api/src/term/"))
        .map(|s| (s.event.clone().unwrap_or_default(), s.ack))
        .collect();
    assert_eq!(
        acks,
        [
            ("term:start".to_string(), false),
            ("term:size".to_string(), true)
        ]
    );
}

/// `scan --explain FILE:LINE` says how a site was found and what placed it, down to the call
/// that handed the socket in from another function.
#[test]
fn explain_names_the_call_that_handed_the_socket_in() {
    let out = assert_cmd::Command::cargo_bin("evdoc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["scan", "tests/fixtures/scan/flow", "--quiet"])
        .args(["--explain", "server/handlers/chat.js:3"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(
        text.starts_with("server/handlers/chat.js:3:11  listen `chat:send`\n"),
        "{text}"
    );
    assert!(text.contains("call: `conn.on`"), "{text}");
    assert!(
        text.contains(
            "flow: parameter 2 of `default` receives the socket passed at server/index.js:9"
        ),
        "{text}"
    );
    assert!(
        text.contains("side: server (direction c2s), from flow:"),
        "{text}"
    );
    let missing = assert_cmd::Command::cargo_bin("evdoc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "scan",
            "tests/fixtures/scan/flow",
            "--quiet",
            "--explain",
            "nope.js:1",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// A monorepo: the shared client lives in a workspace package (`packages/realtime`, listed by
/// the root `package.json`'s `workspaces`) and an app imports it by package name
/// (`@acme/realtime`, and its event constants from `@acme/realtime/topics`). A local
/// `EventEmitter` with the same calls stays silent. Fixture: `tests/fixtures/scan/monorepo/`.
#[test]
fn workspace_packages_are_followed_by_their_names() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/monorepo");
    let got: Vec<String> = scan(&root, &ScanOptions::default(), None)
        .unwrap()
        .sites
        .iter()
        .map(brief)
        .collect();
    assert_eq!(
        got,
        [
            "apps/dashboard/src/orders.ts:7 listen order:shipped client flow",
            "apps/dashboard/src/orders.ts:8 emit order:placed client flow",
        ]
    );
}
