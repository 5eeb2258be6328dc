//! evdoc's shared vocabulary, at the bottom of the pipeline: every stage (catalog, scan, check,
//! render, serve) reads these types and none defines its own. A word is parsed once, here, so a
//! value one component accepts, all accept.

pub mod direction;
pub mod reserved;
pub mod rule;

pub use direction::{Direction, Role, Side};
pub use reserved::is_reserved;
pub use rule::Rule;
