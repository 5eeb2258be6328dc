//! Tests of the JavaScript/TypeScript extractor on realistic fixtures.

use std::path::Path;

use evdoc::scan::js;
use evdoc::scan::{Extraction, Role, Site};

const FIXTURES: &str = "tests/fixtures/scan/js";

fn extract_fixture(rel: &str) -> Extraction {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(FIXTURES)
        .join(rel);
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    js::extract(rel, &source)
}

/// One line per site: `line:col role event call [room=…] [ns=…] [side]`.
fn brief(site: &Site) -> String {
    let role = match site.role {
        Role::Emit => "emit",
        Role::Listen => "listen",
    };
    let event = match (&site.event, &site.expr) {
        (Some(e), _) => e.clone(),
        (None, Some(x)) => format!("~{x}"),
        (None, None) => "~?".to_string(),
    };
    let mut s = format!("{}:{} {role} {event} {}", site.line, site.column, site.call);
    if let Some(r) = &site.room {
        s.push_str(&format!(" room={r}"));
    }
    if let Some(n) = &site.namespace {
        s.push_str(&format!(" ns={n}"));
    }
    if let Some(side) = site.side {
        s.push_str(&format!(" {}", side.as_str()));
    }
    s
}

fn briefs(x: &Extraction) -> Vec<String> {
    x.sites.iter().map(brief).collect()
}

#[test]
#[ignore = "debugging aid: EVDOC_DUMP=relative/path cargo test --test scan_js dump -- --ignored --nocapture"]
fn dump() {
    let rel = std::env::var("EVDOC_DUMP").expect("EVDOC_DUMP");
    let x = extract_fixture(&rel);
    println!("side={:?} parse_error={:?}", x.side, x.parse_error);
    for b in briefs(&x) {
        println!("{b}");
    }
}

fn assert_sites(rel: &str, expected: &[&str]) -> Extraction {
    let x = extract_fixture(rel);
    assert_eq!(x.parse_error, None, "{rel} should parse");
    let got = briefs(&x);
    assert_eq!(got, expected, "{rel}:\n{}", got.join("\n"));
    for s in &x.sites {
        assert_eq!(s.file, rel);
        assert_eq!(s.direction, None, "the orchestrator derives direction");
        assert_eq!(s.via, None);
        assert_eq!(s.dynamic, s.event.is_none());
    }
    x
}

// ---- servers ----------------------------------------------------------------------------------

#[test]
fn commonjs_chat_server() {
    let x = assert_sites(
        "server/chat-server.js",
        &[
            "19:7 listen connection io.on server",
            "20:13 listen join room socket.on server",
            "23:26 emit user joined socket.to().emit room=room server",
            "26:13 listen chat message socket.on server",
            "27:26 emit chat message io.to().emit room=msg.room server",
            "31:15 listen hello socket.once server",
            "31:42 emit welcome socket.emit server",
            "33:13 listen typing socket.on server",
            "34:36 emit typing socket.broadcast.to().emit room=room server",
            "37:13 listen private message socket.on server",
            "38:58 emit private message io.to().to().emit room=USER_PREFIX + to, `user:${socket.id}` server",
            "43:13 listen disconnecting socket.on server",
            "45:28 emit user left socket.to().emit room=room server",
            "49:13 listen disconnect socket.on server",
            "50:13 emit online io.emit server",
        ],
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Server));
}

#[test]
fn typescript_server_with_namespaces_enums_and_classes() {
    let x = assert_sites(
        "server/trading.ts",
        &[
            "30:7 listen connection io.on server",
            "31:13 listen subscribe:trades socket.on server",
            "33:17 emit trades:subscribed socket.emit server",
            "36:13 listen unsubscribe:trades socket.on server",
            "40:13 listen subscribe:signals socket.on server",
            "45:10 listen connection admin.on ns=/admin server",
            "46:13 listen execute:trade socket.on ns=/admin server",
            "47:59 emit trade:confirm socket.timeout().emitWithAck ns=/admin server",
            "48:45 emit trade:executed admin.to().except().emit room='ops' ns=/admin server",
            "56:39 emit trade:update this.io.to().emit room=`user:${userId}` server",
            "67:41 emit signal:new this.io.volatile.to().emit room='signals' server",
            "68:47 emit signal:audit this.io.of().compress().emit ns=/admin server",
            "72:39 emit ~event this.io.in().emit room=`user:${userId}` server",
        ],
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Server));
    let sites: Vec<_> = x
        .sites
        .iter()
        .map(|s| (s.event.clone(), s.payload.clone()))
        .collect();
    insta::assert_json_snapshot!("trading_payloads", sites);
}

#[test]
fn nestjs_gateway() {
    assert_sites(
        "server/events.gateway.ts",
        &[
            "28:17 emit chat:welcome client.emit ns=/chat server",
            "32:22 emit chat:left this.server.emit ns=/chat server",
            "35:21 listen chat:send @SubscribeMessage ns=/chat server",
            "37:36 emit chat:receive this.server.to().emit room=body.room ns=/chat server",
            "41:21 listen chat:join @SubscribeMessage ns=/chat server",
            "44:26 emit chat:joined client.to().emit room=room ns=/chat server",
            "45:21 emit chat:joined return { event, data } ns=/chat server",
        ],
    );
}

#[test]
fn legacy_server_apis() {
    assert_sites(
        "server/legacy-v2.js",
        &[
            "9:15 listen connection io.sockets.on server",
            "10:13 listen adduser socket.on server",
            "13:36 emit updatechat io.sockets.in().emit room=ROOM_LOBBY server",
            "14:33 emit updaterooms socket.compress().emit server",
            "15:12 emit message socket.send server",
            "18:13 listen sendchat socket.on server",
            "19:21 emit updatechat io.sockets.emit server",
            "20:36 emit activity socket.nsp.to().emit room=ROOM_LOBBY server",
            "23:13 listen whisper socket.on server",
            "24:40 emit whisper io.sockets.connected[].emit server",
            "25:42 emit whisper:v3 io.sockets.sockets.get().emit server",
            "29:19 listen connection io.of().on ns=/game server",
            "30:13 listen move player.on ns=/game server",
            "31:27 emit moved player.broadcast.emit ns=/game server",
            "35:31 emit server:restart redisEmitter.to().emit room='lobby' server",
            "39:11 emit notify io.emit server",
            "40:36 emit notify:room global.io.to().emit room=req.body.room server",
        ],
    );
}

#[test]
fn handler_module_with_dynamic_names() {
    let x = assert_sites(
        "server/handlers.js",
        &[
            "10:23 emit order:updated io.to().emit room=topic server",
            "16:17 emit order:read:reply socket.emit",
            "19:13 listen ~ORDER_CREATE socket.on",
            "20:13 listen ~ORDER_READ socket.on",
            "21:13 listen order:list socket.on",
            "23:17 emit ~event socket.emit",
            "27:15 listen ~name socket.on",
            "27:37 emit ~`${name}:done` io.emit server",
        ],
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Server));
}

// ---- clients ----------------------------------------------------------------------------------

#[test]
fn browser_client_module() {
    let x = assert_sites(
        "client/dashboard.js",
        &[
            "11:11 listen connect socket.on client",
            "12:15 emit subscribe:trades socket.emit client",
            "13:15 emit subscribe:signals socket.emit client",
            "16:11 listen connect_error socket.on client",
            // The Manager's reconnection events are lifecycle sites, like `connect`.
            "20:14 listen reconnect_attempt socket.io.on client",
            "21:14 listen reconnect socket.io.on client",
            "21:45 emit subscribe:signals socket.emit client",
            "23:11 listen trade:update socket.on client",
            "24:13 listen signals:subscribed socket.once client",
            "30:56 emit execute:trade socket.timeout().emitWithAck client",
            "33:27 emit client:error socket.volatile.emit client",
            "37:10 listen trade:executed admin.on ns=/admin client",
            "40:15 emit unsubscribe:trades socket.emit client",
        ],
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Client));
    let payload = serde_json::to_value(x.sites[1].payload.as_ref().unwrap()).unwrap();
    assert_eq!(
        payload,
        serde_json::json!({"type": "object", "properties": [["userId", {"type": "unknown"}]], "open": false})
    );
}

#[test]
fn react_component_with_hooks_and_refs() {
    let x = assert_sites(
        "client/ChatRoom.jsx",
        &[
            "15:15 listen chat:message socket.on",
            "16:15 listen chat:history socket.on",
            "17:17 emit chat:join socket.emit",
            "26:26 listen typing socketRef.current.on",
            "30:29 emit chat:message socketRef.current.emit",
            "34:40 emit typing socket.emit",
        ],
    );
    // Only imports prove a side; a shared `socket` module does not.
    assert_eq!(x.side, None);
}

#[test]
fn client_socket_module_has_a_side_and_no_sites() {
    let x = assert_sites("client/socket.js", &[]);
    assert_eq!(x.side, Some(evdoc::scan::Side::Client));
}

#[test]
fn vue_single_file_component() {
    assert_sites(
        "client/Chat.vue",
        &[
            "15:5 listen connect sockets: {} client",
            "18:5 listen chat:message sockets: {} client",
            "23:28 listen chat:typing this.sockets.subscribe client",
            "30:25 emit chat:send this.$socket.emit",
        ],
    );
}

#[test]
fn svelte_component() {
    assert_sites(
        "client/Live.svelte",
        &[
            "10:15 listen price:tick socket.on ns=/markets client",
            "13:17 emit markets:watch socket.emit ns=/markets client",
            // In the markup: `on:click={() => socket.emit('markets:detail', symbol)}`.
            "21:37 emit markets:detail socket.emit ns=/markets client",
        ],
    );
}

#[test]
fn html_page_with_the_global_client() {
    let x = assert_sites(
        "client/index.html",
        &[
            "19:23 emit chat message socket.emit client",
            "24:17 listen chat message socket.on client",
            "30:52 emit typing socket.emit client",
        ],
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Client));
}

#[test]
fn angular_ngx_socket_io_service() {
    assert_sites(
        "client/socket.service.ts",
        &[
            "15:22 emit message this.socket.emit client",
            "19:43 listen message this.socket.fromEvent client",
        ],
    );
}

#[test]
fn manager_sockets_and_getters() {
    assert_sites(
        "client/admin-client.ts",
        &[
            "18:27 emit ops:run this.getSocket().emit ns=/ops client",
            "22:16 listen admin:alert adminSocket.on ns=/admin client",
            "23:12 listen reconnect manager.on client",
        ],
    );
}

// ---- near misses --------------------------------------------------------------------------------

#[test]
fn emitters_streams_and_process_events_are_not_sites() {
    for rel in [
        "near-miss/event-bus.js",
        "near-miss/transports.js",
        "near-miss/browser.js",
        "near-miss/electron-main.js",
        "near-miss/Emits.vue",
    ] {
        let x = assert_sites(rel, &[]);
        assert_eq!(x.side, None, "{rel}");
    }
}

#[test]
fn other_transports_beside_socket_io_are_told_apart() {
    assert_sites(
        "near-miss/mixed-bridge.ts",
        &[
            "10:53 emit price:tick io.to().emit room='prices' server",
            "19:39 emit feed:message io.emit server",
            "26:7 listen connection io.on server",
            "27:13 listen prices:subscribe socket.on server",
        ],
    );
}

// ---- robustness ---------------------------------------------------------------------------------

#[test]
fn syntax_errors_fall_back_to_the_lexical_scan() {
    let x = extract_fixture("broken/syntax-error.js");
    let error = x.parse_error.as_deref().expect("parse error reported");
    assert!(error.starts_with("line 11:"), "{error}");
    assert_eq!(
        briefs(&x),
        [
            "5:11 listen connect socket.on",
            "6:15 emit subscribe:trades socket.emit",
            "11:15 emit draft:save socket.emit",
            "15:11 listen trade:update socket.on",
        ]
    );
    assert_eq!(x.side, Some(evdoc::scan::Side::Client));
}

#[test]
fn handles_script_and_markup_extensions() {
    for p in [
        "a.js", "b/c.JSX", "x.mjs", "x.cjs", "x.ts", "x.tsx", "x.mts", "x.cts", "x.vue",
        "x.svelte", "x.html", "x.htm",
    ] {
        assert!(js::handles(p), "{p}");
    }
    for p in ["a.rs", "a.json", "js", "a.d", "Makefile", "a.min", ".js/x"] {
        assert!(!js::handles(p), "{p}");
    }
}

#[test]
fn huge_lines_and_deep_nesting_do_not_panic() {
    let long_line = "socket.emit('tick', 1);".repeat(20_000);
    let x = js::extract("big.js", &long_line);
    assert_eq!(x.sites.len(), 20_000);
    assert_eq!(x.sites.last().unwrap().line, 1);

    for depth in [100, 5_000, 50_000] {
        let nested = format!(
            "socket.emit('deep', {}1{});",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let _ = js::extract("deep.js", &nested);
        let parens = format!(
            "{}socket{}.emit('p');",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let _ = js::extract("parens.ts", &parens);
        let calls = format!("socket{}.emit('c');", ".to(r)".repeat(depth));
        let _ = js::extract("calls.js", &calls);
        let concat = format!("socket.emit('a'{});", " + 'b'".repeat(depth));
        let _ = js::extract("concat.js", &concat);
    }
}

#[test]
fn binary_ish_input_does_not_panic() {
    let mut bytes: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    bytes.extend_from_slice(b"\nsocket.emit('after', 1)\n");
    let text = String::from_utf8_lossy(&bytes);
    for rel in ["bin.js", "bin.ts", "bin.vue", "bin.html"] {
        let _ = js::extract(rel, &text);
    }
}

mod never_panics {
    use super::js;
    use proptest::prelude::*;

    const TOKENS: &[&str] = &[
        "socket",
        "io",
        "this",
        ".",
        "?.",
        "emit",
        "on",
        "to",
        "of",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        "'a'",
        "\"b\"",
        "`c${",
        "}`",
        ",",
        ";",
        "=>",
        "const ",
        "x",
        "=",
        "require('socket.io')",
        "new ",
        "Server",
        "class ",
        "extends ",
        "@SubscribeMessage(",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "\n",
        "é",
        "import ",
        "from ",
        "'socket.io-client'",
        "function ",
        "return ",
        "+",
        ":",
        "?",
        "async ",
        "await ",
        "...",
        "enum ",
        "as const",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn on_arbitrary_text(text in "\\PC{0,300}", ext in prop::sample::select(vec!["js", "ts", "tsx", "vue", "svelte", "html"])) {
            let x = js::extract(&format!("f.{ext}"), &text);
            for s in &x.sites {
                prop_assert!(s.line >= 1 && s.column >= 1);
            }
        }

        #[test]
        fn on_token_soup(tokens in prop::collection::vec(prop::sample::select(TOKENS.to_vec()), 0..120),
                         ext in prop::sample::select(vec!["js", "ts", "vue", "html"])) {
            let text: String = tokens.concat();
            let x = js::extract(&format!("f.{ext}"), &text);
            let lines = text.lines().count().max(1) as u32;
            for s in &x.sites {
                prop_assert!(s.line >= 1 && s.line <= lines + 1);
            }
        }
    }
}

#[test]
fn imported_constants_resolve_through_the_loader() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURES);
    let load = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
    let rel = "server/uses-shared.ts";
    let source = std::fs::read_to_string(root.join(rel)).unwrap();

    let linked = js::extract_with(rel, &source, Some(&load));
    assert_eq!(
        briefs(&linked),
        [
            "11:7 listen connection io.on server",
            "12:13 listen subscribe:trades socket.on server",
            "13:13 listen health:ping socket.on server",
            "14:13 listen order:create socket.on server",
            "15:13 listen order:read socket.on server",
            "16:13 listen ~Unknown.EVENT socket.on server",
            "19:22 emit trade:update io.to().emit room='trades' server",
            "20:9 emit signal:new io.emit server",
        ]
    );

    // Without a loader the same names stay dynamic, with their expressions.
    let alone = js::extract(rel, &source);
    let dynamic: Vec<_> = alone.sites.iter().filter_map(|s| s.expr.clone()).collect();
    assert_eq!(
        dynamic,
        [
            "SocketEvents.SubscribeTrades",
            "Health.PING",
            "ORDER_CREATE",
            "legacy.ORDER_READ",
            "Unknown.EVENT",
            "Shared.SocketEvents.TradeUpdate",
            "SignalEvent.New"
        ]
    );
}

fn inline(rel: &str, source: &str) -> Vec<String> {
    let x = js::extract(rel, source);
    assert_eq!(x.parse_error, None, "{rel}: {source}");
    briefs(&x)
}

#[test]
fn inline_forms() {
    // The browser global `io.connect(url)`.
    assert_eq!(
        inline(
            "a.js",
            "const socket = io.connect('http://localhost:3000/chat');\nsocket.emit('hi');"
        ),
        ["2:13 emit hi socket.emit ns=/chat client"]
    );
    // Node's `upgrade` hands out a raw TCP socket, even in a Socket.IO server file.
    assert_eq!(
        inline(
            "b.js",
            "const { Server } = require('socket.io');\nconst http = require('http');\nconst server = http.createServer();\nconst io = new Server(server);\nserver.on('upgrade', (req, socket) => { socket.on('error', () => {}); });\nio.emit('up');"
        ),
        ["6:9 emit up io.emit server"]
    );
    // Values of unrelated packages, EventEmitters and `this` are not sockets.
    assert!(inline("c.js", "import io from '@pm2/io';\nio.emit('metric');").is_empty());
    assert!(inline("d.js", "import { EventEmitter } from 'events';\nconst socket = new EventEmitter();\nsocket.emit('x');").is_empty());
    assert!(inline(
        "e.js",
        "class A { go() { this.emit('x'); this.on('y', f); } }"
    )
    .is_empty());
    // A file that only uses another transport proves nothing by names.
    assert!(inline(
        "f.js",
        "import WebSocket from 'ws';\nexport function wire(socket) { socket.on('message', f); }"
    )
    .is_empty());
    // Typed refs and injected sockets.
    assert_eq!(
        inline(
            "g.tsx",
            "import type { Socket } from 'socket.io-client';\nexport function useChat() {\n  const socketRef = useRef<Socket | null>(null);\n  socketRef.current?.emit('chat:open');\n  const s = inject('socket');\n  s.emit('chat:ping');\n}"
        ),
        ["4:27 emit chat:open socketRef.current.emit"]
    );
    // Local constants, template literals of constants, `as const` members.
    assert_eq!(
        inline(
            "h.ts",
            "const NS = 'chat';\nconst E = { JOIN: `${NS}:join` } as const;\nexport function f(socket) {\n  const LEAVE = NS + ':leave';\n  socket.emit(E.JOIN);\n  socket.emit(LEAVE);\n  socket.emit(E['JOIN']);\n}"
        ),
        ["5:15 emit chat:join socket.emit", "6:15 emit chat:leave socket.emit", "7:15 emit chat:join socket.emit"]
    );
    // `off`, `onAny`, `removeListener` and `listeners` are not sites.
    assert!(inline(
        "i.js",
        "socket.off('a');\nsocket.onAny(f);\nsocket.removeListener('b', f);\nsocket.listeners('c');\nsocket.removeAllListeners('d');"
    )
    .is_empty());
    // A parameter shadows a module-level constant of the same name.
    assert_eq!(
        inline(
            "j.js",
            "const event = 'fixed';\nfunction relay(socket, event) { socket.emit(event); }"
        ),
        ["2:45 emit ~event socket.emit"]
    );
}

/// `switch (event.name) { case "x": socket.emit(event.name) }` and `if (n === "x")`: one label is
/// a literal site, several are candidates, `default` and `else` stay dynamic (issue 12).
#[test]
fn switch_and_if_narrow_the_event_name() {
    let x = assert_sites(
        "client/relay.ts",
        &[
            "9:19 emit doc:update socket.emit client",
            "13:19 emit ~event.name socket.emit client",
            "16:19 emit ~event.name socket.emit client",
            "22:17 emit ~notification socket.emit client",
            "24:17 emit user:typing socket.emit client",
            "26:17 emit ~notification socket.emit client",
        ],
    );
    let candidates: Vec<Option<Vec<String>>> =
        x.sites.iter().map(|s| s.candidates.clone()).collect();
    let owned = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        candidates,
        [
            None,
            owned(&["doc:lock", "doc:unlock"]),
            None,
            owned(&["user:joined", "user:left"]),
            None,
            None,
        ]
    );
}

/// Node child processes and their pipes, file streams and RxJS subjects inside a connection
/// handler are not sockets, whatever their `on`/`emit`/`send` look like (issue 12 near-misses).
#[test]
fn processes_streams_and_subjects_beside_a_socket_stay_unmatched() {
    assert_sites(
        "near-miss/worker-relay.ts",
        &[
            "11:7 listen connection io.on server",
            "16:45 emit log:line socket.emit server",
            "17:41 emit log:end socket.emit server",
            "19:44 emit export:chunk socket.emit server",
            "21:40 emit update socket.emit server",
            "22:13 listen stop socket.on server",
        ],
    );
}

/// A socket handed to a function of the same file is followed by that file's own walk: one
/// extraction finds the sites in the function, even when it is declared below the call and
/// named nothing like a socket, and through a chain of two such functions.
#[test]
fn a_socket_passed_to_a_function_of_the_same_file_is_followed_in_one_extraction() {
    let source = r#"
import { Server } from "socket.io";
const io = new Server();
io.on("connection", (conn) => register(conn));
function register(peer) {
  peer.on("chat:send", (m) => relay(peer, m));
}
function relay(target, m) {
  target.emit("chat:echo", m);
}
"#;
    let x = js::extract("server.js", source);
    let events: Vec<(String, String)> = x
        .sites
        .iter()
        .map(|s| (s.event.clone().unwrap_or_default(), format!("{:?}", s.side)))
        .collect();
    assert!(
        events.contains(&("chat:send".into(), "Some(Server)".into())),
        "{events:?}"
    );
    assert!(
        events.contains(&("chat:echo".into(), "Some(Server)".into())),
        "{events:?}"
    );
}
