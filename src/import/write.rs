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
    let shared = shared_schemas(catalog);
    for (schema, file) in &shared {
        let text = serde_json::to_string_pretty(schema).map_err(|e| e.to_string())?;
        out.insert(PathBuf::from("schemas").join(file), format!("{text}\n"));
    }
    let mut by_domain: IndexMap<String, Map<String, Value>> = IndexMap::new();
    for (name, event) in &catalog.events {
        let domain = crate::vocab::domain::domain_file(&crate::vocab::domain_of(name, &event.tags));
        let mut v = event_value(event);
        externalize(&mut v, &shared);
        by_domain.entry(domain).or_default().insert(name.clone(), v);
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

/// The payload, argument and ack schemas (top level) of every event, in order.
fn top_schemas(catalog: &Catalog) -> Vec<&Value> {
    let mut out = Vec::new();
    for e in catalog.events.values() {
        let variants = [e.c2s.as_ref(), e.s2c.as_ref()];
        out.extend(e.payload.iter().chain(e.ack.iter()));
        out.extend(e.args.iter().flatten());
        for v in variants.into_iter().flatten() {
            out.extend(v.payload.iter().chain(v.ack.iter()));
            out.extend(v.args.iter().flatten());
        }
    }
    out
}

/// Schemas used more than once and titled, each with its file name (`AdminStats` →
/// `admin-stats.json`): written once under `schemas/` and `$ref`ed, as a hand-written catalog
/// shares them, instead of repeated inline.
fn shared_schemas(catalog: &Catalog) -> Vec<(Value, String)> {
    let all = top_schemas(catalog);
    let mut out: Vec<(Value, String)> = Vec::new();
    for s in &all {
        let title = s.get("title").and_then(Value::as_str).unwrap_or_default();
        let stem = kebab(title);
        if stem.is_empty() || out.iter().any(|(v, _)| v == *s) {
            continue;
        }
        if all.iter().filter(|o| **o == *s).count() < 2 {
            continue;
        }
        let mut file = format!("{stem}.json");
        let mut n = 2;
        while out.iter().any(|(_, f)| *f == file) {
            file = format!("{stem}-{n}.json");
            n += 1;
        }
        out.push(((*s).clone(), file));
    }
    out
}

/// `AdminStats` → `admin-stats`; only ASCII letters, digits and dashes.
fn kebab(title: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in title.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('-');
        }
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out.trim_matches('-').to_owned()
}

/// Replace the shared schemas of a serialised event by `$ref`s to their files.
fn externalize(event: &mut Value, shared: &[(Value, String)]) {
    let swap = |v: &mut Value| {
        if let Some((_, file)) = shared.iter().find(|(s, _)| s == v) {
            *v = serde_json::json!({ "$ref": format!("../schemas/{file}") });
        }
    };
    let visit = |obj: &mut Value| {
        for k in ["payload", "ack"] {
            if let Some(v) = obj.get_mut(k) {
                swap(v);
            }
        }
        if let Some(Value::Array(args)) = obj.get_mut("args") {
            args.iter_mut().for_each(swap);
        }
    };
    visit(event);
    for k in ["c2s", "s2c"] {
        if let Some(v) = event.get_mut(k) {
            visit(v);
        }
    }
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
