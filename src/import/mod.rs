//! Imports of other tools' documents into a catalog: AsyncAPI 2.6 and 3.0 (`asyncapi.rs`).
//! An importer returns the catalog, the files to write and what it had to drop; the CLI writes
//! the files (with `init`'s writer, which refuses to overwrite without `--force`).

pub mod asyncapi;
mod write;

pub use write::files;

use crate::vocab::diagnostic::Location;
use std::fmt;

/// Something in the source document the catalog cannot hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// JSON pointer into the source document (`/channels/chat/bindings`).
    pub path: String,
    /// What was dropped and why.
    pub what: String,
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

/// Why a document could not be imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// Where, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ImportError {}
