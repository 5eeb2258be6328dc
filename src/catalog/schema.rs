//! JSON Schema compilation and validation for catalog schemas (draft 2020-12 unless `$schema`
//! says otherwise), with errors as `{path, message}` pairs that name the offending field.

use super::model::{Event, Schema};
use crate::vocab::Direction;
use serde::Serialize;
use serde_json::Value;

/// A compiled schema.
pub type Validator = jsonschema::Validator;

/// One way an instance fails its schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemaError {
    /// JSON pointer into the instance (`/userId`); empty for the root.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Compile `schema`; `Err` carries the reason it is not a valid schema.
pub fn compile(schema: &Schema) -> Result<Validator, String> {
    jsonschema::validator_for(schema).map_err(|e| {
        let at = e.instance_path().to_string();
        if at.is_empty() {
            e.to_string()
        } else {
            format!("{e} (at schema path `{at}`)")
        }
    })
}

/// Every way `instance` fails `validator` (empty when valid).
pub fn validate(validator: &Validator, instance: &Value) -> Vec<SchemaError> {
    validator
        .iter_errors(instance)
        .map(|e| SchemaError {
            path: e.instance_path().to_string(),
            message: e.to_string(),
        })
        .collect()
}

/// The argument schemas of an event in one direction: `args`, or `[payload]`, or nothing.
///
/// `c2s:`/`s2c:` variants take precedence over the event's own schemas for their direction.
pub fn arg_schemas(event: &Event, direction: Direction) -> Vec<&Schema> {
    let variant = match direction {
        Direction::C2s => event.c2s.as_ref(),
        Direction::S2c => event.s2c.as_ref(),
        Direction::Both => None,
    };
    if let Some(v) = variant {
        if let Some(args) = &v.args {
            return args.iter().collect();
        }
        if let Some(p) = &v.payload {
            return vec![p];
        }
    }
    if let Some(args) = &event.args {
        return args.iter().collect();
    }
    event.payload.iter().collect()
}
