//! Real-world accuracy of the scan: wrappers (inferred in a file, imported from another file,
//! wrappers of wrappers, declared in the catalog), catch-all dispatchers, names from shared
//! modules, candidate sets, acknowledgements, and the look-alikes that must stay silent.
//! The fixtures are in `tests/fixtures/scan/project/` (see its README).

use std::path::Path;

use evdoc::scan::wrappers::Wrapper;
use evdoc::scan::{scan, Role, ScanOptions, ScanResult, Side, Site};

const PROJECT: &str = "tests/fixtures/scan/project";

fn run(opts: &ScanOptions) -> ScanResult {
    scan(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join(PROJECT),
        opts,
        None,
    )
    .unwrap()
}

/// `file:line:col role event call [via=…] [ack] [room=…] [{candidates}]`.
fn brief(s: &Site) -> String {
    let role = match s.role {
        Role::Emit => "emit",
        Role::Listen => "listen",
    };
    let event = match (&s.event, &s.expr) {
        (Some(e), _) => e.clone(),
        (None, Some(x)) => format!("~{x}"),
        (None, None) => "~?".into(),
    };
    let mut out = format!(
        "{}:{}:{} {role} {event} {}",
        s.file, s.line, s.column, s.call
    );
    if let Some(v) = &s.via {
        out.push_str(&format!(" via={v}"));
    }
    if s.ack {
        out.push_str(" ack");
    }
    if let Some(r) = &s.room {
        out.push_str(&format!(" room={r}"));
    }
    if let Some(c) = &s.candidates {
        out.push_str(&format!(" {{{}}}", c.join(",")));
    }
    out
}

fn briefs(r: &ScanResult, prefix: &str) -> Vec<String> {
    r.sites
        .iter()
        .filter(|s| s.file.starts_with(prefix))
        .map(brief)
        .collect()
}

#[test]
fn server_wrappers_dispatchers_and_acks() {
    let r = run(&ScanOptions::default());
    assert_eq!(
        briefs(&r, "server/"),
        [
            // Engine.IO's `connection_error`, `upgrade`, `packet` are not app events.
            // Called through a wrapper of a wrapper imported from orders.ts.
            "server/engine.js:9:7 listen connection io.on",
            "server/engine.js:12:13 listen chat:send socket.on",
            "server/engine.js:12:44 emit chat:message io.emit",
            "server/expiry.js:5:22 emit order:expired notifyOrder via=notifyOrder room=`user:${userId}`",
            "server/gateway.js:13:12 listen connection nsp.on",
            // `socket.onAny` compares the event name with literals; `*` itself is no event.
            "server/gateway.js:19:23 listen market:ping socket.onAny via=onAny",
            "server/gateway.js:19:50 emit market:pong socket.emit",
            "server/gateway.js:21:16 listen market:subscribe socket.onAny via=onAny",
            "server/gateway.js:22:16 listen market:unsubscribe socket.onAny via=onAny",
            // An enum member imported with require from a .ts module.
            "server/gateway.js:28:19 emit presence:online socket.emit",
            "server/gateway.js:29:17 listen trade:place socket.on ack",
            "server/gateway.js:32:17 listen quote:get socket.on ack",
            "server/gateway.js:35:17 listen market:watch socket.on",
            "server/gateway.js:37:21 emit market:watching socket.emit",
            // The catch-all hands the name to `received`, which compares it.
            "server/gateway.js:43:18 listen plugin:load received() via=received",
            "server/gateway.js:44:9 listen plugin:unload received() via=received",
            "server/gateway.js:48:59 emit health:check socket.timeout().emitWithAck ack",
            "server/gateway.js:49:17 emit health:report socket.emit ack",
            // A file with no Socket.IO import: only imported helpers.
            "server/orders.ts:10:28 emit order:filled emitToUser via=emitToUser room=`user:${userId}`",
            "server/orders.ts:11:20 emit orders:changed registry.emitter via=emitter",
            "server/orders.ts:15:22 emit order:cancelled notifyOrder via=notifyOrder room=`user:${userId}`",
            "server/orders.ts:20:28 emit ~upstream.kind emitToUser via=emitToUser room=`user:${userId}`",
            "server/realtime.js:8:9 listen connection io.on",
            "server/realtime.js:43:13 emit server:heartbeat broadcast via=broadcast",
            "server/realtime.js:44:25 emit admin:stats registry.adminEmitter via=adminEmitter",
        ]
    );
    // The sites inside the wrappers (`emit(evt, data)`) gave way to their callers' names.
    assert!(r
        .sites
        .iter()
        .filter(|s| s.file.starts_with("server/"))
        .all(|s| s.side == Some(Side::Server)));
    let dynamic: Vec<&Site> = r.sites.iter().filter(|s| s.dynamic).collect();
    assert!(dynamic
        .iter()
        .all(|s| s.file.starts_with("client/") || s.expr.as_deref() == Some("upstream.kind")));
}

#[test]
fn client_names_from_unions_arrays_and_templates() {
    let r = run(&ScanOptions::default());
    assert!(r
        .sites
        .iter()
        .filter(|s| s.file.starts_with("client/") && s.via.as_deref() != Some("notifyRoom"))
        .all(|s| s.side == Some(Side::Client)));
    assert_eq!(
        briefs(&r, "client/"),
        [
            // Calls of a pass-through `SocketService` (methods named `emit`/`on`): the sites
            // inside its methods give way to them.
            "client/Chat.jsx:6:22 listen chat:message SocketService.on via=SocketService.on",
            "client/Chat.jsx:7:24 emit chat:join SocketService.emit via=SocketService.emit ack",
            // A wrapper made with React's `useCallback`.
            "client/Chat.jsx:14:43 emit chat:typing notifyRoom via=notifyRoom",
            // Through a hook whose file imports only the app's socket module (side: client).
            "client/Ticker.tsx:4:13 listen ticker:sol useTicker via=useTicker",
            "client/socket.ts:9:13 listen ~topic socket.on {ticker:btc,ticker:eth}",
            // A string-literal union imported from the shared module.
            "client/socket.ts:13:15 emit ~evt socket.emit {chat:join,chat:leave}",
            "client/socket.ts:17:13 listen ~name socket.on {connect,disconnect}",
            "client/socket.ts:21:13 listen ~evt socket.on {alert:cleared,alert:new}",
            "client/socket.ts:25:13 emit portfolio:refresh socket.emit",
            // The Manager's `reconnect` is a lifecycle site; the engine's `upgrade` is not.
            "client/socket.ts:27:14 listen reconnect socket.io.on",
            "client/socket.ts:27:45 emit resync socket.emit",
            "client/socket.ts:31:15 emit quote:get socket.emit ack",
            // Inside `case "mod:mute": case "mod:kick":` the name is one of the two labels;
            // under `default:` it is anything.
            "client/socket.ts:38:19 emit ~action socket.emit {mod:kick,mod:mute}",
            "client/socket.ts:41:19 emit ~action socket.emit",
        ]
    );
}

#[test]
fn look_alikes_next_to_wrappers_are_not_sites() {
    let r = run(&ScanOptions::default());
    assert_eq!(briefs(&r, "near-miss/"), Vec::<String>::new());
}

#[test]
fn declared_wrappers_reach_what_inference_cannot_see() {
    let declared = |function: &str, role: Role| Wrapper {
        function: function.into(),
        receiver: None,
        event_arg: 0,
        room_arg: None,
        room_expr: None,
        role,
        ack: false,
        side: Some(Side::Client),
        declared: true,
        dispatch: false,
    };
    let r = run(&ScanOptions {
        wrappers: vec![
            declared("sendNotification", Role::Emit),
            declared("notificationReceived", Role::Listen),
        ],
        ..Default::default()
    });
    assert_eq!(
        briefs(&r, "client/plugin.js"),
        [
            "client/plugin.js:5:27 emit TICKER_START this.sendNotification via=sendNotification",
            "client/plugin.js:9:26 listen TICKER_DATA notificationReceived() via=notificationReceived",
            "client/plugin.js:11:33 listen TICKER_ERROR notificationReceived() via=notificationReceived",
        ]
    );
    let start = r
        .sites
        .iter()
        .find(|s| s.file == "client/plugin.js")
        .unwrap();
    assert_eq!(start.side, Some(Side::Client));
    assert_eq!(
        start.payload,
        Some(evdoc::scan::Shape::Object {
            properties: vec![("symbols".into(), evdoc::scan::Shape::Unknown)],
            open: false
        })
    );
    // Without the declaration the file is skipped by the gate: nothing there looks like Socket.IO.
    let plain = run(&ScanOptions::default());
    assert!(briefs(&plain, "client/plugin.js").is_empty());
}

#[test]
fn scan_json_keeps_every_field_and_adds_ack_and_candidates() {
    let r = run(&ScanOptions::default());
    let v = serde_json::to_value(&r).unwrap();
    let sites = v["sites"].as_array().unwrap();
    let first = &sites[0];
    for key in [
        "event",
        "role",
        "direction",
        "side",
        "file",
        "line",
        "column",
        "call",
        "room",
        "namespace",
        "dynamic",
        "lang",
        "via",
        "ack",
    ] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
    assert!(sites.iter().any(|s| s["candidates"].is_array()));
    assert!(sites
        .iter()
        .filter(|s| s["candidates"].is_array())
        .all(|s| s["dynamic"] == true && s["event"].is_null()));
}

#[test]
fn declared_class_methods_match_only_their_receiver() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("routes.js"),
        "const SocketService = require('./svc');\n\
         app.get('/', (req, res) => res.send('hello'));\n\
         SocketService.send('room:open', { id: 1 });\n\
         this.socketService.send('room:close', { id: 1 });\n",
    )
    .unwrap();
    let w = Wrapper::declared(&evdoc::catalog::model::Wrapper {
        function: "SocketService.send".into(),
        event_arg: 0,
        room_arg: None,
        role: Role::Emit,
        side: Some(Side::Server),
    });
    assert_eq!(w.receiver.as_deref(), Some("SocketService"));
    let r = scan(
        dir.path(),
        &ScanOptions {
            wrappers: vec![w],
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let got: Vec<String> = r.sites.iter().map(brief).collect();
    assert_eq!(
        got,
        [
            "routes.js:3:20 emit room:open SocketService.send via=send",
            "routes.js:4:25 emit room:close this.socketService.send via=send",
        ]
    );
}

#[test]
fn the_cli_passes_the_catalogs_declared_wrappers_to_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    std::fs::write(
        dir.path().join("catalog/evdoc.yaml"),
        "evdoc: 1\ninfo: {title: T, version: '1'}\nevents: {}\nscan:\n  wrappers:\n    - {function: sendSocketNotification, event_arg: 0, role: emit, side: client}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("module.js"),
        "Module.register('x', { start() { this.sendSocketNotification('CONFIG', {}); } });\n",
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("evdoc")
        .unwrap()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "json", "--quiet"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 1, "{v}");
    assert_eq!(sites[0]["event"], "CONFIG");
    assert_eq!(sites[0]["via"], "sendSocketNotification");
    assert_eq!(sites[0]["direction"], "c2s");
}
