//! The JS/TS lexical fallback (what a file the parser refuses is scanned with) and the
//! `<script>` block reader of markup files, on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = evdoc::scan::fallback::sites("src/app.js", text);
    let _ = evdoc::scan::fallback::side(text);
    let scripts = evdoc::scan::embedded::scripts(text);
    let _ = evdoc::scan::fallback::sites("src/App.vue", &scripts.text);
});
