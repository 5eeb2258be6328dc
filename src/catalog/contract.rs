//! The contract of one event on the wire, shared by every stage that judges traffic (`serve`,
//! `validate`): its arguments in one direction, compiled once, and judged the same way
//! everywhere (arity, a missing object argument read as `{}`, binary attachments standing
//! where their placeholders are).

use super::binary;
use super::model::Schema;
use super::schema;
use super::schema::{SchemaError, Validator};
use serde_json::Value;

/// Argument validators of one direction.
pub struct Args {
    /// One per argument.
    pub validators: Vec<Validator>,
    /// Whether each argument's schema is an object schema (a missing argument is then
    /// validated as `{}`).
    pub object: Vec<bool>,
    /// Whether a schema declares a binary value (`format: binary`): the arguments are then
    /// always seen through `catalog::binary::attach`, even in a packet without attachments.
    pub binary: bool,
}

impl Args {
    /// Compile the argument schemas of `event` in one direction (wire validators:
    /// [`schema::compile_wire`]).
    pub fn compile(event: &str, schemas: Vec<&Schema>) -> Result<Args, String> {
        let mut validators = Vec::new();
        let mut object = Vec::new();
        let binary = schemas
            .iter()
            .any(|s| crate::catalog::binary::has_binary(s));
        for (i, s) in schemas.into_iter().enumerate() {
            validators.push(
                schema::compile_wire(s)
                    .map_err(|e| format!("event `{event}`: argument {i}: invalid schema: {e}"))?,
            );
            object.push(
                s.get("type").and_then(Value::as_str) == Some("object")
                    || s.get("properties").is_some(),
            );
        }
        Ok(Args {
            validators,
            object,
            binary,
        })
    }

    /// Validate every argument; paths are `/field` for single-argument events and
    /// `/<index>/field` for multi-argument ones. No schemas means anything goes.
    pub fn validate(&self, args: &[Value]) -> Vec<SchemaError> {
        let n = self.validators.len();
        if n == 0 {
            return vec![];
        }
        let mut errors = Vec::new();
        if args.len() > n {
            errors.push(SchemaError {
                path: String::new(),
                message: format!("expected at most {n} argument(s), got {}", args.len()),
            });
        }
        let empty = Value::Object(Default::default());
        for (i, v) in self.validators.iter().enumerate() {
            let arg = match args.get(i) {
                Some(a) => a,
                None if self.object[i] => &empty,
                None => &Value::Null,
            };
            for mut e in schema::validate(v, arg) {
                if n > 1 {
                    e.path = format!("/{i}{}", e.path);
                }
                errors.push(e);
            }
        }
        errors
    }

    /// Judge arguments as they came off the wire: binary attachments (their sizes, `None` when
    /// unknown) stand where their placeholders are ([`binary::attach`]); `Err` when the packet
    /// cannot be read that way (a forged marker, an attachment named twice). A valid packet
    /// costs one `is_valid` per argument, without building errors.
    pub fn judge(
        &self,
        args: &[Value],
        attachments: &[Option<u64>],
    ) -> Result<Vec<SchemaError>, String> {
        if attachments.is_empty() && !self.binary {
            if self.quick_valid(args) {
                return Ok(Vec::new());
            }
            return Ok(self.validate(args));
        }
        let seen = binary::attach(args, attachments)?;
        Ok(self.validate(&seen))
    }

    /// True when every argument is valid (and there are not too many).
    fn quick_valid(&self, args: &[Value]) -> bool {
        let n = self.validators.len();
        if n == 0 {
            return true;
        }
        if args.len() > n {
            return false;
        }
        self.validators
            .iter()
            .enumerate()
            .all(|(i, v)| match args.get(i) {
                Some(a) => v.is_valid(a),
                None => false,
            })
    }
}
