//! The tree keeps the shape ARCHITECTURE.md describes: the pipeline's stages depend only on the
//! stages to their left. A `use` that points right (catalog importing scan, render importing
//! serve) fails here with the file and line, before it can turn into a cycle.

use std::path::{Path, PathBuf};

/// Each stage of `src/` and its place in the pipeline; a stage may use stages of a lower rank
/// (and itself), never one of the same rank or higher.
const STAGES: [(&str, u8); 12] = [
    ("vocab", 0),
    ("catalog", 1),
    ("scan", 2),
    ("check", 3),
    ("diff", 3),
    ("init", 3),
    ("render", 3),
    ("export", 3),
    ("import", 3),
    ("validate", 3),
    ("serve", 4),
    ("proxy", 5),
];

fn rank(stage: &str) -> Option<u8> {
    STAGES.iter().find(|(s, _)| *s == stage).map(|(_, r)| *r)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The stage a file of `src/` belongs to: `src/scan/js/sites.rs` → `scan`, `src/init.rs` → `init`.
fn stage_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

#[test]
fn stages_depend_only_on_stages_to_their_left() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let stage = stage_of(&src, file);
        let Some(own) = rank(&stage) else { continue }; // lib.rs, main.rs, cli/: the binary's glue
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap();
            for (used, _) in code.match_indices("crate::") {
                let rest = &code[used + "crate::".len()..];
                let target: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                match rank(&target) {
                    Some(r) if target != stage && r >= own => wrong.push(format!(
                        "{}:{}: `{stage}` uses `{target}`, which is not to its left",
                        file.strip_prefix(&src).unwrap().display(),
                        n + 1
                    )),
                    _ => {}
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_stage_of_src_is_ranked() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry
            .unwrap()
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        assert!(
            rank(&name).is_some() || ["lib", "main", "cli"].contains(&name.as_str()),
            "src/{name} is not placed in the pipeline: add it to STAGES (and to ARCHITECTURE.md)"
        );
    }
}
