//! The evidence: every place in a codebase that emits or listens to a Socket.IO event.
//!
//! `walk` finds the files (gitignore-aware, parallel) and skips what cannot hold sites; one
//! extractor per language (`js` on oxc, `rust` on syn) turns a file into [`Site`]s; `side`
//! decides which end of the connection each site runs on; `output` prints the result.

pub mod embedded;
pub mod fallback;
pub mod js;
pub mod nesting;
pub mod output;
pub mod room;
pub mod run;
pub mod rust;
pub(crate) mod sides;
pub mod site;
pub(crate) mod stack;
pub mod walk;
pub mod wrappers;

pub use run::{scan, ScanError, ScanOptions, ScanResult};
pub use site::{Direction, Lang, Role, Shape, Side, SideFrom, Site};

/// What one extractor found in one file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extraction {
    /// Sites in source order. Extractors leave `direction` as `None` (the scan derives it) and set
    /// `side` only where the call itself shows it (`socket.broadcast` runs on a server).
    pub sites: Vec<Site>,
    /// The side the file's imports and APIs show, if any.
    pub side: Option<Side>,
    /// Set when the parser could not read the file and the fallback produced `sites`.
    pub parse_error: Option<String>,
    /// Wrappers inferred in this file (functions whose parameter is an event name).
    pub wrappers: Vec<wrappers::Inferred>,
    /// The socket values this file exports and passes to other files (JS/TS).
    pub flow: js::FileFlow,
}
