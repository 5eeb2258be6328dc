//! Where a code reference points. The book only knows paths relative to the scan root
//! (`server/app.js:12`); each renderer asks [`CodeLinks`] for the link from its own output folder,
//! so the Markdown pages and the HTML site (usually in different folders) both link correctly
//! from one book.

use super::model::CodeRef;

/// How the code references of one output folder become link targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeLinks {
    /// A link relative to the output folder: `base` is the `/`-separated path from that folder
    /// to the scan root, ending in `/` (`../examples/trading-app/`), or empty when they are the
    /// same folder.
    Relative {
        /// Prefix that turns a scan path into a link from the output folder.
        base: String,
    },
    /// A permalink at the scanned commit: `{repo_url}/blob/{commit}/{repo_path}{file}#L{line}`.
    Permalink {
        /// Repository URL without a trailing `/` (`https://github.com/o/r`).
        repo_url: String,
        /// Full commit hash.
        commit: String,
        /// Path of the scan root inside the repository, ending in `/` (or empty).
        repo_path: String,
    },
}

impl CodeLinks {
    /// Permalinks when a repository URL is given and the commit is known (a permalink needs a
    /// commit to point at); otherwise links relative to the output folder through `base`.
    pub fn new(base: &str, repo_url: Option<&str>, repo_path: &str, commit: &str) -> CodeLinks {
        match repo_url {
            Some(url) if !commit.is_empty() => CodeLinks::Permalink {
                repo_url: url.trim_end_matches('/').to_string(),
                commit: commit.to_string(),
                repo_path: repo_path.to_string(),
            },
            _ => CodeLinks::Relative {
                base: base.to_string(),
            },
        }
    }

    /// The link target of a code reference (not yet escaped for any output format).
    pub fn url(&self, r: &CodeRef) -> String {
        match self {
            CodeLinks::Relative { base } => format!("{base}{}#L{}", r.file, r.line),
            CodeLinks::Permalink {
                repo_url,
                commit,
                repo_path,
            } => format!("{repo_url}/blob/{commit}/{repo_path}{}#L{}", r.file, r.line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, line: u32) -> CodeRef {
        CodeRef::emit_at(file, line)
    }

    #[test]
    fn relative_links_start_from_the_output_folder() {
        let links = CodeLinks::new("../examples/app/", None, "", "abc");
        assert_eq!(
            links.url(&at("server/a.js", 7)),
            "../examples/app/server/a.js#L7"
        );
        assert_eq!(
            CodeLinks::new("", None, "", "").url(&at("a.js", 1)),
            "a.js#L1"
        );
    }

    #[test]
    fn permalinks_need_a_commit() {
        let links = CodeLinks::new(
            "../x/",
            Some("https://github.com/o/r/"),
            "ex/app/",
            "c0ffee",
        );
        assert_eq!(
            links.url(&at("server/a.js", 7)),
            "https://github.com/o/r/blob/c0ffee/ex/app/server/a.js#L7"
        );
        // No git history: the relative link still works, a permalink would point nowhere.
        let links = CodeLinks::new("../x/", Some("https://github.com/o/r"), "ex/app/", "");
        assert_eq!(links.url(&at("a.js", 2)), "../x/a.js#L2");
    }
}
