'use strict';
// Handshake authentication for Socket.IO (the catalog's `auth: scheme: session`).
//
// A browser handshake carries the express-session cookie (`connect.sid`); the session
// middleware is shared with Socket.IO through `io.engine.use`, so `socket.request.session` is
// already loaded. Scripts and cross-origin clients pass the session id as `auth.sessionId`
// instead, which is looked up in the session store here. Either way the socket ends up with
// `socket.data.userId` and `socket.data.role`, or the handshake is refused with a
// `connect_error` whose message is `AuthenticationError`.

function authError(message) {
  const err = new Error('AuthenticationError');
  err.data = { code: 'AuthenticationError', message };
  return err;
}

function attach(socket, session, store) {
  const user = store.findUser(session.userId);
  if (!user) return false;
  socket.data.userId = user.userId;
  socket.data.role = user.role;
  socket.data.name = user.name;
  return true;
}

/** Socket.IO middleware: accepts a handshake only with a signed-in session. */
function authenticate(sessionStore, store) {
  return function authenticateSocket(socket, next) {
    const cookieSession = socket.request.session;
    if (cookieSession && cookieSession.userId) {
      return attach(socket, cookieSession, store) ? next() : next(authError('Unknown user'));
    }
    const sessionId = socket.handshake.auth && socket.handshake.auth.sessionId;
    if (typeof sessionId !== 'string' || sessionId === '') {
      return next(authError('No session: sign in first'));
    }
    sessionStore.get(sessionId, (err, session) => {
      if (err) return next(authError('Session store unavailable'));
      if (!session || !session.userId) return next(authError('Session expired or unknown'));
      return attach(socket, session, store) ? next() : next(authError('Unknown user'));
    });
  };
}

/** Socket.IO middleware: accepts only sockets whose user has `role` (after `authenticate`). */
function requireRole(role) {
  return function requireRoleSocket(socket, next) {
    if (socket.data.role === role) return next();
    return next(authError(`The ${role} role is required`));
  };
}

module.exports = { authenticate, requireRole };
