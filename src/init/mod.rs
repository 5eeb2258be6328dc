//! `evdoc init`: a starter catalog drafted from a scan.
//!
//! Every event found in code becomes an entry with its direction, the room its emits target and
//! a payload schema inferred from the object literals at its emit sites. The result is written as
//! a folder (`evdoc.yaml` plus `events/<domain>.yaml`) that `evdoc check` accepts as it is; the
//! comments it leaves mark what a person should complete.

use crate::scan::{Direction, Role, ScanResult, Shape, Side, Site};
use crate::vocab::is_reserved;
use indexmap::{IndexMap, IndexSet};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod naming;

/// Why `init` refused to write.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The output folder already holds a catalog.
    #[error("`{0}` already contains catalog files; pass --force to overwrite them")]
    Exists(String),
    /// Writing failed.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What one event looks like in the code.
#[derive(Default)]
struct Draft<'a> {
    sites: Vec<&'a Site>,
}

impl Draft<'_> {
    fn direction(&self) -> Option<Direction> {
        let dirs: IndexSet<Direction> = self.sites.iter().filter_map(|s| s.direction).collect();
        match dirs.len() {
            0 => None,
            1 => dirs.first().copied(),
            _ => Some(Direction::Both),
        }
    }

    fn namespace(&self) -> Option<String> {
        let ns: IndexSet<&str> = self
            .sites
            .iter()
            .filter_map(|s| s.namespace.as_deref())
            .collect();
        (ns.len() == 1)
            .then(|| ns[0].to_owned())
            .filter(|n| n != "/")
    }

    /// The single room template the emits agree on.
    fn room(&self) -> Option<String> {
        let rooms: IndexSet<String> = self
            .sites
            .iter()
            .filter(|s| s.role == Role::Emit)
            .filter_map(|s| s.room.as_deref())
            .map(crate::scan::room::template)
            .collect::<Option<_>>()?;
        (rooms.len() == 1).then(|| rooms[0].clone())
    }

    /// A schema merged from every literal payload at an emit site.
    fn payload(&self) -> Option<Value> {
        let shapes: Vec<&Shape> = self
            .sites
            .iter()
            .filter(|s| s.role == Role::Emit)
            .filter_map(|s| s.payload.as_ref())
            .collect();
        if shapes.is_empty() {
            return None;
        }
        Some(merge(&shapes))
    }
}

/// The JSON Schema of one shape.
fn schema_of(shape: &Shape) -> Value {
    match shape {
        Shape::String => json!({"type": "string"}),
        Shape::Number => json!({"type": "number"}),
        Shape::Boolean => json!({"type": "boolean"}),
        Shape::Null => json!({"type": "null"}),
        Shape::Unknown => json!({}),
        Shape::Array { items } => match items {
            Some(i) => json!({"type": "array", "items": schema_of(i)}),
            None => json!({"type": "array"}),
        },
        Shape::Object { .. } => merge(&[shape]),
    }
}

/// Merge shapes seen at several sites: properties are the union, required the intersection.
fn merge(shapes: &[&Shape]) -> Value {
    let objects: Vec<&Vec<(String, Shape)>> = shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Object { properties, .. } => Some(properties),
            _ => None,
        })
        .collect();
    if objects.len() != shapes.len() {
        // Mixed or non-object payloads: say only what all agree on.
        let first = schema_of(shapes[0]);
        return if shapes.iter().all(|s| schema_of(s) == first) {
            first
        } else {
            json!({})
        };
    }
    let mut props: IndexMap<&str, Vec<&Shape>> = IndexMap::new();
    for o in &objects {
        for (k, v) in o.iter() {
            props.entry(k.as_str()).or_default().push(v);
        }
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (k, vs) in &props {
        let first = schema_of(vs[0]);
        let agreed = if vs.iter().all(|v| schema_of(v) == first) {
            first
        } else {
            json!({})
        };
        properties.insert((*k).to_owned(), agreed);
        if vs.len() == objects.len() {
            required.push(Value::String((*k).to_owned()));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required));
    }
    schema.insert("properties".into(), Value::Object(properties));
    Value::Object(schema)
}

/// A YAML-safe scalar: JSON strings are valid YAML double-quoted scalars.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The files of a drafted catalog: relative path → YAML text.
pub fn draft(scan: &ScanResult, title: &str) -> IndexMap<PathBuf, String> {
    let mut events: IndexMap<&str, Draft> = IndexMap::new();
    for s in &scan.sites {
        if let Some(e) = s.event.as_deref().filter(|e| !is_reserved(e)) {
            events.entry(e).or_default().sites.push(s);
        }
    }
    events.sort_keys();
    let mut rooms: IndexSet<String> = IndexSet::new();
    let mut namespaces: IndexSet<String> = IndexSet::from(["/".to_owned()]);
    let mut by_domain: IndexMap<String, String> = IndexMap::new();
    let both_sides = [Side::Server, Side::Client]
        .iter()
        .all(|side| scan.sites.iter().any(|s| s.side == Some(*side)));
    for (name, d) in &events {
        let domain = crate::vocab::domain_of(name, &[]);
        let out = by_domain
            .entry(crate::vocab::domain::domain_file(&domain))
            .or_insert_with(|| "events:\n".to_owned());
        if let Some(why) = one_sided(d, both_sides) {
            let _ = writeln!(out, "  # evdoc-ignore EV004: {why}");
        }
        let _ = writeln!(out, "  {}:", q(name));
        match d.direction() {
            Some(dir) => {
                let _ = writeln!(out, "    direction: {dir}");
            }
            None => {
                let _ = writeln!(out, "    direction: both  # TODO: the scan could not tell client from server code; set c2s or s2c");
            }
        }
        let _ = writeln!(
            out,
            "    summary: {}  # TODO: describe",
            q(&format!("{name} (drafted by evdoc init)"))
        );
        if let Some(ns) = d.namespace() {
            let _ = writeln!(out, "    namespace: {}", q(&ns));
            namespaces.insert(ns);
        }
        if let Some(room) = d.room() {
            let _ = writeln!(out, "    room: {}", q(&room));
            rooms.insert(room);
        }
        match d.payload() {
            Some(schema) => {
                let _ = writeln!(
                    out,
                    "    payload: {}",
                    serde_json::to_string(&schema).expect("json")
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "    # payload: TODO, no literal payload at the emit sites"
                );
            }
        }
        let sites: Vec<String> = d
            .sites
            .iter()
            .take(5)
            .map(|s| format!("{}:{}", s.file, s.line))
            .collect();
        let _ = writeln!(out, "    # seen at {}", sites.join(", "));
    }
    let mut main = String::new();
    let _ = writeln!(
        main,
        "# Drafted by `evdoc init` from {} sites in {} files.",
        scan.sites.len(),
        scan.files_scanned
    );
    let _ = writeln!(
        main,
        "# Review every TODO; see docs/catalog-format.md for every key."
    );
    let _ = writeln!(main, "evdoc: 1");
    let _ = writeln!(main, "info:\n  title: {}\n  version: \"0.1.0\"", q(title));
    write_conventions(&mut main, events.keys().copied());
    let _ = writeln!(main, "namespaces:");
    for ns in &namespaces {
        let _ = writeln!(main, "  {}: {{}}", q(ns));
    }
    if !rooms.is_empty() {
        let _ = writeln!(main, "rooms:");
        for r in &rooms {
            let _ = writeln!(main, "  {}: {{}}", q(r));
        }
    }
    write_dynamic(&mut main, scan);
    let mut files = IndexMap::new();
    files.insert(PathBuf::from("evdoc.yaml"), main);
    for (domain, text) in by_domain {
        files.insert(PathBuf::from("events").join(format!("{domain}.yaml")), text);
    }
    files
}

/// Dynamic sites (`client.emit(msg.action, …)`) drafted as reviewed, each with a TODO: `check`
/// starts quiet, and the catalog shows the reader what to look at.
fn write_dynamic(main: &mut String, scan: &ScanResult) {
    let mut seen: IndexSet<(&str, &str)> = IndexSet::new();
    for s in scan.sites.iter().filter(|s| s.dynamic && s.event.is_none()) {
        if let Some(expr) = s.expr.as_deref() {
            seen.insert((s.file.as_str(), expr));
        }
    }
    if seen.is_empty() {
        return;
    }
    let _ = writeln!(
        main,
        "scan:\n  # Event names computed at run time (EV009): say what each can be.\n  dynamic:"
    );
    for (file, expr) in seen {
        let _ = writeln!(
            main,
            "    - {{file: {}, expr: {}, note: \"TODO: which events can this name carry?\"}}",
            q(file),
            q(expr)
        );
    }
}

/// The naming convention of the project's events, so that `check` accepts the names it has.
fn write_conventions<'n>(main: &mut String, names: impl Iterator<Item = &'n str>) {
    let (pattern, styles) = naming::convention(names);
    if pattern == crate::catalog::model::DEFAULT_EVENT_PATTERN {
        return;
    }
    let _ = writeln!(
        main,
        "conventions:\n  # The project's event names are {}: EV007 checks new ones against them.\n  event_pattern: {}",
        styles.join(", "),
        q(&pattern)
    );
}

/// Why an event the scan saw only emitted (or only listened to) is drafted with EV004 silenced:
/// its other end is outside the scanned code, or missing; the comment says which to check.
fn one_sided(d: &Draft<'_>, both_sides: bool) -> Option<&'static str> {
    let emits = d.sites.iter().any(|s| s.role == Role::Emit);
    let listens = d.sites.iter().any(|s| s.role == Role::Listen);
    match (both_sides, emits, listens) {
        (true, true, false) => Some("no listener in the scanned code; remove this line once one exists, or stop emitting it"),
        (true, false, true) => Some("nothing in the scanned code emits it; remove this line once something does, or drop the listener"),
        _ => None,
    }
}

/// Write a drafted catalog into `out`; refuses to overwrite catalog files unless `force`.
pub fn write(
    out: &Path,
    files: &IndexMap<PathBuf, String>,
    force: bool,
) -> Result<Vec<PathBuf>, InitError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| InitError::Io { path, source }
    };
    if !force && out.exists() {
        let has_yaml = ignore::WalkBuilder::new(out)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .any(|e| {
                matches!(
                    e.path().extension().and_then(|x| x.to_str()),
                    Some("yaml" | "yml")
                )
            });
        if has_yaml {
            return Err(InitError::Exists(out.display().to_string()));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
        written.push(path);
    }
    Ok(written)
}
