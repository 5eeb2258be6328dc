//! `--forward URL`: every valid client→server event is POSTed to a backend as
//! `{"event", "namespace", "payload", "args", "socket": {"id", "userId", "roles"}}`; the backend
//! answers `{"emit": [{"event", "payload" | "args", "to": "socket" | "room:<name>"}], "ack": <value>}`.
//! Every emit it asks for is validated like a publish; a refused one is logged and dropped.

use super::auth::Identity;
use super::error::{AckError, ClientError, Code};
use super::handler::emit_args;
use super::publish::{check_s2c, deliver};
use super::server::Server;
use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::adapter::LocalAdapter;
use socketioxide::extract::AckSender;
use socketioxide::socket::Socket;
use std::sync::Arc;
use std::time::Duration;

/// The backend client.
#[derive(Clone)]
pub struct Forwarder {
    client: Client<HttpConnector, Full<Bytes>>,
    url: axum::http::Uri,
}

/// One event to forward.
pub struct Job {
    /// Shared server state.
    pub srv: Arc<Server>,
    /// The sending socket.
    pub socket: Arc<Socket<LocalAdapter>>,
    /// Event name.
    pub event: String,
    /// Its (valid) arguments.
    pub args: Vec<Value>,
    /// The client's ack callback, if it passed one.
    pub ack: Option<AckSender<LocalAdapter>>,
    /// Who sent it.
    pub identity: Option<Identity>,
}

#[derive(Deserialize, Default)]
struct Answer {
    #[serde(default)]
    emit: Vec<Emit>,
    #[serde(default)]
    ack: Option<Value>,
}

#[derive(Deserialize)]
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

impl Forwarder {
    /// A client for `url` (plain `http://`: the backend sits next to the server).
    pub fn new(url: &str) -> Result<Forwarder, String> {
        let uri: axum::http::Uri = url
            .parse()
            .map_err(|e| format!("--forward `{url}` is not a URL: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!(
                "--forward `{url}`: only http:// backends are supported"
            ));
        }
        Ok(Forwarder {
            client: Client::builder(TokioExecutor::new()).build_http(),
            url: uri,
        })
    }

    async fn post(&self, body: Vec<u8>) -> Result<Answer, String> {
        let req = axum::http::Request::post(self.url.clone())
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let res = tokio::time::timeout(Duration::from_secs(10), self.client.request(req))
            .await
            .map_err(|_| "backend did not answer within 10 s".to_string())?
            .map_err(|e| format!("backend unreachable: {e}"))?;
        let status = res.status();
        let bytes = res
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        if !status.is_success() {
            return Err(format!("backend answered {status}"));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Answer::default());
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("backend answer is not valid: {e}"))
    }

    /// Forward one event and carry out the backend's answer.
    pub async fn run(&self, job: Job) {
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
        let answer = match self.post(body.to_string().into_bytes()).await {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(event = %job.event, error = %e, "forward failed");
                return;
            }
        };
        for e in answer.emit {
            let args = match (e.args, e.payload) {
                (Some(a), _) => a,
                (None, Some(p)) => vec![p],
                (None, None) => vec![json!({})],
            };
            let room = e.to.strip_prefix("room:");
            if room.is_none() && e.to != "socket" {
                tracing::warn!(event = %e.event, to = %e.to, "backend emit: `to` must be `socket` or `room:<name>`; dropped");
                continue;
            }
            match check_s2c(&job.srv, &ns, &e.event, room, &args) {
                Ok(spec) => {
                    spec.counters.published.inc();
                    match room {
                        Some(r) => deliver(&job.srv, &ns, Some(r), &e.event, &args).await,
                        None => emit_args(&job.socket, &e.event, &args),
                    }
                }
                Err(r) => {
                    job.srv.metrics.reject(r.code);
                    tracing::warn!(event = %e.event, code = r.code, message = %r.message, errors = ?r.errors, "backend emit refused");
                }
            }
        }
        if let Some(ack) = job.ack {
            let value = answer.ack.unwrap_or_else(|| json!({"ok": true}));
            let spec = job.srv.contract.get(&ns, &job.event);
            let errors = spec
                .and_then(|s| s.ack.as_ref())
                .map(|v| crate::catalog::schema::validate(v, &value))
                .unwrap_or_default();
            let r = if errors.is_empty() {
                ack.send(&value)
            } else {
                tracing::warn!(event = %job.event, ?errors, "backend ack does not match the ack schema");
                let mut err = ClientError::new(
                    Code::PayloadError,
                    &job.event,
                    "the server's answer does not match the ack schema",
                );
                err.errors = errors;
                ack.send(&AckError { error: &err })
            };
            if let Err(e) = r {
                tracing::debug!(error = %e, "ack failed");
            }
        }
    }
}
