//! The Rust extractor against fixtures modelled on socketioxide's examples and rust_socketio
//! clients: exact sites (event, role, call, room, namespace, position), absence of near-misses,
//! the lexical fallback on broken files, and no panic on garbled input.

use evdoc::scan::rust::{extract, handles};
use evdoc::scan::{Extraction, Lang, Role, Shape, Side, Site};
use proptest::prelude::*;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/scan/rust/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn scan(name: &str) -> (String, Extraction) {
    let source = fixture(name);
    let extraction = extract(&format!("server/{name}"), &source);
    (source, extraction)
}

/// 1-based line and character column of the `nth` (0-based) occurrence of `needle`, found
/// independently of the extractor.
fn at(source: &str, needle: &str, nth: usize) -> (u32, u32) {
    let (offset, _) = source
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in fixture"));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line as u32, column as u32)
}

/// The fields most tests compare: event, role, call, room, namespace, line, column.
type Key = (
    Option<String>,
    Role,
    String,
    Option<String>,
    Option<String>,
    u32,
    u32,
);

fn key(site: &Site) -> Key {
    (
        site.event.clone(),
        site.role,
        site.call.clone(),
        site.room.clone(),
        site.namespace.clone(),
        site.line,
        site.column,
    )
}

fn expect(
    source: &str,
    event: &str,
    role: Role,
    call: &str,
    room: Option<&str>,
    namespace: Option<&str>,
    needle: (&str, usize),
) -> Key {
    let (line, column) = at(source, needle.0, needle.1);
    (
        Some(event.to_string()),
        role,
        call.to_string(),
        room.map(str::to_string),
        namespace.map(str::to_string),
        line,
        column,
    )
}

/// One line per site, for snapshots.
fn render(extraction: &Extraction) -> String {
    let mut out = format!(
        "side: {:?}, parse_error: {:?}\n",
        extraction.side,
        extraction.parse_error.is_some()
    );
    for s in &extraction.sites {
        let event = match (&s.event, &s.expr) {
            (Some(e), _) => format!("{e:?}"),
            (None, Some(expr)) => format!("<dynamic {expr}>"),
            (None, None) => "<dynamic>".to_string(),
        };
        out.push_str(&format!(
            "{}:{}:{} {:?} {event} call={} room={} ns={} side={:?}",
            s.file,
            s.line,
            s.column,
            s.role,
            s.call,
            s.room.as_deref().unwrap_or("-"),
            s.namespace.as_deref().unwrap_or("-"),
            s.side,
        ));
        if let Some(payload) = &s.payload {
            out.push_str(&format!(
                " payload={}",
                serde_json::to_string(payload).unwrap()
            ));
        }
        out.push('\n');
    }
    out
}

#[test]
fn handles_rust_files_only() {
    assert!(handles("src/main.rs"));
    assert!(handles("a/b/handlers.rs"));
    assert!(!handles("src/main.ts"));
    assert!(!handles("rs"));
}

#[test]
fn chat_server_sites_are_exact() {
    let (src, ex) = scan("chat.rs");
    assert_eq!(ex.side, Some(Side::Server));
    assert_eq!(ex.parse_error, None);
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let want = vec![
        expect(
            &src,
            "new message",
            Listen,
            "s.on",
            None,
            None,
            ("\"new message\"", 0),
        ),
        expect(
            &src,
            "new message",
            Emit,
            "s.broadcast().emit",
            None,
            None,
            ("\"new message\"", 1),
        ),
        expect(
            &src,
            "add user",
            Listen,
            "s.on",
            None,
            None,
            ("\"add user\"", 0),
        ),
        expect(&src, "login", Emit, "s.emit", None, None, ("\"login\"", 0)),
        expect(
            &src,
            "user joined",
            Emit,
            "s.broadcast().emit",
            None,
            None,
            ("\"user joined\"", 0),
        ),
        expect(
            &src,
            "typing",
            Listen,
            "s.on",
            None,
            None,
            ("\"typing\"", 0),
        ),
        expect(
            &src,
            "typing",
            Emit,
            "s.broadcast().emit",
            None,
            None,
            ("\"typing\"", 1),
        ),
        expect(
            &src,
            "disconnect",
            Listen,
            "s.on_disconnect",
            None,
            None,
            ("on_disconnect", 0),
        ),
        expect(
            &src,
            "user left",
            Emit,
            "s.broadcast().emit",
            None,
            None,
            ("\"user left\"", 0),
        ),
    ];
    assert_eq!(got, want);
    for site in &ex.sites {
        assert_eq!(site.side, Some(Side::Server));
        assert_eq!(site.lang, Lang::Rust);
        assert_eq!(site.file, "server/chat.rs");
        assert!(!site.dynamic);
        assert_eq!(site.direction, None);
        assert_eq!(site.via, None);
    }
}

#[test]
fn chat_payloads_follow_serde_attributes() {
    let (_, ex) = scan("chat.rs");
    let payload = |event: &str| {
        ex.sites
            .iter()
            .find(|s| s.event.as_deref() == Some(event) && s.role == Role::Emit)
            .and_then(|s| s.payload.clone())
    };
    // `&Res::Login { num_users }` of an untagged enum with a field rename.
    assert_eq!(
        payload("login"),
        Some(Shape::Object {
            properties: vec![("numUsers".into(), Shape::Unknown)],
            open: false
        })
    );
    assert_eq!(
        payload("typing"),
        Some(Shape::Object {
            properties: vec![("username".into(), Shape::Unknown)],
            open: false
        })
    );
    // A variable holds no literal shape.
    assert_eq!(payload("user joined"), None);
}

#[test]
fn handler_fn_registered_on_two_namespaces_yields_a_site_per_namespace() {
    let (src, ex) = scan("echo.rs");
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let both = |event: &str, role: Role, call: &str, needle: &str| {
        vec![
            expect(&src, event, role, call, None, None, (needle, 0)),
            expect(&src, event, role, call, None, Some("/custom"), (needle, 0)),
        ]
    };
    let want: Vec<Key> = [
        both("auth", Emit, "socket.emit", "\"auth\""),
        both("message", Listen, "socket.on", "\"message\""),
        both("message-back", Emit, "socket.emit", "\"message-back\""),
        both(
            "message-with-ack",
            Listen,
            "socket.on",
            "\"message-with-ack\"",
        ),
    ]
    .concat();
    assert_eq!(got, want);
}

#[test]
fn private_messaging_rooms_helpers_and_json_payloads() {
    let (src, ex) = scan("private_messaging.rs");
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let want = vec![
        expect(
            &src,
            "private message",
            Listen,
            "s.on",
            None,
            None,
            ("\"private message\"", 0),
        ),
        expect(
            &src,
            "private message",
            Emit,
            "s.within().emit",
            Some("to.to_string()"),
            None,
            ("\"private message\"", 1),
        ),
        expect(
            &src,
            "disconnect",
            Listen,
            "s.on_disconnect",
            None,
            None,
            ("on_disconnect", 0),
        ),
        expect(
            &src,
            "user disconnected",
            Emit,
            "s.broadcast().emit",
            None,
            None,
            ("\"user disconnected\"", 0),
        ),
        expect(
            &src,
            "session",
            Emit,
            "s.emit",
            None,
            None,
            ("\"session\"", 0),
        ),
        expect(&src, "users", Emit, "s.emit", None, None, ("\"users\"", 0)),
    ];
    assert_eq!(got, want);
    let private = &ex.sites[1];
    assert_eq!(
        private.payload,
        Some(Shape::Object {
            properties: vec![
                ("from".into(), Shape::Unknown),
                ("to".into(), Shape::Unknown),
                ("content".into(), Shape::Unknown)
            ],
            open: false
        })
    );
    // `#[serde(rename_all = "camelCase")] struct Session` declared in the same file.
    assert_eq!(
        ex.sites[4].payload,
        Some(Shape::Object {
            properties: vec![
                ("sessionId".into(), Shape::Unknown),
                ("userId".into(), Shape::Unknown),
                ("connected".into(), Shape::Boolean)
            ],
            open: false
        })
    );
    assert_eq!(
        ex.sites[5].payload,
        Some(Shape::Array {
            items: Some(Box::new(Shape::Number))
        })
    );
}

#[test]
fn rooms_constants_enums_state_and_macros() {
    let (src, ex) = scan("rooms.rs");
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let mut want = vec![
        expect(
            &src,
            "subscribe:trades",
            Listen,
            "socket.on",
            None,
            None,
            ("SUBSCRIBE_TRADES,", 0),
        ),
        expect(
            &src,
            "trades:subscribed",
            Emit,
            "socket.emit",
            None,
            None,
            ("\"trades:subscribed\"", 0),
        ),
        expect(
            &src,
            "signal:new",
            Emit,
            "socket.to().emit",
            Some("\"signals\""),
            None,
            ("Event::SignalNew.as_str()", 0),
        ),
        expect(
            &src,
            "order:confirm",
            Emit,
            "socket.timeout().emit_with_ack",
            None,
            None,
            ("\"order:confirm\"", 0),
        ),
        expect(
            &src,
            "ping",
            Emit,
            "socket.emit_with_ack",
            None,
            None,
            ("\"ping\"", 0),
        ),
    ];
    let (line, column) = at(&src, "&name", 0);
    want.push((None, Emit, "socket.emit".into(), None, None, line, column));
    want.extend([
        expect(
            &src,
            "trade:update",
            Emit,
            "state.io.to().emit",
            Some("format!(\"user:{}\", user)"),
            None,
            ("TRADE_UPDATE, &body", 0),
        ),
        expect(
            &src,
            "order:filled",
            Emit,
            "io2.emit",
            None,
            None,
            ("events::ORDER_FILLED", 0),
        ),
        expect(
            &src,
            "heartbeat",
            Emit,
            "io.emit",
            None,
            None,
            ("\"heartbeat\"", 0),
        ),
        expect(
            &src,
            "stats",
            Emit,
            "io.of().emit",
            None,
            Some("/admin"),
            ("\"stats\"", 0),
        ),
        expect(
            &src,
            "alert",
            Emit,
            "admin.to().emit",
            Some("\"ops\""),
            Some("/admin"),
            ("\"alert\"", 0),
        ),
        expect(
            &src,
            "signal:expired",
            Emit,
            "ops.emit",
            None,
            Some("/ops"),
            ("Event::SignalExpired.as_str()", 0),
        ),
    ]);
    assert_eq!(got, want);

    let dynamic = &ex.sites[5];
    assert!(dynamic.dynamic);
    assert_eq!(dynamic.expr.as_deref(), Some("&name"));
    let filled = &ex.sites[7];
    assert_eq!(
        filled.payload,
        Some(Shape::Object {
            properties: vec![
                ("serverTime".into(), Shape::Number),
                ("healthy".into(), Shape::Boolean)
            ],
            open: false
        })
    );
    let stats = &ex.sites[9];
    assert_eq!(
        stats.payload,
        Some(Shape::Object {
            properties: vec![
                ("users".into(), Shape::Number),
                ("uptime".into(), Shape::Number)
            ],
            open: false
        })
    );
}

#[test]
fn near_misses_in_a_server_file_are_not_sites() {
    let (_, ex) = scan("rooms.rs");
    for site in &ex.sites {
        assert_ne!(site.event.as_deref(), Some("order:placed"), "{site:?}");
        assert!(!site.call.starts_with("tx.") && !site.call.starts_with("state.tx"));
        assert!(!site.call.starts_with("bus.") && !site.call.starts_with("s.on"));
    }
    assert!(!ex.sites.iter().any(|s| s.line == 0));
}

#[test]
fn namespaces_flow_from_ns_into_closures_handler_fns_and_helpers() {
    let (src, ex) = scan("namespaces.rs");
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let admin = Some("/admin");
    let mut want = vec![
        expect(
            &src,
            "kick",
            Listen,
            "socket.on",
            None,
            admin,
            ("\"kick\"", 0),
        ),
        expect(
            &src,
            "stats:get",
            Listen,
            "socket.on",
            None,
            admin,
            ("\"stats:get\"", 0),
        ),
        expect(
            &src,
            "kicked",
            Emit,
            "s.to().emit",
            Some("id.clone()"),
            admin,
            ("\"kicked\"", 0),
        ),
        expect(
            &src,
            "disconnect",
            Listen,
            "s.on_disconnect",
            None,
            admin,
            ("on_disconnect", 0),
        ),
        expect(&src, "bye", Emit, "s.emit", None, admin, ("\"bye\"", 0)),
        expect(
            &src,
            "welcome",
            Emit,
            "socket.emit",
            None,
            admin,
            ("\"welcome\"", 0),
        ),
        expect(
            &src,
            "chat:message",
            Listen,
            "s.on",
            None,
            Some("/chat"),
            ("\"chat:message\"", 0),
        ),
        expect(
            &src,
            "chat:message",
            Emit,
            "s.broadcast().emit",
            None,
            Some("/chat"),
            ("\"chat:message\"", 1),
        ),
        expect(
            &src,
            "chat:ready",
            Emit,
            "s.emit",
            None,
            Some("/chat"),
            ("\"chat:ready\"", 0),
        ),
        expect(
            &src,
            "hello",
            Emit,
            "socket.emit",
            None,
            None,
            ("\"hello\"", 0),
        ),
    ];
    let (line, column) = at(&src, "event_name.as_str()", 0);
    want.push((None, Emit, "io.emit".into(), None, None, line, column));
    assert_eq!(got, want);
    assert_eq!(ex.sites[10].expr.as_deref(), Some("event_name.as_str()"));
}

#[test]
fn rust_socketio_client_sites() {
    let (src, ex) = scan("client.rs");
    assert_eq!(ex.side, Some(Side::Client));
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let admin = Some("/admin");
    let want = vec![
        // `handle_trade` is registered on the `/admin` builder, so its emit is in `/admin` too.
        expect(
            &src,
            "trade:ack",
            Emit,
            "socket.emit",
            None,
            admin,
            ("\"trade:ack\"", 0),
        ),
        expect(
            &src,
            "trade:update",
            Listen,
            "ClientBuilder.on",
            None,
            admin,
            ("\"trade:update\"", 0),
        ),
        expect(
            &src,
            "connect",
            Listen,
            "ClientBuilder.on",
            None,
            admin,
            ("Event::Connect", 0),
        ),
        expect(
            &src,
            "subscribe:trades",
            Emit,
            "client.emit",
            None,
            admin,
            ("\"subscribe:trades\"", 0),
        ),
        expect(
            &src,
            "error",
            Listen,
            "ClientBuilder.on",
            None,
            admin,
            ("\"error\"", 0),
        ),
        expect(
            &src,
            "ping",
            Emit,
            "socket.emit",
            None,
            admin,
            ("\"ping\"", 0),
        ),
        expect(
            &src,
            "order:place",
            Emit,
            "socket.emit_with_ack",
            None,
            admin,
            ("\"order:place\"", 0),
        ),
    ];
    assert_eq!(got, want);
    assert!(ex.sites.iter().all(|s| s.side == Some(Side::Client)));
    assert_eq!(ex.sites[5].payload, Some(Shape::Null));
}

#[test]
fn rust_socketio_async_client_callbacks() {
    let src = r#"use futures_util::FutureExt;
use rust_socketio::asynchronous::{Client, ClientBuilder};
use rust_socketio::Payload;

async fn run() {
    let client = ClientBuilder::new("http://localhost:3000")
        .on("signal:new", |payload: Payload, socket: Client| {
            async move { socket.emit("signal:seen", payload).await.ok(); }.boxed()
        })
        .on("trade:update", |_, s| async move { s.emit("trade:seen", "ok").await.ok(); }.boxed())
        .connect()
        .await
        .expect("connect");
    client.emit("hello", "x").await.ok();
}
"#;
    let ex = extract("c.rs", src);
    assert_eq!(ex.side, Some(Side::Client));
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let b = "ClientBuilder.on";
    let want = vec![
        expect(
            src,
            "signal:new",
            Listen,
            b,
            None,
            None,
            ("\"signal:new\"", 0),
        ),
        expect(
            src,
            "signal:seen",
            Emit,
            "socket.emit",
            None,
            None,
            ("\"signal:seen\"", 0),
        ),
        expect(
            src,
            "trade:update",
            Listen,
            b,
            None,
            None,
            ("\"trade:update\"", 0),
        ),
        expect(
            src,
            "trade:seen",
            Emit,
            "s.emit",
            None,
            None,
            ("\"trade:seen\"", 0),
        ),
        expect(
            src,
            "hello",
            Emit,
            "client.emit",
            None,
            None,
            ("\"hello\"", 0),
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn middleware_wrapped_handlers_and_socket_arcs() {
    let src = r#"use socketioxide::{extract::SocketRef, socket::Socket, SocketIo};
use std::sync::Arc;

fn call<A>(me: Arc<Socket<A>>) { me.emit("from:arc", 1).ok(); }
fn first(sock_ref: SocketRef) { sock_ref.emit("test", "x").unwrap(); }

fn main() {
    let (_layer, io) = SocketIo::new_layer();
    io.ns("/mw", move |s: SocketRef| {
        s.on("test_1", MessageMiddleware::new(first));
    });
}
"#;
    let ex = extract("m.rs", src);
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let want = vec![
        expect(
            src,
            "from:arc",
            Emit,
            "me.emit",
            None,
            None,
            ("\"from:arc\"", 0),
        ),
        expect(
            src,
            "test",
            Emit,
            "sock_ref.emit",
            None,
            Some("/mw"),
            ("\"test\"", 0),
        ),
        expect(
            src,
            "test_1",
            Listen,
            "s.on",
            None,
            Some("/mw"),
            ("\"test_1\"", 0),
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn channels_and_event_buses_without_socketio_yield_nothing() {
    let (_, ex) = scan("channels.rs");
    assert_eq!(ex.side, None);
    assert_eq!(ex.parse_error, None);
    assert_eq!(ex.sites, Vec::<Site>::new());
}

#[test]
fn broken_file_falls_back_to_lexical_pass() {
    let (src, ex) = scan("broken.rs");
    assert!(ex.parse_error.is_some());
    assert_eq!(ex.side, Some(Side::Server));
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    use Role::{Emit, Listen};
    let want = vec![
        expect(
            &src,
            "join",
            Listen,
            "socket.on",
            None,
            None,
            ("\"join\"", 0),
        ),
        expect(
            &src,
            "joined",
            Emit,
            "socket.to().emit",
            Some("room"),
            None,
            ("\"joined\"", 0),
        ),
        expect(
            &src,
            "welcome",
            Emit,
            "socket.emit",
            None,
            None,
            ("\"welcome\"", 0),
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn too_deep_nesting_is_read_lexically() {
    let (src, ex) = scan("deep.rs");
    assert!(ex.parse_error.unwrap().contains("nest"));
    let got: Vec<Key> = ex.sites.iter().map(key).collect();
    assert_eq!(
        got,
        vec![expect(
            &src,
            "deep",
            Role::Emit,
            "socket.emit",
            None,
            None,
            ("\"deep\"", 0)
        )]
    );
}

#[test]
fn fixtures_snapshot() {
    let mut out = String::new();
    for name in [
        "chat.rs",
        "echo.rs",
        "private_messaging.rs",
        "rooms.rs",
        "namespaces.rs",
        "client.rs",
        "channels.rs",
        "broken.rs",
    ] {
        let (_, ex) = scan(name);
        out.push_str(&format!("== {name}\n{}", render(&ex)));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn columns_count_characters_not_bytes() {
    let src =
        "use socketioxide::extract::SocketRef;\nfn f(s: SocketRef) { /* é */ s.emit(\"ü\", 1); }\n";
    let ex = extract("a.rs", src);
    assert_eq!(ex.sites.len(), 1);
    assert_eq!((ex.sites[0].line, ex.sites[0].column), at(src, "\"ü\"", 0));
    assert_eq!(ex.sites[0].event.as_deref(), Some("ü"));
}

#[test]
fn socket_names_only_count_in_files_that_import_socketio() {
    let body = "fn f(socket: Foo) { socket.emit(\"typed:away\", 1); }\nfn g() { let io = make(); io.emit(\"by:name\", 1); }\nfn h() { let s = Emitter; s.emit(\"unit:struct\", 1); let socket = 1; socket.emit(\"literal\", 1); }\n";
    let plain = extract("a.rs", body);
    assert!(plain.sites.is_empty());
    let server = extract("a.rs", &format!("use socketioxide::SocketIo;\n{body}"));
    let events: Vec<_> = server.sites.iter().map(|s| s.event.clone()).collect();
    // A typed non-socket parameter is never a socket; an unknown binding named `io` is.
    assert_eq!(events, vec![Some("by:name".to_string())]);
}

#[test]
fn emits_inside_custom_macros_are_found() {
    let src = r#"use socketioxide::extract::SocketRef;
fn f(socket: SocketRef) {
    my_macro!(socket.emit("in:macro", 1));
    tracing::info!("sent {}", socket.emit("in:info", 2).is_ok());
    tokio::select! {
        _ = tick() => { socket.emit("in:select", 3).ok(); }
    }
}
"#;
    let ex = extract("a.rs", src);
    let events: Vec<_> = ex.sites.iter().filter_map(|s| s.event.clone()).collect();
    assert_eq!(events, vec!["in:macro", "in:info", "in:select"]);
    assert_eq!(
        (ex.sites[2].line, ex.sites[2].column),
        at(src, "\"in:select\"", 0)
    );
}

const FRAGMENTS: &[&str] = &[
    "s.emit(\"EV\", 1).ok();",
    "io.to(format!(\"u:{}\", 1)).emit(\"EV\", &json!({\"a\": [1, {\"b\": null}]}));",
    "s.on(\"EV\", |s: SocketRef| { s.broadcast().emit(\"EV\", ()); });",
    "io.ns(\"/n\", |x| { x.emit(\"EV\", ()); });",
    "let t = s.clone(); t.within(r).emit(\"EV\", X { a: 1, ..d });",
    "m!({ s.emit(\"EV\", 1) } [ io.of(\"/a\").unwrap().emit(\"EV\", 2) ]);",
    "if let Some(a) = io.of(\"/b\") { a.emit(\"EV\", 3); }",
    "s.on_disconnect(h);",
    "s.emit(dynamic, 1);",
    "{ let s = 1; s.emit(\"EV\", 1); }",
    "tokio::spawn(async move { io.emit(\"EV\", &[1, 2]).await });",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn never_panics_on_garbled_input(
        cut in 0usize..4000,
        noise in "[(){}\\[\\]\"'#!<>:;,.|&a-z0-9 \n\\\\]{0,200}",
    ) {
        let base = fixture("rooms.rs");
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let garbled = format!("{}{}{}", &base[..at], noise, &base[at..]);
        let ex = extract("g.rs", &garbled);
        prop_assert!(!ex.parse_error.as_deref().unwrap_or("").contains("internal error"));
        for site in &ex.sites {
            prop_assert!(site.line >= 1 && site.column >= 1);
        }
        let _ = extract("n.rs", &noise);
    }

    /// Valid code built from socket-call fragments exercises the walk itself, not the parser.
    #[test]
    fn walk_never_fails_on_valid_fragments(
        parts in prop::collection::vec(0usize..FRAGMENTS.len(), 0..12),
        event in "[a-z:]{1,8}",
    ) {
        let mut body = String::new();
        for i in &parts {
            body.push_str(&FRAGMENTS[*i].replace("EV", &event));
            body.push('\n');
        }
        let src = format!(
            "use socketioxide::{{SocketIo, extract::SocketRef}};\nfn h(s: SocketRef, io: SocketIo) {{\n{body}}}\n"
        );
        let ex = extract("v.rs", &src);
        prop_assert_eq!(ex.parse_error, None);
        for site in &ex.sites {
            prop_assert!(site.line >= 3 && site.column >= 1);
            prop_assert!(site.event.as_deref() == Some(event.as_str()) || site.event.as_deref() == Some("disconnect") || site.dynamic);
        }
    }

    #[test]
    fn never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
        let _ = extract("t.rs", &text);
    }
}

#[test]
fn acks_are_recorded_for_ack_senders_and_emit_with_ack() {
    let acked = |name: &str| -> Vec<(String, bool)> {
        let (_, x) = scan(name);
        x.sites
            .iter()
            .map(|s| (s.event.clone().unwrap_or_default(), s.ack))
            .collect()
    };
    let echo = acked("echo.rs");
    assert!(
        echo.contains(&("message-with-ack".to_string(), true)),
        "{echo:?}"
    );
    assert!(
        echo.iter().any(|(e, ack)| e == "message" && !ack),
        "{echo:?}"
    );
    let ns = acked("namespaces.rs");
    assert!(ns.contains(&("stats:get".to_string(), true)), "{ns:?}");
    let rooms = acked("rooms.rs");
    assert!(
        rooms.contains(&("order:confirm".to_string(), true)),
        "{rooms:?}"
    );
    assert!(rooms.contains(&("ping".to_string(), true)), "{rooms:?}");
    assert!(rooms.iter().any(|(_, ack)| !ack), "{rooms:?}");
    // A handler fn passed by name shows its `AckSender` too.
    let src = "use socketioxide::{extract::{AckSender, SocketRef}, SocketIo};\n\
        fn on_get(s: SocketRef, ack: AckSender) { ack.send(&1).ok(); }\n\
        fn on_connect(socket: SocketRef) { socket.on(\"thing:get\", on_get); }\n";
    let x = extract("server/named.rs", src);
    assert_eq!(x.sites.len(), 1, "{:?}", x.sites);
    assert!(x.sites[0].ack);
}

#[test]
fn declared_wrappers_are_sites_in_rust_too() {
    use evdoc::scan::wrappers::{Table, Wrapper};
    let declared = |function: &str, event_arg, room_arg| {
        Wrapper::declared(&evdoc::catalog::model::Wrapper {
            function: function.into(),
            event_arg,
            room_arg,
            role: Role::Emit,
            side: Some(Side::Server),
        })
    };
    let table = Table::new([
        declared("emit_to_user", 2, Some(1)),
        declared("Hub.publish", 0, None),
    ]);
    let src = "const TRADE: &str = \"trade:update\";\n\
        fn settle(io: &Io, hub: &Hub, user: &str) {\n\
        emit_to_user(io, user, TRADE, &Trade { id: 1 });\n\
        hub.publish(\"hub:tick\", 1);\n\
        other.publish(\"not:a:site\", 1);\n\
        }\n";
    let x = evdoc::scan::rust::extract_using("server/settle.rs", src, &table);
    let got: Vec<String> = x
        .sites
        .iter()
        .map(|s| {
            format!(
                "{}:{} {} via={} room={}",
                s.line,
                s.event.as_deref().unwrap_or("?"),
                s.call,
                s.via.as_deref().unwrap_or("-"),
                s.room.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "3:trade:update emit_to_user via=emit_to_user room=user",
            "4:hub:tick publish via=publish room=-",
        ]
    );
    assert!(x.sites.iter().all(|s| s.side == Some(Side::Server)));
}

/// `volatile()` and the other operators keep the chain on the socket (issue 12).
#[test]
fn every_operator_in_a_chain_keeps_the_site() {
    let (_, ex) = scan("operators.rs");
    let got: Vec<(String, String, Option<String>)> = ex
        .sites
        .iter()
        .map(|s| {
            (
                s.event.clone().unwrap_or_default(),
                s.call.clone(),
                s.room.clone(),
            )
        })
        .collect();
    let want = [
        ("tick", "s.broadcast().volatile().emit", None),
        ("tock", "s.volatile().emit", None),
        ("ping", "s.to().except().timeout().emit", Some("\"desk\"")),
        (
            "floor:news",
            "io.within().local().volatile().emit",
            Some("\"floor\""),
        ),
    ];
    let want: Vec<(String, String, Option<String>)> = want
        .iter()
        .map(|(e, c, r)| (e.to_string(), c.to_string(), r.map(str::to_owned)))
        .collect();
    assert_eq!(got, want);
}

/// A `SocketIo` kept in a state struct declared in main.rs and read as `state.io` in another
/// module that does not import socketioxide (socketioxide's usual axum `State` pattern); a
/// struct of another file with its own `io` field stays its own.
#[test]
fn socket_fields_of_a_state_struct_reach_other_modules() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/rust-state");
    let result = evdoc::scan::scan(&root, &Default::default(), None).unwrap();
    let sites: Vec<String> = result
        .sites
        .iter()
        .map(|s| {
            format!(
                "{}:{} {} {:?}",
                s.file,
                s.line,
                s.event.as_deref().unwrap_or("~"),
                s.side
            )
        })
        .collect();
    assert_eq!(sites, ["src/http.rs:6 announcement Some(Server)"]);
}
