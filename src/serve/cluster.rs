//! `--redis URL`: several `evdoc serve` nodes share rooms and broadcasts through socketioxide's
//! Redis adapter (`socketioxide-redis`). A publish on one node reaches the room's members on every
//! node; each node keeps its own sockets and room memberships, and the adapter carries broadcasts
//! between nodes over Redis pub/sub (msgpack on `socket.io-request#<ns>#` channels).
//!
//! The adapter speaks its own protocol: it is NOT compatible with Node's
//! `@socket.io/redis-adapter`, so Node and evdoc nodes must never share the channels.
//!
//! The driver here replaces the crate's `RedisDriver`, which holds one `MultiplexedConnection`
//! that is dead for good once Redis goes away. This one sits on redis' `ConnectionManager`, which
//! reconnects and (with automatic resubscription) subscribes again, so a node that lost Redis
//! joins the cluster again when Redis comes back. Meanwhile [`deliver`](super::publish::deliver)
//! falls back to the node's own sockets, and [`watch`] keeps `evdoc_redis_up` and the logs honest.

use prometheus_client::metrics::gauge::Gauge;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, FromRedisValue, IntoConnectionInfo, ProtocolVersion, PushInfo};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::mpsc;

/// Prefix of the adapter's Redis channels.
pub const CHANNEL_PREFIX: &str = "evdoc";

/// The adapter type of a clustered server.
pub type ClusterAdapter = CustomRedisAdapter<Emitter, ManagedDriver>;

/// What the adapter is built from (`SocketIoBuilder::with_adapter`).
pub type ClusterState = RedisAdapterCtr<ManagedDriver>;

/// A driver error (the redis crate's, displayed as is).
#[derive(Debug)]
pub struct DriverError(redis::RedisError);

impl fmt::Display for DriverError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DriverError {}

impl From<redis::RedisError> for DriverError {
    fn from(e: redis::RedisError) -> Self {
        DriverError(e)
    }
}

type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A `socketioxide-redis` driver on a reconnecting, resubscribing `ConnectionManager`
/// (RESP3: pub/sub messages arrive as push messages on the same connection).
#[derive(Clone)]
pub struct ManagedDriver {
    handlers: Handlers,
    conn: ConnectionManager,
}

/// A pub/sub push message: `(channel, payload)` for messages, `None` for the rest.
fn read_push(msg: PushInfo) -> Option<(String, Vec<u8>)> {
    match msg.kind {
        redis::PushKind::Message | redis::PushKind::SMessage if msg.data.len() >= 2 => {
            let mut it = msg.data.into_iter();
            let chan = String::from_redis_value(it.next()?).ok()?;
            let data = Vec::<u8>::from_redis_value(it.next()?).ok()?;
            Some((chan, data))
        }
        _ => None,
    }
}

impl Driver for ManagedDriver {
    type Error = DriverError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), Self::Error> {
        self.conn
            .clone()
            .publish::<_, _, redis::Value>(chan, val)
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, Self::Error> {
        // The handler goes in first: a message may arrive before SUBSCRIBE returns.
        let (tx, rx) = mpsc::channel(size);
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(chan.clone(), tx);
        self.conn.clone().subscribe(chan.as_str()).await?;
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), Self::Error> {
        self.handlers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, Self::Error> {
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(count)
    }
}

/// A connected cluster: the adapter state for the Socket.IO builder and the connection to watch.
pub struct Cluster {
    /// The adapter state.
    pub state: ClusterState,
    /// The driver's connection (for the health watch).
    pub conn: ConnectionManager,
}

/// The URL's connection settings with RESP3 (the adapter receives pub/sub messages as RESP3
/// pushes). A URL without `protocol=` gets RESP3; an explicit RESP2 is refused.
pub fn connection_info(url: &str) -> Result<redis::ConnectionInfo, String> {
    let info = url.into_connection_info().map_err(|e| {
        let hint = if url.contains("protocol=") {
            " (RESP3 is spelled `?protocol=resp3`, in lower case)"
        } else {
            ""
        };
        format!("--redis `{}` is not a Redis URL: {e}{hint}", redact(url))
    })?;
    let settings = info.redis_settings().clone();
    if settings.protocol() != ProtocolVersion::RESP3 {
        if url.contains("protocol=") {
            return Err(format!(
                "--redis `{}`: the Redis adapter needs RESP3 (`?protocol=resp3`, Redis >= 7)",
                redact(url)
            ));
        }
        return Ok(info.set_redis_settings(settings.set_protocol(ProtocolVersion::RESP3)));
    }
    Ok(info)
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Connect to Redis for the adapter. Fails (rather than retrying for ever) when Redis does not
/// answer within a few seconds, or does not speak RESP3.
pub async fn connect(url: &str) -> Result<Cluster, String> {
    let info = connection_info(url)?;
    let shown = redact(url);
    let client = redis::Client::open(info).map_err(|e| format!("--redis `{shown}`: {e}"))?;
    let handlers: Handlers = Arc::default();
    let push = {
        let handlers = handlers.clone();
        move |msg: PushInfo| {
            if let Some((chan, data)) = read_push(msg) {
                if let Some(tx) = handlers
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&chan)
                {
                    if let Err(e) = tx.try_send((chan, data)) {
                        tracing::warn!(error = %e, "redis adapter: channel buffer full, message dropped");
                    }
                }
            }
            Ok::<(), std::convert::Infallible>(())
        }
    };
    let config = ConnectionManagerConfig::new()
        .set_push_sender(push)
        .set_automatic_resubscription()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        // Reconnection: quick first retries, then at most every 2 s while Redis is away.
        .set_min_delay(Duration::from_millis(50))
        .set_max_delay(Duration::from_secs(2))
        .set_number_of_retries(2);
    let conn = tokio::time::timeout(
        Duration::from_secs(8),
        ConnectionManager::new_with_config(client, config),
    )
    .await
    .map_err(|_| format!("cannot reach Redis at `{shown}`: no answer within 8 s"))?
    .map_err(|e| format!("cannot reach Redis at `{shown}`: {e}"))?;
    let driver = ManagedDriver {
        handlers,
        conn: conn.clone(),
    };
    // Channels `evdoc-request#<ns>#…` rather than the default `socket.io-…`: Node's
    // @socket.io/redis-adapter uses `socket.io-request#<ns>#` too, with another encoding, and a
    // staging Redis is often shared with the Node app evdoc stands in for.
    let config = RedisAdapterConfig::default().with_prefix(CHANNEL_PREFIX);
    let state = RedisAdapterCtr::new_with_driver(driver, config);
    Ok(Cluster { state, conn })
}

/// Whether Redis answers a PING within 2 s.
async fn ping_ok(mut conn: ConnectionManager) -> bool {
    let cmd = redis::cmd("PING");
    let ping = cmd.query_async::<String>(&mut conn);
    matches!(
        tokio::time::timeout(Duration::from_secs(2), ping).await,
        Ok(Ok(_))
    )
}

/// PING Redis every second for ever: `up` (the `evdoc_redis_up` gauge, which `/healthz` and the
/// publish route also read) follows the answers, and each change is logged once. A failed PING
/// also makes the connection manager reconnect, so this loop is what brings the node back into
/// the cluster after an outage even when nothing is published.
pub async fn watch(conn: ConnectionManager, up: Gauge) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let ok = ping_ok(conn.clone()).await;
        let was = up.set(i64::from(ok)) == 1;
        match (was, ok) {
            (true, false) => tracing::error!(
                "Redis is unreachable: broadcasts reach this node's clients only until it is back"
            ),
            (false, true) => {
                tracing::info!("Redis is reachable again: broadcasts are shared with the cluster")
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp3_is_added_or_required() {
        let i = connection_info("redis://127.0.0.1:6379").unwrap();
        assert_eq!(i.redis_settings().protocol(), ProtocolVersion::RESP3);
        let i = connection_info("redis://127.0.0.1:6379/?protocol=resp3").unwrap();
        assert_eq!(i.redis_settings().protocol(), ProtocolVersion::RESP3);
        let e = connection_info("redis://127.0.0.1:6379/?protocol=resp2").unwrap_err();
        assert!(e.contains("needs RESP3"), "{e}");
        let e = connection_info("redis://127.0.0.1:6379/?protocol=RESP3").unwrap_err();
        assert!(e.contains("lower case"), "{e}");
        assert!(connection_info("http://x").is_err());
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("redis://user:secret@h:1/0"),
            "redis://user:***@h:1/0"
        );
        assert_eq!(redact("redis://h:1"), "redis://h:1");
    }
}
