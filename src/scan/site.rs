//! The scanner's unit of evidence: one place in code that emits or listens to an event.
//!
//! These types serialise to the stable JSON contract of `evdoc scan --format json` (README.md,
//! "Scan JSON"): fields are only ever added.

use serde::{Deserialize, Serialize};

pub use crate::vocab::{Direction, Role, Side, SideFrom};

/// The language a site was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// JavaScript or TypeScript, including `<script>` blocks of .vue/.svelte/.html files.
    Js,
    /// Rust (socketioxide).
    Rust,
}

/// The shape of a payload as far as a literal in code shows it; `init` turns it into a JSON Schema.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Shape {
    /// An object literal: its keys in source order; `open` when a spread or computed key hides some.
    Object {
        /// Property name and shape, in source order.
        properties: Vec<(String, Shape)>,
        /// A spread (`...x`) or computed key makes the key set incomplete.
        open: bool,
    },
    /// An array literal; the shape of its first element when known.
    Array {
        /// Shape of the items, when every literal item agrees.
        items: Option<Box<Shape>>,
    },
    /// A string literal or template.
    String,
    /// A numeric literal.
    Number,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// Anything whose type a literal does not show (an identifier, a call…).
    Unknown,
}

/// One place in code that emits or listens to an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// The event name; `None` when it cannot be resolved statically.
    pub event: Option<String>,
    /// Emit or listen.
    pub role: Role,
    /// Derived from role and side; `None` while the side is unknown.
    pub direction: Option<Direction>,
    /// Server or client; `None` when the file gives no evidence.
    pub side: Option<Side>,
    /// What decided `side` (`flow`, `type`, `catalog`, `import`, `package`, `framework`,
    /// `declared`, `path`); `None` with the side.
    #[serde(default)]
    pub side_from: Option<SideFrom>,
    /// The side of a catalog-declared wrapper the site was called through: used only when
    /// nothing stronger places the site (a shared wrapper name is called on both sides).
    #[serde(skip)]
    pub declared_side: Option<Side>,
    /// How the socket reached the site across functions and files (`parameter 2 of
    /// `JobsService.run` receives the socket passed at …`), for `scan --explain`.
    #[serde(skip)]
    pub evidence: Vec<String>,
    /// Path relative to the scanned root, `/`-separated.
    pub file: String,
    /// 1-based line of the event-name argument.
    pub line: u32,
    /// 1-based column (in characters) of the event-name argument.
    pub column: u32,
    /// The call shape with arguments elided: `socket.emit`, `io.to().emit`, `@SubscribeMessage`.
    pub call: String,
    /// The room expression as written in code (`"signals"`, `` `user:${id}` ``), if any.
    pub room: Option<String>,
    /// The namespace, when the code names one (`io.of("/admin")`).
    pub namespace: Option<String>,
    /// True when the event name is not a compile-time constant.
    pub dynamic: bool,
    /// The language of the file.
    pub lang: Lang,
    /// The wrapper function through which the site was found, if any (`emitToUser`, or `onAny`
    /// for a dispatcher that compares the event name with literals).
    pub via: Option<String>,
    /// True when the site uses an acknowledgement: an emit with a callback, `emitWithAck`,
    /// `timeout().emit`, or a handler that takes an ack callback (socketioxide `AckSender`).
    #[serde(default)]
    pub ack: bool,
    /// For dynamic names: the finite set of names the expression can take, when the code shows
    /// it (a string-literal union type, an array literal iterated over), sorted.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub candidates: Option<Vec<String>>,
    /// For dynamic names: the expression text as written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expr: Option<String>,
    /// For emits: the payload's shape when the first payload argument is a literal.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub payload: Option<Shape>,
}

impl Site {
    /// A site with what every finder knows: where it is, whether it emits or listens, the event
    /// (`None` for a name that is not a constant, which makes the site `dynamic`) and the call
    /// shape. Everything else is unset (no side, direction, room, namespace, wrapper, ack,
    /// candidates, expression, payload): finders add what they learn with struct update syntax,
    /// `Site { side, room, ..Site::new(…) }`, so that a new field needs no edit here but a default.
    pub fn new(
        lang: Lang,
        file: &str,
        (line, column): (u32, u32),
        role: Role,
        event: Option<String>,
        call: impl Into<String>,
    ) -> Site {
        Site {
            dynamic: event.is_none(),
            event,
            role,
            direction: None,
            side: None,
            side_from: None,
            declared_side: None,
            evidence: Vec::new(),
            file: file.to_string(),
            line,
            column,
            call: call.into(),
            room: None,
            namespace: None,
            lang,
            via: None,
            ack: false,
            candidates: None,
            expr: None,
            payload: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_sites_know_only_what_they_are_given() {
        let s = Site::new(
            Lang::Js,
            "a.js",
            (3, 7),
            Role::Emit,
            Some("x".into()),
            "socket.emit",
        );
        assert_eq!((s.file.as_str(), s.line, s.column), ("a.js", 3, 7));
        assert_eq!(s.call, "socket.emit");
        assert!(!s.dynamic);
        assert!(s.side.is_none() && s.direction.is_none() && s.room.is_none());
        assert!(!s.ack && s.via.is_none() && s.payload.is_none() && s.expr.is_none());
        // A name that is not a constant is what makes a site dynamic.
        assert!(Site::new(Lang::Rust, "a.rs", (1, 1), Role::Listen, None, "socket.on").dynamic);
    }
}
