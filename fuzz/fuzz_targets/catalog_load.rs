//! The catalog loader: a folder of YAML files (packed in one input, see
//! `evdoc_fuzz::catalog_files`) with `$ref`s between them, loaded as `evdoc lint` and `evdoc
//! serve` load it, then linted and compiled into serve's contract (every JSON Schema compiled).
//! Any outcome but a panic, an abort or a hang is fine: bad input must be a located error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files = evdoc_fuzz::catalog_files(data);
    let dir = evdoc_fuzz::scratch_dir();
    evdoc_fuzz::write_catalog(dir.path(), &files);
    match evdoc::catalog::load(dir.path()) {
        Ok(loaded) => {
            let _ = evdoc::catalog::lint::lint(&loaded);
            let _ = evdoc::serve::contract::Contract::compile(&loaded.catalog);
        }
        Err(errors) => {
            assert!(!errors.0.is_empty(), "a failed load must say why");
            let _ = errors.to_string();
        }
    }
});
