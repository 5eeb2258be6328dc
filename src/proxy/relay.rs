//! The proxy's client-facing side: each client's Engine.IO session (any transport) is paired
//! with one upstream session ([`super::upstream`]); every packet either side sends is put
//! together with its attachments, judged against the catalog ([`super::judge`]) and relayed as
//! it came, or, in enforce mode, refused (a client's: answered with serve's `error` event and
//! `{"error"}` ack) or dropped (the upstream's).
//!
//! engineioxide serves the clients, not socketioxide: socketioxide would decode every packet,
//! answer acks itself and refuse a namespace with a bare message, where a relay has to pass the
//! upstream's packets through (a refusal keeps its `data`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use engineioxide::handler::EngineIoHandler;
use engineioxide::{DisconnectReason, Socket, Str};
use tokio::sync::{mpsc, watch};

use super::judge::{Assembler, Judge, Judged, Piece, Whole};
use super::metrics::{Metrics, Outcome};
use super::report::{self, Entry, Report};
use super::upstream::{Incoming, Target, Upstream, RELAYED_HEADERS};
use crate::serve::error::{AckError, ClientError, Code};
use crate::validate::{Breach, Contract, Violation};
use crate::vocab::packet::{parse_header, PacketKind};
use crate::vocab::Direction;

/// What the proxy does with a packet that breaks the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Refuse a client's (answering with an error), drop the upstream's; record both.
    Enforce,
    /// Relay it unchanged; record it.
    Observe,
}

/// Per client session: the queue to its pairing task, once that is started, and how many bytes
/// in it wait for the upstream.
#[derive(Debug, Default)]
pub struct Link {
    to_upstream: OnceLock<mpsc::UnboundedSender<FromClient>>,
    backlog: AtomicUsize,
    cut_off: AtomicBool,
}

/// What a client session hands its pairing task, in the order it happened.
#[derive(Debug)]
enum FromClient {
    /// A frame the client sent.
    Piece(Piece<Str>),
    /// The client is gone. Said through the queue, after everything it sent (the pairing task
    /// holds the socket, so the queue itself never closes while the pair lives).
    Gone,
}

/// The Engine.IO handler of `evdoc proxy`.
#[derive(Clone)]
pub struct Relay {
    /// The upstream server.
    pub target: Target,
    /// How long opening an upstream session may take.
    pub open_timeout: Duration,
    /// The catalog, compiled for judging traffic.
    pub contract: Arc<Contract>,
    /// The catalog's `errors.<code>.message`, where it sets one (the words of the `error`
    /// event, as serve sends them).
    pub error_messages: HashMap<String, String>,
    /// Enforce or observe.
    pub mode: Mode,
    /// `--report`.
    pub report: Option<Report>,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// Turns true on SIGTERM/SIGINT: every pair closes its client (which reconnects, to
    /// another instance or to this one once it is back) and its upstream.
    pub stop: watch::Receiver<bool>,
    /// Bytes a client may have waiting for the upstream: Engine.IO hands the proxy a client's
    /// messages as fast as the client sends them, the upstream takes them as fast as it reads,
    /// and a client that outpaces it is disconnected rather than buffered without bound.
    pub backlog_limit: usize,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("target", &self.target)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl EngineIoHandler for Relay {
    type Data = Link;

    fn on_connect(self: Arc<Self>, socket: Arc<Socket<Link>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let _ = socket.data.to_upstream.set(tx);
        tokio::spawn(pair(self, socket, rx));
    }

    fn on_disconnect(&self, socket: Arc<Socket<Link>>, _reason: DisconnectReason) {
        // The pairing task relays what is still queued, then closes the upstream session.
        if let Some(tx) = socket.data.to_upstream.get() {
            let _ = tx.send(FromClient::Gone);
        }
    }

    fn on_message(self: &Arc<Self>, msg: Str, socket: Arc<Socket<Link>>) {
        self.enqueue(&socket, Piece::Packet(msg));
    }

    fn on_binary(self: &Arc<Self>, data: Bytes, socket: Arc<Socket<Link>>) {
        self.enqueue(&socket, Piece::Binary(data));
    }
}

impl Relay {
    /// Hand a client's frame to its pairing task, unless more than [`Relay::backlog_limit`]
    /// bytes would then wait for the upstream: then the client is disconnected (once; it may
    /// reconnect) and what it sends meanwhile is dropped.
    fn enqueue(&self, socket: &Socket<Link>, piece: Piece<Str>) {
        let Some(tx) = socket.data.to_upstream.get() else {
            return;
        };
        let link = &socket.data;
        let len = piece_len(&piece);
        if link.cut_off.load(Ordering::Relaxed) {
            return;
        }
        if link.backlog.fetch_add(len, Ordering::Relaxed) + len > self.backlog_limit {
            link.backlog.fetch_sub(len, Ordering::Relaxed);
            if !link.cut_off.swap(true, Ordering::Relaxed) {
                self.metrics.backlog_closes.inc();
                tracing::warn!(
                    socket = %socket.id,
                    limit = self.backlog_limit,
                    "client disconnected: it sends faster than the upstream reads"
                );
                socket.close(DisconnectReason::TransportError);
            }
            return;
        }
        let _ = tx.send(FromClient::Piece(piece));
    }
}

/// The bytes of a client frame, as counted against the backlog limit.
fn piece_len(piece: &Piece<Str>) -> usize {
    match piece {
        Piece::Packet(p) => p.len(),
        Piece::Binary(b) => b.len(),
    }
}

/// The query the upstream sees: the client's, without Engine.IO's own parameters.
fn client_query(query: Option<&str>) -> String {
    query
        .unwrap_or("")
        .split('&')
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !kv.is_empty() && !matches!(key, "EIO" | "transport" | "sid" | "t" | "b64")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The handshake headers relayed, with `X-Forwarded-For` and `-Proto` appended.
fn relayed_headers(socket: &Socket<Link>) -> Vec<(String, String)> {
    let headers = &socket.req_parts.headers;
    let mut out: Vec<(String, String)> = RELAYED_HEADERS
        .iter()
        .flat_map(|name| {
            headers
                .get_all(*name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect();
    let peer = socket
        .req_parts
        .extensions
        .get::<std::net::SocketAddr>()
        .map(|a| a.ip().to_string());
    let forwarded = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(chain) = match (forwarded, peer) {
        (Some(f), Some(p)) => Some(format!("{f}, {p}")),
        (f, p) => f.or(p),
    } {
        out.push(("x-forwarded-for".into(), chain));
    }
    out.push(("x-forwarded-proto".into(), "http".into()));
    out
}

/// Runs one pairing: opens the upstream session, then relays both ways until either side ends
/// or the proxy stops.
async fn pair(
    relay: Arc<Relay>,
    socket: Arc<Socket<Link>>,
    mut from_client: mpsc::UnboundedReceiver<FromClient>,
) {
    let query = client_query(socket.req_parts.uri.query());
    let headers = relayed_headers(&socket);
    let t0 = Instant::now();
    let mut up = match Upstream::open(&relay.target, &query, &headers, relay.open_timeout).await {
        Ok(up) => up,
        Err(e) => {
            relay.metrics.upstream_failures.inc();
            tracing::warn!(socket = %socket.id, error = %e, "upstream unavailable");
            return refuse_all(&socket, &mut from_client, &e.to_string()).await;
        }
    };
    relay
        .metrics
        .upstream_open
        .observe(t0.elapsed().as_secs_f64());
    relay.metrics.pairs.inc();
    let mut lane = Lane {
        relay: &relay,
        socket: &socket,
        judge: Judge::default(),
        sid: socket.id.to_string(),
    };
    let (mut from_client_asm, mut from_up_asm) = (Assembler::default(), Assembler::default());
    let mut wholes_u = Vec::new();
    let mut stop = relay.stop.clone();
    // Made once, outside the loop: a future remade per packet registers and unregisters a
    // waiter under a lock each time.
    let stopping = stopped(&mut stop);
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            sent = from_client.recv() => {
                let Some(FromClient::Piece(piece)) = sent else { break };
                if lane.client_piece(&mut up, &mut from_client_asm, piece).await.is_err() {
                    relay.metrics.upstream_failures.inc();
                    socket.close(DisconnectReason::TransportError);
                    relay.metrics.pairs.dec();
                    return;
                }
            }
            got = up.next() => match got {
                Ok(incoming) => {
                    let piece = match incoming {
                        Incoming::Packet(p) => Piece::Packet(p),
                        Incoming::Binary(b) => Piece::Binary(b),
                    };
                    from_up_asm.push(piece, &mut wholes_u);
                    for whole in wholes_u.drain(..) {
                        lane.upstream_packet(whole);
                    }
                }
                Err(e) => {
                    // Never leave a client connected to nothing: it reconnects.
                    relay.metrics.upstream_failures.inc();
                    tracing::info!(socket = %socket.id, error = %e, "upstream session ended; closing the client");
                    close_flushed(&socket, DisconnectReason::TransportError).await;
                    relay.metrics.pairs.dec();
                    return;
                }
            },
            () = &mut stopping => {
                socket.close(DisconnectReason::ClosingServer);
                break;
            }
        }
    }
    up.close().await;
    relay.metrics.pairs.dec();
}

/// One pairing's traffic: judged, counted, recorded, and relayed, refused or dropped.
struct Lane<'a> {
    relay: &'a Relay,
    socket: &'a Socket<Link>,
    judge: Judge,
    sid: String,
}

impl Lane<'_> {
    /// One frame from the client: once it completes a packet (with its attachments), the packet
    /// goes to the upstream or is refused. Its bytes leave the client's backlog only then, so
    /// attachments held for a packet that announced more count against the limit too.
    async fn client_piece(
        &mut self,
        up: &mut Upstream,
        asm: &mut Assembler<Str>,
        piece: Piece<Str>,
    ) -> Result<(), super::upstream::UpstreamError> {
        let mut wholes = Vec::new();
        asm.push(piece, &mut wholes);
        for whole in wholes {
            let len = whole.packet.len() + whole.frames.iter().map(Bytes::len).sum::<usize>();
            self.client_packet(up, whole).await?;
            self.socket.data.backlog.fetch_sub(len, Ordering::Relaxed);
        }
        Ok(())
    }

    /// A client's packet (with its attachments): to the upstream, or refused.
    async fn client_packet(
        &mut self,
        up: &mut Upstream,
        whole: Whole<Str>,
    ) -> Result<(), super::upstream::UpstreamError> {
        let judged = self.judge.judge(
            &self.relay.contract,
            Direction::C2s,
            &whole.packet,
            &whole.frames,
        );
        if let Some(j) = &judged {
            if !self.passes(Direction::C2s, j, &whole.packet) {
                self.refuse(j);
                return Ok(());
            }
        }
        if !whole.packet.is_empty() {
            up.send(&whole.packet).await?;
        }
        for frame in whole.frames {
            up.send_binary(frame).await?;
        }
        Ok(())
    }

    /// An upstream packet (with its attachments): to the client, or dropped.
    fn upstream_packet(&mut self, whole: Whole<String>) {
        let judged = self.judge.judge(
            &self.relay.contract,
            Direction::S2c,
            &whole.packet,
            &whole.frames,
        );
        if let Some(j) = &judged {
            if let (true, Some(d)) = (j.ack, j.waited) {
                self.relay.metrics.upstream_ack.observe(d.as_secs_f64());
            }
            if !self.passes(Direction::S2c, j, &whole.packet) {
                self.drop_upstream(j);
                return;
            }
        }
        let mut lost = 0;
        if !whole.packet.is_empty() && self.socket.emit(whole.packet).is_err() {
            lost += 1;
        }
        for frame in whole.frames {
            if self.socket.emit_binary(frame).is_err() {
                lost += 1;
            }
        }
        if lost > 0 {
            self.relay.metrics.undelivered.inc_by(lost);
        }
    }

    /// Count the packet and, when it breaks the catalog, record it; `true` when it is to be
    /// relayed.
    fn passes(&self, direction: Direction, j: &Judged, packet: &str) -> bool {
        let relay = self.relay;
        let label = match &j.event {
            Some(e) if relay.contract.knows(&j.namespace, e) => e.as_str(),
            _ => super::metrics::UNKNOWN,
        };
        let Err(violation) = &j.verdict else {
            relay.metrics.event(label, direction, Outcome::Valid);
            return true;
        };
        let outcome = match (relay.mode, direction) {
            (Mode::Observe, _) => Outcome::Relayed,
            (Mode::Enforce, Direction::C2s) => Outcome::Refused,
            (Mode::Enforce, _) => Outcome::Dropped,
        };
        relay.metrics.event(label, direction, outcome);
        relay.metrics.violation(violation.breach, direction);
        self.record(direction, j, violation, outcome, packet);
        outcome == Outcome::Relayed
    }

    /// The report line and the log line of one violation.
    fn record(
        &self,
        direction: Direction,
        j: &Judged,
        v: &Violation,
        outcome: Outcome,
        packet: &str,
    ) {
        tracing::warn!(
            socket = %self.sid,
            namespace = %j.namespace,
            direction = direction.as_str(),
            event = j.event.as_deref().unwrap_or(""),
            ack = j.ack,
            code = v.breach.as_str(),
            action = outcome.as_str(),
            errors = ?v.errors,
            "breaks the catalog"
        );
        if let Some(report) = &self.relay.report {
            report.write(&Entry {
                time: report::now(),
                socket: &self.sid,
                namespace: &j.namespace,
                direction,
                event: j.event.as_deref(),
                ack: j.ack,
                code: v.breach,
                action: outcome.as_str(),
                errors: &v.errors,
                packet: report.payloads.then_some(packet),
            });
        }
    }

    /// A client's packet refused: serve's `error` event, and the `{"error"}` ack when the event
    /// asked for one.
    fn refuse(&self, j: &Judged) {
        let Err(v) = &j.verdict else { return };
        let err = self.client_error(j, v, false);
        let ns = ns_prefix(&j.namespace);
        if let Ok(json) = serde_json::to_string(&("error", &err)) {
            let _ = self.socket.emit(format!("2{ns}{json}"));
        }
        if let (false, Some(id)) = (j.ack, j.id) {
            self.ack_error(&j.namespace, id, &err);
        }
    }

    /// An upstream packet dropped. A client waiting for that ack is told the server's answer
    /// broke the catalog (as serve tells it of a `--forward` backend's), so its callback runs.
    fn drop_upstream(&self, j: &Judged) {
        let (Err(v), true, Some(id)) = (&j.verdict, j.ack, j.id) else {
            return;
        };
        let err = self.client_error(j, v, true);
        self.ack_error(&j.namespace, id, &err);
    }

    fn ack_error(&self, namespace: &str, id: u64, err: &ClientError) {
        let ns = ns_prefix(namespace);
        if let Ok(json) = serde_json::to_string(&[AckError { error: err }]) {
            let _ = self.socket.emit(format!("3{ns}{id}{json}"));
        }
    }

    /// The error a client is told, in serve's codes and the catalog's words.
    fn client_error(&self, j: &Judged, v: &Violation, upstream: bool) -> ClientError {
        let event = j.event.as_deref().unwrap_or("");
        let (code, message, errors) = match (upstream, v.breach) {
            (true, _) => (
                Code::BackendContractError,
                format!("the server's ack to `{event}` does not match the catalog"),
                v.errors.clone(),
            ),
            (false, Breach::UnknownEvent | Breach::WrongDirection) => (
                Code::UnknownEvent,
                format!(
                    "`{event}` is not a client→server event of namespace `{}`",
                    j.namespace
                ),
                Vec::new(),
            ),
            (false, Breach::PayloadError) if j.event.is_none() => {
                (Code::PayloadError, v.errors[0].message.clone(), Vec::new())
            }
            (false, Breach::PayloadError) => (
                Code::PayloadError,
                format!("`{event}` payload does not match its schema"),
                v.errors.clone(),
            ),
            (false, Breach::AckError) => (
                Code::PayloadError,
                format!("`{event}` acknowledgement does not match the catalog"),
                v.errors.clone(),
            ),
        };
        let mut err = ClientError::new(code, event, message);
        err.errors = errors;
        match self.relay.error_messages.get(code.as_str()) {
            Some(m) => err.worded(m),
            None => err,
        }
    }
}

/// Close the client once it has what was relayed to it: a polling client fetches its packets
/// with its next request, and closing the session first would lose them (the upstream's last
/// DISCONNECT, say). Waits at most a second.
async fn close_flushed(socket: &Socket<Link>, reason: DisconnectReason) {
    if socket.transport_type() == engineioxide::TransportType::Polling {
        let t0 = Instant::now();
        while socket.queued() > 0 && t0.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    socket.close(reason);
}

/// Resolves once `stop` is true (or its sender is gone); the watch guard is dropped inside so
/// the pairing future stays `Send`.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

fn ns_prefix(namespace: &str) -> String {
    if namespace == "/" {
        String::new()
    } else {
        format!("{namespace},")
    }
}

/// The upstream cannot be reached: every namespace the client asks for is refused with
/// `UpstreamUnavailable`, until the client goes away.
async fn refuse_all(
    socket: &Socket<Link>,
    from_client: &mut mpsc::UnboundedReceiver<FromClient>,
    why: &str,
) {
    while let Some(FromClient::Piece(sent)) = from_client.recv().await {
        socket
            .data
            .backlog
            .fetch_sub(piece_len(&sent), Ordering::Relaxed);
        let Piece::Packet(p) = sent else { continue };
        let Ok(h) = parse_header(&p) else { continue };
        if h.kind != PacketKind::Connect {
            continue;
        }
        let ns = ns_prefix(h.namespace);
        let body =
            serde_json::json!({ "message": "UpstreamUnavailable", "data": { "reason": why } });
        let _ = socket.emit(format!("4{ns}{body}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_gets_the_clients_own_query() {
        assert_eq!(
            client_query(Some("EIO=4&transport=polling&t=Nx1&room=a&sid=x")),
            "room=a"
        );
        assert_eq!(client_query(Some("token=abc&EIO=4")), "token=abc");
        assert_eq!(client_query(None), "");
    }
}
