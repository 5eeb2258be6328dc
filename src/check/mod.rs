//! Catalog vs evidence: findings with rule ids, suppressions, baselines, and the report writers.

pub mod finding;
pub mod report;
pub mod rules;

pub use finding::Finding;
