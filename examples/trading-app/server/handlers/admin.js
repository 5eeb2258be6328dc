'use strict';
// The `/admin` namespace: operators only (role `admin`). Errors are reported through the
// acknowledgement, never as `error` events, since operator actions always pass a callback.
const { authenticate, requireRole } = require('../middleware/auth');
const { logPackets, log } = require('../middleware/logging');
const { violations } = require('../validation');

const STATS_INTERVAL_MS = 10000;

function collectStats(io, startedAt) {
  const main = io.of('/');
  const users = new Set();
  for (const socket of main.sockets.values()) users.add(socket.data.userId);
  const rooms = {};
  for (const [room, members] of main.adapter.rooms) {
    // Every socket has a private room named after its id; those are not interesting.
    if (!main.sockets.has(room)) rooms[room] = members.size;
  }
  return {
    connections: main.sockets.size,
    users: users.size,
    rooms,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    timestamp: new Date().toISOString(),
  };
}

function refuse(ack, event, payload) {
  const errors = violations(event, payload);
  if (errors.length === 0) return false;
  if (typeof ack === 'function') {
    ack({ ok: false, error: { message: `${errors[0].path}: ${errors[0].message}`, code: 'PayloadError' } });
  }
  return true;
}

function registerAdminNamespace(io, { sessionStore, store, notifier }) {
  const startedAt = Date.now();
  const adminNs = io.of('/admin');
  adminNs.use(authenticate(sessionStore, store));
  adminNs.use(requireRole('admin'));

  adminNs.on('connection', (socket) => {
    log({ msg: 'admin connected', user: socket.data.userId });
    socket.use(logPackets(socket));
    socket.join('admin');

    socket.on('admin:broadcast', (payload, ack) => {
      if (refuse(ack, 'admin:broadcast', payload)) return;
      const { title, message, type = 'info', actionUrl = null } = payload;
      const recipients = new Set([...io.of('/').sockets.values()].map((s) => s.data.userId));
      for (const userId of recipients) notifier.notify(userId, type, title, message, actionUrl);
      if (typeof ack === 'function') ack({ ok: true, delivered: recipients.size });
    });

    socket.on('admin:kick-user', async (payload, ack) => {
      if (refuse(ack, 'admin:kick-user', payload)) return;
      const { userId, reason = 'Signed out by an administrator' } = payload;
      notifier.notify(userId, 'warning', 'Disconnected', reason);
      const sockets = (await io.of('/').fetchSockets()).filter((s) => s.data.userId === userId);
      // Give the notification a moment to leave before the transport closes.
      setTimeout(() => sockets.forEach((s) => s.disconnect(true)), 100);
      if (typeof ack === 'function') ack({ ok: true, disconnected: sockets.length });
    });

    socket.on('admin:stats', (payload, ack) => {
      if (refuse(ack, 'admin:stats', payload)) return;
      if (typeof ack === 'function') ack(collectStats(io, startedAt));
    });
  });

  const timer = setInterval(() => {
    adminNs.to('admin').emit('admin:stats', collectStats(io, startedAt));
  }, STATS_INTERVAL_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

module.exports = { registerAdminNamespace, collectStats };
