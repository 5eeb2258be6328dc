//! `POST /v1/publish` of `evdoc serve` with the reference catalog and the publish token: the
//! input is the JSON body; a polling socket subscribed to the user's rooms and `signals`
//! receives what is delivered. The answer must be 202, 400, 404, 413 or 422, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static SERVE: LazyLock<evdoc_fuzz::Serve> = LazyLock::new(evdoc_fuzz::Serve::new);

fuzz_target!(|data: &[u8]| {
    SERVE.publish(data);
});
