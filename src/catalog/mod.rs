//! The contract: catalog model, YAML loading with source positions, schema compilation, lint.

pub mod binary;
pub mod contract;
pub mod lint;
pub mod load;
pub mod model;
pub mod positions;
pub mod room;
pub mod schema;

pub use load::{load, load_memory, LoadError, LoadErrors, LoadedCatalog, MemoryFiles};
pub use model::*;
