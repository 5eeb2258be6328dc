//! The Socket.IO side: the connect middleware (authentication, namespace rule, connection
//! limit) and the one message handler every socket gets. The handler is registered as the
//! socket's fallback, so it sees every event, catalogued or not (socketioxide's `on_fallback`
//! only sees events without their own handler, and there are none): it reads all arguments of
//! the raw packet (socketioxide's `Data<T>` would read only the first), then rate-limits, looks
//! the event up, authorises, validates, applies joins/leaves and answers replies and acks.

use super::attachments::{inline_base64, Attached, AttachedArgs};
use super::auth::Identity;
use super::config::{json_depth, TokenBucket};
use super::contract::{EventSpec, ReplySource};
use super::error::{AckError, ClientError, Code};
use super::server::Server;
use crate::vocab::AuthRule;
use serde::ser::{Serialize, SerializeTuple, Serializer};
use serde_json::{json, Value};
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, SocketRef};
use socketioxide::handler::{FromMessageParts, MessageHandler};
use socketioxide::socket::{DisconnectReason, Socket};
use socketioxide::SendError;
use socketioxide_core::Value as RawValue;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server keeps per socket (in socketioxide's socket extensions).
pub struct SocketState {
    /// The authenticated user, if any.
    pub identity: Option<Identity>,
    rate: Mutex<RateState>,
    /// Catalogued rooms joined: (room, template).
    rooms: Mutex<Vec<(String, String)>>,
}

struct RateState {
    bucket: TokenBucket,
    /// When a RateLimited error event was last delivered.
    last_error: Option<Instant>,
    /// Start of the current one-second window of refused events, and how many.
    window: Instant,
    refused: u32,
    /// Cut off for flooding: packets already read from its connection are dropped unanswered
    /// (and not logged or counted again) while the disconnect goes through.
    cut_off: bool,
}

/// Serialises arguments as separate Socket.IO arguments (socketioxide sends a tuple as
/// several arguments, anything else as one).
pub struct ArgsOut<'a>(pub &'a [Value]);

impl Serialize for ArgsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(self.0.len())?;
        for v in self.0 {
            t.serialize_element(v)?;
        }
        t.end()
    }
}

/// Emit `args` as the arguments of `event` to one socket.
pub fn emit_args<A: Adapter>(srv: &Server, s: &Socket<A>, event: &str, args: &[Value]) {
    let r = match args {
        [one] => s.emit(event, one),
        many => s.emit(event, &ArgsOut(many)),
    };
    sent(srv, s, event, "event", r);
}

/// Emit `args` with the binary attachments their placeholders name (a reply echoing a request
/// that carried a `Buffer` sends the bytes back, not the placeholder).
pub fn emit_attached<A: Adapter>(
    srv: &Server,
    s: &Socket<A>,
    event: &str,
    args: &[Value],
    bins: &[&[u8]],
) {
    let r = match args {
        [value] => s.emit(event, &Attached { value, bins }),
        many => s.emit(event, &AttachedArgs { args: many, bins }),
    };
    sent(srv, s, event, "event", r);
}

/// Account for the outcome of one emit or ack (`kind`) of `event` to socket `s`.
pub fn sent<A: Adapter>(
    srv: &Server,
    s: &Socket<A>,
    event: &str,
    kind: &'static str,
    r: Result<(), SendError>,
) -> bool {
    match r {
        Ok(()) => true,
        Err(SendError::Socket(e)) => {
            srv.dropped(event, kind, std::slice::from_ref(&e));
            false
        }
        Err(e) => {
            tracing::warn!(socket = %s.id, event, kind, error = %e, "cannot send");
            false
        }
    }
}

/// The connect middleware: `Err("AuthenticationError")` becomes the client's `connect_error`.
///
/// On success it also installs the socket's handlers. socketioxide sends the CONNECT packet
/// before it spawns the connect handler, so a client that emits right after `connect` could
/// otherwise be read before any handler exists, and its event would be silently dropped.
pub async fn admit<A: Adapter>(
    srv: &Arc<Server>,
    s: &SocketRef<A>,
    auth: Value,
    rule: &AuthRule,
) -> Result<(), &'static str> {
    if srv.connected() >= srv.limits.max_connections {
        srv.metrics.reject("TooManyConnections");
        tracing::warn!(ns = s.ns(), "connection refused: max connections reached");
        return Err("TooManyConnections");
    }
    let cookie = s
        .req_parts()
        .headers
        .get(axum::http::header::COOKIE)
        .and_then(|h| h.to_str().ok());
    let identity = match srv.auth.authenticate(&auth, cookie).await {
        Ok(id) => id,
        Err(why) => {
            srv.metrics.reject(Code::AuthenticationError.as_str());
            tracing::info!(ns = s.ns(), reason = %why, "connection refused");
            return Err("AuthenticationError");
        }
    };
    if let Err(why) = rule.check(identity.as_ref()) {
        srv.metrics.reject(Code::AuthenticationError.as_str());
        tracing::info!(ns = s.ns(), reason = %why, "connection refused");
        return Err("AuthenticationError");
    }
    s.extensions.insert(Arc::new(SocketState {
        identity,
        rate: Mutex::new(RateState {
            bucket: TokenBucket::new(srv.limits.burst),
            last_error: None,
            window: Instant::now(),
            refused: 0,
            cut_off: false,
        }),
        rooms: Mutex::new(Vec::new()),
    }));
    install(srv.clone(), s.clone());
    Ok(())
}

/// Metrics, the message handler and the disconnect hook of an accepted socket.
fn install<A: Adapter>(srv: Arc<Server>, s: SocketRef<A>) {
    srv.socket_opened(s.ns());
    let user = state(&s).and_then(|st| st.identity.as_ref().map(|i| i.user_id.clone()));
    tracing::debug!(socket = %s.id, ns = s.ns(), user = ?user, "connected");
    s.on_fallback(CatalogHandler { srv: srv.clone() });
    s.on_disconnect(move |s: SocketRef<A>, reason: DisconnectReason| {
        let srv = srv.clone();
        async move {
            srv.socket_closed(s.ns(), reason_label(reason));
            if let Some(st) = state(&s) {
                for (_, template) in st.rooms.lock().map(|r| r.clone()).unwrap_or_default() {
                    srv.metrics
                        .room_members
                        .get_or_create(&vec![("room", template)])
                        .dec();
                }
            }
        }
    });
}

fn state<A: Adapter>(s: &Socket<A>) -> Option<Arc<SocketState>> {
    s.extensions.get::<Arc<SocketState>>()
}

/// The message handler of every socket.
#[derive(Clone)]
pub struct CatalogHandler {
    srv: Arc<Server>,
}

/// Marker type for [`CatalogHandler`]'s `MessageHandler` impl.
pub struct Raw;

impl<A: Adapter> MessageHandler<A, Raw> for CatalogHandler {
    fn call(&self, s: Arc<Socket<A>>, mut v: RawValue, ack_id: Option<i64>) {
        let mut ctx = Ctx {
            srv: &self.srv,
            s: &s,
            v: &mut v,
            ack_id,
        };
        ctx.handle();
    }
}

struct Ctx<'a, A: Adapter> {
    srv: &'a Arc<Server>,
    s: &'a Arc<Socket<A>>,
    v: &'a mut RawValue,
    ack_id: Option<i64>,
}

/// An event turned away: the catalogued event it matched, if any, and what the client is told.
struct Refusal<'s>(Option<&'s EventSpec>, ClientError);

/// What a rate-limited event costs its socket.
enum RateRefusal {
    /// Ten bursts' worth refused within a second: the socket is cut off.
    Flood,
    /// Refused; `tell` when the error event may go out (at most once a second).
    Refused { tell: bool },
}

impl RateState {
    /// Counts one refused event in the current one-second window.
    fn refuse(&mut self, now: Instant, burst: f64) -> RateRefusal {
        if now.duration_since(self.window) >= Duration::from_secs(1) {
            self.window = now;
            self.refused = 0;
        }
        self.refused += 1;
        // A socket that keeps sending ten bursts' worth within a second after being
        // refused is not a client that listens: cut it off.
        if f64::from(self.refused) > 10.0 * burst {
            return RateRefusal::Flood;
        }
        // Answer at most once a second: a flood must not turn into an error flood.
        let tell = self
            .last_error
            .is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1));
        RateRefusal::Refused { tell }
    }
}

impl SocketState {
    /// Keeps the per-template room gauge in step with the socket's catalogued rooms. A
    /// duplicate subscription, or leaving a room never joined, is harmless and not counted.
    fn track_room(&self, srv: &Server, bound: &str, template: &str, joining: bool) {
        let mut rooms = self.rooms.lock().unwrap_or_else(|e| e.into_inner());
        let at = rooms.iter().position(|(r, _)| *r == bound);
        let gauge = || {
            srv.metrics
                .room_members
                .get_or_create_owned(&vec![("room", template.to_string())])
        };
        match (joining, at) {
            (true, None) => {
                rooms.push((bound.to_string(), template.to_string()));
                gauge().inc();
            }
            (false, Some(i)) => {
                rooms.swap_remove(i);
                gauge().dec();
            }
            _ => {}
        }
    }
}

impl<A: Adapter> Ctx<'_, A> {
    /// One event through the protocol: rate limit → decode → look up → authorise →
    /// validate → rooms → answer. A step that refuses the event ends it with an error event
    /// and ack (see [`Self::fail`]); the rate limit answers its refusals itself.
    fn handle(&mut self) {
        let srv = self.srv.clone();
        let st = state(self.s);
        // Rate first: a flood must cost as little as possible.
        if let Some(st) = &st {
            if !self.within_rate(&srv, st) {
                return;
            }
        }
        if let Err(Refusal(spec, err)) = self.accept(&srv, st.as_deref()) {
            self.fail(spec, err);
        }
    }

    /// The steps after the rate limit, up to the first refusal.
    fn accept<'s>(
        &mut self,
        srv: &'s Arc<Server>,
        st: Option<&SocketState>,
    ) -> Result<(), Refusal<'s>> {
        let (name, args) = self.decode()?;
        let spec = self.lookup(srv, &name)?;
        let identity = st.and_then(|st| st.identity.as_ref());
        authorise(spec, &name, identity)?;
        validate(srv, spec, &name, &args, &self.attachment_sizes())?;
        let room = self.apply_rooms(srv, spec, &name, &args, identity, st)?;
        spec.counters.accepted.inc();
        self.send_replies(srv, spec, &args, room.as_deref());
        self.forward_or_ack(srv, spec, name, args, identity);
        Ok(())
    }

    /// Takes a token from the socket's bucket; `false` when the event is refused, having
    /// answered it (at most once a second) or cut the flooding socket off.
    fn within_rate(&mut self, srv: &Server, st: &SocketState) -> bool {
        let mut rate = st.rate.lock().unwrap_or_else(|e| e.into_inner());
        if rate.cut_off {
            return false;
        }
        if rate.bucket.take(srv.limits.rate, srv.limits.burst) {
            return true;
        }
        let now = Instant::now();
        let refusal = rate.refuse(now, srv.limits.burst);
        rate.cut_off = matches!(refusal, RateRefusal::Flood);
        drop(rate);
        match refusal {
            RateRefusal::Flood => {
                srv.metrics.reject(Code::RateLimited.as_str());
                tracing::warn!(socket = %self.s.id, "event flood: disconnecting");
                let _ = self.s.clone().disconnect();
            }
            RateRefusal::Refused { tell } => self.refuse_rate(srv, st, now, tell),
        }
        false
    }

    /// Tells the client its event was over the rate: the error event when `tell`, the ack
    /// whenever it asked for one. Only the event name is read from a refused packet.
    fn refuse_rate(&mut self, srv: &Server, st: &SocketState, now: Instant, tell: bool) {
        let name = self.event_name();
        srv.metrics.reject(Code::RateLimited.as_str());
        if tell || self.ack_id.is_some() {
            let err = ClientError::new(
                Code::RateLimited,
                &name,
                format!(
                    "more than {} events/s (burst {}) from this connection",
                    srv.limits.rate, srv.limits.burst
                ),
            );
            if self.send_error(&err, tell) && tell {
                st.rate.lock().unwrap_or_else(|e| e.into_inner()).last_error = Some(now);
            }
        }
    }

    /// Decode: the packet is a JSON array of the event name and its arguments.
    fn decode(&self) -> Result<(String, Vec<Value>), Refusal<'static>> {
        let parsed: Option<Vec<Value>> = self
            .v
            .as_str()
            .and_then(|raw| serde_json::from_str(raw).ok());
        let Some(mut all) = parsed.filter(|a| !a.is_empty()) else {
            let name = self.event_name();
            return Err(Refusal(
                None,
                ClientError::new(
                    Code::PayloadError,
                    &name,
                    "malformed event packet (not JSON, or nested beyond 128 levels)",
                ),
            ));
        };
        let Some(name) = all[0].as_str().map(str::to_string) else {
            return Err(Refusal(
                None,
                ClientError::new(Code::PayloadError, "", "event name is not a string"),
            ));
        };
        let args: Vec<Value> = all.drain(1..).collect();
        Ok((name, args))
    }

    /// Look up: only a catalogued client→server event of the socket's namespace is served.
    fn lookup<'s>(&self, srv: &'s Server, name: &str) -> Result<&'s EventSpec, Refusal<'s>> {
        let Some(spec) = srv
            .contract
            .get(self.s.ns(), name)
            .filter(|e| e.accepts_from_client())
        else {
            srv.unknown_events.inc();
            return Err(Refusal(
                None,
                ClientError::new(
                    Code::UnknownEvent,
                    name,
                    format!(
                        "`{name}` is not a client→server event of namespace `{}`",
                        self.s.ns()
                    ),
                ),
            ));
        };
        Ok(spec)
    }

    /// Rooms: the event's `joins` then `leaves` rule, bound from its first argument, checked
    /// against the identity and applied. The room last joined or left, for the replies.
    fn apply_rooms<'s>(
        &self,
        srv: &Server,
        spec: &'s EventSpec,
        name: &str,
        args: &[Value],
        identity: Option<&Identity>,
        st: Option<&SocketState>,
    ) -> Result<Option<String>, Refusal<'s>> {
        let empty = json!({});
        let first = args.first().unwrap_or(&empty);
        let mut room = None;
        for (rule, joining) in [(&spec.joins, true), (&spec.leaves, false)] {
            let Some(rule) = rule else { continue };
            let (bound, vars) = match rule.template.bind(first) {
                Ok(b) => b,
                Err(why) => {
                    return Err(Refusal(
                        Some(spec),
                        ClientError::new(Code::SubscriptionError, name, why),
                    ))
                }
            };
            if let Err(why) = rule.access.check(identity, &vars) {
                return Err(Refusal(
                    Some(spec),
                    ClientError::new(
                        Code::SubscriptionError,
                        name,
                        format!(
                            "cannot {} room `{bound}`: {why}",
                            if joining { "join" } else { "leave" }
                        ),
                    ),
                ));
            }
            if let Some(st) = st {
                st.track_room(srv, &bound, &rule.template.raw, joining);
            }
            if joining {
                self.s.join(bound.clone());
            } else {
                self.s.leave(bound.clone());
            }
            room = Some(bound);
        }
        Ok(room)
    }

    /// Answer, first part: the catalog's replies to the sender (the request echoed, the
    /// example, or the room just joined; the reply example only when mocking).
    fn send_replies(&self, srv: &Server, spec: &EventSpec, args: &[Value], room: Option<&str>) {
        let bins = self.attachments();
        for r in &spec.replies {
            let payload: Option<Vec<Value>> = match &r.source {
                ReplySource::Request => Some(args.to_vec()),
                ReplySource::Example(e) => e.clone().map(|e| vec![e]),
                ReplySource::Default => match room {
                    Some(room) => Some(vec![json!({ "room": room })]),
                    None if srv.mock => r.example.clone().map(|e| vec![e]),
                    None => None,
                },
            };
            let Some(p) = payload else { continue };
            if bins.is_empty() || !matches!(r.source, ReplySource::Request) {
                emit_args(srv, self.s, &r.event, &p);
            } else {
                emit_attached(srv, self.s, &r.event, &p, &bins);
            }
        }
    }

    /// Answer, second part: hand the event to the forward backend, which answers the ack
    /// itself; otherwise ack it here (the catalog's ack example when mocking).
    fn forward_or_ack(
        &mut self,
        srv: &Arc<Server>,
        spec: &EventSpec,
        name: String,
        args: Vec<Value>,
        identity: Option<&Identity>,
    ) {
        if let Some(fwd) = &srv.forward {
            let bins = self.attachments();
            let args = if bins.is_empty() {
                args
            } else {
                inline_base64(&args, &bins)
            };
            let job = super::forward::Job {
                srv: srv.clone(),
                socket: self.s.clone(),
                event: name,
                args,
                ack: self.ack_id.map(|_| self.ack_sender()),
                identity: identity.cloned(),
            };
            let fwd = fwd.clone();
            tokio::spawn(async move { fwd.run(job).await });
            return;
        }
        if self.ack_id.is_some() {
            let answer = match (&spec.ack_example, srv.mock) {
                (Some(e), true) => e.clone(),
                _ => json!({"ok": true}),
            };
            let r = self.ack_sender().send(&answer);
            sent(srv, self.s, &name, "ack", r);
        }
    }

    /// The size of each binary attachment of the packet (none for a text packet).
    fn attachment_sizes(&self) -> Vec<Option<u64>> {
        match &*self.v {
            RawValue::Str(_, Some(bins)) => bins.iter().map(|b| Some(b.len() as u64)).collect(),
            _ => Vec::new(),
        }
    }

    /// The packet's binary attachments, to relay them with the arguments that name them.
    fn attachments(&self) -> Vec<&[u8]> {
        match &*self.v {
            RawValue::Str(_, Some(bins)) => bins.iter().map(|b| b.as_ref()).collect(),
            _ => Vec::new(),
        }
    }

    fn event_name(&self) -> String {
        self.v
            .as_str()
            .and_then(|raw| {
                let mut de = serde_json::Deserializer::from_str(raw);
                // Only the first element is read; the rest of a flooded packet stays unparsed.
                struct First(String);
                impl<'de> serde::Deserialize<'de> for First {
                    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                        struct V;
                        impl<'de> serde::de::Visitor<'de> for V {
                            type Value = First;
                            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                                f.write_str("an event array")
                            }
                            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                                self,
                                mut a: A,
                            ) -> Result<First, A::Error> {
                                let name: String = a.next_element()?.unwrap_or_default();
                                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                                Ok(First(name))
                            }
                        }
                        d.deserialize_seq(V)
                    }
                }
                serde::Deserialize::deserialize(&mut de)
                    .ok()
                    .map(|First(n)| n)
            })
            .unwrap_or_default()
    }

    fn ack_sender(&mut self) -> AckSender<A> {
        match AckSender::from_message_parts(self.s, self.v, &self.ack_id) {
            Ok(a) => a,
            Err(never) => match never {},
        }
    }

    fn fail(&mut self, spec: Option<&EventSpec>, err: ClientError) {
        self.srv.metrics.reject(err.code.as_str());
        if let Some(spec) = spec {
            spec.counters.rejected.inc();
        }
        tracing::debug!(socket = %self.s.id, event = %err.event, code = err.code.as_str(), message = %err.message, "event refused");
        self.send_error(&err, true);
    }

    /// Send the error event (when `event`) and the ack; `true` when the event went out.
    fn send_error(&mut self, err: &ClientError, event: bool) -> bool {
        let srv = self.srv.clone();
        let err = &*srv.contract.word(err);
        let mut out = false;
        if event {
            let r = self.s.emit("error", err);
            out = sent(self.srv, self.s, "error", "event", r);
        }
        if self.ack_id.is_some() {
            let r = self.ack_sender().send(&AckError { error: err });
            sent(self.srv, self.s, &err.event, "ack", r);
        }
        out
    }
}

/// Authorise: the event's own `auth` rule against the socket's identity.
fn authorise<'s>(
    spec: &'s EventSpec,
    name: &str,
    identity: Option<&Identity>,
) -> Result<(), Refusal<'s>> {
    if let Err(why) = spec.auth.check(identity) {
        return Err(Refusal(
            Some(spec),
            ClientError::new(Code::AuthenticationError, name, why),
        ));
    }
    Ok(())
}

/// Validate: the nesting depth first (cheap, and it bounds the schema walk), then the
/// arguments against the event's client→server schema, binary attachments standing where
/// their placeholders are (crate::catalog::binary).
fn validate<'s>(
    srv: &Server,
    spec: &'s EventSpec,
    name: &str,
    args: &[Value],
    attachments: &[Option<u64>],
) -> Result<(), Refusal<'s>> {
    let depth = args.iter().map(json_depth).max().unwrap_or(0);
    if depth > srv.limits.max_json_depth {
        return Err(Refusal(
            Some(spec),
            ClientError::new(
                Code::PayloadError,
                name,
                format!(
                    "payload nested {depth} levels deep; the limit is {}",
                    srv.limits.max_json_depth
                ),
            ),
        ));
    }
    let t0 = Instant::now();
    let errors = spec
        .c2s
        .judge(args, attachments)
        .map_err(|why| Refusal(Some(spec), ClientError::new(Code::PayloadError, name, why)))?;
    srv.metrics.validation.observe(t0.elapsed().as_secs_f64());
    if !errors.is_empty() {
        let mut err = ClientError::new(
            Code::PayloadError,
            name,
            format!("`{name}` payload does not match its schema"),
        );
        err.errors = errors;
        return Err(Refusal(Some(spec), err));
    }
    Ok(())
}

/// The disconnect reason as socket.io names it (`transport close`, `ping timeout`…), so that
/// `evdoc_disconnects_total{reason}` reads like the reasons clients see and alerts written for
/// Socket.IO work unchanged.
pub fn reason_label(reason: DisconnectReason) -> &'static str {
    use DisconnectReason::*;
    match reason {
        TransportClose => "transport close",
        TransportError | MultipleHttpPollingError => "transport error",
        PacketParsingError => "parse error",
        HeartbeatTimeout => "ping timeout",
        ClientNSDisconnect => "client namespace disconnect",
        ServerNSDisconnect => "server namespace disconnect",
        ClosingServer => "server shutting down",
    }
}

#[cfg(test)]
mod reason_tests {
    use super::*;

    #[test]
    fn disconnect_reasons_use_socket_io_names() {
        assert_eq!(
            reason_label(DisconnectReason::HeartbeatTimeout),
            "ping timeout"
        );
        assert_eq!(
            reason_label(DisconnectReason::TransportClose),
            "transport close"
        );
        assert_eq!(
            reason_label(DisconnectReason::ClosingServer),
            "server shutting down"
        );
    }
}
