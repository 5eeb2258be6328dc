//! Reading a catalog from disk: one YAML file or a folder of them, merged, with `$ref`s to JSON
//! Schema files inlined, and every error pointing at `file:line:column`.

use super::model::{Catalog, Event, Schema};
use super::positions::{pointer, Positions};
use crate::vocab::diagnostic::Location;
use indexmap::IndexMap;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// A catalog read from disk, with where each of its parts came from.
#[derive(Clone, Debug)]
pub struct LoadedCatalog {
    /// The merged contract.
    pub catalog: Catalog,
    /// Positions of every node, across all files.
    pub positions: Positions,
    /// The folder the catalog lives in (`$ref`s may not leave it).
    pub root: PathBuf,
    /// The YAML files read, as shown to users.
    pub files: Vec<String>,
}

impl LoadedCatalog {
    /// Where the node at `pointer` was written, or its nearest ancestor.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        self.positions.find(pointer).cloned()
    }

    /// Where event `name` is declared.
    pub fn event_location(&self, name: &str) -> Option<Location> {
        self.locate(&pointer(["events", name]))
    }
}

/// One reason a catalog could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// Where, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{l}: {}", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Every reason a catalog could not be loaded (all files are read before giving up).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

fn err(location: Option<Location>, message: impl Into<String>) -> LoadError {
    LoadError {
        location,
        message: message.into(),
        help: None,
    }
}

/// Show a path the way the user wrote it, with `/` separators.
fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Load the catalog at `path`: a YAML file, or a folder whose `*.yaml`/`*.yml` files are merged.
pub fn load(path: &Path) -> Result<LoadedCatalog, LoadErrors> {
    let meta = std::fs::metadata(path).map_err(|e| {
        LoadErrors(vec![err(
            None,
            format!("cannot read catalog `{}`: {e}", display(path)),
        )])
    })?;
    let (root, files) = if meta.is_dir() {
        (path.to_path_buf(), yaml_files(path))
    } else {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        (
            parent.unwrap_or(Path::new(".")).to_path_buf(),
            vec![path.to_path_buf()],
        )
    };
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.clone());
    load_with(&Disk, path, root, &canon_root, &files)
}

/// The files of a catalog held in memory rather than on disk: what `evdoc diff` reads from a
/// git revision (`git:REV:path`) without a checkout. Paths are relative (`catalog/evdoc.yaml`)
/// and shown to users behind `prefix` (`git:main:catalog/evdoc.yaml:12:3`), so that every
/// message still points at a line of the file the user can open.
#[derive(Clone, Debug, Default)]
pub struct MemoryFiles {
    /// Put before every path shown to users (`git:main:`).
    pub prefix: String,
    /// Contents by path; `$ref`s may only reach files in here.
    pub files: BTreeMap<PathBuf, Vec<u8>>,
}

/// Load the catalog at `path` (a file or a folder, as for [`load`]) from `mem` instead of the
/// disk.
pub fn load_memory(mem: &MemoryFiles, path: &Path) -> Result<LoadedCatalog, LoadErrors> {
    let path = normalise(path);
    let (root, files) = if mem.files.contains_key(&path) {
        let parent = path.parent().map(Path::to_path_buf).unwrap_or_default();
        (parent, vec![path.clone()])
    } else {
        let mut files: Vec<PathBuf> = mem
            .files
            .keys()
            .filter(|f| f.starts_with(&path) && f != &&path)
            .filter(|f| {
                let hidden = f.strip_prefix(&path).is_ok_and(|rel| {
                    rel.components()
                        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
                });
                !hidden && matches!(f.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .cloned()
            .collect();
        files.sort();
        (path.clone(), files)
    };
    load_with(mem, &path, root.clone(), &root, &files)
}

/// Read and merge `files` (found at `path`, with `$ref`s confined to `canon_root`).
fn load_with(
    fs: &dyn Files,
    path: &Path,
    root: PathBuf,
    canon_root: &Path,
    files: &[PathBuf],
) -> Result<LoadedCatalog, LoadErrors> {
    if files.is_empty() {
        return Err(LoadErrors(vec![LoadError {
            location: None,
            message: format!("no catalog files (*.yaml, *.yml) in `{}`", fs.show(path)),
            help: Some("run `evdoc init` to write a starter catalog".into()),
        }]));
    }
    let mut merged = Merger::default();
    let mut errors = Vec::new();
    for file in files {
        match load_file(fs, file, canon_root) {
            Ok((cat, pos)) => merged.add(&fs.show(file), cat, pos, &mut errors),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    Ok(LoadedCatalog {
        catalog: merged.catalog,
        positions: merged.positions,
        root,
        files: files.iter().map(|f| fs.show(f)).collect(),
    })
}

/// Where catalog files are read from: the disk, or [`MemoryFiles`].
trait Files {
    /// The bytes of `path`.
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// The one name of `path` (symlinks and `..` resolved), `None` when it does not exist.
    fn canonical(&self, path: &Path) -> Option<PathBuf>;
    /// `path` as users see it.
    fn show(&self, path: &Path) -> String;
}

/// The file system.
struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
    fn canonical(&self, path: &Path) -> Option<PathBuf> {
        path.canonicalize().ok()
    }
    fn show(&self, path: &Path) -> String {
        display(path)
    }
}

impl Files for MemoryFiles {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files
            .get(&normalise(path))
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
    fn canonical(&self, path: &Path) -> Option<PathBuf> {
        let p = normalise(path);
        self.files.contains_key(&p).then_some(p)
    }
    fn show(&self, path: &Path) -> String {
        format!("{}{}", self.prefix, display(path))
    }
}

/// `path` with `.` and `..` resolved lexically (memory has no symlinks); a `..` above the
/// start is kept, so such a path never names a file inside the catalog.
fn normalise(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// The YAML files of a catalog folder, sorted so that merging is deterministic.
fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    out.sort();
    out
}

/// Read one YAML file: deserialise, index positions, inline `$ref`s.
fn load_file(
    fs: &dyn Files,
    path: &Path,
    root: &Path,
) -> Result<(Catalog, Positions), Vec<LoadError>> {
    let shown = fs.show(path);
    let bytes = fs
        .read(path)
        .map_err(|e| vec![err(None, format!("cannot read `{shown}`: {e}"))])?;
    let text = String::from_utf8(bytes).map_err(|e| {
        vec![err(
            Some(Location::new(&shown, 0, 0)),
            format!(
                "`{shown}` is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )]
    })?;
    let positions = Positions::index(&shown, &text);
    let mut catalog: Catalog = if text.trim().is_empty() {
        Catalog::default()
    } else {
        from_yaml(&text).map_err(|e| vec![yaml_error(&shown, &e)])?
    };
    if let Some(v) = catalog.evdoc {
        if v != 1 {
            return Err(vec![LoadError {
                location: positions.find("/evdoc").cloned(),
                message: format!("unsupported catalog format version {v}"),
                help: Some("this evdoc reads `evdoc: 1`".into()),
            }]);
        }
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut errors = Vec::new();
    let mut refs = RefResolver {
        fs,
        root,
        positions: &positions,
        errors: &mut errors,
    };
    for (name, event) in catalog.events.iter_mut() {
        refs.event(base, name, event);
    }
    if errors.is_empty() {
        Ok((catalog, positions))
    } else {
        Err(errors)
    }
}

/// Read YAML the way JSON Schema authors expect: YAML 1.2 core scalars, where only `true` and
/// `false` are booleans. With YAML 1.1's, `required: [x, y]` would require `true`, and
/// `enum: [on, off]` would enumerate booleans.
fn from_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, serde_saphyr::options! { strict_booleans: true })
}

/// Turn a serde-saphyr error into a located message with a "did you mean" where it helps.
fn yaml_error(file: &str, e: &serde_saphyr::Error) -> LoadError {
    let location = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Location::new(file, l.line() as u32, l.column() as u32));
    let raw = e.without_snippet().to_string();
    let message = strip_location(&raw);
    let mut help = None;
    let mut message = message.to_string();
    if let Some((field, expected)) = unknown_field(&message) {
        help = did_you_mean(&field, &expected)
            .map(|s| format!("did you mean `{s}`?"))
            .or_else(|| Some(format!("expected one of: {}", expected.join(", "))));
        message = format!("unknown key `{field}`");
    } else if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set ").next().unwrap_or(key);
        message = format!("duplicate key `{key}`");
        help = Some("each key may appear once in a mapping".into());
    } else if message == "expected mapping start" {
        message = "expected a mapping (`key: value` pairs) here".into();
    }
    LoadError {
        location,
        message,
        help,
    }
}

/// serde-saphyr appends or prefixes the location; the location is reported separately.
fn strip_location(msg: &str) -> &str {
    let first = msg.lines().next().unwrap_or(msg).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    }
}

/// Parse serde's "unknown field `x`, expected one of `a`, `b`" message.
fn unknown_field(msg: &str) -> Option<(String, Vec<String>)> {
    let rest = msg.split("unknown field `").nth(1)?;
    let (field, rest) = rest.split_once('`')?;
    let list = rest
        .split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map(|(_, l)| l)
        .unwrap_or("");
    let expected = list
        .split(',')
        .map(|s| s.trim().trim_matches('`').to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    Some((field.to_owned(), expected))
}

/// The closest known key to a misspelt one, if close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

/// Inlines `$ref`s that name files (relative to the referencing file, inside the catalog).
struct RefResolver<'a> {
    fs: &'a dyn Files,
    root: &'a Path,
    positions: &'a Positions,
    errors: &'a mut Vec<LoadError>,
}

impl RefResolver<'_> {
    fn event(&mut self, base: &Path, name: &str, event: &mut Event) {
        let at = |field: &str| pointer(["events", name, field]);
        let mut schemas: Vec<(String, &mut Schema)> = Vec::new();
        if let Some(p) = event.payload.as_mut() {
            schemas.push((at("payload"), p));
        }
        if let Some(a) = event.ack.as_mut() {
            schemas.push((at("ack"), a));
        }
        if let Some(args) = event.args.as_mut() {
            for (i, a) in args.iter_mut().enumerate() {
                schemas.push((format!("{}/{i}", at("args")), a));
            }
        }
        for (dir, variant) in [("c2s", event.c2s.as_mut()), ("s2c", event.s2c.as_mut())] {
            let Some(v) = variant else { continue };
            let vp = at(dir);
            if let Some(p) = v.payload.as_mut() {
                schemas.push((format!("{vp}/payload"), p));
            }
            if let Some(a) = v.ack.as_mut() {
                schemas.push((format!("{vp}/ack"), a));
            }
            if let Some(args) = v.args.as_mut() {
                for (i, a) in args.iter_mut().enumerate() {
                    schemas.push((format!("{vp}/args/{i}"), a));
                }
            }
        }
        for (ptr, schema) in schemas {
            let mut stack = Vec::new();
            self.resolve(base, &ptr, schema, &mut stack);
        }
    }

    /// Walk `value`, replacing every file `$ref` by the referenced content.
    fn resolve(&mut self, base: &Path, ptr: &str, value: &mut Value, stack: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                let file_ref = map
                    .get("$ref")
                    .and_then(Value::as_str)
                    .filter(|r| !r.starts_with('#') && !r.contains("://"))
                    .map(str::to_owned);
                if let Some(r) = file_ref {
                    let ref_ptr = format!("{ptr}/$ref");
                    if let Some((mut loaded, dir, key)) = self.fetch(base, &ref_ptr, &r, stack) {
                        stack.push(key);
                        self.resolve(&dir, ptr, &mut loaded, stack);
                        stack.pop();
                        map.remove("$ref");
                        match loaded {
                            Value::Object(inner) if !map.is_empty() => {
                                for (k, v) in inner {
                                    map.entry(k).or_insert(v);
                                }
                            }
                            other => *value = other,
                        }
                    }
                    return;
                }
                for (k, v) in map.iter_mut() {
                    let child = format!("{ptr}/{}", super::positions::escape(k));
                    self.resolve(base, &child, v, stack);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    self.resolve(base, &format!("{ptr}/{i}"), v, stack);
                }
            }
            _ => {}
        }
    }

    /// Read the file (and fragment) a `$ref` names.
    fn fetch(
        &mut self,
        base: &Path,
        ptr: &str,
        reference: &str,
        stack: &[String],
    ) -> Option<(Value, PathBuf, String)> {
        let location = self.positions.find(ptr).cloned();
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = base.join(file);
        let canon = match self.fs.canonical(&target) {
            Some(c) => c,
            None => {
                self.errors.push(LoadError {
                    location,
                    message: format!(
                        "`$ref: {reference}` names a file that does not exist ({})",
                        self.fs.show(&target)
                    ),
                    help: Some(
                        "`$ref` paths are relative to the YAML file that contains them".into(),
                    ),
                });
                return None;
            }
        };
        if !canon.starts_with(self.root) {
            self.errors.push(LoadError {
                location,
                message: format!("`$ref: {reference}` points outside the catalog folder"),
                help: Some("keep schema files inside the catalog folder".into()),
            });
            return None;
        }
        let key = format!("{}#{fragment}", canon.display());
        if stack.contains(&key) {
            self.errors
                .push(err(location, format!("`$ref: {reference}` is circular")));
            return None;
        }
        let text = match self.fs.read(&canon).map(String::from_utf8) {
            Ok(Ok(t)) => t,
            Ok(Err(_)) => {
                self.errors.push(err(
                    location,
                    format!("`{}` is not valid UTF-8", self.fs.show(&target)),
                ));
                return None;
            }
            Err(e) => {
                self.errors.push(err(
                    location,
                    format!("cannot read `{}`: {e}", self.fs.show(&target)),
                ));
                return None;
            }
        };
        let is_yaml = matches!(
            canon.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let parsed: Result<Value, String> = if is_yaml {
            from_yaml(&text)
                .map_err(|e| strip_location(&e.without_snippet().to_string()).to_owned())
        } else {
            serde_json::from_str(&text).map_err(|e| e.to_string())
        };
        let doc = match parsed {
            Ok(v) => v,
            Err(e) => {
                self.errors.push(err(
                    location,
                    format!(
                        "`{}` is not valid {}: {e}",
                        self.fs.show(&target),
                        if is_yaml { "YAML" } else { "JSON" }
                    ),
                ));
                return None;
            }
        };
        let value = if fragment.is_empty() {
            doc
        } else {
            match doc.pointer(fragment) {
                Some(v) => v.clone(),
                None => {
                    self.errors.push(err(
                        location,
                        format!(
                            "`$ref: {reference}`: no `{fragment}` in `{}`",
                            self.fs.show(&target)
                        ),
                    ));
                    return None;
                }
            }
        };
        let dir = canon.parent().unwrap_or(self.root).to_path_buf();
        Some((value, dir, key))
    }
}

/// Merges the files of a catalog folder: maps by key (a key defined twice is an error), lists
/// appended, single sections (info, connection…) defined at most once.
#[derive(Default)]
struct Merger {
    catalog: Catalog,
    positions: Positions,
    /// Which file defined each single section.
    sections: IndexMap<&'static str, String>,
}

impl Merger {
    fn add(&mut self, file: &str, cat: Catalog, pos: Positions, errors: &mut Vec<LoadError>) {
        macro_rules! single {
            ($field:ident) => {
                let name = stringify!($field);
                if pos.get(&format!("/{name}")).is_some() {
                    if let Some(prev) = self.sections.get(name) {
                        errors.push(LoadError {
                            location: pos.get(&format!("/{name}")).cloned(),
                            message: format!("`{name}` is already defined in `{prev}`"),
                            help: Some("define each top-level section in one file only".into()),
                        });
                    } else {
                        self.sections.insert(name, file.to_owned());
                        self.catalog.$field = cat.$field;
                    }
                }
            };
        }
        single!(evdoc);
        single!(info);
        single!(connection);
        single!(auth);
        single!(monitoring);
        single!(conventions);
        single!(scan);
        macro_rules! keyed {
            ($field:ident) => {
                for (k, mut v) in cat.$field {
                    let p = pointer([stringify!($field), k.as_str()]);
                    let here = pos.get(&p).cloned();
                    if self.catalog.$field.contains_key(&k) {
                        let prev = self
                            .positions
                            .get(&p)
                            .map(|l| l.to_string())
                            .unwrap_or_default();
                        errors.push(LoadError {
                            location: here,
                            message: format!(
                                "duplicate {} `{k}`: already defined at {prev}",
                                stringify!($field).trim_end_matches('s')
                            ),
                            help: Some(
                                "each name may be defined once across all catalog files".into(),
                            ),
                        });
                        continue;
                    }
                    v.at = here;
                    self.catalog.$field.insert(k, v);
                }
            };
        }
        keyed!(events);
        keyed!(namespaces);
        keyed!(rooms);
        keyed!(errors);
        for (k, v) in cat.flows {
            if self.catalog.flows.contains_key(&k) {
                errors.push(err(
                    pos.get(&pointer(["flows", k.as_str()])).cloned(),
                    format!("duplicate flow `{k}`"),
                ));
                continue;
            }
            self.catalog.flows.insert(k, v);
        }
        self.catalog.troubleshooting.extend(cat.troubleshooting);
        self.positions.extend(pos);
    }
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    fn mem(files: &[(&str, &str)]) -> MemoryFiles {
        MemoryFiles {
            prefix: "git:HEAD:".into(),
            files: files
                .iter()
                .map(|(p, c)| (PathBuf::from(p), c.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn a_folder_in_memory_loads_like_one_on_disk_with_refs_and_prefixed_positions() {
        let m = mem(&[
            ("api/evdoc.yaml", "evdoc: 1\n"),
            (
                "api/events/a.yaml",
                "events:\n  a:b:\n    direction: c2s\n    payload: {$ref: ../schemas/s.json}\n",
            ),
            ("api/schemas/s.json", r#"{"type": "object"}"#),
            ("api/.hidden/x.yaml", "nonsense: ["),
            ("other/evdoc.yaml", "nonsense: ["),
        ]);
        let cat = load_memory(&m, Path::new("api")).unwrap();
        assert_eq!(
            cat.files,
            ["git:HEAD:api/evdoc.yaml", "git:HEAD:api/events/a.yaml"]
        );
        let ev = &cat.catalog.events["a:b"];
        assert_eq!(ev.payload, Some(serde_json::json!({"type": "object"})));
        assert_eq!(
            ev.at.as_ref().unwrap().to_string(),
            "git:HEAD:api/events/a.yaml:2:3"
        );
    }

    #[test]
    fn memory_errors_name_the_prefixed_file_and_refs_stay_inside() {
        let m = mem(&[
            (
                "api/evdoc.yaml",
                "events:\n  a:b:\n    direction: sideways\n",
            ),
            (
                "api/more.yaml",
                "events:\n  c:d:\n    direction: c2s\n    payload: {$ref: ../secret.json}\n",
            ),
            ("secret.json", "{}"),
        ]);
        let errs = load_memory(&m, Path::new("api")).unwrap_err().to_string();
        assert!(errs.contains("git:HEAD:api/evdoc.yaml:3"), "{errs}");
        assert!(errs.contains("points outside the catalog folder"), "{errs}");
        let none = load_memory(&m, Path::new("nowhere"))
            .unwrap_err()
            .to_string();
        assert!(none.contains("no catalog files"), "{none}");
        let one = load_memory(&m, Path::new("./api/../api/evdoc.yaml")).unwrap_err();
        assert_eq!(one.0.len(), 1, "{one}");
    }
}
