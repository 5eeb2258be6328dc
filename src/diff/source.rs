//! Where `OLD` and `NEW` come from: a catalog folder or file on disk, or `git:REV:path`, read
//! from the repository at revision `REV` without touching the working tree (`git ls-tree` lists
//! the files under `path`, one `git cat-file --batch` reads them all into memory), so that CI
//! can compare a pull request with its base branch in one command.

use crate::catalog::{self, LoadErrors, LoadedCatalog, MemoryFiles};
use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A catalog to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A folder or file on disk.
    Path(PathBuf),
    /// `git:REV:path`: `path` (from the repository's root) at revision `REV`.
    Git {
        /// A commit-ish: `main`, `HEAD~1`, `v2.3.0`, a hash.
        rev: String,
        /// Relative to the repository's root; empty or `.` for the root.
        path: String,
    },
}

impl Source {
    /// `git:REV:path` or a path.
    pub fn parse(s: &str) -> Source {
        match s.strip_prefix("git:").and_then(|r| r.split_once(':')) {
            Some((rev, path)) => Source::Git {
                rev: rev.to_owned(),
                path: path.to_owned(),
            },
            None => Source::Path(PathBuf::from(s)),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display().to_string().replace('\\', "/")),
            Source::Git { rev, path } => write!(f, "git:{rev}:{path}"),
        }
    }
}

/// Why a source could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    /// git failed before a catalog could be read (not a repository, unknown revision, path
    /// missing): the message says which, with what to do.
    Git(String),
    /// The catalog itself is unusable.
    Catalog(LoadErrors),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::Git(m) => f.write_str(m),
            SourceError::Catalog(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for SourceError {}

/// Load `source`; git runs in `cwd` (the repository, or a folder in it).
pub fn load(source: &Source, cwd: &Path) -> Result<LoadedCatalog, SourceError> {
    match source {
        Source::Path(p) => catalog::load(&cwd.join(p)).map_err(SourceError::Catalog),
        Source::Git { rev, path } => {
            let mem = read_git(cwd, rev, path)?;
            let path = if path.is_empty() { "." } else { path.as_str() };
            catalog::load_memory(&mem, Path::new(path)).map_err(SourceError::Catalog)
        }
    }
}

/// Run git in `cwd`; stdout on success, git's first error line otherwise.
fn git(cwd: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().next().unwrap_or("git failed").trim().to_owned())
    }
}

/// Every regular file under `path` at `rev`, read into memory.
fn read_git(cwd: &Path, rev: &str, path: &str) -> Result<MemoryFiles, SourceError> {
    let fail = |m: String| SourceError::Git(m);
    git(cwd, &["rev-parse", "--git-dir"]).map_err(|e| {
        fail(format!(
            "`git:{rev}:{path}`: `{}` is not in a git repository ({e})",
            cwd.display()
        ))
    })?;
    let commit = format!("{rev}^{{commit}}");
    // Resolved to a hash once, so that what follows never reads REV as an option.
    let hash = git(
        cwd,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &commit,
        ],
    );
    let commit = hash.map(|h| String::from_utf8_lossy(&h).trim().to_owned()).map_err(|_| {
        fail(format!(
            "`git:{rev}:{path}`: unknown revision `{rev}`\n  help: a branch, tag or commit, such as `main` or `HEAD~1` (in CI, fetch the base branch first)"
        ))
    })?;
    let spec = if path.is_empty() { "." } else { path };
    let list = |spec: &str| {
        git(
            cwd,
            &["ls-tree", "-r", "-z", "--full-tree", &commit, "--", spec],
        )
        .map(|l| blobs(&l))
        .map_err(|e| fail(format!("`git:{rev}:{path}`: {e}")))
    };
    let mut entries = list(spec)?;
    // A catalog file's `$ref`s reach files beside it: read its folder.
    if let [(_, only)] = entries.as_slice() {
        if only == Path::new(spec) {
            if let Some(parent) = only.parent().filter(|p| !p.as_os_str().is_empty()) {
                entries = list(&parent.to_string_lossy())?;
            } else {
                entries = list(".")?;
            }
        }
    }
    if entries.is_empty() {
        return Err(fail(format!(
            "`git:{rev}:{path}`: no file `{spec}` at revision `{rev}`\n  help: the path is relative to the repository's root (`git:{rev}:catalog`)"
        )));
    }
    let objects: Vec<&str> = entries.iter().map(|(o, _)| o.as_str()).collect();
    let blobs = cat_files(cwd, &objects).map_err(|e| fail(format!("`git:{rev}:{path}`: {e}")))?;
    Ok(MemoryFiles {
        prefix: format!("git:{rev}:"),
        files: entries.into_iter().map(|(_, p)| p).zip(blobs).collect(),
    })
}

/// The regular files of a `git ls-tree -r -z` listing (`<mode> <type> <object>\t<path>`) as
/// `(object, path)`; symlinks (120000) and submodules are not catalog files.
fn blobs(listing: &[u8]) -> Vec<(String, PathBuf)> {
    listing
        .split(|b| *b == 0)
        .filter_map(|e| {
            let e = std::str::from_utf8(e).ok()?;
            let (meta, file) = e.split_once('\t')?;
            let mut m = meta.split(' ');
            let (mode, kind, object) = (m.next()?, m.next()?, m.next()?);
            (kind == "blob" && mode != "120000").then(|| (object.to_owned(), PathBuf::from(file)))
        })
        .collect()
}

/// The contents of `objects`, in order, through one `git cat-file --batch`.
fn cat_files(cwd: &Path, objects: &[&str]) -> Result<Vec<Vec<u8>>, String> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run git: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input: String = objects.iter().map(|o| format!("{o}\n")).collect();
    // Written from another thread: git answers while it reads, and a full pipe would block us.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut raw = Vec::new();
    child
        .stdout
        .take()
        .ok_or("no stdout")?
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let _ = writer.join();
    child.wait().map_err(|e| e.to_string())?;
    parse_batch(&raw, objects.len())
}

/// Split `git cat-file --batch` output: `<object> blob <size>\n<bytes>\n` per object.
fn parse_batch(mut raw: &[u8], n: usize) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let nl = raw
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("truncated git output")?;
        let header = String::from_utf8_lossy(&raw[..nl]).into_owned();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("unexpected git output `{header}`"))?;
        let body = raw
            .get(nl + 1..nl + 1 + size)
            .ok_or("truncated git output")?;
        out.push(body.to_vec());
        raw = raw.get(nl + 2 + size..).unwrap_or_default();
    }
    Ok(out)
}
