//! The HTTP side of the fan-out scenario: `POST <publish-path>` with the body and headers
//! loadgen.js's `postJson` sends (`content-type: application/json`, `content-length`, and
//! `authorization: Bearer <token>` when a token is given), over keep-alive HTTP/1.1
//! connections. Like loadgen.js's `http.Agent({keepAlive: true, maxSockets: 8})`, at most 8
//! requests (so 8 connections) are in flight; more wait for a free one. hyper-util's pooled
//! client does the HTTP/1.1 framing, so chunked or close-delimited replies are read correctly.

use crate::stats::{iso_now, num};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::Semaphore;

/// loadgen.js's per-request `timeout: 10000`.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// loadgen.js's `maxSockets: 8`.
const MAX_IN_FLIGHT: usize = 8;

/// What loadgen.js's `postJson` resolves with: the HTTP status (0 when no reply), the error
/// text for a failed request, and `recipients` when the reply is JSON with a numeric one.
pub struct Reply {
    pub status: u16,
    pub error: Option<String>,
    pub recipients: Option<f64>,
}

pub struct Publisher {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: Uri,
    authorization: Option<String>,
    slots: Semaphore,
}

impl Publisher {
    /// `authority` is `host:port` as it goes into the URL (IPv6 in brackets).
    pub fn new(authority: &str, path: &str, token: Option<&str>) -> Result<Self, String> {
        let uri: Uri = format!("http://{authority}{path}")
            .parse()
            .map_err(|e| format!("bad publish URL: {e}"))?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(MAX_IN_FLIGHT)
            .build(connector);
        Ok(Publisher {
            client,
            uri,
            authorization: token.map(|t| format!("Bearer {t}")),
            slots: Semaphore::new(MAX_IN_FLIGHT),
        })
    }

    /// POST `body` (JSON text); never fails, a transport error is `status: 0`.
    pub async fn post(&self, body: String) -> Reply {
        let _slot = self.slots.acquire().await.expect("semaphore never closed");
        match tokio::time::timeout(REQUEST_TIMEOUT, self.request(body)).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Reply {
                status: 0,
                error: Some(e),
                recipients: None,
            },
            Err(_) => Reply {
                status: 0,
                error: Some("timeout".into()),
                recipients: None,
            },
        }
    }

    async fn request(&self, body: String) -> Result<Reply, String> {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(self.uri.clone())
            .header("content-type", "application/json")
            .header("content-length", body.len());
        if let Some(a) = &self.authorization {
            req = req.header("authorization", a);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let resp = self.client.request(req).await.map_err(error_text)?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let recipients = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|j| j.get("recipients").and_then(Value::as_f64));
        Ok(Reply {
            status,
            error: None,
            recipients,
        })
    }
}

/// The innermost cause of a client error (hyper-util wraps the connect error).
fn error_text(e: hyper_util::client::legacy::Error) -> String {
    let mut s: &dyn std::error::Error = &e;
    while let Some(inner) = s.source() {
        s = inner;
    }
    s.to_string()
}

const SYMBOLS: [&str; 9] = [
    "AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOGL", "META", "BTC", "ETH",
];
const ACTIONS: [&str; 3] = ["buy", "sell", "hold"];

/// The publish body for signal `seq`: loadgen.js's `{event, room, payload: signalPayload(seq)}`
/// with the same keys in the same order and numbers written as JS writes them. The subscriber
/// side finds `seq` again in `signalId` ("sig-<seq>") to look up when it was published.
pub fn signal_body(seq: usize) -> String {
    let entry = 100.0 + (seq % 100) as f64;
    json!({
        "event": "signal:new",
        "room": "signals",
        "payload": {
            "signalId": format!("sig-{seq}"),
            "providerId": "prov-1",
            "providerName": "Bench Provider",
            "symbol": SYMBOLS[seq % SYMBOLS.len()],
            "action": ACTIONS[seq % 3],
            "entryPrice": num(entry),
            "stopLoss": num(entry * 0.95),
            "takeProfit": num(entry * 1.1),
            "confidence": 0.75,
            "timestamp": iso_now(),
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_matches_loadgen_js() {
        let b = signal_body(1);
        let prefix = r#"{"event":"signal:new","room":"signals","payload":{"signalId":"sig-1","providerId":"prov-1","providerName":"Bench Provider","symbol":"MSFT","action":"sell","entryPrice":101,"stopLoss":95.94999999999999,"takeProfit":111.10000000000001,"confidence":0.75,"timestamp":""#;
        assert!(b.starts_with(prefix), "{b}");
        assert!(signal_body(0).contains(r#""stopLoss":95,"takeProfit":110.00000000000001"#));
    }
}
