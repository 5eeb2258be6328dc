//! The Rust extractor (syn, then its lexical fallback when syn refuses the file or nests too
//! deep), through the entry point the scan uses (`rust::extract_using`); the lexical pass also
//! runs on every input on its own, so that it sees the files syn accepts too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = evdoc::scan::walk::classify(data) else {
        return;
    };
    let wrappers = evdoc_fuzz::wrappers();
    let _ = evdoc::scan::rust::extract_using("src/main.rs", text, &wrappers);
    let _ = evdoc::scan::rust::lexical::sites("src/main.rs", text);
    let _ = evdoc::scan::rust::lexical::file_side(text);
});
