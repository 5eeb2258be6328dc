//! `evdoc export typescript` compiled by the real `tsc --strict` (npm `typescript` 5.9.3 with
//! `socket.io` / `socket.io-client` 4.8.1 and `@types/node`, pinned in tests/contract/package.json
//! + lockfile), the way teams use it:
//!
//! - a typed server (`new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents,
//!   SocketData>()`, Node settings) and a typed client (`Socket<ServerToClientEvents,
//!   ClientToServerEvents>`, browser settings: DOM, no @types/node), **generated here from the
//!   catalog**, use every event that is not reserved by Socket.IO, in its direction(s), with its
//!   arguments (the catalog's example, else a value made from the schema), its ack callback,
//!   `emitWithAck` and `timeout()`; a parameter typed `any` fails them. An event missing from
//!   the export, or typed wrong, fails to compile.
//! - deliberately wrong uses (a wrong payload field, a wrong direction, a missing or mistyped
//!   ack, a reserved event, a string where bytes are declared) must fail with the expected tsc
//!   error code, and nothing else.
//!
//! The reference catalog, every fixture catalog that loads and tests/fixtures/serve/catalog.yaml
//! (binary fields, multi-argument events) are compiled, in two tsc programs (server, client).

use evdoc::catalog::schema::binary;
use evdoc::catalog::{Catalog, Event, Schema};
use evdoc::export::asyncapi::side;
use evdoc::vocab::reserved::is_reserved;
use evdoc::vocab::Direction;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn contract() -> PathBuf {
    let dir = root().join("tests/contract");
    assert!(
        dir.join("node_modules/typescript/bin/tsc").exists()
            && dir.join("node_modules/socket.io-client").exists(),
        "tests/contract/node_modules is missing: run `(cd tests/contract && npm ci --no-audit --no-fund)`"
    );
    dir
}

/// The reference catalog, every fixture catalog that loads, and serve's fixture.
fn catalogs() -> Vec<(String, PathBuf)> {
    let mut out = vec![("reference".to_string(), root().join("catalog"))];
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/catalogs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| evdoc::catalog::load(p).is_ok())
        .collect();
    fixtures.sort();
    for f in fixtures {
        let name = f.file_name().unwrap().to_string_lossy().replace('-', "_");
        out.push((name, f));
    }
    out.push((
        "serve".into(),
        root().join("tests/fixtures/serve/catalog.yaml"),
    ));
    out.push(("zoo".into(), zoo()));
    out
}

/// Every schema shape the export maps, and hostile names and texts.
fn zoo() -> PathBuf {
    root().join("tests/fixtures/typescript/zoo.yaml")
}

const IMPORTS: &str = "import type * as Events from \"./events\";\nimport type { ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData } from \"./events\";\n";

/// Fails to compile when its argument is typed `any`.
const NO_ANY: &str = "type IsAny<T> = 0 extends 1 & T ? true : false;\nfunction noAny<T>(_v: T, ..._any: IsAny<T> extends true ? [never] : []): void {}\n";

/// The server of `catalog`: per namespace, listens to every c2s event (answering its ack with
/// a value of the ack schema) and emits every s2c one (with `emitWithAck` when it has an ack).
fn server_usage(catalog: &Catalog) -> String {
    let mut out = format!("import {{ Server }} from \"socket.io\";\n{IMPORTS}{NO_ANY}");
    out.push_str("const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>();\n");
    for (i, (ns, events)) in by_namespace(catalog).iter().enumerate() {
        let _ = writeln!(
            out,
            "io.of({}).on(\"connection\", async (socket) => {{",
            json(ns)
        );
        out.push_str("  noAny(socket.data);\n");
        for (name, e) in events {
            if has(e, Direction::C2s) {
                out.push_str(&listen(name, e, Direction::C2s, "Buffer.from(\"bytes\")"));
            }
            if has(e, Direction::S2c) {
                out.push_str(&emit(name, e, Direction::S2c, "Buffer.from(\"bytes\")"));
                if let Some(room) = side(e, Direction::S2c).room {
                    if side(e, Direction::S2c).ack.is_none() {
                        let args = args(e, Direction::S2c, "new ArrayBuffer(4)");
                        let _ = writeln!(
                            out,
                            "  io.of({}).to({}).emit({}{args});",
                            json(ns),
                            json(room),
                            json(name)
                        );
                    }
                }
            }
        }
        let _ = writeln!(out, "}}); // {i}");
    }
    out
}

/// The client of `catalog`: one socket per namespace, the mirror image of the server.
fn client_usage(catalog: &Catalog) -> String {
    let mut out =
        format!("import {{ io, type Socket }} from \"socket.io-client\";\n{IMPORTS}{NO_ANY}");
    out.push_str("export async function main(): Promise<void> {\n");
    let namespaces = by_namespace(catalog);
    for (i, (ns, events)) in namespaces.iter().enumerate() {
        // With several namespaces, each client socket has its namespace's slice of the maps.
        let prefix = match (namespaces.len(), ns.as_str()) {
            (1, _) => String::new(),
            (_, "/") => "Main".into(),
            (_, ns) => pascal(ns),
        };
        let _ = writeln!(
            out,
            "  {{ // {i}\n  const socket: Socket<Events.{prefix}ServerToClientEvents, Events.{prefix}ClientToServerEvents> = io({});",
            json(&format!("http://localhost:3000{}", ns.trim_end_matches('/')))
        );
        for (name, e) in events {
            if has(e, Direction::C2s) {
                out.push_str(&emit(name, e, Direction::C2s, "new Uint8Array([1, 2])"));
            }
            if has(e, Direction::S2c) {
                out.push_str(&listen(name, e, Direction::S2c, "new Uint8Array([1, 2])"));
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

/// `/admin` → `Admin`, as the export names a namespace's maps.
fn pascal(ns: &str) -> String {
    ns.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect()
}

fn by_namespace(catalog: &Catalog) -> BTreeMap<String, Vec<(&String, &Event)>> {
    let mut m: BTreeMap<String, Vec<(&String, &Event)>> = BTreeMap::new();
    for (name, e) in &catalog.events {
        if !is_reserved(name) {
            m.entry(e.namespace().to_string())
                .or_default()
                .push((name, e));
        }
    }
    m
}

fn has(e: &Event, d: Direction) -> bool {
    e.direction == d || e.direction == Direction::Both
}

/// `socket.on(NAME, (arg1, …, callback) => { … callback(ACK) })`.
fn listen(name: &str, e: &Event, d: Direction, bytes: &str) -> String {
    let s = side(e, d);
    let n = s
        .args
        .map_or(usize::from(s.payload.is_some()), <[Schema]>::len);
    let mut params: Vec<String> = (1..=n).map(|i| format!("a{i}")).collect();
    let mut body: Vec<String> = params.iter().map(|p| format!("noAny({p});")).collect();
    if let Some(ack) = s.ack {
        params.push("callback".into());
        body.push(format!("callback({});", value(ack, ack, bytes, 0)));
    }
    format!(
        "  socket.on({}, ({}) => {{ {} }});\n",
        json(name),
        params.join(", "),
        body.join(" ")
    )
}

/// `socket.emit(NAME, args…)`, and with an ack: a callback, `emitWithAck` and `timeout()`.
fn emit(name: &str, e: &Event, d: Direction, bytes: &str) -> String {
    let a = args(e, d, bytes);
    let n = json(name);
    if side(e, d).ack.is_none() {
        return format!("  socket.emit({n}{a});\n");
    }
    // socket.io-client 4.8 types `timeout().emitWithAck` as `Promise<any>` (its `FirstArg`
    // does not skip the timeout error), so only the plain `emitWithAck` is checked for `any`.
    format!(
        "  socket.emit({n}{a}, (ack) => {{ noAny(ack); }});\n  noAny(await socket.emitWithAck({n}{a}));\n  socket.timeout(1000).emit({n}{a}, (err, ack) => {{ noAny(err); void ack; }});\n  await socket.timeout(1000).emitWithAck({n}{a});\n"
    )
}

/// `, arg1, arg2` for `e` in direction `d`: the first example for a single payload without
/// binary values, else values made from the schemas.
fn args(e: &Event, d: Direction, bytes: &str) -> String {
    let s = side(e, d);
    let values: Vec<String> = match (s.args, s.payload) {
        (Some(args), _) => args.iter().map(|a| value(a, a, bytes, 0)).collect(),
        (None, Some(p)) => match s.examples.first() {
            Some(x) if !has_binary(p) && valid(p, x) => vec![x.to_string()],
            _ => vec![value(p, p, bytes, 0)],
        },
        (None, None) => vec![],
    };
    values.iter().map(|v| format!(", {v}")).collect()
}

/// Whether `example` is valid (a fixture may hold a wrong one for `evdoc lint` to find).
fn valid(schema: &Value, example: &Value) -> bool {
    evdoc::catalog::schema::compile(schema)
        .is_ok_and(|v| evdoc::catalog::schema::validate(&v, example).is_empty())
}

fn has_binary(s: &Value) -> bool {
    binary(s).is_some()
        || match s {
            Value::Object(o) => o.values().any(has_binary),
            Value::Array(a) => a.iter().any(has_binary),
            _ => false,
        }
}

fn json(v: &str) -> String {
    serde_json::to_string(v).unwrap()
}

/// A TypeScript expression of a value `schema` accepts (every declared property written).
fn value(schema: &Value, root: &Value, bytes: &str, depth: usize) -> String {
    let Some(o) = schema.as_object() else {
        return "null".into();
    };
    if depth > 8 {
        return "null".into();
    }
    if binary(schema).is_some() {
        return bytes.into();
    }
    if let Some(r) = o.get("$ref").and_then(Value::as_str) {
        let target = r.strip_prefix('#').and_then(|p| root.pointer(p));
        return target.map_or("null".into(), |t| value(t, root, bytes, depth + 1));
    }
    if let Some(c) = o.get("const") {
        return c.to_string();
    }
    if let Some(first) = o
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.first())
    {
        return first.to_string();
    }
    for kw in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = o.get(kw).and_then(Value::as_array).and_then(|v| v.first()) {
            if !o.contains_key("type") && !o.contains_key("properties") {
                return value(first, root, bytes, depth + 1);
            }
        }
    }
    let ty = match o.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.first().and_then(Value::as_str).unwrap_or("null"),
        _ if o.contains_key("properties") => "object",
        _ if o.contains_key("items") || o.contains_key("prefixItems") => "array",
        _ => "null",
    };
    match ty {
        "string" => "\"text\"".into(),
        "number" | "integer" => "1".into(),
        "boolean" => "true".into(),
        "object" => {
            let props = o.get("properties").and_then(Value::as_object);
            let required: Vec<&str> = o
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut fields: Vec<String> = props
                .into_iter()
                .flatten()
                .filter(|(k, s)| required.contains(&k.as_str()) || !impossible(s))
                .map(|(k, s)| format!("{}: {}", json(k), value(s, root, bytes, depth + 1)))
                .collect();
            for r in required {
                if !props.is_some_and(|p| p.contains_key(r)) {
                    fields.push(format!("{}: null", json(r)));
                }
            }
            format!("{{ {} }}", fields.join(", "))
        }
        "array" => match o.get("prefixItems").or(o.get("items")) {
            Some(Value::Array(p)) => format!(
                "[{}]",
                p.iter()
                    .map(|s| value(s, root, bytes, depth + 1))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(s @ Value::Object(_)) => format!("[{}]", value(s, root, bytes, depth + 1)),
            _ => "[]".into(),
        },
        _ => "null".into(),
    }
}

/// A schema no value satisfies (`false`, `enum: []`): an optional property left out.
fn impossible(s: &Value) -> bool {
    s == &Value::Bool(false)
        || s.get("enum")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
}

/// Deliberately wrong uses of the reference catalog's export: (file, side, code tsc must give).
const BAD: &[(&str, &str, &str, &str)] = &[
    (
        "bad_unknown_field",
        "client",
        "TS2353",
        "socket.emit(\"subscribe:trades\", { userId: \"u-1\", room: \"x\" });",
    ),
    (
        "bad_field_type",
        "client",
        "TS2322",
        "socket.emit(\"execute:trade\", { symbol: \"AAPL\", side: \"buy\", quantity: \"10\" });",
    ),
    (
        "bad_missing_field",
        "client",
        "TS2345",
        "socket.emit(\"execute:trade\", { symbol: \"AAPL\", side: \"buy\" });",
    ),
    (
        "bad_enum_value",
        "client",
        "TS2322",
        "socket.emit(\"execute:trade\", { symbol: \"AAPL\", side: \"short\", quantity: 1 });",
    ),
    (
        "bad_client_emits_server_event",
        "client",
        "TS2345",
        "socket.emit(\"trade:update\", { tradeId: \"t\" });",
    ),
    (
        "bad_client_emits_reserved",
        "client",
        "TS2345",
        "socket.emit(\"disconnect\", \"io client disconnect\");",
    ),
    (
        "bad_ack_on_event_without_ack",
        "client",
        "TS2554",
        "void socket.emitWithAck(\"subscribe:trades\", { userId: \"u-1\" });",
    ),
    (
        "bad_ack_type_on_client",
        "client",
        "TS2322",
        "void socket.emitWithAck(\"notification:ack\", { notificationId: \"n\" }).then((a) => { const n: number = a.ok; return n; });",
    ),
    (
        "bad_event_of_another_namespace",
        "client",
        "TS2345",
        "const admin: Socket<Events.AdminServerToClientEvents, Events.AdminClientToServerEvents> = io(\"/admin\");\nadmin.emit(\"subscribe:trades\", { userId: \"u-1\" }); void socket;",
    ),
    (
        "bad_server_emits_client_event",
        "server",
        "TS2345",
        "socket.emit(\"execute:trade\", { symbol: \"AAPL\", side: \"buy\", quantity: 1 });",
    ),
    (
        "bad_server_missing_ack",
        "server",
        "TS2554",
        "socket.on(\"notification:ack\", (p, callback) => { void p; callback(); });",
    ),
    (
        "bad_server_wrong_ack",
        "server",
        "TS2322",
        "socket.on(\"notification:ack\", (p, callback) => { void p; callback({ ok: \"yes\" }); });",
    ),
    (
        "bad_server_payload_field",
        "server",
        "TS2339",
        "socket.on(\"execute:trade\", (p) => { void p.price; });",
    ),
    (
        "bad_listener_payload_type",
        "client",
        "TS2322",
        "socket.on(\"trade:update\", (t) => { const n: number = t.symbol; void n; });",
    ),
    (
        "bad_any_is_caught",
        "client",
        "TS2554",
        "type IsAny<T> = 0 extends 1 & T ? true : false;\nfunction noAny<T>(_v: T, ..._any: IsAny<T> extends true ? [never] : []): void {}\nconst x: any = 1; noAny(x); void socket;",
    ),
    (
        "bad_socket_data",
        "server",
        "TS2322",
        "const id: number = socket.data.userId; void id;",
    ),
];

/// A bad use on serve's fixture: a string where bytes are declared.
const BAD_SERVE: &[(&str, &str, &str, &str)] = &[(
    "bad_string_for_binary",
    "client",
    "TS2322",
    "socket.emit(\"file:upload\", { name: \"a.bin\", data: \"not bytes\" }, () => {});",
)];

/// Bad uses of the zoo: a tuple's element, a literal, a binary argument, a closed map.
const BAD_ZOO: &[(&str, &str, &str, &str)] = &[
    (
        "bad_tuple_element",
        "client",
        "TS2322",
        "socket.emit(\"zoo:arrays\", { pair: [\"a\", \"b\"] });",
    ),
    (
        "bad_tuple_length",
        "client",
        "TS2322",
        "socket.emit(\"zoo:arrays\", { pair: [\"a\", 1, 2] });",
    ),
    (
        "bad_const",
        "server",
        "TS2322",
        "socket.emit(\"zoo:literals\", { kind: \"cat\" });",
    ),
    (
        "bad_string_for_binary_arg",
        "client",
        "TS2345",
        "socket.emit(\"zoo:binary\", \"bytes\", { file: new Uint8Array(1) }, \"x\", () => {});",
    ),
    (
        "bad_map_value",
        "client",
        "TS2322",
        "socket.emit(\"zoo:objects\", { id: 1, \"with space\": \"\", \"quote\\\"d\": true, \"*/\": 1, counts: { a: \"1\" } }, () => {});",
    ),
    (
        "bad_variant_direction",
        "server",
        "TS2554",
        "socket.emit(\"zoo:variants\", \"a\", 1, (ack: boolean) => { void ack; });",
    ),
];

fn bad_file(side: &str, body: &str) -> String {
    if side == "server" {
        format!("import {{ Server }} from \"socket.io\";\n{IMPORTS}const io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>();\nio.on(\"connection\", (socket) => {{\n  {body}\n}});\n")
    } else {
        format!("import {{ io, type Socket }} from \"socket.io-client\";\n{IMPORTS}const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io();\n{body}\n")
    }
}

/// Runs tsc on `files` (relative to `dir`) with the `side` settings; `file → error codes`.
fn tsc(dir: &Path, side: &str, files: &[String]) -> (BTreeMap<String, Vec<String>>, String) {
    let cfg = format!("tsconfig.{side}.json");
    let base = contract().join("ts").join(&cfg);
    let config = serde_json::json!({"extends": base, "files": files});
    std::fs::write(dir.join(&cfg), config.to_string()).unwrap();
    let out = Command::new("node")
        .arg(contract().join("node_modules/typescript/bin/tsc"))
        .args(["-p", &cfg, "--pretty", "false"])
        .current_dir(dir)
        .output()
        .expect("node is needed for the contract tests");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((file, rest)) = line.split_once('(') {
            if let Some(code) = rest
                .split("error ")
                .nth(1)
                .and_then(|r| r.split(':').next())
            {
                errors
                    .entry(file.to_string())
                    .or_default()
                    .push(code.to_string());
            }
        }
    }
    (errors, text)
}

#[test]
fn exports_compile_with_typed_servers_and_clients_and_wrong_uses_do_not() {
    let work = tempfile::Builder::new()
        .prefix(".tsc-")
        .tempdir_in(contract())
        .unwrap();
    let mut files: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut bad: Vec<(String, &str)> = Vec::new();
    for (name, path) in catalogs() {
        let cat = evdoc::catalog::load(&path).unwrap().catalog;
        let dir = work.path().join(&name);
        std::fs::create_dir(&dir).unwrap();
        let ts = evdoc::export::typescript::export(&cat, &name);
        std::fs::write(dir.join("events.ts"), &ts).unwrap();
        std::fs::write(dir.join("server.ts"), server_usage(&cat)).unwrap();
        std::fs::write(dir.join("client.ts"), client_usage(&cat)).unwrap();
        let cases = match name.as_str() {
            "reference" => BAD,
            "serve" => BAD_SERVE,
            "zoo" => BAD_ZOO,
            _ => &[],
        };
        for side in ["server", "client"] {
            let list = files.entry(side).or_default();
            list.push(format!("{name}/events.ts"));
            list.push(format!("{name}/{side}.ts"));
        }
        for (file, side, code, body) in cases {
            std::fs::write(dir.join(format!("{file}.ts")), bad_file(side, body)).unwrap();
            let f = format!("{name}/{file}.ts");
            files.get_mut(side).unwrap().push(f.clone());
            bad.push((f, code));
        }
    }
    let mut all = BTreeMap::new();
    let mut text = String::new();
    for (side, list) in &files {
        let (errors, out) = tsc(work.path(), side, list);
        all.extend(errors);
        text.push_str(&out);
    }
    for (file, code) in &bad {
        let got = all.remove(file).unwrap_or_default();
        assert!(
            !got.is_empty() && got.iter().all(|c| c == code),
            "{file} must fail with {code} only, tsc gave {got:?}:\n{text}"
        );
    }
    assert!(all.is_empty(), "tsc --strict reports:\n{text}");
}

#[test]
fn the_reference_export_is_stable() {
    let cat = evdoc::catalog::load(&root().join("catalog"))
        .unwrap()
        .catalog;
    insta::assert_snapshot!(evdoc::export::typescript::export(&cat, "catalog/"));
}

#[test]
fn the_zoo_export_is_stable() {
    let cat = evdoc::catalog::load(&zoo()).unwrap().catalog;
    insta::assert_snapshot!(evdoc::export::typescript::export(&cat, "zoo.yaml"));
}

#[test]
fn every_event_but_the_reserved_is_in_its_maps() {
    let cat = evdoc::catalog::load(&root().join("catalog"))
        .unwrap()
        .catalog;
    let ts = evdoc::export::typescript::export(&cat, "catalog/");
    let map = |name: &str| {
        let start = ts.find(&format!("export interface {name} {{")).unwrap();
        let end = start + ts[start..].find("\n}\n").unwrap();
        ts[start..end].to_string()
    };
    let (s2c, c2s) = (map("ServerToClientEvents"), map("ClientToServerEvents"));
    for (name, e) in &cat.events {
        let key = format!("  {}: (", json(name));
        let (in_s2c, in_c2s) = (s2c.contains(&key), c2s.contains(&key));
        if is_reserved(name) {
            assert!(!in_s2c && !in_c2s, "{name} is reserved");
        } else {
            assert_eq!(
                in_s2c,
                has(e, Direction::S2c),
                "{name} in ServerToClientEvents"
            );
            assert_eq!(
                in_c2s,
                has(e, Direction::C2s),
                "{name} in ClientToServerEvents"
            );
        }
    }
}

#[test]
fn cli_writes_stdout_or_a_file_and_its_help_has_examples() {
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("evdoc")
            .unwrap()
            .current_dir(root())
            .args(["export", "typescript"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            err,
        )
    };
    let (code, ts, err) = run(&["--catalog", "catalog"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        ts.starts_with("// Generated by evdoc (`evdoc export typescript`) from the catalog catalog/ (Trading Dashboard Realtime API 2.3.0).\n// Do not edit"),
        "{}",
        &ts[..200]
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.ts");
    let (code, out, _) = run(&["--catalog", "catalog", "-o", file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (Some(0), ""));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), ts);
    let (code, _, err) = run(&["--catalog", "no/such/catalog"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, help, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(help.contains("Examples:"), "{help}");
    insta::assert_snapshot!("help_export_typescript", help);
}
