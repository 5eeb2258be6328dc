//! The JS/TS extractor, through the entry point the scan uses for each file
//! (`walk::classify`, then `js::extract_in_project`): the first byte picks the file's extension
//! (.js .ts .tsx .vue .svelte .html), the rest is the file. Imports resolve to the same text,
//! so the linker and module paths run too (a module importing itself is legal JavaScript).
//! A parse failure must end in the lexical fallback, never in a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let ext = evdoc_fuzz::JS_EXTENSIONS[usize::from(pick) % evdoc_fuzz::JS_EXTENSIONS.len()];
    let Ok(text) = evdoc::scan::walk::classify(rest) else {
        return;
    };
    let rel = format!("src/app.{ext}");
    let source = text.to_owned();
    let load = move |_: &str| Some(source.clone());
    let wrappers = evdoc_fuzz::wrappers();
    let project = evdoc::scan::js::Project::default();
    let _ = evdoc::scan::js::extract_in_project(&rel, text, Some(&load), &wrappers, &project);
});
