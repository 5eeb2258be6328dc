//! Changes to how clients connect: the Engine.IO path, transports, the largest message, CORS
//! origins, the handshake's auth scheme and field, each namespace's `auth:` and each room's
//! `access:`.

use super::events::auth_change;
use super::rule::ChangeRule as R;
use super::{Change, Scope};
use crate::catalog::model::{Auth, AuthScheme, Catalog, RoomAccess};
use crate::catalog::LoadedCatalog;
use std::collections::BTreeSet;

/// Every connection, auth and namespace change between `old` and `new`.
pub fn compare(old: &LoadedCatalog, new: &LoadedCatalog) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |scope: Scope, subject: &str, rule: R, at: &str, message: String| {
        out.push(Change {
            rule,
            scope,
            subject: subject.to_owned(),
            direction: None,
            part: None,
            path: String::new(),
            message,
            location: new.locate(at),
        });
    };
    let (a, b) = (&old.catalog.connection, &new.catalog.connection);
    let conn = |rule, at, msg| (Scope::Connection, "connection", rule, at, msg);
    let mut found = Vec::new();
    if a.path != b.path {
        let msg = format!("path changed from `{}` to `{}`", a.path, b.path);
        found.push(conn(R::PathChanged, "/connection/path", msg));
    }
    let name = |t: &crate::catalog::model::Transport| format!("{t:?}").to_lowercase();
    for t in a.transports.iter().filter(|t| !b.transports.contains(t)) {
        let msg = format!("transport `{}` removed", name(t));
        found.push(conn(R::TransportRemoved, "/connection/transports", msg));
    }
    for t in b.transports.iter().filter(|t| !a.transports.contains(t)) {
        let msg = format!("transport `{}` added", name(t));
        found.push(conn(R::TransportAdded, "/connection/transports", msg));
    }
    if a.max_payload_bytes != b.max_payload_bytes {
        let rule = if b.max_payload_bytes < a.max_payload_bytes {
            R::MaxPayloadDecreased
        } else {
            R::MaxPayloadIncreased
        };
        let msg = format!(
            "max_payload_bytes changed from {} to {}",
            a.max_payload_bytes, b.max_payload_bytes
        );
        found.push(conn(rule, "/connection/max_payload_bytes", msg));
    }
    let (ao, bo): (BTreeSet<_>, BTreeSet<_>) = (
        a.cors.origins.iter().collect(),
        b.cors.origins.iter().collect(),
    );
    // `*` admits every origin: removing another one next to it takes nobody away.
    if !bo.contains(&"*".to_owned()) {
        for o in ao.difference(&bo) {
            let msg = format!("CORS origin `{o}` removed");
            found.push(conn(R::CorsOriginRemoved, "/connection/cors/origins", msg));
        }
    }
    for o in bo.difference(&ao) {
        let msg = format!("CORS origin `{o}` added");
        found.push(conn(R::CorsOriginAdded, "/connection/cors/origins", msg));
    }
    found.extend(auth(&old.catalog.auth, &new.catalog.auth));
    for (scope, subject, rule, at, msg) in found {
        push(scope, subject, rule, at, msg);
    }
    for (ns, rule, msg) in namespaces(&old.catalog, &new.catalog) {
        let at = crate::catalog::positions::pointer(["namespaces", ns.as_str()]);
        push(Scope::Namespace, &ns, rule, &at, msg);
    }
    for (room, rule, msg) in rooms(&old.catalog, &new.catalog) {
        let at = crate::catalog::positions::pointer(["rooms", room.as_str()]);
        push(Scope::Room, &room, rule, &at, msg);
    }
    out
}

/// Who may join each room declared in both catalogs (defaults included): `none` < `authenticated`
/// < `self` or `role:NAME`; any other move between the last two is a tightening.
fn rooms(a: &Catalog, b: &Catalog) -> Vec<(String, R, String)> {
    let rank = |r: &RoomAccess| match r {
        RoomAccess::Anyone => 0,
        RoomAccess::Authenticated => 1,
        RoomAccess::OwnUser | RoomAccess::Role(_) => 2,
    };
    a.rooms
        .iter()
        .filter(|(t, _)| b.rooms.contains_key(*t))
        .filter_map(|(t, r)| {
            let ns = r.namespace.as_deref().unwrap_or("/");
            let (x, y) = (a.room_access(t, ns), b.room_access(t, ns));
            let rule = match () {
                _ if x == y => return None,
                _ if rank(&y) >= rank(&x) => R::AuthTightened,
                _ => R::AuthLoosened,
            };
            Some((
                t.clone(),
                rule,
                format!("access changed from `{x}` to `{y}`"),
            ))
        })
        .collect()
}

type Found = (Scope, &'static str, R, &'static str, String);

/// The handshake: scheme, then where the credential travels.
fn auth(a: &Auth, b: &Auth) -> Vec<Found> {
    let one = |rule, at, msg| vec![(Scope::Auth, "auth", rule, at, msg)];
    if a.scheme != b.scheme {
        let msg = format!(
            "auth scheme changed from `{}` to `{}`",
            a.scheme.as_str(),
            b.scheme.as_str()
        );
        return one(R::AuthSchemeChanged, "/auth/scheme", msg);
    }
    let place = |x: &Auth| match x.scheme {
        AuthScheme::None => (None, None),
        AuthScheme::Session => {
            let s = x.session.clone().unwrap_or_default();
            (Some(s.handshake_field), s.cookie)
        }
        AuthScheme::Token => (
            Some(x.token.clone().unwrap_or_default().handshake_field),
            None,
        ),
    };
    let (pa, pb) = (place(a), place(b));
    if pa == pb {
        return vec![];
    }
    let show = |p: &(Option<String>, Option<String>)| {
        let field =
            p.0.as_deref()
                .map(|f| format!("auth.{f}"))
                .unwrap_or_default();
        match &p.1 {
            Some(c) => format!("{field} or cookie {c}"),
            None => field,
        }
    };
    let msg = format!("credential moved from `{}` to `{}`", show(&pa), show(&pb));
    one(R::HandshakeChanged, "/auth", msg)
}

/// Each namespace's rule in force (defaults included) where the scheme did not change (a
/// scheme change is reported once, as such).
fn namespaces(a: &Catalog, b: &Catalog) -> Vec<(String, R, String)> {
    if a.auth.scheme != b.auth.scheme {
        return vec![];
    }
    let used = |c: &Catalog| -> BTreeSet<String> {
        let mut s: BTreeSet<String> = c.namespaces.keys().cloned().collect();
        s.extend(c.events.values().map(|e| e.namespace().to_owned()));
        s
    };
    let (ua, ub) = (used(a), used(b));
    ua.intersection(&ub)
        .filter_map(|ns| {
            let (ra, rb) = (a.namespace_auth(ns), b.namespace_auth(ns));
            let rule = auth_change(&ra, &rb)?;
            Some((
                ns.clone(),
                rule,
                format!("auth changed from `{ra}` to `{rb}`"),
            ))
        })
        .collect()
}
