'use strict';
// Two `evdoc serve --redis` nodes sharing one Redis: publishes, rooms, joins and leaves across
// nodes, with the official socket.io-client connected to each node.
// Usage: node cluster.js --url http://NODE_A --url-b http://NODE_B --transport T --token TOKEN
// Both nodes run tests/fixtures/serve/catalog.yaml + sessions.json.
const { io, assert, arg, next, silent, run, TRANSPORT, TOKEN } = require('./lib');

const A = arg('url');
const B = arg('url-b');
const open = [];

function connectTo(base, sid, ns = '/') {
  return new Promise((resolve, reject) => {
    const s = io(base + ns, { transports: [TRANSPORT], reconnection: false, forceNew: true, auth: { sessionId: sid } });
    open.push(s);
    const t = setTimeout(() => reject(new Error(`connect to ${base} timed out`)), 6000);
    s.once('connect', () => { clearTimeout(t); resolve(s); });
    s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
  });
}

async function publishTo(base, body) {
  const r = await fetch(base + '/v1/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

async function subscribe(s, event, payload, reply) {
  const r = next(s, reply);
  s.emit(event, payload);
  return (await r)[0];
}

const trade = (room, tradeId) => ({ event: 'trade:update', room, payload: { tradeId, status: 'filled' } });

const scenarios = [
  ['both nodes report the Redis adapter in /healthz and /metrics', async () => {
    for (const base of [A, B]) {
      assert.equal(await (await fetch(base + '/healthz')).text(), 'ok\nadapter: redis\nredis: up\n');
      const m = await (await fetch(base + '/metrics')).text();
      assert.match(m, /^evdoc_adapter_info\{adapter="redis"\} 1$/m);
      assert.match(m, /^evdoc_redis_up 1$/m);
    }
  }],
  ['a publish on node A reaches the room members on node B, and only the right room', async () => {
    const b1 = await connectTo(B, 'sess-1');
    const b2 = await connectTo(B, 'sess-2');
    const a1 = await connectTo(A, 'sess-1');
    assert.deepEqual(await subscribe(b1, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed'), { room: 'user:u-1' });
    assert.deepEqual(await subscribe(b2, 'subscribe:trades', { userId: 'u-2' }, 'trades:subscribed'), { room: 'user:u-2' });
    assert.deepEqual(await subscribe(a1, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed'), { room: 'user:u-1' });
    const onB1 = next(b1, 'trade:update');
    const onA1 = next(a1, 'trade:update');
    const quietB2 = silent(b2, 'trade:update', 600);
    const r = await publishTo(A, trade('user:u-1', 'x-1'));
    assert.equal(r.status, 202);
    assert.deepEqual(await onB1, [{ tradeId: 'x-1', status: 'filled' }]);
    assert.deepEqual(await onA1, [{ tradeId: 'x-1', status: 'filled' }]);
    assert.ok(await quietB2, "user u-2's socket on node B must not get u-1's trade");
  }],
  ['exactly one delivery per socket (no echo through Redis back to the publishing node)', async () => {
    const a1 = await connectTo(A, 'sess-1');
    const b1 = await connectTo(B, 'sess-1');
    await subscribe(a1, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed');
    await subscribe(b1, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed');
    const got = { a: 0, b: 0 };
    a1.on('trade:update', () => { got.a += 1; });
    b1.on('trade:update', () => { got.b += 1; });
    for (let i = 0; i < 5; i++) assert.equal((await publishTo(i % 2 ? B : A, trade('user:u-1', `n-${i}`))).status, 202);
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(got, { a: 5, b: 5 });
  }],
  ['subscribe:signals on B, publish signal:new on A; and the reverse direction', async () => {
    const b = await connectTo(B, 'sess-2');
    const a = await connectTo(A, 'sess-1');
    assert.deepEqual(await subscribe(b, 'subscribe:signals', {}, 'signals:subscribed'), { room: 'signals' });
    const got = next(b, 'signal:new');
    assert.equal((await publishTo(A, { event: 'signal:new', room: 'signals', payload: { symbol: 'AAPL' } })).status, 202);
    assert.deepEqual(await got, [{ symbol: 'AAPL' }]);
    await subscribe(a, 'subscribe:signals', {}, 'signals:subscribed');
    const gotA = next(a, 'signal:new');
    assert.equal((await publishTo(B, { event: 'signal:new', room: 'signals', payload: { symbol: 'MSFT' } })).status, 202);
    assert.deepEqual(await gotA, [{ symbol: 'MSFT' }]);
  }],
  ['a publish without a room reaches the namespace on every node', async () => {
    const a = await connectTo(A, 'sess-1');
    const b = await connectTo(B, 'sess-2');
    const ga = next(a, 'signal:new');
    const gb = next(b, 'signal:new');
    assert.equal((await publishTo(B, { event: 'signal:new', payload: { symbol: 'TSLA' } })).status, 202);
    assert.deepEqual(await ga, [{ symbol: 'TSLA' }]);
    assert.deepEqual(await gb, [{ symbol: 'TSLA' }]);
  }],
  ['a leave on B stops deliveries published on A; a join again restores them', async () => {
    const b = await connectTo(B, 'sess-1');
    await subscribe(b, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed');
    const first = next(b, 'trade:update');
    await publishTo(A, trade('user:u-1', 'before-leave'));
    assert.equal((await first)[0].tradeId, 'before-leave');
    assert.deepEqual(await subscribe(b, 'unsubscribe:trades', { userId: 'u-1' }, 'trades:unsubscribed'), { room: 'user:u-1' });
    const quiet = silent(b, 'trade:update', 600);
    await publishTo(A, trade('user:u-1', 'after-leave'));
    assert.ok(await quiet, 'left the room on B, yet got a publish from A');
    await subscribe(b, 'subscribe:trades', { userId: 'u-1' }, 'trades:subscribed');
    const again = next(b, 'trade:update');
    await publishTo(A, trade('user:u-1', 'rejoined'));
    assert.equal((await again)[0].tradeId, 'rejoined');
  }],
  ['namespaces stay apart across nodes: /admin members do not get / publishes', async () => {
    const adminB = await connectTo(B, 'sess-admin', '/admin');
    const quiet = silent(adminB, 'signal:new', 600);
    await publishTo(A, { event: 'signal:new', payload: { symbol: 'IBM' } });
    assert.ok(await quiet);
  }],
];

run(scenarios.map(([name, fn]) => [name, async () => {
  try { await fn(); } finally { while (open.length) open.pop().close(); }
}]));
