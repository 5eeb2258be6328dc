'use strict';
// The origin policy of `evdoc serve`, seen by the official socket.io-client in Node (which sends
// whatever `Origin` it is given in `extraHeaders`, as a browser would send its page's) and by
// raw HTTP: an allowed origin connects, a refused one gets 403 before any Socket.IO packet, a
// client without Origin connects, and polling gets CORS answers.
// Usage: node origin.js --url http://127.0.0.1:PORT --transport websocket|polling --allowed ORIGIN
const http = require('node:http');
const { assert, arg, connect, ack, run, URL_BASE } = require('./lib');

const ALLOWED = arg('allowed');
const EVIL = 'http://evil.example';
const user = (extra = {}) => connect('/', { auth: { sessionId: 'sess-1' }, ...extra });
const from = (origin) => ({ extraHeaders: { origin } });

// One raw request; resolves with { status, headers, body } (an upgrade answered 101 resolves too).
function raw(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(URL_BASE + path, { method, headers });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: 101, headers: res.headers, body: '' }); });
    req.on('error', reject);
    req.end();
  });
}

run([
  ['a client without Origin (not a browser) connects', async () => {
    const s = await user();
    assert.deepEqual(await ack(s, 'subscribe:trades', { userId: 'u-1' }), { ok: true });
  }],
  ['the server\'s own origin connects', async () => {
    const s = await user(from(URL_BASE));
    assert.deepEqual(await ack(s, 'subscribe:trades', { userId: 'u-1' }), { ok: true });
  }],
  ['an allowed origin connects and is served', async () => {
    const s = await user(from(ALLOWED));
    assert.deepEqual(await ack(s, 'subscribe:trades', { userId: 'u-1' }), { ok: true });
  }],
  ['a disallowed origin is refused, with a valid session', async () => {
    await assert.rejects(user(from(EVIL)));
    await assert.rejects(user(from('null')));
  }],
  ['refusals are 403 before Engine.IO, on the handshake and on the upgrade', async () => {
    const poll = await raw('GET', '/socket.io/?EIO=4&transport=polling', { origin: EVIL });
    assert.equal(poll.status, 403);
    assert.ok(!poll.body.includes('"sid"'), 'no Engine.IO session is opened');
    const ws = await raw('GET', '/socket.io/?EIO=4&transport=websocket', {
      origin: EVIL, connection: 'Upgrade', upgrade: 'websocket',
      'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
    });
    assert.equal(ws.status, 403);
    const m = await raw('GET', '/metrics');
    assert.match(m.body, /evdoc_origins_refused_total\{reason="not_listed"\} [1-9]/);
  }],
  ['polling on an allowed origin gets CORS answers with credentials', async () => {
    const pre = await raw('OPTIONS', '/socket.io/?EIO=4&transport=polling', {
      origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type',
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.match(pre.headers['access-control-allow-methods'], /POST/);
    const hs = await raw('GET', '/socket.io/?EIO=4&transport=polling', { origin: ALLOWED });
    assert.equal(hs.status, 200);
    assert.equal(hs.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(hs.headers['access-control-allow-credentials'], 'true');
    assert.match(hs.headers.vary, /Origin/);
    const bad = await raw('OPTIONS', '/socket.io/?EIO=4&transport=polling', { origin: EVIL });
    assert.equal(bad.status, 403);
  }],
]);
