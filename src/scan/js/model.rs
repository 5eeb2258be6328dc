//! Owned summaries of the few expressions that decide socket-ness and event names.
//!
//! The first pass condenses declarations into these small trees so that the second pass can
//! classify any binding (also one declared further down the file) without holding AST borrows.

use crate::scan::Side;

/// A constant-foldable expression: what an event name or an events object is built from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CExpr {
    /// A string (or number) literal.
    Str(String),
    /// `a + b`, or a template literal's parts.
    Concat(Vec<CExpr>),
    /// `NAME`, `EVENTS.TRADE.UPDATE`, `Events['x']`.
    Path(Vec<String>),
    /// An object literal (or enum, or class statics): keys with values, then spread sources.
    Obj(Vec<(String, CExpr)>, Vec<CExpr>),
    /// Anything else.
    Unknown,
}

/// The shape of an initialiser, as far as socket-ness is concerned.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    /// A plain identifier.
    Ident(String),
    /// `this`.
    This,
    /// `obj.prop`.
    Member(Box<Val>, String),
    /// `obj[expr]`.
    Index(Box<Val>),
    /// A call, with its first argument when it can be folded.
    Call(Box<Val>, Option<CExpr>),
    /// `new C(...)`, with its first argument when it can be folded.
    New(Box<Val>, Option<CExpr>),
    /// `require('module')`.
    Require(String),
    /// A TypeScript annotation (each member of a union).
    Typed(Vec<TypeRef>),
    /// A NestJS `@WebSocketServer()` property.
    NestServer,
    /// `a || b`, `a ?? b`, `c ? a : b`: any of them.
    Either(Vec<Val>),
    /// Something that says nothing about sockets (literals, arithmetic…).
    Other,
}

/// A named type in an annotation: `Socket`, `SocketIOClient.Socket`, `Socket<A, B>`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TypeRef {
    /// The leftmost segment of a qualified name (`SocketIOClient` in `SocketIOClient.Socket`).
    pub(crate) qualifier: Option<String>,
    /// The rightmost segment.
    pub(crate) name: String,
}

/// What a binding or expression is, from the point of view of Socket.IO.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// No evidence either way: the name decides.
    Unknown,
    /// Proven not to be a Socket.IO object (EventEmitter, net socket, `ws`, MQTT…).
    Not,
    /// A value imported from an unrelated package (`@pm2/io`, `react`): not a socket itself, but
    /// what its functions return is unknown (`useContext(SocketContext)`).
    Foreign,
    /// `this` (members are looked up in the enclosing class).
    This,
    /// A server, namespace or broadcast operator (`io`, `io.of('/x')`, `socket.broadcast`).
    Server { ns: Option<String> },
    /// One connection's socket, on the server or in a client.
    Socket {
        side: Option<Side>,
        ns: Option<String>,
    },
    /// A client `Manager` (`socket.io`): its listeners are not events.
    Manager,
    /// The `socket.io` module value: calling it or `.listen()` makes a server.
    ServerFactory,
    /// `Server` from `socket.io` (or a redis emitter class): `new` makes a server.
    ServerClass,
    /// `io` / `connect` from `socket.io-client`: calling it makes a client socket.
    ClientFactory,
    /// `Manager` from `socket.io-client`.
    ManagerClass,
    /// A project module (`require('./sockets')`, `import * as s from './sockets'`): its
    /// properties are its exports (crate::scan::js::flow).
    Module { file: String },
    /// An object of a project class (a NestJS provider injected as `private ws: WsService`):
    /// its fields and methods are looked up in that class.
    Instance { file: String, class: String },
    /// An object whose methods are wrappers of a socket's emit or listen (`createEventEmitter(
    /// socket)` returning `{ on }`): `events.on('x', f)` is a site through that wrapper, in any
    /// file the object reaches.
    Wrappers {
        methods: Vec<(String, crate::scan::wrappers::Wrapper)>,
    },
}

impl Kind {
    /// True for values whose `emit`/`on` are Socket.IO events.
    pub(crate) fn is_site_receiver(&self) -> bool {
        matches!(self, Kind::Server { .. } | Kind::Socket { .. })
    }

    /// The side this value runs on, when its kind proves it.
    pub(crate) fn side(&self) -> Option<Side> {
        match self {
            Kind::Server { .. } => Some(Side::Server),
            Kind::Socket { side, .. } => *side,
            _ => None,
        }
    }

    /// The namespace the value belongs to, when known.
    pub(crate) fn namespace(&self) -> Option<&str> {
        match self {
            Kind::Server { ns } | Kind::Socket { ns, .. } => ns.as_deref(),
            _ => None,
        }
    }

    /// Joins what several assignments to one binding say: a socket wins, then a factory, then
    /// contrary evidence.
    pub(crate) fn join(self, other: Kind) -> Kind {
        fn rank(k: &Kind) -> u8 {
            match k {
                Kind::Unknown | Kind::Foreign => 0,
                Kind::This | Kind::Module { .. } | Kind::Instance { .. } => 1,
                Kind::Wrappers { .. } => 3,
                Kind::Not => 2,
                Kind::Manager
                | Kind::ServerFactory
                | Kind::ServerClass
                | Kind::ClientFactory
                | Kind::ManagerClass => 3,
                Kind::Socket { .. } | Kind::Server { .. } => 4,
            }
        }
        match (self, other) {
            // Two views of one socket: keep whatever each knows (`admin: Namespace = io.of('/admin')`).
            (Kind::Server { ns: a }, Kind::Server { ns: b }) => Kind::Server { ns: a.or(b) },
            (Kind::Socket { side: sa, ns: na }, Kind::Socket { side: sb, ns: nb }) => {
                Kind::Socket {
                    side: sa.or(sb),
                    ns: na.or(nb),
                }
            }
            (a, b) if rank(&b) > rank(&a) => b,
            (a, _) => a,
        }
    }
}
