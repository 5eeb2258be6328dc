//! An imported catalog as files, in the layout `evdoc init` writes: `evdoc.yaml` (info,
//! connection, auth, namespaces, rooms, errors and the other sections) and
//! `events/<domain>.yaml`, each headed by where it came from and what was dropped.

use super::Dropped;
use crate::catalog::{Catalog, Event};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The files of `catalog` (relative path → YAML text); `source` names the imported document.
pub fn files(
    catalog: &Catalog,
    source: &str,
    dropped: &[Dropped],
) -> Result<IndexMap<PathBuf, String>, String> {
    let mut head = format!("# Imported by `evdoc import asyncapi` from {source}.\n");
    if dropped.is_empty() {
        head.push_str("# Nothing in the source was dropped.\n");
    } else {
        let _ = writeln!(
            head,
            "# Dropped ({}), what the catalog cannot hold:",
            dropped.len()
        );
        for d in dropped {
            let _ = writeln!(head, "#   {}", d.to_string().replace('\n', " "));
        }
    }
    let mut main = Map::new();
    main.insert("evdoc".into(), Value::from(1));
    let sections = serde_json::to_value(catalog).map_err(|e| e.to_string())?;
    let default = serde_json::to_value(Catalog::default()).map_err(|e| e.to_string())?;
    for key in [
        "info",
        "connection",
        "auth",
        "namespaces",
        "rooms",
        "errors",
        "flows",
        "troubleshooting",
        "monitoring",
        "conventions",
        "scan",
        "stack",
    ] {
        let mut v = sections[key].clone();
        if v == default[key] {
            continue;
        }
        match (key, &mut v) {
            // Keyed sections keep their keys: a declared error code with no text is still one.
            ("namespaces" | "rooms" | "errors", Value::Object(entries)) => {
                entries.values_mut().for_each(prune);
            }
            _ => prune(&mut v),
        }
        if !is_empty(&v) {
            main.insert(key.into(), v);
        }
    }
    let mut out = IndexMap::new();
    out.insert(
        PathBuf::from("evdoc.yaml"),
        format!("{head}{}", yaml(&main)?),
    );
    let mut by_domain: IndexMap<String, Map<String, Value>> = IndexMap::new();
    for (name, event) in &catalog.events {
        let domain = domain_file(&crate::vocab::domain_of(name, &event.tags));
        by_domain
            .entry(domain)
            .or_default()
            .insert(name.clone(), event_value(event));
    }
    for (domain, events) in by_domain {
        let mut doc = Map::new();
        doc.insert("events".into(), Value::Object(events));
        out.insert(
            PathBuf::from("events").join(format!("{domain}.yaml")),
            format!(
                "# Imported by `evdoc import asyncapi` from {source}; see evdoc.yaml for what was dropped.\n{}",
                yaml(&doc)?
            ),
        );
    }
    Ok(out)
}

fn yaml<T: Serialize>(v: &T) -> Result<String, String> {
    serde_saphyr::to_string(v).map_err(|e| e.to_string())
}

/// An event without its unwritten fields; schemas and examples keep their `null`s.
fn event_value(event: &Event) -> Value {
    let mut v = serde_json::to_value(event).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut v {
        for k in ["c2s", "s2c", "deprecated"] {
            if let Some(Value::Object(inner)) = map.get_mut(k) {
                inner.retain(|_, v| !is_empty(v));
            }
        }
        if let Some(Value::Array(replies)) = map.get_mut("replies") {
            replies.iter_mut().for_each(prune);
        }
        map.retain(|_, v| !is_empty(v));
    }
    v
}

/// Drop `null`s and empty collections at every depth (for sections that hold no schema).
fn prune(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.values_mut().for_each(prune);
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune),
        _ => {}
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A file name for a domain (as `evdoc init` names them).
fn domain_file(domain: &str) -> String {
    let clean: String = domain
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let clean = clean.trim_matches('-');
    if clean.is_empty() {
        "events".into()
    } else {
        clean.to_owned()
    }
}
