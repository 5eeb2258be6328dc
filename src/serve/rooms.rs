//! Rooms at serve time: binding a catalog room template ([`RoomTemplate`], which also matches
//! concrete rooms) from an event's payload, and the rooms' `access` rules.

use super::auth::Identity;
use crate::catalog::room::{RoomTemplate, Segment};
use crate::vocab::RoomAccess;
use serde_json::Value;

/// A room template as the server uses it.
#[derive(Clone, Debug)]
pub struct Template {
    /// As written in the catalog (the key of `rooms:`; the metrics label).
    pub raw: String,
    parsed: RoomTemplate,
}

impl Template {
    /// Parse `{name}` placeholders the way the whole catalog does ([`RoomTemplate::parse`]).
    pub fn parse(raw: &str) -> Template {
        Template {
            raw: raw.to_string(),
            parsed: RoomTemplate::parse(raw),
        }
    }

    /// The room name with every placeholder filled from `payload`'s top-level fields, and the
    /// bound values by name. A missing or non-scalar field is an error naming it.
    pub fn bind(&self, payload: &Value) -> Result<(String, Vec<(String, String)>), String> {
        let mut out = String::new();
        let mut vars = Vec::new();
        for segment in self.parsed.segments() {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::Placeholder(name) => {
                    let v = match payload.get(name) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        Some(Value::Bool(b)) => b.to_string(),
                        _ => {
                            return Err(format!(
                                "room `{}` needs `{name}` in the payload",
                                self.raw
                            ))
                        }
                    };
                    out.push_str(&v);
                    vars.push((name.clone(), v));
                }
            }
        }
        Ok((out, vars))
    }

    /// Whether `room` is an instance of this template (each placeholder stands for a non-empty
    /// string).
    pub fn matches(&self, room: &str) -> bool {
        self.parsed.matches(room)
    }
}

/// The catalog's `access:` rules, as a joining connection meets them.
impl RoomAccess {
    /// `Ok` when `who` may join the room bound with `vars`, else why not.
    pub fn check(&self, who: Option<&Identity>, vars: &[(String, String)]) -> Result<(), String> {
        match (self, who) {
            (RoomAccess::Anyone, _) => Ok(()),
            (_, None) => Err("authentication required".into()),
            (RoomAccess::Authenticated, Some(_)) => Ok(()),
            (RoomAccess::Role(r), Some(id)) if id.has_role(r) => Ok(()),
            (RoomAccess::Role(r), Some(_)) => Err(format!("role `{r}` required")),
            (RoomAccess::OwnUser, Some(id)) => {
                let bound = vars
                    .iter()
                    .find(|(k, _)| k == "userId")
                    .or(if vars.len() == 1 { vars.first() } else { None });
                match bound {
                    Some((_, v)) if *v == id.user_id => Ok(()),
                    Some((k, v)) => Err(format!(
                        "`{k}` is `{v}`, but this connection is user `{}`",
                        id.user_id
                    )),
                    None => Ok(()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bind_and_match() {
        let t = Template::parse("user:{userId}");
        let (room, vars) = t.bind(&json!({"userId": "u-1"})).unwrap();
        assert_eq!(room, "user:u-1");
        assert_eq!(vars, vec![("userId".into(), "u-1".into())]);
        assert!(t.bind(&json!({})).is_err());
        assert!(t.matches("user:u-1"));
        assert!(!t.matches("user:"));
        assert!(!t.matches("signals"));
        assert!(Template::parse("signals").matches("signals"));
        assert!(Template::parse("{a}-{b}").matches("x-y"));
    }

    #[test]
    fn own_user_access() {
        let me = Identity {
            user_id: "u-1".into(),
            roles: vec![],
        };
        let v = |s: &str| vec![("userId".to_string(), s.to_string())];
        assert!(RoomAccess::OwnUser.check(Some(&me), &v("u-1")).is_ok());
        assert!(RoomAccess::OwnUser.check(Some(&me), &v("u-2")).is_err());
        assert!(RoomAccess::OwnUser.check(None, &v("u-1")).is_err());
        let admin = RoomAccess::Role("admin".into());
        assert!(admin.check(Some(&me), &[]).is_err());
        assert!(RoomAccess::Anyone.check(None, &[]).is_ok());
        assert!(RoomAccess::Authenticated.check(None, &[]).is_err());
    }
}
