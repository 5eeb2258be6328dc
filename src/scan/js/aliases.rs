//! Import aliases of a project: what `$lib/stores/ws`, `@app/socket` or `~/plugins/io` name.
//!
//! Read from the nearest folder above the importing file that configures them: `tsconfig.json`
//! or `jsconfig.json` (`compilerOptions.paths`, relative to `baseUrl`), SvelteKit
//! (`svelte.config.js`: `$lib` is `src/lib`) and Nuxt (`nuxt.config.*`: `~`, `@`, `~~`, `@@`
//! are the app's root, `~/` also its `srcDir` when there is an `app/` or `src/` folder).
//! Expanded specifiers start with `/`: they are paths from the scan root.

use super::link::Loader;

/// How many folders up a configuration is looked for.
const MAX_UP: usize = 12;

/// The root-based paths `spec` may name, nearest configuration first; empty for a specifier
/// no configuration maps (a package).
pub(crate) fn expand(load: Loader<'_>, dir: &str, spec: &str) -> Vec<String> {
    let mut here = dir.to_owned();
    for _ in 0..MAX_UP {
        // The nearest configuration decides, as for TypeScript; when it maps nothing, only
        // the conventional `src/` alias is left.
        if let Some(out) = expand_in(load, &here, spec) {
            if !out.is_empty() {
                return out;
            }
            break;
        }
        if here.is_empty() {
            break;
        }
        here = here
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_owned());
    }
    conventional_src(dir, spec).into_iter().collect()
}

/// `@/x` or `~/x` that no configuration maps: the `src/` folder the importing file is in, the
/// alias Vue CLI, Vite templates and Angular projects set up in a bundler config evdoc does not
/// read (`resolve.alias: { '@': './src' }`). Neither prefix can be an npm package.
fn conventional_src(dir: &str, spec: &str) -> Option<String> {
    let rest = spec
        .strip_prefix("@/")
        .or_else(|| spec.strip_prefix("~/"))?;
    let segments: Vec<&str> = dir.split('/').collect();
    let src = segments.iter().rposition(|s| *s == "src")?;
    Some(format!("/{}/{rest}", segments[..=src].join("/")))
}

/// `Some` when folder `dir` configures aliases (even if none matches `spec`).
fn expand_in(load: Loader<'_>, dir: &str, spec: &str) -> Option<Vec<String>> {
    let join = |rest: &str| {
        if dir.is_empty() {
            format!("/{rest}")
        } else {
            format!("/{dir}/{rest}")
        }
    };
    let mut configured = false;
    let mut out = Vec::new();
    for name in ["tsconfig.json", "jsconfig.json"] {
        let Some(text) = load.text(&path_in(dir, name)) else {
            continue;
        };
        configured = true;
        let Some(json) = parse_jsonc(&text) else {
            continue;
        };
        let options = json.get("compilerOptions");
        let base_url = options
            .and_then(|o| o.get("baseUrl"))
            .and_then(|b| b.as_str())
            .unwrap_or(".");
        let base = base_url.trim_start_matches("./").trim_end_matches('/');
        let rel = |target: &str| {
            let t = target.trim_start_matches("./");
            if base.is_empty() || base == "." {
                join(t)
            } else {
                join(&format!("{base}/{t}"))
            }
        };
        if let Some(paths) = options
            .and_then(|o| o.get("paths"))
            .and_then(|p| p.as_object())
        {
            for (pattern, targets) in paths {
                let Some(rest) = match_pattern(pattern, spec) else {
                    continue;
                };
                for t in targets
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t.as_str())
                {
                    out.push(rel(&t.replace('*', rest)));
                }
            }
        }
        if options.and_then(|o| o.get("baseUrl")).is_some() {
            out.push(rel(spec));
        }
    }
    if ["svelte.config.js", "svelte.config.ts"]
        .iter()
        .any(|n| load.exists(&path_in(dir, n)))
    {
        configured = true;
        if let Some(rest) = spec.strip_prefix("$lib") {
            out.push(join(&format!("src/lib{rest}")));
        }
    }
    if ["nuxt.config.ts", "nuxt.config.js"]
        .iter()
        .any(|n| load.exists(&path_in(dir, n)))
    {
        configured = true;
        for prefix in ["~~/", "@@/", "~/", "@/"] {
            if let Some(rest) = spec.strip_prefix(prefix) {
                out.push(join(rest));
                out.push(join(&format!("app/{rest}")));
                out.push(join(&format!("src/{rest}")));
                break;
            }
        }
    }
    configured.then_some(out)
}

/// The root-based paths a specifier naming a package of the monorepo's workspaces (`@acme/
/// realtime`, `@acme/realtime/client`) may name: its source entry, its `main`/`module`, or the
/// sub-path inside it. Empty for a package the workspaces do not hold.
pub(crate) fn workspace(load: Loader<'_>, spec: &str) -> Vec<String> {
    let computed;
    let packages = match load.modules() {
        Some(shared) => shared.workspaces.get_or_init(|| workspace_packages(load)),
        None => {
            computed = workspace_packages(load);
            &computed
        }
    };
    let Some((dir, rest)) = packages.iter().find_map(|(name, dir)| {
        let rest = spec.strip_prefix(name.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then(|| (dir, rest.trim_start_matches('/')))
    }) else {
        return Vec::new();
    };
    if !rest.is_empty() {
        return vec![format!("/{dir}/{rest}"), format!("/{dir}/src/{rest}")];
    }
    let mut out = vec![format!("/{dir}/src/index"), format!("/{dir}/index")];
    if let Some(manifest) = load
        .text(&path_in(dir, "package.json"))
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        for field in ["module", "main", "types", "source"] {
            if let Some(entry) = manifest.get(field).and_then(|v| v.as_str()) {
                out.push(format!("/{dir}/{}", entry.trim_start_matches("./")));
            }
        }
    }
    out
}

/// The workspace packages of the root `package.json` (`workspaces`, as npm and Yarn write it)
/// and `pnpm-workspace.yaml`: (package name, folder) pairs.
fn workspace_packages(load: Loader<'_>) -> Vec<(String, String)> {
    let mut globs: Vec<String> = Vec::new();
    if let Some(root) = load
        .text("package.json")
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        let list = root
            .get("workspaces")
            .map(|w| w.get("packages").unwrap_or(w))
            .and_then(|w| w.as_array());
        globs.extend(
            list.into_iter()
                .flatten()
                .filter_map(|g| g.as_str().map(str::to_owned)),
        );
    }
    if let Some(pnpm) = load.text("pnpm-workspace.yaml") {
        globs.extend(pnpm.lines().filter_map(|l| {
            let item = l.trim().strip_prefix("- ")?;
            Some(item.trim().trim_matches(['"', '\'']).to_owned())
        }));
    }
    let mut out = Vec::new();
    for glob in globs.iter().filter(|g| !g.starts_with('!')) {
        let glob = glob.trim_start_matches("./").trim_end_matches('/');
        let dirs = match glob.strip_suffix("/**").or_else(|| glob.strip_suffix("/*")) {
            Some(parent) => load
                .subfolders(parent)
                .into_iter()
                .map(|d| path_in(parent, &d))
                .collect(),
            None => vec![glob.to_owned()],
        };
        for dir in dirs {
            let name = load
                .text(&path_in(&dir, "package.json"))
                .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                .and_then(|m| m.get("name")?.as_str().map(str::to_owned));
            if let Some(name) = name {
                out.push((name, dir));
            }
        }
    }
    // The longest name first, so that `@acme/ui-kit` is not taken for `@acme/ui`.
    out.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.cmp(b)));
    out
}

fn path_in(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `@app/*` against `@app/socket` → `socket`; an exact pattern matches itself → ``.
fn match_pattern<'s>(pattern: &str, spec: &'s str) -> Option<&'s str> {
    match pattern.split_once('*') {
        Some((head, tail)) => spec.strip_prefix(head)?.strip_suffix(tail),
        None => (pattern == spec).then_some(""),
    }
}

/// JSON with comments and trailing commas, as TypeScript reads its configuration.
fn parse_jsonc(text: &str) -> Option<serde_json::Value> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            _ => out.push(c),
        }
    }
    static TRAILING_COMMA: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r",(\s*[}\]])").expect("valid regex"));
    let no_trailing = TRAILING_COMMA.replace_all(&out, "$1");
    serde_json::from_str(&no_trailing).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn files(list: &[(&str, &str)]) -> HashMap<String, String> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tsconfig_paths_sveltekit_and_nuxt() {
        let fs = files(&[
            (
                "api/tsconfig.json",
                "{ // comment\n \"compilerOptions\": { \"baseUrl\": \"./src\", \"paths\": { \"@app/*\": [\"app/*\"], }, }, }",
            ),
            ("web/svelte.config.js", "export default {}"),
            ("gui/nuxt.config.ts", "export default {}"),
        ]);
        let load = |p: &str| fs.get(p).cloned();
        assert_eq!(
            expand(&load, "api/src/x", "@app/socket"),
            ["/api/src/app/socket", "/api/src/@app/socket"]
        );
        assert_eq!(
            expand(&load, "web/src/routes", "$lib/stores/ws"),
            ["/web/src/lib/stores/ws"]
        );
        assert_eq!(expand(&load, "gui/plugins", "~/lib/io")[0], "/gui/lib/io");
        assert!(expand(&load, "web/src", "socket.io-client").is_empty());
        assert!(expand(&load, "other", "$lib/x").is_empty());
    }

    #[test]
    fn workspace_packages_by_name() {
        let fs = files(&[
            (
                "package.json",
                r#"{"workspaces": {"packages": ["libs/ui", "apps/*"]}}"#,
            ),
            ("pnpm-workspace.yaml", "packages:\n  - 'tools/cli'\n"),
            (
                "libs/ui/package.json",
                r#"{"name": "@acme/ui", "module": "./esm/index.js"}"#,
            ),
            ("libs/ui-kit/package.json", r#"{"name": "@acme/ui-kit"}"#),
            ("tools/cli/package.json", r#"{"name": "acme-cli"}"#),
        ]);
        let load = |p: &str| fs.get(p).cloned();
        assert_eq!(
            workspace(&load, "@acme/ui"),
            [
                "/libs/ui/src/index",
                "/libs/ui/index",
                "/libs/ui/esm/index.js"
            ]
        );
        assert_eq!(
            workspace(&load, "@acme/ui/button"),
            ["/libs/ui/button", "/libs/ui/src/button"]
        );
        assert_eq!(workspace(&load, "acme-cli")[0], "/tools/cli/src/index");
        // Not listed in the workspaces, and not a prefix match either.
        assert!(workspace(&load, "@acme/ui-kit").is_empty());
        assert!(workspace(&load, "react").is_empty());
    }

    #[test]
    fn an_unconfigured_at_alias_is_the_src_folder_of_the_importer() {
        assert_eq!(
            conventional_src("ui/src/app/modules/status", "@/app/core/ws.service"),
            Some("/ui/src/app/core/ws.service".into())
        );
        assert_eq!(conventional_src("src/x", "~/y"), Some("/src/y".into()));
        assert_eq!(conventional_src("lib/x", "@/y"), None);
        assert_eq!(conventional_src("src/x", "@scope/pkg"), None);
    }

    #[test]
    fn jsonc_reads_comments_and_trailing_commas() {
        let v =
            parse_jsonc("{/* a */ \"a\": [1, 2,], // b\n \"s\": \"//not a comment\",}").unwrap();
        assert_eq!(v["a"][1], 2);
        assert_eq!(v["s"], "//not a comment");
    }
}
