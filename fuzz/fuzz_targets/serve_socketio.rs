//! The Socket.IO event path of `evdoc serve` with the reference catalog, through the whole app
//! in process: a polling session is opened and connected to `/` as a signed-in user, then the
//! input is POSTed as the client's packets (Engine.IO packets separated by \x1e, e.g.
//! `42["subscribe:trades",{"userId":"u-1001"}]`; a NUL byte starts another POST, so
//! `40/admin,{…}\0 42/admin,[…]` connects a namespace and then uses it): Engine.IO → Socket.IO
//! decoding → connect middleware → rate limit → JSON depth → lookup → authorisation → schema
//! validation → rooms → replies and acks. The replies are read with a polling GET, and the
//! session closed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static SERVE: LazyLock<evdoc_fuzz::Serve> = LazyLock::new(evdoc_fuzz::Serve::new);

fuzz_target!(|data: &[u8]| {
    SERVE.socketio(data);
});
