//! The connection section: handshake authentication, namespaces, rooms, error codes and the
//! places in the code that handle the connection lifecycle.

use super::events::target_room;
use super::{code_ref, event_ref, CodeRef, EventRef};
use crate::catalog::{AuthRule, AuthScheme, Catalog, Event, RoomAccess};
use crate::render::text::anchor;
use crate::scan::ScanResult;
use serde::Serialize;

/// Handshake authentication, ready to print.
#[derive(Clone, Debug, Serialize)]
pub struct AuthView {
    /// `session`, `token` or `none`.
    pub scheme: String,
    /// Key of the handshake `auth` object.
    pub handshake_field: Option<String>,
    /// Session cookie.
    pub cookie: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

/// A namespace and its events.
#[derive(Clone, Debug, Serialize)]
pub struct NamespaceView {
    /// `/admin`.
    pub name: String,
    /// Text.
    pub description: Option<String>,
    /// Auth rule.
    pub auth: AuthRule,
    /// Rooms in it.
    pub rooms: Vec<String>,
    /// Number of events in it.
    pub event_count: usize,
}

/// A room with the events that join, leave and target it.
#[derive(Clone, Debug, Serialize)]
pub struct RoomView {
    /// Template (`user:{userId}`).
    pub name: String,
    /// Anchor on the connection page.
    pub anchor: String,
    /// Text.
    pub description: Option<String>,
    /// Access rule.
    pub access: RoomAccess,
    /// Namespace.
    pub namespace: String,
    /// Events that join it.
    pub joined_by: Vec<EventRef>,
    /// Events that leave it.
    pub left_by: Vec<EventRef>,
    /// Events emitted to it.
    pub carries: Vec<EventRef>,
}

/// An error code.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorView {
    /// Code.
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Text.
    pub description: Option<String>,
    /// Remedy.
    pub remedy: Option<String>,
    /// The fixed `message` sent with the code, if the catalog sets one.
    pub message: Option<String>,
}

/// Where the code handles a connection lifecycle event.
#[derive(Clone, Debug, Serialize)]
pub struct LifecycleSite {
    /// The reserved event (`connection`, `disconnect`…).
    pub event: String,
    /// The site.
    pub site: CodeRef,
}

/// Handshake authentication: the scheme, the handshake field it reads and the session cookie.
pub(super) fn auth(cat: &Catalog) -> AuthView {
    AuthView {
        scheme: match cat.auth.scheme {
            AuthScheme::None => "none",
            AuthScheme::Session => "session",
            AuthScheme::Token => "token",
        }
        .into(),
        handshake_field: match cat.auth.scheme {
            AuthScheme::Session => {
                Some(cat.auth.session.clone().unwrap_or_default().handshake_field)
            }
            AuthScheme::Token => Some(cat.auth.token.clone().unwrap_or_default().handshake_field),
            AuthScheme::None => None,
        },
        cookie: cat.auth.session.as_ref().and_then(|s| s.cookie.clone()),
        description: cat.auth.description.clone(),
    }
}

/// The rooms of the catalog, each with the events that join, leave and target it.
pub(super) fn rooms(cat: &Catalog) -> Vec<RoomView> {
    cat.rooms
        .iter()
        .map(|(name, r)| {
            let pick = |f: &dyn Fn(&Event) -> Option<&String>| {
                cat.events
                    .iter()
                    .filter(|(_, e)| f(e).is_some_and(|x| x == name))
                    .map(|(n, _)| event_ref(cat, n))
                    .collect::<Vec<_>>()
            };
            RoomView {
                anchor: anchor("room-", name),
                description: r.description.clone(),
                access: cat.room_access(name, "/"),
                namespace: r.namespace.clone().unwrap_or_else(|| "/".into()),
                joined_by: pick(&|e| e.joins.as_ref()),
                left_by: pick(&|e| e.leaves.as_ref()),
                carries: pick(&target_room),
                name: name.clone(),
            }
        })
        .collect()
}

/// The namespaces: the declared ones, then any an event names without declaring it.
pub(super) fn namespaces(cat: &Catalog, rooms: &[RoomView]) -> Vec<NamespaceView> {
    let mut names: Vec<String> = cat.namespaces.keys().cloned().collect();
    for ev in cat.events.values() {
        let ns = ev.namespace.clone().unwrap_or_else(|| "/".into());
        if !names.contains(&ns) {
            names.push(ns);
        }
    }
    names
        .iter()
        .map(|n| NamespaceView {
            name: n.clone(),
            description: cat.namespaces.get(n).and_then(|x| x.description.clone()),
            auth: cat.namespace_auth(n),
            rooms: rooms
                .iter()
                .filter(|r| &r.namespace == n)
                .map(|r| r.name.clone())
                .collect(),
            event_count: cat
                .events
                .values()
                .filter(|e| e.namespace.as_deref().unwrap_or("/") == n)
                .count(),
        })
        .collect()
}

/// The error codes of the catalog.
pub(super) fn errors(cat: &Catalog) -> Vec<ErrorView> {
    cat.errors
        .iter()
        .map(|(n, e)| ErrorView {
            name: n.clone(),
            anchor: anchor("err-", n),
            description: e.description.clone(),
            remedy: e.remedy.clone(),
            message: e.message.clone(),
        })
        .collect()
}

/// The scan's sites of reserved lifecycle events (`connection`, `disconnect`, `reconnect`…).
pub(super) fn lifecycle_sites(scan: Option<&ScanResult>) -> Vec<LifecycleSite> {
    let Some(scan) = scan else {
        return vec![];
    };
    scan.sites
        .iter()
        .filter_map(|s| {
            let e = s.event.as_deref()?;
            crate::vocab::is_reserved(e).then(|| LifecycleSite {
                event: e.to_string(),
                site: code_ref(s),
            })
        })
        .collect()
}
