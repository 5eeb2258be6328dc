'use strict';
// `--mock` and `--forward` behaviour.
// Usage: node modes.js --url http://127.0.0.1:PORT --mode mock
//        node modes.js --url http://127.0.0.1:PORT --mode forward --backend-port P
//   (forward: this script is the backend, listening on 127.0.0.1:P, started before any event)
const http = require('node:http');
const { assert, arg, connect, next, silent, ack, run } = require('./lib');

const mode = arg('mode');
const user = (sid, ns = '/') => connect(ns, { auth: { sessionId: sid } });

const mock = [
  ['--mock answers plain replies from the reply event\'s first example', async () => {
    const s = await connect('/public');
    const r = next(s, 'news:item');
    s.emit('news:get', {});
    assert.deepEqual(await r, [{ title: 'Hello' }]);
    const admin = await user('sess-admin');
    const t = next(admin, 'trade:executed');
    assert.deepEqual(await ack(admin, 'execute:trade', { symbol: 'AAPL', quantity: 2 }), { ok: true });
    assert.deepEqual(await t, [{ tradeId: 't-42' }]);
  }],
  ['--mock keeps subscriptions real: the reply carries the bound room', async () => {
    const s = await user('sess-1');
    const r = next(s, 'trades:subscribed');
    s.emit('subscribe:trades', { userId: 'u-1' });
    assert.deepEqual(await r, [{ room: 'user:u-1' }]);
  }],
];

const received = [];
function backend(port) {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const ev = JSON.parse(body);
        received.push(ev);
        let answer = {};
        if (ev.event === 'file:upload') {
          // The bytes come as {"$binary": base64}; sending them back the same way gives bytes.
          answer = { emit: [{ event: 'file:stored', payload: { ...ev.payload, name: 'from-backend' }, to: 'socket' }], ack: { stored: true } };
        }
        if (ev.event === 'execute:trade') {
          answer = {
            emit: [
              { event: 'trade:executed', payload: { tradeId: 't-9' }, to: 'socket' },
              { event: 'trade:update', payload: { tradeId: 't-9', status: 'filled' }, to: `room:user:${ev.socket.userId}` },
            ],
            ack: { tradeId: 't-9' },
          };
        }
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(answer));
      });
    });
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

const forward = [
  ['--forward posts valid events with the socket identity and carries out the answer', async () => {
    const admin = await user('sess-admin');
    await ack(admin, 'subscribe:trades', { userId: 'admin-1' });
    const executed = next(admin, 'trade:executed');
    const updates = [];
    admin.on('trade:update', (t) => updates.push(t));
    const a = await ack(admin, 'execute:trade', { symbol: 'AAPL', quantity: 3 });
    assert.deepEqual(a, { tradeId: 't-9' });
    assert.deepEqual(await executed, [{ tradeId: 't-9' }]);
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(updates, [{ tradeId: 't-9', status: 'filled' }], 'the room emit arrives once');
    const ev = received.find((e) => e.event === 'execute:trade');
    assert.deepEqual(ev.payload, { symbol: 'AAPL', quantity: 3 });
    assert.equal(ev.namespace, '/');
    assert.equal(ev.socket.userId, 'admin-1');
    assert.deepEqual(ev.socket.roles, ['user', 'admin']);
    assert.equal(typeof ev.socket.id, 'string');
  }],
  ['--forward relays binary values as {"$binary": base64}, both ways', async () => {
    const s = await user('sess-1');
    const stored = [];
    s.on('file:stored', (m) => stored.push(m));
    assert.deepEqual(await ack(s, 'file:upload', { name: 'a.bin', data: Buffer.from([0, 1, 255]) }), { stored: true });
    const ev = received.find((e) => e.event === 'file:upload');
    assert.deepEqual(ev.payload, { name: 'a.bin', data: { $binary: 'AAH/' } });
    await new Promise((r) => setTimeout(r, 300));
    const back = stored.find((m) => m.name === 'from-backend');
    assert.ok(back, `no file:stored from the backend: ${JSON.stringify(stored)}`);
    assert.ok(Buffer.isBuffer(back.data));
    assert.deepEqual([...back.data], [0, 1, 255]);
  }],
  ['--forward never sees refused events', async () => {
    const s = await user('sess-1');
    const before = received.length;
    const e = await ack(s, 'execute:trade', { symbol: 'AAPL', quantity: 3 });
    assert.equal(e.error.code, 'AuthenticationError');
    const p = await ack(s, 'subscribe:trades', { userId: 7 });
    assert.equal(p.error.code, 'PayloadError');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, before);
    assert.ok(await silent(s, 'trade:executed', 100));
  }],
];

(async () => {
  if (mode === 'forward') await backend(Number(arg('backend-port')));
  await run(mode === 'mock' ? mock : forward);
})();
