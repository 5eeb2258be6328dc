//! Who a connection is: session ids looked up in a sessions file, or HS256 JWTs; and the
//! `none` / `required` / `role:NAME` rules of namespaces, events and rooms.

use crate::catalog::model::{Auth, AuthScheme};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use std::collections::HashMap;
use std::path::Path;

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

/// An authorisation rule as written in the catalog (`auth:` of namespaces and events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, even without credentials.
    None,
    /// Any authenticated user.
    Required,
    /// An authenticated user with this role.
    Role(String),
}

impl Rule {
    /// Parse `none`, `required`, `authenticated` or `role:NAME`; anything else is an error.
    pub fn parse(s: &str) -> Result<Rule, String> {
        match s.trim() {
            "none" | "public" => Ok(Rule::None),
            "required" | "authenticated" => Ok(Rule::Required),
            r => match r.strip_prefix("role:") {
                Some(role) if !role.is_empty() => Ok(Rule::Role(role.to_string())),
                _ => Err(format!(
                    "unknown auth rule `{s}` (expected none, required or role:NAME)"
                )),
            },
        }
    }

    /// `Ok` when `who` satisfies the rule, else why not.
    pub fn check(&self, who: Option<&Identity>) -> Result<(), String> {
        match (self, who) {
            (Rule::None, _) => Ok(()),
            (_, None) => Err("authentication required".into()),
            (Rule::Required, Some(_)) => Ok(()),
            (Rule::Role(r), Some(id)) if id.has_role(r) => Ok(()),
            (Rule::Role(r), Some(_)) => Err(format!("role `{r}` required")),
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

/// Turns handshake credentials into an identity, per the catalog's `auth:` block.
pub struct Authenticator {
    scheme: AuthScheme,
    session_field: String,
    cookie: Option<String>,
    token_field: String,
    sessions: HashMap<String, Identity>,
    jwt_secret: Option<Vec<u8>>,
}

impl Authenticator {
    /// Build from the catalog's `auth:` block, the sessions and the JWT secret.
    pub fn new(
        auth: &Auth,
        sessions: HashMap<String, Identity>,
        jwt_secret: Option<String>,
    ) -> Authenticator {
        let session = auth.session.clone().unwrap_or_default();
        Authenticator {
            scheme: auth.scheme,
            session_field: session.handshake_field,
            cookie: session.cookie,
            token_field: auth.token.clone().unwrap_or_default().handshake_field,
            sessions,
            jwt_secret: jwt_secret.map(String::into_bytes),
        }
    }

    /// The scheme in force.
    pub fn scheme(&self) -> AuthScheme {
        self.scheme
    }

    /// `Ok(None)` when no credentials were presented, `Ok(Some)` for valid ones, `Err(reason)`
    /// for credentials that do not check out.
    pub fn authenticate(
        &self,
        auth: &Value,
        cookie_header: Option<&str>,
    ) -> Result<Option<Identity>, String> {
        match self.scheme {
            AuthScheme::None => Ok(None),
            AuthScheme::Session => {
                let from_auth = auth.get(&self.session_field).and_then(Value::as_str);
                let from_cookie = self
                    .cookie
                    .as_deref()
                    .and_then(|name| cookie_header.and_then(|h| cookie_value(h, name)));
                let Some(sid) = from_auth.map(str::to_string).or(from_cookie) else {
                    return Ok(None);
                };
                self.sessions
                    .get(&sid)
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| "unknown session".to_string())
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

/// The value of cookie `name` in a `Cookie:` header. express-session signs its cookie as
/// `s:<id>.<signature>` (URL-encoded): the session id is the part before the signature; the id
/// itself is the secret looked up in the store.
fn cookie_value(header: &str, name: &str) -> Option<String> {
    let raw = header.split(';').find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })?;
    let decoded = raw.replace("%3A", ":").replace("%3a", ":");
    match decoded.strip_prefix("s:") {
        Some(signed) => Some(
            signed
                .rsplit_once('.')
                .map_or(signed, |(id, _)| id)
                .to_string(),
        ),
        None => Some(decoded),
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
    let roles = match claims.get("roles").or_else(|| claims.get("role")) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(r)) => vec![r.clone()],
        _ => vec![],
    };
    Ok(Identity { user_id, roles })
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
        assert!(Rule::parse("role:admin")
            .unwrap()
            .check(Some(&admin))
            .is_ok());
        assert!(Rule::parse("role:ops")
            .unwrap()
            .check(Some(&admin))
            .is_err());
        assert!(Rule::parse("required").unwrap().check(None).is_err());
        assert!(Rule::parse("none").unwrap().check(None).is_ok());
        assert!(Rule::parse("role:").is_err());
    }

    #[test]
    fn signed_express_cookie() {
        assert_eq!(
            cookie_value("a=1; connect.sid=s%3Asess-1.sig", "connect.sid").as_deref(),
            Some("sess-1")
        );
        assert_eq!(cookie_value("sid=plain", "sid").as_deref(), Some("plain"));
        assert_eq!(cookie_value("x=1", "sid"), None);
    }
}
