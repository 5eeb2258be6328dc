//! `evdoc serve`: a catalog-driven Socket.IO v4 server (socketioxide + axum + tokio) that speaks
//! the protocol of the official `socket.io-client` and enforces the catalog: handshake auth,
//! per-event auth rules, schema validation of every argument, room subscriptions with access
//! rules, an authenticated HTTP publish API for server→client events, an optional backend
//! webhook (`--forward`), limits, Prometheus metrics and graceful shutdown; with `--redis`,
//! several nodes share rooms and broadcasts.
//!
//! Modules, one per concern: [`config`] (options, limits), [`auth`] (sessions, JWT, rules),
//! [`cluster`] (the Redis adapter),
//! [`contract`] (the catalog compiled for serving), [`rooms`] (templates, access), [`handler`]
//! (the Socket.IO side), [`publish`] (HTTP publish), [`forward`] (backend webhook),
//! [`metrics`], [`error`] (the error payload), [`shutdown`], [`server`] (glue and run loop).

pub mod attachments;
pub mod auth;
pub mod cluster;
pub mod config;
pub mod contract;
pub mod error;
pub mod forward;
pub mod handler;
pub mod listen;
pub mod metrics;
pub mod origin;
pub mod publish;
pub mod rooms;
pub mod server;
pub mod shutdown;

pub use config::{LogFormat, ServeOptions};
pub use server::{build, run};
