'use strict';
// Reconnection with re-subscription after a server restart. The client subscribes on every
// `connect` (what a dashboard does); it prints `SUBSCRIBED <n>` after each subscription. The
// harness restarts the server after `SUBSCRIBED 1`; after `SUBSCRIBED 2` this script publishes to
// the user's room and prints `DELIVERED` when the event arrives through the new server.
// Usage: node reconnect.js --url http://127.0.0.1:PORT --transport websocket|polling --token T
const { io, publish, assert, URL_BASE, TRANSPORT } = require('./lib');

const s = io(URL_BASE, {
  transports: [TRANSPORT],
  auth: { sessionId: 'sess-1' },
  reconnectionDelay: 100,
  reconnectionDelayMax: 500,
});
let subs = 0;
s.on('connect', () => s.emit('subscribe:trades', { userId: 'u-1' }));
s.on('trades:subscribed', async () => {
  subs += 1;
  console.log(`SUBSCRIBED ${subs}`);
  if (subs === 2) {
    const r = await publish({ event: 'trade:update', room: 'user:u-1', payload: { tradeId: 'after-restart', status: 'filled' } });
    assert.equal(r.status, 202);
  }
});
s.on('disconnect', (reason) => console.log(`DISCONNECTED ${reason}`));
s.on('trade:update', (t) => {
  assert.equal(t.tradeId, 'after-restart');
  console.log('DELIVERED');
  s.close();
  process.exit(0);
});
setTimeout(() => { console.log('TIMEOUT'); process.exit(1); }, 30000);
