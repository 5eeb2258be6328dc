//! Who may do what: the handshake's authentication scheme, the `auth:` rule of a namespace or an
//! event, and the `access:` rule of a room.
//!
//! Each rule has one parser (its `FromStr`, also used by serde when the catalog is read) and one
//! default, both here. The catalog loader parses every rule into these types; lint, check,
//! render and serve only read them, so a word one component accepts, all accept, and the docs
//! describe exactly what `evdoc serve` enforces.
//!
//! Defaults (docs/catalog-format.md, "Who may connect, send and join"):
//! - a namespace with no `auth:` needs an authenticated connection when the catalog has an auth
//!   scheme (`session` or `token`), and nothing when it has none ([`AuthRule::default_for`]);
//! - an event with no `auth:` has its namespace's rule;
//! - a room with no `access:` needs an authenticated connection when the catalog has an auth
//!   scheme, and its namespace's role if the namespace has one; in a catalog without a scheme
//!   anyone may join ([`RoomAccess::default_for`]). A room of an authenticated API is never
//!   silently public, not even in a namespace open to anonymous connections: an open lobby is
//!   `access: none`, written.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The handshake authentication scheme (`auth.scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthScheme {
    /// No authentication.
    #[default]
    None,
    /// A session id in the handshake `auth` object or a cookie.
    Session,
    /// A JWT in the handshake `auth` object.
    Token,
}

impl AuthScheme {
    /// `none`, `session` or `token`.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthScheme::None => "none",
            AuthScheme::Session => "session",
            AuthScheme::Token => "token",
        }
    }
}

/// Who may connect to a namespace or send an event (`auth:`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AuthRule {
    /// Anyone, even without credentials (`none`; also read: `public`).
    None,
    /// Any authenticated connection (`required`; also read: `authenticated`).
    Required,
    /// An authenticated connection whose roles include this one (`role:NAME`).
    Role(String),
}

impl AuthRule {
    /// The words `auth:` takes, for error messages and docs.
    pub const EXPECTED: &'static str = "`none`, `required` (or `authenticated`), or `role:NAME`";

    /// The rule of a namespace that does not write one: authentication is required as soon as
    /// the catalog has a scheme to authenticate with.
    pub fn default_for(scheme: AuthScheme) -> AuthRule {
        match scheme {
            AuthScheme::None => AuthRule::None,
            AuthScheme::Session | AuthScheme::Token => AuthRule::Required,
        }
    }

    /// Whether the rule needs an identity at all.
    pub fn needs_identity(&self) -> bool {
        !matches!(self, AuthRule::None)
    }
}

/// Who may join a room (`access:`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RoomAccess {
    /// Anyone connected to the namespace (`none`; also read: `public`).
    Anyone,
    /// The room's `{userId}` (or its only placeholder) must be the connection's own user
    /// (`self`).
    OwnUser,
    /// Any authenticated connection (`authenticated`; also read: `required`).
    Authenticated,
    /// An authenticated connection with this role (`role:NAME`).
    Role(String),
}

impl RoomAccess {
    /// The words `access:` takes, for error messages and docs.
    pub const EXPECTED: &'static str =
        "`none`, `self`, `authenticated` (or `required`), or `role:NAME`";

    /// The access of a room that does not write one, in a catalog with `scheme`, in a
    /// namespace whose connections meet `ns`: the stricter of "authenticated" and `ns`.
    pub fn default_for(scheme: AuthScheme, ns: &AuthRule) -> RoomAccess {
        match (scheme, ns) {
            (AuthScheme::None, _) => RoomAccess::Anyone,
            (_, AuthRule::Role(r)) => RoomAccess::Role(r.clone()),
            (_, AuthRule::None | AuthRule::Required) => RoomAccess::Authenticated,
        }
    }

    /// Whether joining needs an identity at all.
    pub fn needs_identity(&self) -> bool {
        !matches!(self, RoomAccess::Anyone)
    }
}

/// A rule word that is not one of the expected ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRule {
    /// What was written.
    pub found: String,
    /// What may be written instead.
    pub expected: &'static str,
}

impl fmt::Display for BadRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a valid rule: expected {}",
            self.found, self.expected
        )
    }
}

impl std::error::Error for BadRule {}

/// `role:NAME` with a non-empty name.
fn role(word: &str) -> Option<String> {
    word.strip_prefix("role:")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

impl FromStr for AuthRule {
    type Err = BadRule;

    fn from_str(s: &str) -> Result<AuthRule, BadRule> {
        match s.trim() {
            "none" | "public" => Ok(AuthRule::None),
            "required" | "authenticated" => Ok(AuthRule::Required),
            w => role(w).map(AuthRule::Role).ok_or_else(|| BadRule {
                found: s.to_owned(),
                expected: AuthRule::EXPECTED,
            }),
        }
    }
}

impl FromStr for RoomAccess {
    type Err = BadRule;

    fn from_str(s: &str) -> Result<RoomAccess, BadRule> {
        match s.trim() {
            "none" | "public" => Ok(RoomAccess::Anyone),
            "self" => Ok(RoomAccess::OwnUser),
            "authenticated" | "required" => Ok(RoomAccess::Authenticated),
            w => role(w).map(RoomAccess::Role).ok_or_else(|| BadRule {
                found: s.to_owned(),
                expected: RoomAccess::EXPECTED,
            }),
        }
    }
}

impl fmt::Display for AuthRule {
    /// The canonical word, as the docs print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthRule::None => f.write_str("none"),
            AuthRule::Required => f.write_str("required"),
            AuthRule::Role(r) => write!(f, "role:{r}"),
        }
    }
}

impl fmt::Display for RoomAccess {
    /// The canonical word, as the docs print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomAccess::Anyone => f.write_str("none"),
            RoomAccess::OwnUser => f.write_str("self"),
            RoomAccess::Authenticated => f.write_str("authenticated"),
            RoomAccess::Role(r) => write!(f, "role:{r}"),
        }
    }
}

/// Serde through the one parser above: an unknown word is a catalog load error at its
/// `file:line:column`, like any other invalid value.
macro_rules! serde_via_str {
    ($t:ty) => {
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(de::Error::custom)
            }
        }
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}
serde_via_str!(AuthRule);
serde_via_str!(RoomAccess);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_auth_word_parses_to_one_rule() {
        for (word, rule) in [
            ("none", AuthRule::None),
            ("public", AuthRule::None),
            ("required", AuthRule::Required),
            ("authenticated", AuthRule::Required),
            (" role:admin ", AuthRule::Role("admin".into())),
        ] {
            assert_eq!(word.parse::<AuthRule>(), Ok(rule), "{word}");
        }
        for bad in ["", "role:", "self", "admin", "Required"] {
            let e = bad.parse::<AuthRule>().unwrap_err();
            assert!(e.to_string().contains("role:NAME"), "{bad}: {e}");
        }
    }

    #[test]
    fn every_access_word_parses_to_one_rule() {
        for (word, access) in [
            ("none", RoomAccess::Anyone),
            ("public", RoomAccess::Anyone),
            ("self", RoomAccess::OwnUser),
            ("authenticated", RoomAccess::Authenticated),
            ("required", RoomAccess::Authenticated),
            ("role:ops", RoomAccess::Role("ops".into())),
        ] {
            assert_eq!(word.parse::<RoomAccess>(), Ok(access), "{word}");
        }
        assert!("role:".parse::<RoomAccess>().is_err());
        assert!("anyone".parse::<RoomAccess>().is_err());
    }

    #[test]
    fn canonical_words_read_back_as_themselves() {
        for w in ["none", "required", "role:a"] {
            assert_eq!(w.parse::<AuthRule>().unwrap().to_string(), w);
        }
        for w in ["none", "self", "authenticated", "role:a"] {
            assert_eq!(w.parse::<RoomAccess>().unwrap().to_string(), w);
        }
    }

    #[test]
    fn defaults_never_make_an_authenticated_api_public() {
        for scheme in [AuthScheme::Session, AuthScheme::Token] {
            let ns = AuthRule::default_for(scheme);
            assert_eq!(ns, AuthRule::Required);
            for open_or_not in [AuthRule::None, AuthRule::Required] {
                let access = RoomAccess::default_for(scheme, &open_or_not);
                assert_eq!(access, RoomAccess::Authenticated, "{open_or_not}");
            }
            let admin = AuthRule::Role("admin".into());
            assert_eq!(
                RoomAccess::default_for(scheme, &admin),
                RoomAccess::Role("admin".into())
            );
        }
        assert_eq!(AuthRule::default_for(AuthScheme::None), AuthRule::None);
        let open = RoomAccess::default_for(AuthScheme::None, &AuthRule::None);
        assert_eq!(open, RoomAccess::Anyone);
    }
}
