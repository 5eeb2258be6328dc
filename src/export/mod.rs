//! Exports of the catalog to the formats other tools read: AsyncAPI 3.0 (`asyncapi.rs`) for
//! AsyncAPI viewers, generators and registries. The catalog is the input; an exporter returns
//! text or a value and never writes files (the CLI does).

pub mod asyncapi;
pub mod typescript;

use serde::Serialize;

/// How a JSON-like document is written out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// YAML (block style, strings quoted where YAML 1.1 or 1.2 would read them as anything else).
    #[default]
    Yaml,
    /// JSON, pretty-printed.
    Json,
}

/// `value` as YAML or pretty JSON text, ending with a newline.
pub fn to_text<T: Serialize>(value: &T, format: Format) -> Result<String, String> {
    match format {
        Format::Json => serde_json::to_string_pretty(value)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| e.to_string()),
        Format::Yaml => to_yaml(value),
    }
}

/// YAML through serde-saphyr, the crate the catalog is read with, so that what evdoc writes is
/// what it reads back.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    let mut out = serde_saphyr::to_string(value).map_err(|e| e.to_string())?;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}
