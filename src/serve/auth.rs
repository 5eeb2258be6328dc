//! Who a connection is: session ids looked up in a sessions file or in Redis (the
//! express-session / connect-redis format, with express-session's signed cookies checked against
//! `--session-secret`), or HS256 JWTs; and the `none` / `required` / `role:NAME` rules of
//! namespaces, events and rooms.

use super::config::ServeOptions;
use crate::catalog::model::{Auth, AuthRule, AuthScheme};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;
use subtle::ConstantTimeEq;

/// The authenticated user behind a socket.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Identity {
    /// User id, compared with `{userId}` in rooms with `access: self`.
    #[serde(rename = "userId")]
    pub user_id: String,
    /// Roles, for `role:NAME` rules.
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Identity {
    /// Whether the user has `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// The catalog's `auth:` rules, as a connection meets them.
impl AuthRule {
    /// `Ok` when `who` satisfies the rule, else why not.
    pub fn check(&self, who: Option<&Identity>) -> Result<(), String> {
        match (self, who) {
            (AuthRule::None, _) => Ok(()),
            (_, None) => Err("authentication required".into()),
            (AuthRule::Required, Some(_)) => Ok(()),
            (AuthRule::Role(r), Some(id)) if id.has_role(r) => Ok(()),
            (AuthRule::Role(r), Some(_)) => Err(format!("role `{r}` required")),
        }
    }
}

/// Reads the `{"<sessionId>": {"userId": ..., "roles": [...]}}` file.
pub fn load_sessions(path: &Path) -> Result<HashMap<String, Identity>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read sessions file `{}`: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "sessions file `{}` is not {{\"<sessionId>\": {{\"userId\": \"...\", \"roles\": [...]}}}}: {e}",
            path.display()
        )
    })
}

/// Where session ids are looked up (`--sessions FILE` or `--sessions redis://…`).
pub enum SessionStore {
    /// A fixed map, read from a sessions file (empty without `--sessions`).
    Memory(HashMap<String, Identity>),
    /// express-session sessions stored by connect-redis (boxed: one per server, and large).
    Redis(Box<RedisSessions>),
}

impl SessionStore {
    /// The store `opts.sessions` names: a `redis://` URL, a sessions file, or nothing.
    pub fn open(opts: &ServeOptions) -> Result<SessionStore, String> {
        let Some(p) = &opts.sessions else {
            return Ok(SessionStore::Memory(HashMap::new()));
        };
        match p.to_str().filter(|s| is_redis_url(s)) {
            Some(url) => RedisSessions::new(
                url,
                &opts.session_prefix,
                &opts.session_user_field,
                &opts.session_roles_field,
            )
            .map(|r| SessionStore::Redis(Box::new(r))),
            None => load_sessions(p).map(SessionStore::Memory),
        }
    }

    /// The identity of session `sid`: `Ok(None)` for a session nobody logged into, `Err` for
    /// an unknown or expired session (or an unreachable store).
    pub async fn get(&self, sid: &str) -> Result<Option<Identity>, String> {
        match self {
            SessionStore::Memory(m) => m
                .get(sid)
                .cloned()
                .map(Some)
                .ok_or_else(|| "unknown session".to_string()),
            SessionStore::Redis(r) => r.get(sid).await,
        }
    }
}

/// Whether `--sessions` names a Redis server rather than a file.
pub fn is_redis_url(s: &str) -> bool {
    ["redis://", "rediss://", "redis+unix://", "unix://"]
        .iter()
        .any(|p| s.starts_with(p))
}

/// connect-redis sessions: the JSON of session `<id>` at key `<prefix><id>` (`sess:` by default),
/// as express-session serialises it (`{"cookie": {"expires": ISO date, ...}, ...app fields}`).
pub struct RedisSessions {
    client: redis::Client,
    shown: String,
    conn: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
    prefix: String,
    user_field: String,
    roles_field: String,
}

impl RedisSessions {
    /// A store on `url` (no connection yet: see [`RedisSessions::connect`]).
    pub fn new(
        url: &str,
        prefix: &str,
        user_field: &str,
        roles_field: &str,
    ) -> Result<RedisSessions, String> {
        let shown = super::cluster::redact(url);
        let client = redis::Client::open(url)
            .map_err(|e| format!("--sessions `{shown}` is not a Redis URL: {e}"))?;
        Ok(RedisSessions {
            client,
            shown,
            conn: tokio::sync::OnceCell::new(),
            prefix: prefix.to_string(),
            user_field: user_field.to_string(),
            roles_field: roles_field.to_string(),
        })
    }

    /// The (reconnecting) connection, made on first use.
    pub async fn connect(&self) -> Result<redis::aio::ConnectionManager, String> {
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
            .set_response_timeout(Some(std::time::Duration::from_secs(2)))
            .set_number_of_retries(1);
        self.conn
            .get_or_try_init(|| {
                redis::aio::ConnectionManager::new_with_config(self.client.clone(), config)
            })
            .await
            .cloned()
            .map_err(|e| format!("cannot reach the session store at `{}`: {e}", self.shown))
    }

    async fn get(&self, sid: &str) -> Result<Option<Identity>, String> {
        use redis::AsyncCommands as _;
        let mut conn = self.connect().await?;
        let raw: Option<String> = conn
            .get(format!("{}{sid}", self.prefix))
            .await
            .map_err(|e| {
                tracing::warn!(store = %self.shown, error = %e, "session store unreachable");
                format!("session store unreachable: {e}")
            })?;
        let raw = raw.ok_or("unknown or expired session")?;
        let session: Value =
            serde_json::from_str(&raw).map_err(|_| "the stored session is not JSON")?;
        identity_from_session(&session, &self.user_field, &self.roles_field, now_ms())
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The value at a dotted path (`passport.user`) of a JSON object.
fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// Read an express-session session: refused once `cookie.expires` has passed (connect-redis also
/// lets the key expire; this covers stores written without a TTL); the user id at `user_field`
/// (a string or a number; `None` when nobody logged in), roles at `roles_field` (an array of
/// strings or one string).
pub fn identity_from_session(
    session: &Value,
    user_field: &str,
    roles_field: &str,
    now_ms: u64,
) -> Result<Option<Identity>, String> {
    if let Some(expires) = at_path(session, "cookie.expires").and_then(Value::as_str) {
        let at = iso_millis(expires).ok_or("the stored session's cookie.expires is not a date")?;
        if at <= now_ms {
            return Err("session expired".into());
        }
    }
    let user_id = match at_path(session, user_field) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Ok(None),
    };
    let roles = roles_of(at_path(session, roles_field));
    Ok(Some(Identity { user_id, roles }))
}

/// Milliseconds since the epoch of a `Date.prototype.toISOString()` string
/// (`2026-11-26T00:15:00.000Z`), the only form `JSON.stringify` writes for a `Date`.
fn iso_millis(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !s.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let ms = match s.get(19..s.len() - 1)? {
        "" => 0,
        f => f.strip_prefix('.')?.get(..3)?.parse::<i64>().ok()?,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(((days * 24 + h) * 60 + mi) * 60_000 + sec * 1000 + ms).ok()
}

/// express-session's signature of session id `id` with `secret` (the `cookie-signature`
/// package): base64 of HMAC-SHA256(secret, id), without `=` padding.
pub fn cookie_signature(id: &str, secret: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any size");
    mac.update(id.as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(mac.finalize().into_bytes())
}

/// The session id of express-session's cookie value `s:<id>.<signature>` (URL-decoded), when
/// one of `secrets` signed it (several secrets: rotation, as express-session's `secret` array).
pub fn unsign_cookie(value: &str, secrets: &[Vec<u8>]) -> Result<String, String> {
    let signed = value
        .strip_prefix("s:")
        .ok_or("session id is not signed (expected express-session's `s:<id>.<signature>`)")?;
    let (id, sig) = signed
        .rsplit_once('.')
        .ok_or("session id has no signature")?;
    let ok = secrets.iter().any(|secret| {
        let expected = cookie_signature(id, secret);
        bool::from(expected.as_bytes().ct_eq(sig.as_bytes()))
    });
    if ok {
        Ok(id.to_string())
    } else {
        Err("session signature does not verify".into())
    }
}

/// Turns handshake credentials into an identity, per the catalog's `auth:` block.
pub struct Authenticator {
    scheme: AuthScheme,
    session_field: String,
    cookie: Option<String>,
    token_field: String,
    sessions: SessionStore,
    jwt_secret: Option<Vec<u8>>,
    session_secrets: Vec<Vec<u8>>,
}

impl Authenticator {
    /// Build from the catalog's `auth:` block, the session store and the JWT secret.
    pub fn new(auth: &Auth, sessions: SessionStore, jwt_secret: Option<String>) -> Authenticator {
        let session = auth.session.clone().unwrap_or_default();
        Authenticator {
            scheme: auth.scheme,
            session_field: session.handshake_field,
            cookie: session.cookie,
            token_field: auth.token.clone().unwrap_or_default().handshake_field,
            sessions,
            jwt_secret: jwt_secret.map(String::into_bytes),
            session_secrets: Vec::new(),
        }
    }

    /// Require session ids signed by one of `secrets` (`--session-secret`, repeatable for
    /// rotation; the first one is the one express-session signs new cookies with).
    pub fn with_secrets(mut self, secrets: &[String]) -> Result<Authenticator, String> {
        if secrets.iter().any(String::is_empty) {
            return Err("--session-secret must not be empty".into());
        }
        self.session_secrets = secrets.iter().map(|s| s.as_bytes().to_vec()).collect();
        Ok(self)
    }

    /// Checks made once at start: the session store answers, and a warning when a session
    /// cookie will be taken without checking its signature.
    pub async fn check_store(&self) -> Result<(), String> {
        if let SessionStore::Redis(r) = &self.sessions {
            let mut conn = r.connect().await?;
            redis::cmd("PING")
                .query_async::<String>(&mut conn)
                .await
                .map_err(|e| format!("cannot reach the session store at `{}`: {e}", r.shown))?;
        }
        if let (AuthScheme::Session, Some(cookie), true) =
            (self.scheme, &self.cookie, self.session_secrets.is_empty())
        {
            tracing::warn!(
                cookie = %cookie,
                "session cookies are accepted without checking their signature: start with --session-secret (the app's express-session secret)"
            );
        }
        Ok(())
    }

    /// The scheme in force.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// `Ok(None)` when no credentials were presented, `Ok(Some)` for valid ones, `Err(reason)`
    /// for credentials that do not check out.
    pub async fn authenticate(
        &self,
        auth: &Value,
        cookie_header: Option<&str>,
    ) -> Result<Option<Identity>, String> {
        match self.scheme {
            AuthScheme::None => Ok(None),
            AuthScheme::Session => {
                // The handshake field is taken as sent (a signed one as `s:<id>.<signature>`,
                // not URL-encoded); only the cookie is URL-decoded, as browsers send it encoded.
                let from_auth = auth
                    .get(&self.session_field)
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let from_cookie = self
                    .cookie
                    .as_deref()
                    .and_then(|name| cookie_header.and_then(|h| cookie_value(h, name)));
                let Some(raw) = from_auth.or(from_cookie) else {
                    return Ok(None);
                };
                let sid = if self.session_secrets.is_empty() {
                    unchecked_session_id(&raw).to_string()
                } else {
                    unsign_cookie(&raw, &self.session_secrets)?
                };
                self.sessions.get(&sid).await
            }
            AuthScheme::Token => {
                let Some(token) = auth.get(&self.token_field).and_then(Value::as_str) else {
                    return Ok(None);
                };
                let Some(secret) = &self.jwt_secret else {
                    return Err("no JWT secret configured".into());
                };
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                verify_jwt(token, secret, now).map(Some)
            }
        }
    }
}

/// The URL-decoded value of cookie `name` in a `Cookie:` header (the first one, as the
/// `cookie` package that express-session uses).
fn cookie_value(header: &str, name: &str) -> Option<String> {
    let raw = header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k.trim() == name).then_some(v.trim())
    })?;
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    Some(url_decode(raw))
}

/// `decodeURIComponent`, keeping the input when it does not decode (as the `cookie` package).
fn url_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_or_else(|_| s.to_string(), |d| d.into_owned())
}

/// Without `--session-secret`: the session id of a session value, signed (`s:<id>.<sig>`, the
/// signature is NOT checked) or not.
fn unchecked_session_id(value: &str) -> &str {
    match value.strip_prefix("s:") {
        Some(signed) => signed.rsplit_once('.').map_or(signed, |(id, _)| id),
        None => value,
    }
}

/// Verify an HS256 JWT and read its identity: `sub` (or `userId`) and `roles` (or `role`).
/// `exp` and `nbf` are honoured when present.
pub fn verify_jwt(token: &str, secret: &[u8], now: u64) -> Result<Identity, String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("token is not a JWT".into());
    };
    let header: Value = b64
        .decode(h)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("token header is not base64url JSON")?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err("token algorithm must be HS256".into());
    }
    let sig = b64
        .decode(s)
        .map_err(|_| "token signature is not base64url")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|e| e.to_string())?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&sig)
        .map_err(|_| "token signature does not verify")?;
    let claims: Value = b64
        .decode(p)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("token claims are not base64url JSON")?;
    if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
        if now >= exp {
            return Err("token expired".into());
        }
    }
    if let Some(nbf) = claims.get("nbf").and_then(Value::as_u64) {
        if now < nbf {
            return Err("token not yet valid".into());
        }
    }
    let user_id = claims
        .get("sub")
        .or_else(|| claims.get("userId"))
        .and_then(Value::as_str)
        .ok_or("token has no `sub` claim")?
        .to_string();
    let roles = roles_of(claims.get("roles").or_else(|| claims.get("role")));
    Ok(Identity { user_id, roles })
}

/// Roles as a session store or a JWT states them: a list of names, or one name.
fn roles_of(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(r)) => vec![r.clone()],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(claims: &str, secret: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let h = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = b64.encode(claims.as_bytes());
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{h}.{p}").as_bytes());
        let s = b64.encode(mac.finalize().into_bytes());
        format!("{h}.{p}.{s}")
    }

    #[test]
    fn jwt_roundtrip_and_rejections() {
        let t = sign(r#"{"sub":"u-1","roles":["admin"],"exp":2000}"#, b"k");
        let id = verify_jwt(&t, b"k", 1000).unwrap();
        assert_eq!(id.user_id, "u-1");
        assert!(id.has_role("admin"));
        assert!(verify_jwt(&t, b"other", 1000).is_err());
        assert_eq!(verify_jwt(&t, b"k", 3000).unwrap_err(), "token expired");
        assert!(verify_jwt("a.b", b"k", 0).is_err());
        assert!(verify_jwt("!!.!!.!!", b"k", 0).is_err());
    }

    #[test]
    fn rules() {
        let admin = Identity {
            user_id: "a".into(),
            roles: vec!["admin".into()],
        };
        let rule = |w: &str| w.parse::<AuthRule>().unwrap();
        assert!(rule("role:admin").check(Some(&admin)).is_ok());
        assert!(rule("role:ops").check(Some(&admin)).is_err());
        assert!(rule("required").check(None).is_err());
        assert!(rule("required").check(Some(&admin)).is_ok());
        assert!(rule("none").check(None).is_ok());
    }

    #[test]
    fn signed_express_cookie_without_secret() {
        let v = cookie_value("a=1; connect.sid=s%3Asess-1.sig", "connect.sid").unwrap();
        assert_eq!(v, "s:sess-1.sig");
        assert_eq!(unchecked_session_id(&v), "sess-1");
        assert_eq!(cookie_value("sid=plain", "sid").as_deref(), Some("plain"));
        assert_eq!(cookie_value("x=1", "sid"), None);
    }

    // Vectors computed with Node's cookie-signature 1.0.7 (the version express-session 1.19
    // uses): `require('cookie-signature').sign(id, secret)`.
    const VECTORS: [(&str, &str, &str); 3] = [
        (
            "abc",
            "keyboard cat",
            "abc.BpxCrWRpvZMh/wk/djl34N+m+VQEU7K/5WenLwJCgFU",
        ),
        (
            "Cq8xQ3mW0z1Vb5aYk7Lr2Tn4Hs6Jd9Fg",
            "s3cr3t",
            "Cq8xQ3mW0z1Vb5aYk7Lr2Tn4Hs6Jd9Fg.o4pqDyKTSG4U5EzC1x/hKdXd2HKBJxmf3k+oxE2XrNY",
        ),
        (
            "sess-1",
            "rotate-me",
            "sess-1.cx4jH2+2hAMGZnTieN+s5YCB5Ye1q5erHaHqT3hzcXQ",
        ),
    ];

    #[test]
    fn signatures_match_cookie_signature() {
        for (id, secret, signed) in VECTORS {
            assert_eq!(
                format!("{id}.{}", cookie_signature(id, secret.as_bytes())),
                signed,
                "{id} / {secret}"
            );
        }
    }

    #[test]
    fn unsign_accepts_any_rotated_secret_and_refuses_the_rest() {
        let (id, secret, signed) = VECTORS[1];
        let good = vec![b"old".to_vec(), secret.as_bytes().to_vec()];
        assert_eq!(unsign_cookie(&format!("s:{signed}"), &good).unwrap(), id);
        // The cookie as the browser sends it (URL-encoded: `:`, `+`, `/`).
        let header = format!(
            "connect.sid={}",
            percent_encoding::utf8_percent_encode(
                &format!("s:{signed}"),
                percent_encoding::NON_ALPHANUMERIC
            )
        );
        let v = cookie_value(&header, "connect.sid").unwrap();
        assert_eq!(unsign_cookie(&v, &good).unwrap(), id);
        let wrong = vec![b"other".to_vec()];
        assert!(unsign_cookie(&format!("s:{signed}"), &wrong).is_err());
        assert!(unsign_cookie(signed, &good)
            .unwrap_err()
            .contains("not signed"));
        assert!(unsign_cookie(&format!("s:{id}"), &good).is_err());
        let forged = format!("s:{id}x.{}", signed.rsplit_once('.').unwrap().1);
        assert!(unsign_cookie(&forged, &good).is_err());
        let truncated = &signed[..signed.len() - 1];
        assert!(unsign_cookie(&format!("s:{truncated}"), &good).is_err());
    }

    #[test]
    fn express_sessions_map_to_identities() {
        let s = serde_json::json!({
            "cookie": {"originalMaxAge": 60000, "expires": "2026-11-26T00:15:00.000Z", "httpOnly": true, "path": "/"},
            "userId": "u-1", "roles": ["user", "admin"],
            "passport": {"user": 42}
        });
        let before = iso_millis("2026-11-26T00:14:59.999Z").unwrap();
        let id = identity_from_session(&s, "userId", "roles", before)
            .unwrap()
            .unwrap();
        assert_eq!(id.user_id, "u-1");
        assert!(id.has_role("admin"));
        let p = identity_from_session(&s, "passport.user", "role", before)
            .unwrap()
            .unwrap();
        assert_eq!((p.user_id.as_str(), p.roles.len()), ("42", 0));
        assert_eq!(
            identity_from_session(&s, "userId", "roles", before + 1).unwrap_err(),
            "session expired"
        );
        let anonymous = serde_json::json!({"cookie": {"path": "/"}});
        assert_eq!(
            identity_from_session(&anonymous, "userId", "roles", 0),
            Ok(None)
        );
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_millis("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(iso_millis("2000-03-01T00:00:01.5Z"), None);
        assert_eq!(iso_millis("2000-03-01T00:00:01Z"), Some(951_868_801_000));
        assert_eq!(
            iso_millis("2026-11-26T00:15:00.250Z"),
            Some(1_795_652_100_250)
        );
        assert_eq!(iso_millis("yesterday"), None);
    }
}
