//! evdoc's shared vocabulary, at the bottom of the pipeline: every stage (catalog, scan, check,
//! render, serve) reads these types and none defines its own. A word is parsed once, here, so a
//! value one component accepts, all accept.

pub mod access;
pub mod asyncapi;
pub mod diagnostic;
pub mod direction;
pub mod domain;
pub mod metrics;
pub mod origin;
pub mod packet;
pub mod reserved;
pub mod rule;
pub mod stack;

pub use access::{AuthRule, AuthScheme, RoomAccess};
pub use direction::{Direction, Role, Side, SideFrom};
pub use domain::domain_of;
pub use reserved::is_reserved;
pub use rule::Rule;
