//! Static event names: string literals, `const`/`static` items of the same file, trivial enum
//! `as_str()`/`Display` tables, and rust_socketio's `Event` enum.

use super::facts::{str_literal, Facts};
use crate::scan::Side;

/// The string an expression statically evaluates to, if the file makes that obvious.
pub fn static_str(expr: &syn::Expr, facts: &Facts) -> Option<String> {
    if let Some(value) = str_literal(expr) {
        return Some(value);
    }
    match expr {
        syn::Expr::Reference(r) => static_str(&r.expr, facts),
        syn::Expr::Paren(p) => static_str(&p.expr, facts),
        syn::Expr::Group(g) => static_str(&g.expr, facts),
        syn::Expr::Path(p) if p.qself.is_none() => path_str(&p.path, facts),
        syn::Expr::MethodCall(m) if m.args.is_empty() => {
            let method = m.method.to_string();
            let passes_through = matches!(
                method.as_str(),
                "to_string" | "to_owned" | "into" | "as_str" | "as_ref" | "clone"
            );
            if passes_through {
                if let Some(value) = static_str(&m.receiver, facts) {
                    return Some(value);
                }
            }
            enum_method_str(&m.receiver, &method, facts)
        }
        syn::Expr::Call(c) if c.args.len() == 1 => {
            let syn::Expr::Path(p) = &*c.func else {
                return None;
            };
            let last = p.path.segments.last()?.ident.to_string();
            let converts = matches!(last.as_str(), "from" | "Borrowed" | "Owned" | "new")
                || (last == "Custom" && rust_socketio_event(&p.path, facts));
            if converts {
                static_str(&c.args[0], facts)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A `const` name (by its last segment) or a unit variant of rust_socketio's `Event`.
fn path_str(path: &syn::Path, facts: &Facts) -> Option<String> {
    let last = path.segments.last()?.ident.to_string();
    if rust_socketio_event(path, facts) {
        let reserved = match last.as_str() {
            "Connect" => Some("connect"),
            "Close" => Some("close"),
            "Error" => Some("error"),
            "Message" => Some("message"),
            _ => None,
        };
        if let Some(name) = reserved {
            return Some(name.to_string());
        }
    }
    facts.const_str(&last).map(str::to_string)
}

/// `Event::Join.as_str()` / `Event::Join.to_string()` through the file's own impl.
fn enum_method_str(receiver: &syn::Expr, method: &str, facts: &Facts) -> Option<String> {
    let syn::Expr::Path(p) = strip(receiver) else {
        return None;
    };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let [.., ty, variant] = segments.as_slice() else {
        return None;
    };
    facts.enum_str(ty, variant, method).map(str::to_string)
}

fn strip(expr: &syn::Expr) -> &syn::Expr {
    match expr {
        syn::Expr::Reference(r) => strip(&r.expr),
        syn::Expr::Paren(p) => strip(&p.expr),
        syn::Expr::Group(g) => strip(&g.expr),
        other => other,
    }
}

/// `Event::X` of a rust_socketio client file (and not an `Event` enum the file declares).
fn rust_socketio_event(path: &syn::Path, facts: &Facts) -> bool {
    let n = path.segments.len();
    n >= 2
        && path.segments[n - 2].ident == "Event"
        && !facts.local_enums.contains("Event")
        && (facts.file_side() == Some(Side::Client) || path.segments[0].ident == "rust_socketio")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(file: &str, expr: &str) -> Option<String> {
        let file: syn::File = syn::parse_str(file).unwrap();
        let facts = Facts::collect(&file);
        let expr: syn::Expr = syn::parse_str(expr).unwrap();
        static_str(&expr, &facts)
    }

    #[test]
    fn consts_enums_and_conversions_resolve() {
        let file = r#"
            use socketioxide::SocketIo;
            const JOIN: &str = "room:join";
            pub mod events { pub static LEAVE: &str = "room:leave"; }
            enum Ev { Ping, Pong }
            impl Ev { fn as_str(&self) -> &'static str { match self { Ev::Ping => "ping", Self::Pong => "pong" } } }
            impl std::fmt::Display for Ev {
                fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    match self { Ev::Ping => write!(f, "ping!"), Ev::Pong => f.write_str("pong!") }
                }
            }
        "#;
        assert_eq!(resolve(file, "JOIN"), Some("room:join".into()));
        assert_eq!(resolve(file, "events::LEAVE"), Some("room:leave".into()));
        assert_eq!(resolve(file, "Ev::Pong.as_str()"), Some("pong".into()));
        assert_eq!(resolve(file, "&Ev::Ping.to_string()"), Some("ping!".into()));
        assert_eq!(resolve(file, "String::from(\"x\")"), Some("x".into()));
        assert_eq!(resolve(file, "\"x\".to_string()"), Some("x".into()));
        assert_eq!(resolve(file, "name"), None);
        assert_eq!(resolve(file, "Ev::Other.as_str()"), None);
        assert_eq!(resolve(file, "format!(\"x{}\", 1)"), None);
    }

    #[test]
    fn rust_socketio_event_enum_resolves_in_client_files_only() {
        let client = "use rust_socketio::{ClientBuilder, Event};";
        assert_eq!(resolve(client, "Event::Connect"), Some("connect".into()));
        assert_eq!(
            resolve(client, "Event::Custom(\"chat\".into())"),
            Some("chat".into())
        );
        let server = "use socketioxide::SocketIo;";
        assert_eq!(resolve(server, "Event::Connect"), None);
    }
}
