//! `evdoc proxy` (issue 16): a validating proxy between a team's clients and their own
//! Socket.IO server, checking both directions against the catalog.
//!
//! Built so far: the client side, [`upstream`] (an Engine.IO 4 session with the upstream over
//! WebSocket, relaying Socket.IO packets as text). The design the rest follows is in
//! ARCHITECTURE.md ("Where to add things", the proxy).

pub mod upstream;
