//! `--forward URL`: every valid client→server event is POSTed to a backend as
//! `{"event", "namespace", "payload", "args", "socket": {"id", "userId", "roles"}}`; the backend
//! answers `{"emit": [{"event", "payload" | "args", "to": "socket" | "room:<name>"}], "ack": <value>}`.
//! Binary values travel both ways as `{"$binary": "<base64>"}` (crate::serve::attachments).
//!
//! The backend's answer is one unit: every emit it asks for is validated like a publish, and the
//! ack against the event's ack schema, before any of it is carried out. When the backend cannot
//! be used, the client is told like for any other failure: the `error` event and, when it passed
//! an ack callback, `{"error": {...}}` as the ack (see [`Failure`] for which code when). A client
//! therefore never waits on an ack that will not come, and never sees half of an answer.

use super::attachments::{decode_base64, Decoded};
use super::auth::Identity;
use super::error::{AckError, ClientError, Code};
use super::handler::{emit_args, emit_attached, sent};
use super::publish::{check_s2c, deliver};
use super::server::Server;
use crate::catalog::schema::SchemaError;
use axum::body::Bytes;
use axum::http::StatusCode;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::AckSender;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::time::Duration;

/// How long the backend has to answer one event, unless `--forward-timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest backend answer read. An answer is a handful of emits, each bounded by the catalog's
/// `max_payload_bytes` on the way out anyway; this only keeps a broken backend from filling memory.
pub const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// The backend client.
#[derive(Clone)]
pub struct Forwarder {
    client: Client<HttpConnector, Full<Bytes>>,
    url: axum::http::Uri,
    timeout: Duration,
}

/// One event to forward.
pub struct Job<A: Adapter> {
    /// Shared server state.
    pub srv: Arc<Server>,
    /// The sending socket.
    pub socket: Arc<Socket<A>>,
    /// Event name.
    pub event: String,
    /// Its (valid) arguments.
    pub args: Vec<Value>,
    /// The client's ack callback, if it passed one.
    pub ack: Option<AckSender<A>>,
    /// Who sent it.
    pub identity: Option<Identity>,
}

// Unknown fields are refused: a typo such as `emits` or `room` would otherwise be read as an
// empty answer or as an emit to the sender, and the mistake would go unnoticed in staging.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct Answer {
    #[serde(default)]
    emit: Vec<Emit>,
    #[serde(default)]
    ack: Option<Value>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Emit {
    event: String,
    #[serde(default)]
    payload: Option<Value>,
    #[serde(default)]
    args: Option<Vec<Value>>,
    #[serde(default = "default_to")]
    to: String,
}

fn default_to() -> String {
    "socket".into()
}

/// The `{"message", "errors": [{"path", "message"}]}` of a backend's 4xx answer, read
/// leniently: a body or an entry of another shape is skipped, not an error (the refusal stands).
fn refusal_body(body: &[u8]) -> (Option<String>, Vec<SchemaError>) {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = v["message"]
        .as_str()
        .filter(|m| !m.trim().is_empty())
        .map(str::to_string);
    let errors = v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| {
                    Some(SchemaError {
                        path: e["path"].as_str().unwrap_or("").to_string(),
                        message: e["message"].as_str()?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    (message, errors)
}

/// Why a forwarded event got no usable answer.
#[derive(Debug, PartialEq)]
pub enum Failure {
    /// `BackendUnavailable`: no connection, no answer within the timeout, or a transient HTTP
    /// status (5xx, 408, 429). The client may retry later.
    Unavailable(String),
    /// `BackendRejected`: any other 4xx. The backend refused this event (a business rule, a
    /// permission); its `{"message", "errors"}` body, if it sent one, is passed on. Retrying the
    /// same event will not help.
    Rejected {
        /// The backend's message, or one naming the status.
        message: String,
        /// The backend's `errors`, if any.
        errors: Vec<SchemaError>,
    },
    /// `BackendContractError`: the backend answered, but not something that can be carried out
    /// (not JSON, not the answer shape, a 3xx, an emit or ack that breaks the catalog). A bug in
    /// the backend: retrying will not help either.
    Contract {
        /// What is wrong, in one line.
        message: String,
        /// Per-emit / ack violations (`/emit/<i>/…`, `/ack/…`).
        errors: Vec<SchemaError>,
    },
}

impl Failure {
    /// The error the client receives for this failure of `event`.
    pub fn client_error(&self, event: &str) -> ClientError {
        let (code, message, errors) = match self {
            Failure::Unavailable(why) => (
                Code::BackendUnavailable,
                format!("`{event}` could not be handled: the backend is unavailable ({why})"),
                vec![],
            ),
            Failure::Rejected { message, errors } => {
                (Code::BackendRejected, message.clone(), errors.clone())
            }
            Failure::Contract { message, errors } => {
                (Code::BackendContractError, message.clone(), errors.clone())
            }
        };
        let mut err = ClientError::new(code, event, message);
        err.errors = errors;
        err
    }
}

/// Sort a backend's HTTP answer into an [`Answer`] or a [`Failure`].
fn read_answer(status: StatusCode, body: &[u8]) -> Result<Answer, Failure> {
    let contract = |message: String| Failure::Contract {
        message,
        errors: vec![],
    };
    if status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
    {
        return Err(Failure::Unavailable(format!("it answered HTTP {status}")));
    }
    if status.is_client_error() {
        let (message, errors) = refusal_body(body);
        return Err(Failure::Rejected {
            message: message
                .unwrap_or_else(|| format!("the backend refused the event (HTTP {status})")),
            errors,
        });
    }
    if !status.is_success() {
        return Err(contract(format!(
            "the backend answered HTTP {status}; a forward backend must answer 2xx, 4xx or 5xx"
        )));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Answer::default());
    }
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        contract(format!(
            "the backend's answer is not JSON ({e}); expected {{\"emit\": [...], \"ack\": ...}}"
        ))
    })?;
    // serde would also read a struct from an array: only an object is an answer.
    if !value.is_object() {
        return Err(contract(
            "the backend's answer is not an object; expected {\"emit\": [...], \"ack\": ...}"
                .into(),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        contract(format!(
            "the backend's answer is not {{\"emit\": [{{\"event\", \"payload\" | \"args\", \"to\"}}], \"ack\"}}: {e}"
        ))
    })
}

/// [`read_answer`] for fuzz/ (fuzz_targets/forward_answer.rs) and its regression tests, which
/// have no backend to answer: the number of emits of a usable answer, or why it is not one.
#[doc(hidden)]
pub fn read_backend_answer(status: StatusCode, body: &[u8]) -> Result<usize, Failure> {
    read_answer(status, body).map(|a| a.emit.len())
}

/// Where one validated emit goes.
enum Target {
    Socket,
    Room(String),
}

impl Forwarder {
    /// A client for `url` (plain `http://`: the backend sits next to the server) that gives the
    /// backend `timeout` to answer each event, body included.
    pub fn new(url: &str, timeout: Duration) -> Result<Forwarder, String> {
        let uri: axum::http::Uri = url
            .parse()
            .map_err(|e| format!("--forward `{url}` is not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "--forward `{url}`: only http:// backends are supported"
            ));
        }
        if timeout.is_zero() {
            return Err("--forward-timeout must be more than 0".into());
        }
        Ok(Forwarder {
            client: Client::builder(TokioExecutor::new()).build_http(),
            url: uri,
            timeout,
        })
    }

    /// POST `body` and read the answer, all within the timeout.
    async fn post(&self, body: Vec<u8>) -> Result<Answer, Failure> {
        let req = axum::http::Request::post(self.url.clone())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Failure::Unavailable(format!("cannot build the request: {e}")))?;
        let exchange = async {
            let res = self.client.request(req).await.map_err(|e| {
                tracing::debug!(error = ?e, "backend request failed");
                Failure::Unavailable(if e.is_connect() {
                    "cannot connect to it".into()
                } else {
                    "the connection failed".into()
                })
            })?;
            let status = res.status();
            let bytes = Limited::new(res.into_body(), MAX_ANSWER_BYTES)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Failure::Contract {
                            message: format!(
                                "the backend's answer is larger than {} MiB",
                                MAX_ANSWER_BYTES >> 20
                            ),
                            errors: vec![],
                        }
                    } else {
                        Failure::Unavailable(format!("its answer was cut off: {e}"))
                    }
                })?
                .to_bytes();
            read_answer(status, &bytes)
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Unavailable(format!(
                    "no answer within {}",
                    seconds(self.timeout)
                )))
            })
    }

    /// Forward one event and carry out the backend's answer, or tell the client why not.
    pub async fn run<A: Adapter>(&self, job: Job<A>) {
        let ns = job.socket.ns().to_string();
        let body = json!({
            "event": job.event,
            "namespace": ns,
            "payload": job.args.first().cloned().unwrap_or(Value::Null),
            "args": job.args,
            "socket": {
                "id": job.socket.id.to_string(),
                "userId": job.identity.as_ref().map(|i| i.user_id.clone()),
                "roles": job.identity.as_ref().map(|i| i.roles.clone()).unwrap_or_default(),
            },
        });
        let result = match self.post(body.to_string().into_bytes()).await {
            Ok(answer) => plan(&job, &ns, answer),
            Err(f) => Err(f),
        };
        match result {
            Ok(plan) => carry_out(job, &ns, plan).await,
            Err(f) => refuse(job, f),
        }
    }
}

/// `5 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{} s", d.as_secs_f64())
    }
}

/// A backend answer that passed every check: what to emit where, and the ack to send.
struct Plan {
    emits: Vec<(Target, String, Decoded)>,
    ack: Option<Value>,
}

/// Check the whole answer (every emit like a publish, the ack against the ack schema) before
/// anything is sent: an answer with one bad part is refused whole.
fn plan<A: Adapter>(job: &Job<A>, ns: &str, answer: Answer) -> Result<Plan, Failure> {
    let mut errors = Vec::new();
    let mut emits = Vec::with_capacity(answer.emit.len());
    for (i, e) in answer.emit.into_iter().enumerate() {
        let args = match (e.args, e.payload) {
            (Some(a), _) => a,
            (None, Some(p)) => vec![p],
            (None, None) => vec![json!({})],
        };
        let target = match e.to.strip_prefix("room:") {
            Some(room) if !room.is_empty() => Target::Room(room.to_string()),
            _ if e.to == "socket" => Target::Socket,
            _ => {
                errors.push(SchemaError {
                    path: format!("/emit/{i}/to"),
                    message: format!("`{}` is neither `socket` nor `room:<name>`", e.to),
                });
                continue;
            }
        };
        let room = match &target {
            Target::Room(r) => Some(r.as_str()),
            Target::Socket => None,
        };
        let args = match decode_base64(args) {
            Ok(d) => d,
            Err((path, message)) => {
                errors.push(SchemaError {
                    path: format!("/emit/{i}/args{path}"),
                    message,
                });
                continue;
            }
        };
        match check_s2c(&job.srv, ns, &e.event, room, &args.args, &args.sizes()) {
            Ok(_) => emits.push((target, e.event, args)),
            Err(r) => {
                tracing::warn!(event = %e.event, code = r.code, message = %r.message, errors = ?r.errors, "backend emit refused");
                if r.errors.is_empty() {
                    errors.push(SchemaError {
                        path: format!("/emit/{i}/event"),
                        message: r.message,
                    });
                }
                errors.extend(r.errors.into_iter().map(|x| SchemaError {
                    path: format!("/emit/{i}{}", x.path),
                    message: format!("`{}`: {}", e.event, x.message),
                }));
            }
        }
    }
    // The ack is checked only when the client asked for one: an unused value cannot mislead it.
    let ack =
        match &job.ack {
            None => None,
            Some(_) => {
                let value = answer.ack.unwrap_or_else(|| json!({"ok": true}));
                let spec = job.srv.contract.get(ns, &job.event);
                if let Some(v) = spec.and_then(|s| s.ack.as_ref()) {
                    errors.extend(crate::catalog::schema::validate(v, &value).into_iter().map(
                        |x| SchemaError {
                            path: format!("/ack{}", x.path),
                            message: format!("ack of `{}`: {}", job.event, x.message),
                        },
                    ));
                }
                Some(value)
            }
        };
    if !errors.is_empty() {
        return Err(Failure::Contract {
            message: format!(
                "the backend's answer to `{}` breaks the catalog; none of it was carried out",
                job.event
            ),
            errors,
        });
    }
    Ok(Plan { emits, ack })
}

async fn carry_out<A: Adapter>(job: Job<A>, ns: &str, plan: Plan) {
    for (target, event, args) in &plan.emits {
        let bins = args.slices();
        match target {
            Target::Room(r) => deliver(&job.srv, ns, Some(r), event, (&args.args, &bins)).await,
            Target::Socket if bins.is_empty() => {
                emit_args(&job.srv, &job.socket, event, &args.args)
            }
            Target::Socket => emit_attached(&job.srv, &job.socket, event, &args.args, &bins),
        }
        if let Some(spec) = job.srv.contract.get(ns, event) {
            spec.counters.published.inc();
        }
    }
    if let (Some(ack), Some(value)) = (job.ack, plan.ack) {
        sent(&job.srv, &job.socket, &job.event, "ack", ack.send(&value));
    }
}

/// Tell the client (the `error` event, and the ack when it passed one) why its event failed.
fn refuse<A: Adapter>(job: Job<A>, failure: Failure) {
    let err = failure.client_error(&job.event);
    job.srv.metrics.reject(err.code.as_str());
    match &failure {
        Failure::Rejected { .. } => {
            tracing::info!(event = %job.event, message = %err.message, "backend refused the event")
        }
        _ => {
            tracing::warn!(event = %job.event, code = err.code.as_str(), message = %err.message, errors = ?err.errors, "forward failed")
        }
    }
    let err = job.srv.contract.word(&err);
    let r = job.socket.emit("error", &*err);
    sent(&job.srv, &job.socket, "error", "event", r);
    if let Some(ack) = job.ack {
        let r = ack.send(&AckError { error: &err });
        sent(&job.srv, &job.socket, &job.event, "ack", r);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(status: u16, body: &str) -> Result<usize, Code> {
        read_answer(StatusCode::from_u16(status).unwrap(), body.as_bytes())
            .map(|a| a.emit.len())
            .map_err(|f| f.client_error("e").code)
    }

    #[test]
    fn statuses_map_to_codes() {
        assert_eq!(code(200, r#"{"emit": [{"event": "x"}]}"#), Ok(1));
        assert_eq!(code(204, ""), Ok(0));
        for s in [500, 502, 503, 504, 408, 429] {
            assert_eq!(code(s, "{}"), Err(Code::BackendUnavailable), "{s}");
        }
        for s in [400, 401, 403, 404, 409, 422] {
            assert_eq!(code(s, "{}"), Err(Code::BackendRejected), "{s}");
        }
        assert_eq!(code(302, ""), Err(Code::BackendContractError));
    }

    #[test]
    fn only_the_answer_shape_is_an_answer() {
        for body in [
            "not json",
            "[[], null]",
            "\"emit\"",
            r#"{"emits": []}"#,
            r#"{"emit": {}}"#,
            r#"{"emit": [{"event": "x", "room": "r"}]}"#,
            r#"{"emit": [{"payload": {}}]}"#,
        ] {
            assert_eq!(code(200, body), Err(Code::BackendContractError), "{body}");
        }
    }

    #[test]
    fn a_refusal_passes_the_backends_message_and_errors_on() {
        let f = read_answer(
            StatusCode::CONFLICT,
            br#"{"message": "taken", "errors": [{"path": "/name", "message": "in use"}, {"bad": 1}]}"#,
        )
        .unwrap_err();
        // An entry of another shape is skipped; the rest is passed on.
        let e = f.client_error("user:rename");
        assert_eq!(e.message, "taken");
        assert_eq!(e.errors.len(), 1);
        assert_eq!(e.errors[0].path, "/name");
        assert_eq!(e.event, "user:rename");
        for body in ["", "<html>", r#"{"message": 7}"#, r#"{"message": " "}"#] {
            let f = read_answer(StatusCode::FORBIDDEN, body.as_bytes()).unwrap_err();
            assert_eq!(
                f.client_error("x").message,
                "the backend refused the event (HTTP 403 Forbidden)"
            );
        }
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(seconds(Duration::from_secs(5)), "5 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
    }
}
