//! How `evdoc serve --forward` reads its backend's HTTP answer (`forward::read_answer`): the
//! first two bytes are the status (100–999), the rest the body. The result is turned into the
//! error a client would receive, as serve does.
#![no_main]

use axum::http::StatusCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (100 + u16::from_be_bytes([*a, *b]) % 900, rest),
        _ => return,
    };
    let status = StatusCode::from_u16(status).expect("100..=999 is a status");
    if let Err(failure) = evdoc::serve::forward::read_backend_answer(status, body) {
        let err = failure.client_error("trade:subscribe");
        serde_json::to_string(&err).expect("a client error serialises");
    }
});
