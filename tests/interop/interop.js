'use strict';
// Interop scenarios of `evdoc serve` with the official socket.io-client, for one transport.
// Usage: node interop.js --url http://127.0.0.1:PORT --transport websocket|polling --token TOKEN
// Expects the server on tests/fixtures/serve/catalog.yaml + sessions.json.
const { assert, connect, next, silent, ack, publish, run } = require('./lib');

const user = (sid = 'sess-1', ns = '/', extra = {}) => connect(ns, { auth: { sessionId: sid }, ...extra });

const scenarios = [
  ['session id in the handshake auth is accepted', async () => {
    const s = await user('sess-1');
    assert.ok(s.connected);
  }],
  ['unknown session id is refused with AuthenticationError', async () => {
    await assert.rejects(user('sess-nope'), (e) => e.message === 'AuthenticationError');
  }],
  ['missing credentials are refused on a namespace with auth: required', async () => {
    await assert.rejects(connect('/'), (e) => e.message === 'AuthenticationError');
  }],
  ['the session cookie (express-session signed format) is accepted', async () => {
    const s = await connect('/', { extraHeaders: { cookie: 'theme=dark; connect.sid=s%3Asess-2.c2lnbmF0dXJl' } });
    const [reply] = await Promise.all([next(s, 'trades:subscribed'), s.emit('subscribe:trades', { userId: 'u-2' })]);
    assert.deepEqual(reply, [{ room: 'user:u-2' }]);
  }],
  ['a namespace with auth: none accepts anonymous clients; replies need --mock', async () => {
    const s = await connect('/public');
    const a = await ack(s, 'news:get', {});
    assert.deepEqual(a, { ok: true });
    assert.ok(await silent(s, 'news:item'), 'without --mock a plain reply has no payload source');
  }],
  ['own-room subscription is allowed: reply with the bound room, ack ok', async () => {
    const s = await user('sess-1');
    const replyP = next(s, 'trades:subscribed');
    const a = await ack(s, 'subscribe:trades', { userId: 'u-1' });
    assert.deepEqual(a, { ok: true });
    assert.deepEqual(await replyP, [{ room: 'user:u-1' }]);
  }],
  ['duplicate subscription is harmless and answered again', async () => {
    const s = await user('sess-1');
    for (let i = 0; i < 2; i++) {
      const r = next(s, 'trades:subscribed');
      s.emit('subscribe:trades', { userId: 'u-1' });
      assert.deepEqual(await r, [{ room: 'user:u-1' }]);
    }
  }],
  ["another user's room is refused with SubscriptionError (event and ack)", async () => {
    const s = await user('sess-1');
    const errP = next(s, 'error');
    const a = await ack(s, 'subscribe:trades', { userId: 'u-2' });
    assert.equal(a.error.code, 'SubscriptionError');
    assert.equal(a.error.event, 'subscribe:trades');
    const [e] = await errP;
    assert.equal(e.code, 'SubscriptionError');
    // The fixture catalog words this code `Unauthorized`; evdoc's explanation moves to errors.
    assert.equal(e.message, 'Unauthorized');
    assert.equal(a.error.message, 'Unauthorized');
    assert.equal(e.errors.length, 1);
    assert.equal(e.errors[0].path, '');
    assert.match(e.errors[0].message, /u-2/);
  }],
  ['schema violation is a PayloadError naming the field', async () => {
    const s = await user('sess-1');
    const errP = next(s, 'error');
    const a = await ack(s, 'subscribe:trades', { userId: 42 });
    const [e] = await errP;
    assert.equal(e.code, 'PayloadError');
    assert.equal(e.event, 'subscribe:trades');
    assert.equal(e.errors[0].path, '/userId');
    assert.deepEqual(a, { error: e });
  }],
  ['a missing payload is validated as {} (required field reported)', async () => {
    const s = await user('sess-1');
    const errP = next(s, 'error');
    s.emit('subscribe:trades');
    const [e] = await errP;
    assert.equal(e.code, 'PayloadError');
    assert.match(e.errors[0].message, /userId/);
  }],
  ['unknown event is refused with UnknownEvent', async () => {
    const s = await user('sess-1');
    const errP = next(s, 'error');
    const a = await ack(s, 'made:up', { x: 1 });
    assert.equal(a.error.code, 'UnknownEvent');
    const [e] = await errP;
    assert.equal(e.code, 'UnknownEvent');
    assert.equal(e.event, 'made:up');
  }],
  ['a server→client event sent by a client is UnknownEvent', async () => {
    const s = await user('sess-1');
    const errP = next(s, 'error');
    s.emit('trade:update', { tradeId: 't', status: 'filled' });
    assert.equal((await errP)[0].code, 'UnknownEvent');
  }],
  ['admin-only event: refused without the role (AuthenticationError), accepted with it', async () => {
    const u = await user('sess-1');
    const errP = next(u, 'error');
    const a = await ack(u, 'execute:trade', { symbol: 'AAPL', quantity: 1 });
    assert.equal(a.error.code, 'AuthenticationError');
    assert.match((await errP)[0].message, /admin/);
    const admin = await user('sess-admin');
    assert.deepEqual(await ack(admin, 'execute:trade', { symbol: 'AAPL', quantity: 1 }), { ok: true });
  }],
  ['admin namespace: refused for a user, accepted for an admin; example reply', async () => {
    await assert.rejects(user('sess-1', '/admin'), (e) => e.message === 'AuthenticationError');
    const a = await user('sess-admin', '/admin');
    const r = next(a, 'admin:report');
    a.emit('admin:stats', {});
    assert.deepEqual(await r, [{ sockets: 3 }]);
  }],
  ['ping:echo is answered with pong:echo carrying the identical payload', async () => {
    const s = await user('sess-2');
    const payload = { seq: 7, sentAt: 1234.5 };
    const r = next(s, 'pong:echo');
    s.emit('ping:echo', payload);
    assert.deepEqual(await r, [payload]);
  }],
  ['multi-argument event: every argument is validated', async () => {
    const s = await user('sess-1');
    assert.deepEqual(await ack(s, 'chat:send', 'general', { text: 'hi' }), { ok: true });
    const bad = await ack(s, 'chat:send', 'general', { text: 5 });
    assert.equal(bad.error.code, 'PayloadError');
    assert.equal(bad.error.errors[0].path, '/1/text');
    const missing = await ack(s, 'chat:send', '');
    assert.equal(missing.error.code, 'PayloadError');
    assert.ok(missing.error.errors.some((e) => e.path === '/0'), JSON.stringify(missing.error.errors));
    assert.ok(missing.error.errors.some((e) => e.path === '/1'), JSON.stringify(missing.error.errors));
  }],
  ['JSON nested deeper than the limit is a PayloadError', async () => {
    const s = await user('sess-1');
    let deep = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const a = await ack(s, 'deep:thing', deep);
    assert.equal(a.error.code, 'PayloadError');
    assert.match(a.error.message, /nested/);
    let ok = {};
    for (let i = 0; i < 10; i++) ok = { d: ok };
    assert.deepEqual(await ack(s, 'deep:thing', ok), { ok: true });
  }],
  ['publish fans out only to the right room', async () => {
    const [u1, u2] = await Promise.all([user('sess-1'), user('sess-2')]);
    await ack(u1, 'subscribe:trades', { userId: 'u-1' });
    await ack(u2, 'subscribe:trades', { userId: 'u-2' });
    const got1 = next(u1, 'trade:update');
    const none2 = silent(u2, 'trade:update', 500);
    const r = await publish({ event: 'trade:update', room: 'user:u-1', payload: { tradeId: 't-1', status: 'filled' } });
    assert.equal(r.status, 202);
    assert.deepEqual(r.body, { accepted: true });
    assert.deepEqual(await got1, [{ tradeId: 't-1', status: 'filled' }]);
    assert.ok(await none2, 'u-2 must not receive u-1\'s trade');
  }],
  ['publish without a room reaches the whole namespace', async () => {
    const [u1, u2] = await Promise.all([user('sess-1'), user('sess-2')]);
    const a = next(u1, 'signal:new');
    const b = next(u2, 'signal:new');
    const r = await publish({ event: 'signal:new', payload: { symbol: 'MSFT' } });
    assert.equal(r.status, 202);
    assert.deepEqual(await a, [{ symbol: 'MSFT' }]);
    assert.deepEqual(await b, [{ symbol: 'MSFT' }]);
  }],
  ['unsubscribe leaves the room: no more deliveries', async () => {
    const s = await user('sess-1');
    await ack(s, 'subscribe:trades', { userId: 'u-1' });
    const left = next(s, 'trades:unsubscribed');
    await ack(s, 'unsubscribe:trades', { userId: 'u-1' });
    assert.deepEqual(await left, [{ room: 'user:u-1' }]);
    const none = silent(s, 'trade:update', 400);
    await publish({ event: 'trade:update', room: 'user:u-1', payload: { tradeId: 't-2', status: 'pending' } });
    assert.ok(await none);
  }],
  ['publish: 401 without token, 404 unknown, 400 client event, 422 invalid (nothing emitted)', async () => {
    const s = await user('sess-1');
    await ack(s, 'subscribe:trades', { userId: 'u-1' });
    const none = silent(s, 'trade:update', 500);
    const good = { event: 'trade:update', room: 'user:u-1', payload: { tradeId: 't', status: 'filled' } };
    assert.equal((await publish(good, null)).status, 401);
    assert.equal((await publish(good, 'wrong')).status, 401);
    const unknown = await publish({ event: 'nope:nope', payload: {} });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'UnknownEvent');
    assert.equal((await publish({ event: 'subscribe:trades', payload: { userId: 'u-1' } })).status, 400);
    const invalid = await publish({ ...good, payload: { tradeId: 't', status: 'exploded' } });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.code, 'PayloadError');
    assert.equal(invalid.body.errors[0].path, '/status');
    const wrongRoom = await publish({ ...good, room: 'signals' });
    assert.equal(wrongRoom.status, 422);
    assert.equal(wrongRoom.body.errors[0].path, '/room');
    assert.ok(await none, 'no refused publish may reach the client');
  }],
  ['a flood from one socket is RateLimited while another client keeps being served', async () => {
    const [flooder, other] = await Promise.all([user('sess-1'), user('sess-2')]);
    const limited = new Promise((resolve) => flooder.on('error', (e) => { if (e.code === 'RateLimited') resolve(e); }));
    for (let i = 0; i < 1000; i++) flooder.emit('ping:echo', { seq: i, sentAt: 0 });
    const e = await Promise.race([limited, new Promise((_, rej) => setTimeout(() => rej(new Error('no RateLimited')), 5000))]);
    assert.equal(e.event, 'ping:echo');
    for (let i = 0; i < 5; i++) {
      const r = next(other, 'pong:echo');
      other.emit('ping:echo', { seq: i, sentAt: 1 });
      assert.deepEqual(await r, [{ seq: i, sentAt: 1 }]);
    }
  }],
  ['an oversized message cuts off that connection only', async () => {
    const [big, other] = await Promise.all([user('sess-1'), user('sess-2')]);
    const gone = next(big, 'disconnect', 5000);
    big.emit('deep:thing', { blob: 'x'.repeat(50000) });
    await gone;
    const r = next(other, 'pong:echo');
    other.emit('ping:echo', { seq: 1, sentAt: 1 });
    assert.deepEqual(await r, [{ seq: 1, sentAt: 1 }]);
  }],
  ['metrics count connections, events, rejections and validation latency', async () => {
    const text = await (await fetch(require('./lib').URL_BASE + '/metrics')).text();
    assert.match(text, /evdoc_connects_total\{namespace="\/"\} [1-9]/);
    assert.match(text, /evdoc_events_total\{event="ping:echo",direction="c2s",outcome="accepted"\} [1-9]/);
    assert.match(text, /evdoc_rejections_total\{code="SubscriptionError"\} [1-9]/);
    assert.match(text, /evdoc_rejections_total\{code="RateLimited"\} [1-9]/);
    assert.match(text, /evdoc_validation_seconds_count [1-9]/);
    assert.match(text, /evdoc_room_members\{room="user:\{userId\}"\} \d/);
    // Disconnect reasons carry socket.io's names, as the catalog's alerts expect.
    assert.match(text, /evdoc_disconnects_total\{[^}]*reason="(transport close|transport error|parse error|client namespace disconnect)"[^}]*\} [1-9]/);
    assert.doesNotMatch(text, /reason="[A-Z]/);
    assert.equal(await (await fetch(require('./lib').URL_BASE + '/healthz')).text(), 'ok\n');
  }],
];

run(scenarios);
