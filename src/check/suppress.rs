//! Suppression comments and baselines: the two ways to accept a finding without fixing it.
//!
//! `// evdoc-ignore EV001` (or `# evdoc-ignore EV002` in YAML) on the line above, or at the end
//! of the line of, a finding silences those rules there; without ids it silences every rule.
//! `evdoc-ignore-file EV004` anywhere in a file silences the rules for the whole file. A baseline
//! is a JSON file of finding fingerprints recorded with `--write-baseline`; `--baseline` then
//! reports only findings that are not in it, so a legacy codebase can adopt `check` at once.

use super::Finding;
use crate::vocab::Rule;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Reads files once and answers whether a finding is suppressed by a comment.
pub struct Suppressions {
    code_root: PathBuf,
    cache: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Suppressions {
    /// Suppressions for code under `code_root` (catalog paths are read as given).
    pub fn new(code_root: &Path) -> Self {
        Self {
            code_root: code_root.to_path_buf(),
            cache: HashMap::new(),
        }
    }

    fn lines(&mut self, path: PathBuf) -> Option<&Vec<String>> {
        self.cache
            .entry(path.clone())
            .or_insert_with(|| {
                std::fs::read_to_string(&path)
                    .ok()
                    .map(|t| t.lines().map(str::to_owned).collect())
            })
            .as_ref()
    }

    /// True when a comment near the finding's code or catalog location silences it.
    pub fn is_suppressed(&mut self, f: &Finding) -> bool {
        let places = [
            f.code
                .as_ref()
                .map(|l| (self.code_root.join(&l.file), l.line)),
            f.catalog.as_ref().map(|l| (PathBuf::from(&l.file), l.line)),
        ];
        places.into_iter().flatten().any(|(path, line)| {
            let Some(lines) = self.lines(path) else {
                return false;
            };
            let idx = line as usize;
            let near = [
                idx.checked_sub(2).and_then(|i| lines.get(i)),
                idx.checked_sub(1).and_then(|i| lines.get(i)),
            ];
            near.into_iter()
                .flatten()
                .any(|l| directive(l, "evdoc-ignore").is_some_and(|ids| covers(&ids, f.rule)))
                || lines.iter().any(|l| {
                    directive(l, "evdoc-ignore-file").is_some_and(|ids| covers(&ids, f.rule))
                })
        })
    }
}

/// The rule ids after a directive in a comment; empty means every rule.
fn directive(line: &str, name: &str) -> Option<Vec<String>> {
    let comment_start = line
        .find("//")
        .or_else(|| line.find('#'))
        .or_else(|| line.find("/*"))?;
    let comment = &line[comment_start..];
    let at = comment.find(name)?;
    let rest = &comment[at + name.len()..];
    if name == "evdoc-ignore" && rest.starts_with("-file") {
        return None;
    }
    let rest = rest.trim_start_matches(':');
    Some(
        rest.split(|c: char| c == ',' || c.is_whitespace())
            .map(|s| s.trim_end_matches("*/"))
            .filter(|s| s.len() == 5 && s.starts_with("EV"))
            .map(str::to_owned)
            .collect(),
    )
}

/// Ids stay strings here: an unknown id in a comment silences nothing (parsing it away would
/// leave an empty list, which silences everything).
fn covers(ids: &[String], rule: Rule) -> bool {
    ids.is_empty() || ids.iter().any(|i| i.eq_ignore_ascii_case(rule.id()))
}

/// A recorded set of accepted findings.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub version: u32,
    /// The accepted findings.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineEntry {
    /// Rule id.
    pub rule: String,
    /// The event, if any.
    pub event: Option<String>,
    /// The file the finding is in.
    pub file: Option<String>,
    /// The message.
    pub message: String,
    /// What is matched.
    pub fingerprint: String,
}

impl Baseline {
    /// A baseline accepting exactly `findings`.
    pub fn of(findings: &[Finding]) -> Baseline {
        Baseline {
            version: 1,
            findings: findings
                .iter()
                .map(|f| BaselineEntry {
                    rule: f.rule.id().to_owned(),
                    event: f.event.clone(),
                    file: f.primary().map(|l| l.file.clone()),
                    message: f.message.clone(),
                    fingerprint: f.fingerprint(),
                })
                .collect(),
        }
    }

    /// Drop the findings the baseline accepts; each entry accepts one finding.
    pub fn filter(&self, findings: Vec<Finding>) -> Vec<Finding> {
        let mut budget: HashMap<&str, usize> = HashMap::new();
        for e in &self.findings {
            *budget.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        findings
            .into_iter()
            .filter(|f| {
                let fp = f.fingerprint();
                match budget.get_mut(fp.as_str()) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            directive("  // evdoc-ignore EV001", "evdoc-ignore").unwrap(),
            ["EV001"]
        );
        assert_eq!(
            directive("x(); // evdoc-ignore EV001, EV004", "evdoc-ignore").unwrap(),
            ["EV001", "EV004"]
        );
        assert!(directive("# evdoc-ignore", "evdoc-ignore")
            .unwrap()
            .is_empty());
        assert!(directive("// evdoc-ignore-file EV004", "evdoc-ignore").is_none());
        assert!(directive("socket.emit('evdoc-ignore')", "evdoc-ignore").is_none());
    }
}
