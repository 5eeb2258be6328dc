//! `evdoc render` writes for the stack the project runs on: a socketioxide project gets Rust
//! setup code and no Express anywhere; a NestJS server with a React client gets a gateway and
//! the React client; the catalog's `stack:` wins over the scan; every generated snippet of every
//! stack parses in its language. The bundled Node app's pages are `render.rs`'s snapshots, and
//! stay as they were.

use evdoc::render::{
    Book, CodeLinks, HtmlRenderer, MarkdownRenderer, OutFile, Provenance, Renderer,
};
use evdoc::vocab::stack::{ClientStack, Language, ServerStack};
use std::path::Path;

const CHAT_RS: &str = "tests/fixtures/render/chat-rs";
const NEST_APP: &str = "tests/fixtures/render/nest-app";

/// The catalog and scan of a fixture project, as `evdoc render` run in it makes them.
fn book(project: &str, edit: impl FnOnce(&mut evdoc::catalog::Catalog)) -> Book {
    let dir = Path::new(project);
    let mut cat = evdoc::catalog::load(&dir.join("evdoc.yaml"))
        .expect("fixture catalog loads")
        .catalog;
    edit(&mut cat);
    let scan = evdoc::scan::scan(dir, &Default::default(), None).expect("fixture scans");
    Book::new(&cat, Some(&scan), &Provenance::default())
}

/// Every file of the Markdown pages and of the site.
fn render(book: &Book) -> Vec<OutFile> {
    let markdown = MarkdownRenderer {
        links: CodeLinks::new("../", None, "", ""),
        templates: None,
        hand_written: vec![],
    };
    let mut files = markdown.render(book).unwrap();
    let site = HtmlRenderer {
        markdown,
        extra: vec![],
    };
    files.extend(site.render(book).unwrap());
    files
}

fn page<'a>(files: &'a [OutFile], name: &str) -> &'a str {
    &files.iter().find(|f| f.path == name).unwrap().content
}

#[test]
fn a_socketioxide_project_gets_rust_setup_code_and_no_express_anywhere() {
    let book = book(CHAT_RS, |_| {});
    assert_eq!(book.stack.server, ServerStack::SocketioxideAxum);
    assert_eq!(book.stack.server_from, "scan");
    let files = render(&book);
    for f in &files {
        assert!(
            !f.content.to_lowercase().contains("express"),
            "{} mentions Express",
            f.path
        );
    }
    assert!(!book.snippets.server.contains("require("));
    let lifecycle = page(&files, "connection-lifecycle.md");
    for expected in [
        "```rust",
        "SocketIo::builder()",
        ".req_path(\"/socket.io\")",
        "io.ns(\"/\", on_connect.with(authenticate));",
        "io.ns(\"/admin\", on_connect.with(only_admin).with(authenticate));",
        "axum::serve(listener, app)",
    ] {
        assert!(
            lifecycle.contains(expected),
            "no `{expected}` in\n{lifecycle}"
        );
    }
    let architecture = page(&files, "architecture.md");
    assert!(architecture.contains("axum router (SocketIoLayer)"));
    assert!(page(&files, "scaling.md").contains("RedisAdapterCtr::new_with_redis"));
    assert!(page(&files, "troubleshooting.md").contains("RUST_LOG=socketioxide=debug"));
    for name in ["connection-lifecycle.md", "quickstart.md", "scaling.md"] {
        insta::assert_snapshot!(format!("socketioxide__{name}"), page(&files, name));
    }
}

#[test]
fn a_nestjs_server_with_a_react_client_gets_a_gateway_and_the_react_client() {
    let book = book(NEST_APP, |_| {});
    assert_eq!(book.stack.server, ServerStack::Nestjs);
    assert_eq!(book.stack.client, ClientStack::React);
    let files = render(&book);
    let lifecycle = page(&files, "connection-lifecycle.md");
    for expected in [
        "```typescript",
        "@WebSocketGateway({",
        "app.useWebSocketAdapter(new IoAdapter(app));",
        "@WebSocketGateway({ namespace: \"/admin\" })",
        "socket.io-client in React",
    ] {
        assert!(
            lifecycle.contains(expected),
            "no `{expected}` in\n{lifecycle}"
        );
    }
    assert!(!lifecycle.contains("require('express')"));
    // A room refusal is evdoc serve's behaviour, told only when the catalog has its error code.
    assert!(!lifecycle.contains("SubscriptionError"));
    let tips = page(&files, "troubleshooting.md");
    assert!(
        tips.contains("afterInit(server: Server)"),
        "Nest's own debug tips"
    );
    assert!(!tips.contains("node server.js"));
    assert!(page(&files, "architecture.md").contains("NestJS application (IoAdapter)"));
    for name in ["connection-lifecycle.md", "quickstart.md", "scaling.md"] {
        insta::assert_snapshot!(format!("nestjs__{name}"), page(&files, name));
    }
}

#[test]
fn the_catalog_stack_wins_over_the_scan() {
    let book = book(CHAT_RS, |cat| {
        cat.stack.server = Some(ServerStack::SocketioxideSalvo);
        cat.stack.client = Some(ClientStack::Rust);
    });
    assert_eq!(
        (book.stack.server_from, book.stack.client_from),
        ("catalog", "catalog")
    );
    let files = render(&book);
    let lifecycle = page(&files, "connection-lifecycle.md");
    assert!(lifecycle.contains("use salvo::prelude::*;"), "{lifecycle}");
    assert!(lifecycle.contains("ClientBuilder::new(\"http://localhost:3000\")"));
    assert!(lifecycle.contains("fn subscribe_all(socket: &RawClient)"));
}

#[test]
fn a_bad_stack_in_the_catalog_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("evdoc.yaml"),
        "evdoc: 1\ninfo: {title: T, version: '1'}\nstack:\n  server: rails\nevents: {}\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_evdoc"))
        .current_dir(dir.path())
        .args(["render", "--no-scan"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("evdoc.yaml:4:"), "{stderr}");
    assert!(
        stderr.contains("socketioxide-axum"),
        "names the values: {stderr}"
    );
}

/// Whether `code` parses as JavaScript or TypeScript (a module: top-level await is allowed).
fn parses_as_js(code: &str, typescript: bool) -> Result<(), String> {
    let alloc = oxc_allocator::Allocator::default();
    let ty = oxc_span::SourceType::mjs().with_typescript(typescript);
    let ret = oxc_parser::Parser::new(&alloc, code, ty).parse();
    match ret.diagnostics.first() {
        None if !ret.panicked => Ok(()),
        first => Err(format!("{first:?}")),
    }
}

#[test]
fn every_snippet_of_every_stack_parses_in_its_language() {
    for server in ServerStack::ALL {
        for client in ClientStack::ALL {
            let book = book(CHAT_RS, |cat| {
                cat.stack.server = Some(server);
                cat.stack.client = Some(client);
            });
            let s = &book.snippets;
            let ctx = format!("{server:?} + {client:?}");
            match server.language() {
                Language::Rust => {
                    syn::parse_file(&s.server)
                        .unwrap_or_else(|e| panic!("{ctx}: {e}\n{}", s.server));
                    let adapter = format!("async fn f() {{\n{}\n}}", s.redis_adapter);
                    syn::parse_file(&adapter).unwrap_or_else(|e| panic!("{ctx}: {e}\n{adapter}"));
                    let emit = format!("async fn f() {{\n{}\n}}", s.emit);
                    syn::parse_file(&emit).unwrap_or_else(|e| panic!("{ctx}: {e}\n{emit}"));
                }
                lang => {
                    let ts = lang == Language::Typescript;
                    for code in [&s.server, &s.redis_adapter, &s.emit] {
                        parses_as_js(code, ts).unwrap_or_else(|e| panic!("{ctx}: {e}\n{code}"));
                    }
                }
            }
            match client.language() {
                Language::Rust => {
                    let code = format!("fn f() {{\n{}\n}}\n{}", s.client, s.reconnect);
                    syn::parse_file(&code).unwrap_or_else(|e| panic!("{ctx}: {e}\n{code}"));
                }
                lang => {
                    let ts = lang == Language::Typescript;
                    for code in [&s.client, &s.reconnect, &s.listen] {
                        parses_as_js(code, ts).unwrap_or_else(|e| panic!("{ctx}: {e}\n{code}"));
                    }
                }
            }
        }
    }
}
