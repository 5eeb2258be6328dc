'use strict';
// `--forward` when the backend fails: down, slow, 5xx, 4xx, garbage, an answer that breaks the
// catalog. The backend is a real HTTP server started by tests/serve_interop.rs (see `Backend`
// there): it answers `execute:trade` by the payload's `symbol`, and `chat:send` with a bad ack.
// Usage: node forward.js --url http://127.0.0.1:PORT --mode up|down --transport websocket|polling
//   (up: the server runs with --forward-timeout 1s against that backend; down: nothing listens
//   at the forward URL)
const { assert, arg, connect, next, silent, ack, run, URL_BASE } = require('./lib');

const mode = arg('mode');
const admin = () => connect('/', { auth: { sessionId: 'sess-admin' } });
const trade = (symbol) => ({ symbol, quantity: 1 });

// Emit with an ack; resolve with the ack's error and the `error` event, which must agree.
async function failure(s, event, ...args) {
  const errP = next(s, 'error');
  const a = await ack(s, event, ...args);
  assert.ok(a && a.error, `expected {error} as the ack, got ${JSON.stringify(a)}`);
  const [e] = await errP;
  assert.deepEqual(a, { error: e }, 'the ack and the error event carry the same object');
  assert.equal(e.event, event);
  return e;
}

async function metric(code) {
  const text = await (await fetch(URL_BASE + '/metrics')).text();
  const m = text.match(new RegExp(`evdoc_rejections_total\\{code="${code}"\\} (\\d+)`));
  assert.ok(m, `no rejections series for ${code}`);
  return Number(m[1]);
}

const up = [
  ['a working backend still answers (ack and emit)', async () => {
    const s = await admin();
    const done = next(s, 'trade:executed');
    assert.deepEqual(await ack(s, 'execute:trade', trade('OK')), { tradeId: 't-1' });
    assert.deepEqual(await done, [{ tradeId: 't-1' }]);
  }],
  ['5xx is BackendUnavailable (event and ack)', async () => {
    const s = await admin();
    for (const sym of ['E500', 'E503']) {
      const e = await failure(s, 'execute:trade', trade(sym));
      assert.equal(e.code, 'BackendUnavailable');
      assert.match(e.message, /HTTP 50[03]/);
      assert.deepEqual(e.errors, []);
    }
  }],
  ['429 is BackendUnavailable too (try again later)', async () => {
    const s = await admin();
    assert.equal((await failure(s, 'execute:trade', trade('E429'))).code, 'BackendUnavailable');
  }],
  ['without an ack callback the client still gets the error event', async () => {
    const s = await admin();
    const errP = next(s, 'error');
    s.emit('execute:trade', trade('E500'));
    const [e] = await errP;
    assert.equal(e.code, 'BackendUnavailable');
    assert.equal(e.event, 'execute:trade');
  }],
  ['a slow backend times out with BackendUnavailable; its late answer is dropped; others are served meanwhile', async () => {
    const s = await admin();
    const other = await admin();
    const late = [];
    s.on('trade:executed', (t) => late.push(t));
    const t0 = Date.now();
    const slow = failure(s, 'execute:trade', trade('SLOW'));
    // While the slow one is pending, the server and the backend keep serving other events.
    const done = next(other, 'trade:executed');
    assert.deepEqual(await ack(other, 'execute:trade', trade('OK')), { tradeId: 't-1' });
    assert.deepEqual(await done, [{ tradeId: 't-1' }]);
    const e = await slow;
    const took = Date.now() - t0;
    assert.equal(e.code, 'BackendUnavailable');
    assert.match(e.message, /no answer within 1 s/);
    assert.ok(took >= 900, `the timeout is 1 s, the error came after ${took} ms`);
    // The backend answers after 2 s with an emit: it must never reach the client.
    assert.ok(await silent(s, 'trade:executed', 2000));
    assert.deepEqual(late, []);
  }],
  ['a 4xx is BackendRejected with the backend\'s message and errors', async () => {
    const s = await admin();
    const e = await failure(s, 'execute:trade', trade('E422'));
    assert.equal(e.code, 'BackendRejected');
    assert.equal(e.message, 'insufficient funds');
    assert.deepEqual(e.errors, [{ path: '/quantity', message: 'exceeds the balance' }]);
    const f = await failure(s, 'execute:trade', trade('E403'));
    assert.equal(f.code, 'BackendRejected');
    assert.match(f.message, /HTTP 403/);
    assert.deepEqual(f.errors, []);
  }],
  ['an answer that is not {emit, ack} is BackendContractError', async () => {
    const s = await admin();
    for (const [sym, why] of [['GARBAGE', /not JSON/], ['ARRAY', /not an object/], ['TYPO', /unknown field `emits`/], ['E302', /HTTP 302/]]) {
      const e = await failure(s, 'execute:trade', trade(sym));
      assert.equal(e.code, 'BackendContractError', sym);
      assert.match(e.message, why, sym);
    }
  }],
  ['a partly invalid emit list is refused whole: nothing is emitted, every fault is listed', async () => {
    const s = await admin();
    await ack(s, 'subscribe:trades', { userId: 'admin-1' });
    const got = [];
    s.on('trade:executed', (t) => got.push(['trade:executed', t]));
    s.on('trade:update', (t) => got.push(['trade:update', t]));
    const e = await failure(s, 'execute:trade', trade('MIXED'));
    assert.equal(e.code, 'BackendContractError');
    assert.match(e.message, /none of it was carried out/);
    assert.deepEqual(e.errors.map((x) => x.path), ['/emit/2/status', '/emit/3/event', '/emit/4/to', '/emit/5/room']);
    assert.match(e.errors[0].message, /trade:update/);
    assert.ok(await silent(s, 'trade:update', 300));
    assert.deepEqual(got, [], 'not even the valid emits went out');
  }],
  ['an ack that breaks the ack schema is BackendContractError at /ack', async () => {
    const s = await admin();
    const e = await failure(s, 'chat:send', 'general', { text: 'hi' });
    assert.equal(e.code, 'BackendContractError');
    assert.equal(e.errors[0].path, '/ack');
  }],
  ['metrics count the backend codes', async () => {
    assert.ok(await metric('BackendUnavailable') >= 5);
    assert.ok(await metric('BackendRejected') >= 2);
    assert.ok(await metric('BackendContractError') >= 6);
  }],
];

const down = [
  ['a backend that is down is BackendUnavailable (event and ack)', async () => {
    const s = await admin();
    const e = await failure(s, 'execute:trade', trade('OK'));
    assert.equal(e.code, 'BackendUnavailable');
    assert.match(e.message, /cannot connect/);
    assert.deepEqual(e.errors, []);
    // Valid events keep their replies (they come from the catalog, before forwarding).
    const r = next(s, 'pong:echo');
    const errP = next(s, 'error');
    s.emit('ping:echo', { seq: 7 });
    assert.deepEqual(await r, [{ seq: 7 }]);
    const [pe] = await errP;
    assert.equal(pe.code, 'BackendUnavailable');
    assert.equal(pe.event, 'ping:echo');
  }],
  ['refused events are still refused by the catalog first', async () => {
    const s = await admin();
    const e = await failure(s, 'execute:trade', { symbol: 'OK' });
    assert.equal(e.code, 'PayloadError');
    assert.ok(await metric('BackendUnavailable') >= 2);
  }],
];

run(mode === 'down' ? down : up);
