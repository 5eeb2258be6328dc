//! evdoc keeps a Socket.IO event API honest.
//!
//! The pipeline reads left to right, and a module depends only on modules to its left:
//! [`vocab`] (the shared words) → [`catalog`] (the contract) → [`scan`] (the evidence) → [`check`] (findings) / [`init`]
//! (a starter catalog from the evidence).

pub mod catalog;
pub mod check;
pub mod diagnostic;
pub mod init;
pub mod render;
pub mod scan;
#[cfg(feature = "serve")]
pub mod serve;
pub mod vocab;
