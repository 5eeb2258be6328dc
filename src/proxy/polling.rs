//! The upstream session over HTTP long-polling, for upstreams that do not offer WebSocket
//! (`transports: ['polling']`): Engine.IO 4's polling transport, client side.
//!
//! One GET at a time waits for what the upstream has (packets separated by the record
//! separator `\x1e`, binary ones as `b<base64>`); one POST at a time carries what the proxy
//! sends, everything queued since the last POST in one body, as socket.io-client does. Both run
//! as tasks of their own, so the pair reads and writes as it does over WebSocket; pings are
//! answered through the same POST queue (Engine.IO refuses two POSTs at once).

use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use tokio::sync::mpsc;

use super::upstream::{Incoming, UpstreamError};

/// The Engine.IO record separator between packets of a polling payload.
const SEPARATOR: char = '\u{1e}';
/// Largest polling response read (socket.io's default `maxHttpBufferSize` is 1 MB; a payload
/// may batch several packets).
const MAX_BODY: usize = 16 << 20;

/// Packets queued for the upstream at most; a POST takes as many of them as fit in
/// [`POST_BATCH`].
const OUTGOING: usize = 16;
/// Largest POST body made of several packets: socket.io's default `maxHttpBufferSize` (1 MB),
/// past which the upstream would end the session. A larger packet goes alone.
const POST_BATCH: usize = 1_000_000;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A polling session with the upstream.
pub struct Polling {
    incoming: mpsc::UnboundedReceiver<Result<Incoming, UpstreamError>>,
    outgoing: mpsc::Sender<String>,
    tasks: [tokio::task::JoinHandle<()>; 2],
}

impl Drop for Polling {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Polling {
    /// Opens a session at `url` (the Engine.IO URL with `EIO=4&transport=polling` and the
    /// client's query) with `headers`; returns it with the open packet's JSON.
    pub async fn open(
        url: &str,
        headers: &[(String, String)],
    ) -> Result<(Polling, serde_json::Value), UpstreamError> {
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
        let body = get(&client, url, headers)
            .await
            .map_err(UpstreamError::Unreachable)?;
        let first = body.split(SEPARATOR).next().unwrap_or("");
        let open: serde_json::Value = first
            .strip_prefix('0')
            .and_then(|json| serde_json::from_str(json).ok())
            .ok_or_else(|| {
                UpstreamError::Protocol(format!(
                    "expected the Engine.IO open packet, got {first:?}"
                ))
            })?;
        let sid = open["sid"]
            .as_str()
            .ok_or_else(|| UpstreamError::Protocol("open packet without sid".into()))?;
        let session_url = format!("{url}&sid={sid}");
        let (in_tx, incoming) = mpsc::unbounded_channel();
        let (outgoing, out_rx) = mpsc::channel(OUTGOING);
        let headers = headers.to_vec();
        let reader = tokio::spawn(read_loop(
            client.clone(),
            session_url.clone(),
            headers.clone(),
            in_tx.clone(),
            outgoing.clone(),
        ));
        let writer = tokio::spawn(write_loop(client, session_url, headers, out_rx, in_tx));
        Ok((
            Polling {
                incoming,
                outgoing,
                tasks: [reader, writer],
            },
            open,
        ))
    }

    /// Queue one Engine.IO packet (`4…` a message, `b…` binary as base64, `1` close); waits
    /// while [`OUTGOING`] packets are queued, so a client that outpaces the upstream meets the
    /// relay's backlog limit as it does over WebSocket.
    pub async fn send(&self, packet: String) -> Result<(), UpstreamError> {
        self.outgoing
            .send(packet)
            .await
            .map_err(|_| UpstreamError::Closed)
    }

    /// Queue one binary attachment.
    pub async fn send_binary(&self, data: &[u8]) -> Result<(), UpstreamError> {
        let b64 = base64::engine::general_purpose::STANDARD.encode(data);
        self.send(format!("b{b64}")).await
    }

    /// The next packet or attachment.
    pub async fn next(&mut self) -> Result<Incoming, UpstreamError> {
        self.incoming
            .recv()
            .await
            .unwrap_or(Err(UpstreamError::Closed))
    }

    /// Sends the Engine.IO close packet and waits (briefly) for it to go.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.send("1".into())).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn get(
    client: &HttpClient,
    url: &str,
    headers: &[(String, String)],
) -> Result<String, String> {
    request(client, "GET", url, headers, Bytes::new()).await
}

async fn request(
    client: &HttpClient,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Result<String, String> {
    let mut req = axum::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        req = req.header(name.as_str(), value.as_str());
    }
    if method == "POST" {
        req = req.header("content-type", "text/plain;charset=UTF-8");
    }
    let req = req.body(Full::new(body)).map_err(|e| e.to_string())?;
    let res = client.request(req).await.map_err(|e| e.to_string())?;
    let status = res.status();
    let bytes = Limited::new(res.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    let text = String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {}", text.trim()));
    }
    Ok(text)
}

/// GET after GET, each payload's packets handed on in order; pings answered through the POST
/// queue.
async fn read_loop(
    client: HttpClient,
    url: String,
    headers: Vec<(String, String)>,
    incoming: mpsc::UnboundedSender<Result<Incoming, UpstreamError>>,
    outgoing: mpsc::Sender<String>,
) {
    loop {
        let body = match get(&client, &url, &headers).await {
            Ok(body) => body,
            Err(e) => {
                let _ = incoming.send(Err(UpstreamError::Transport(e)));
                return;
            }
        };
        for packet in body.split(SEPARATOR) {
            let item = match packet.as_bytes().first() {
                Some(b'4') => Ok(Incoming::Packet(packet[1..].to_owned())),
                Some(b'b') => {
                    match base64::engine::general_purpose::STANDARD.decode(&packet[1..]) {
                        Ok(bytes) => Ok(Incoming::Binary(Bytes::from(bytes))),
                        Err(e) => Err(UpstreamError::Protocol(format!("binary packet: {e}"))),
                    }
                }
                Some(b'2') => {
                    let _ = outgoing.send(format!("3{}", &packet[1..])).await;
                    continue;
                }
                Some(b'1') => Err(UpstreamError::Closed),
                _ => continue,
            };
            let end = item.is_err();
            if incoming.send(item).is_err() || end {
                return;
            }
        }
    }
}

/// One POST at a time, with what was queued since the last one (up to [`POST_BATCH`]).
async fn write_loop(
    client: HttpClient,
    url: String,
    headers: Vec<(String, String)>,
    mut outgoing: mpsc::Receiver<String>,
    incoming: mpsc::UnboundedSender<Result<Incoming, UpstreamError>>,
) {
    let mut carried: Option<String> = None;
    loop {
        let first = match carried.take() {
            Some(p) => p,
            None => match outgoing.recv().await {
                Some(p) => p,
                None => return,
            },
        };
        let mut body = first;
        while let Ok(more) = outgoing.try_recv() {
            if body.len() + 1 + more.len() > POST_BATCH {
                carried = Some(more);
                break;
            }
            body.push(SEPARATOR);
            body.push_str(&more);
        }
        let closing = body.ends_with(&format!("{SEPARATOR}1")) || body == "1";
        if let Err(e) = request(&client, "POST", &url, &headers, Bytes::from(body)).await {
            let _ = incoming.send(Err(UpstreamError::Transport(e)));
            return;
        }
        if closing {
            return;
        }
    }
}
