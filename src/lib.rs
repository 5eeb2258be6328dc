//! evdoc keeps a Socket.IO event API honest.
//!
//! The pipeline reads left to right, and a module depends only on modules to its left
//! (tests/tidy.rs holds the tree to it; ARCHITECTURE.md is the map):
//!
//! [`vocab`] (the shared words) → [`catalog`] (the contract) → [`scan`] (the evidence) →
//! [`check`] (findings) / [`init`] (a starter catalog) / [`render`] (the docs) → `serve` (the
//! schema-enforcing server, cargo feature `serve`) → `proxy` (the validating proxy in front of a
//! team's own server, on serve's listener; it relays, validation is next).
#![warn(clippy::too_many_lines)]

pub mod catalog;
pub mod check;
pub mod diff;
pub mod export;
pub mod import;
pub mod init;
#[cfg(feature = "serve")]
pub mod proxy;
pub mod render;
pub mod scan;
#[cfg(feature = "serve")]
pub mod serve;
pub mod validate;
pub mod vocab;
