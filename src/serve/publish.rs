//! `POST /v1/publish`: the authenticated way in for server→client events. Checks, in order:
//! 401 (bearer token) → 404 (unknown event) / 400 (client→server only) → 422 (payload, or a
//! room that is not an instance of the event's room template); then emits and answers 202.

use super::attachments::{decode_base64, Attached, AttachedArgs, Decoded};
use super::contract::EventSpec;
use super::handler::ArgsOut;
use super::server::{Io, Server};
use crate::catalog::schema::SchemaError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::{BroadcastError, SocketIo};
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The request body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Event name.
    pub event: String,
    /// Namespace (default `/`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Room to emit to; the whole namespace without it.
    #[serde(default)]
    pub room: Option<String>,
    /// The single argument.
    #[serde(default)]
    pub payload: Option<Value>,
    /// All arguments, for multi-argument events.
    #[serde(default)]
    pub args: Option<Vec<Value>>,
}

/// Why a server→client emission is refused.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status for the publish API.
    pub status: StatusCode,
    /// `UnknownEvent`, `PayloadError`…
    pub code: &'static str,
    /// Human-readable reason.
    pub message: String,
    /// Schema violations.
    pub errors: Vec<SchemaError>,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"code": self.code, "message": self.message, "errors": self.errors})),
        )
            .into_response()
    }
}

/// Check that `event` may be sent to clients in `ns` (to `room`, if given) with `args`.
pub fn check_s2c<'a>(
    srv: &'a Server,
    ns: &str,
    event: &str,
    room: Option<&str>,
    args: &[Value],
    attachments: &[Option<u64>],
) -> Result<&'a EventSpec, Refusal> {
    let refuse = |status, code, message: String| Refusal {
        status,
        code,
        message,
        errors: vec![],
    };
    let Some(spec) = srv.contract.get(ns, event) else {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            "UnknownEvent",
            format!("`{event}` is not in the catalog for namespace `{ns}`"),
        ));
    };
    if !spec.sendable_to_client() {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "UnknownEvent",
            format!(
                "`{event}` is a client→server event; only server→client events can be published"
            ),
        ));
    }
    let mut errors = spec.s2c.judge(args, attachments).unwrap_or_else(|message| {
        vec![SchemaError {
            path: String::new(),
            message,
        }]
    });
    if let (Some(room), Some(t)) = (room, &spec.room) {
        if !t.matches(room) {
            errors.push(SchemaError {
                path: "/room".into(),
                message: format!("room `{room}` is not an instance of `{}`", t.raw),
            });
        }
    }
    let depth = args
        .iter()
        .map(super::config::json_depth)
        .max()
        .unwrap_or(0);
    if depth > srv.limits.max_json_depth {
        errors.push(SchemaError {
            path: String::new(),
            message: format!(
                "payload nested {depth} levels deep; the limit is {}",
                srv.limits.max_json_depth
            ),
        });
    }
    if !errors.is_empty() {
        spec.counters.rejected.inc();
        return Err(Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "PayloadError",
            message: format!("`{event}` payload does not match its schema"),
            errors,
        });
    }
    Ok(spec)
}

/// Emit `args` (with the attachments their placeholders name, `bins`) as `event` to `room` in
/// `ns` (to the whole namespace without a room), on every node of a cluster.
pub async fn deliver(
    srv: &Server,
    ns: &str,
    room: Option<&str>,
    event: &str,
    (args, bins): (&[Value], &[&[u8]]),
) {
    match srv.io() {
        Io::Local(io) => broadcast(srv, io, ns, room, event, args, bins).await,
        Io::Redis(io) => broadcast(srv, io, ns, room, event, args, bins).await,
    }
}

async fn broadcast<A: Adapter>(
    srv: &Server,
    io: &SocketIo<A>,
    ns: &str,
    room: Option<&str>,
    event: &str,
    args: &[Value],
    bins: &[&[u8]],
) {
    let emit = |local: bool| async move {
        let Some(op) = io.of(ns) else {
            tracing::warn!(ns, event, "namespace not registered; nothing emitted");
            return Ok(());
        };
        let op = match room {
            Some(r) => op.to(r.to_string()),
            None => op,
        };
        let op = if local { op.local() } else { op };
        match (args, bins) {
            ([one], []) => op.emit(event, one).await,
            (many, []) => op.emit(event, &ArgsOut(many)).await,
            ([value], bins) => op.emit(event, &Attached { value, bins }).await,
            (many, bins) => op.emit(event, &AttachedArgs { args: many, bins }).await,
        }
    };
    let mut result = emit(false).await;
    // The Redis adapter publishes to the other nodes first and returns before emitting
    // locally when Redis refuses: this node's own clients must still get the event.
    if let Err(BroadcastError::Adapter(e)) = result {
        srv.metrics.local_fallbacks.inc();
        // Once the health check has logged the outage, one line per publish is noise.
        if srv.redis_up() {
            tracing::warn!(ns, event, error = %e, "Redis refused the broadcast: delivered to this node's clients only");
        } else {
            tracing::debug!(ns, event, error = %e, "Redis is down: delivered to this node's clients only");
        }
        result = emit(true).await;
    }
    match result {
        Ok(()) => {}
        // Some sockets could not take the packet; every other socket got it.
        Err(BroadcastError::Socket(errors)) => srv.dropped(event, "event", &errors),
        Err(e) => tracing::warn!(ns, event, error = %e, "broadcast failed"),
    }
}

/// The route handler.
pub async fn publish(State(srv): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> Response {
    let authorised = match (
        &srv.publish_token,
        headers.get(axum::http::header::AUTHORIZATION),
    ) {
        (Some(token), Some(h)) => h
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(token.as_bytes()))),
        _ => false,
    };
    if !authorised {
        srv.metrics.reject("AuthenticationError");
        let message = if srv.publish_token.is_none() {
            "publishing is disabled: start evdoc serve with --publish-token"
        } else {
            "missing or wrong `Authorization: Bearer <token>`"
        };
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": "AuthenticationError", "message": message})),
        )
            .into_response();
    }
    let req: PublishRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"code": "PayloadError", "message": format!("body is not a publish request ({{\"event\", \"namespace\"?, \"room\"?, \"payload\" | \"args\"}}): {e}")})),
            )
                .into_response()
        }
    };
    let ns = req.namespace.as_deref().unwrap_or("/");
    let args = match (req.args, req.payload) {
        (Some(a), _) => a,
        (None, Some(p)) => vec![p],
        (None, None) => vec![],
    };
    let decoded = match decode_base64(args) {
        Ok(d) => d,
        Err((path, message)) => {
            srv.metrics.reject("PayloadError");
            return Refusal {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "PayloadError",
                message: format!("`{}` payload does not match its schema", req.event),
                errors: vec![SchemaError { path, message }],
            }
            .into_response();
        }
    };
    let sizes = decoded.sizes();
    match check_s2c(
        &srv,
        ns,
        &req.event,
        req.room.as_deref(),
        &decoded.args,
        &sizes,
    ) {
        Ok(spec) => {
            let Decoded { args, bins } = decoded;
            let bins: Vec<&[u8]> = bins.iter().map(Vec::as_slice).collect();
            let args = if args.is_empty() {
                vec![json!({})]
            } else {
                args
            };
            deliver(&srv, ns, req.room.as_deref(), &req.event, (&args, &bins)).await;
            spec.counters.published.inc();
            (StatusCode::ACCEPTED, Json(json!({"accepted": true}))).into_response()
        }
        Err(r) => {
            srv.metrics.reject(r.code);
            r.into_response()
        }
    }
}
