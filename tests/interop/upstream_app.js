'use strict';
// The bundled example app as an upstream for the proxy's tests (tests/proxy_upstream.rs):
// starts it on 127.0.0.1 (a free port, no simulator), signs alice in, prints one JSON line
// {port, sessionId, userId, cookie} and runs until its stdin closes (the test drops it).
// PORT picks the port (an upstream restarted in place); EVDOC_TEST_POLLING_ONLY=1 refuses WebSocket. EVDOC_TEST_EXTRAS=1 adds the handlers
// of tests/fixtures/proxy/test-events.yaml, among them ones that break the catalog on purpose:
// the example app, changed, as a test needs it.
const { start } = require('../../examples/trading-app/server');

process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';

async function main() {
  const port = Number(process.env.PORT || 0);
  const server = await start({ port, host: '127.0.0.1', simulator: false, fillDelayMs: 20 });
  if (process.env.EVDOC_TEST_EXTRAS === '1') addExtras(server);
  // EVDOC_TEST_POLLING_ONLY=1: an upstream that refuses WebSocket (`transports: ['polling']`).
  if (process.env.EVDOC_TEST_POLLING_ONLY === '1') server.io.engine.opts.transports = ['polling'];
  const res = await fetch(`http://127.0.0.1:${server.port}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'demo' }),
  });
  const alice = await res.json();
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  console.log(JSON.stringify({ port: server.port, sessionId: alice.sessionId, userId: alice.userId, cookie }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
}

function addExtras(server) {
  server.io.on('connection', (socket) => {
    const userId = socket.data.userId;
    socket.on('test:push', () => {
      server.services.notifier.notify(userId, 'info', 'Pushed', 'A push to your room');
    });
    socket.on('test:bad-server', () => {
      // `type` outside its enum and a timestamp that is not a date-time: breaks notification.json.
      socket.emit('notification:new', {
        notificationId: 'n-bad', userId, type: 'urgent', title: 'Bad', message: 'Bad', actionUrl: null, timestamp: 'now',
      });
      socket.emit('debug:internal', { heap: 1234 });
      socket.emit('test:done', { step: 'bad-server' });
    });
    socket.on('test:ask-client', async () => {
      try {
        const reply = await socket.timeout(1500).emitWithAck('test:question', { q: 'ping' });
        socket.emit('test:answered', { ok: true, reply });
      } catch (e) {
        socket.emit('test:answered', { ok: false });
      }
    });
    socket.on('test:headers', () => {
      const h = socket.handshake.headers;
      socket.emit('test:done', { step: JSON.stringify({ xff: h['x-forwarded-for'], proto: h['x-forwarded-proto'] }) });
    });
    socket.on('test:kick', () => socket.disconnect(true));
    // Seen on arrival, in a socket middleware: socket.io runs event handlers a tick later, and
    // drops the event when the client has disconnected meanwhile (a client that sends and leaves).
    socket.use(([event], next) => {
      if (event === 'test:last-words') server.io.to(`user:${userId}`).emit('test:done', { step: 'last-words' });
      next();
    });
    socket.on('test:upload', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const data = Buffer.from(payload.data);
      ack({ size: data.length, data });
    });
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
