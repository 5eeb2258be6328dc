'use strict';
// Redis goes away under two `evdoc serve --redis` nodes, then comes back. The harness stops and
// restarts redis-server: this script prints `STOP_REDIS` / `START_REDIS` and waits for a line
// on stdin once it is done. Checks: while Redis is down each node keeps serving its own clients
// (connections, subscriptions, publishes to local room members), reports `redis: down`, and a
// node's publish does not leak to the other; once Redis is back both nodes report `redis: up`
// and publishes cross nodes again, with no reconnection of the clients.
// Usage: node outage.js --url http://NODE_A --url-b http://NODE_B --transport T --token TOKEN
const readline = require('node:readline');
const { io, assert, arg, next, silent, run, TRANSPORT, TOKEN } = require('./lib');

const A = arg('url');
const B = arg('url-b');
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function harness(what) {
  console.log(what);
  const { done } = await lines.next();
  assert.ok(!done, `harness closed stdin instead of answering ${what}`);
}

function connectTo(base, sid) {
  return new Promise((resolve, reject) => {
    const s = io(base, { transports: [TRANSPORT], reconnection: false, forceNew: true, auth: { sessionId: sid } });
    const t = setTimeout(() => reject(new Error(`connect to ${base} timed out`)), 6000);
    s.once('connect', () => { clearTimeout(t); resolve(s); });
    s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
  });
}

async function publishTo(base, tradeId) {
  const r = await fetch(base + '/v1/publish', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ event: 'trade:update', room: 'user:u-1', payload: { tradeId, status: 'filled' } }),
  });
  return r.status;
}

async function subscribed(s) {
  const r = next(s, 'trades:subscribed');
  s.emit('subscribe:trades', { userId: 'u-1' });
  await r;
  return s;
}

async function health(base, want, ms) {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    last = await (await fetch(base + '/healthz')).text();
    if (last.includes(`redis: ${want}`)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/healthz did not say redis: ${want} within ${ms} ms: ${JSON.stringify(last)}`);
}

const metric = async (base, name) => {
  const m = (await (await fetch(base + '/metrics')).text()).match(new RegExp(`^${name} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : NaN;
};

run([['Redis down: nodes serve their own clients; Redis back: the cluster is whole again', async () => {
  const a = await subscribed(await connectTo(A, 'sess-1'));
  const b = await subscribed(await connectTo(B, 'sess-1'));
  const both = [next(a, 'trade:update'), next(b, 'trade:update')];
  assert.equal(await publishTo(A, 'up-0'), 202);
  for (const p of both) assert.equal((await p)[0].tradeId, 'up-0');

  await harness('STOP_REDIS');
  await health(A, 'down', 10000);
  await health(B, 'down', 10000);
  assert.equal(await metric(A, 'evdoc_redis_up'), 0);
  // Local clients keep being served: the publish reaches A's member, not B's.
  const onA = next(a, 'trade:update');
  const quietB = silent(b, 'trade:update', 800);
  assert.equal(await publishTo(A, 'down-1'), 202);
  assert.equal((await onA)[0].tradeId, 'down-1');
  assert.ok(await quietB);
  assert.ok(await metric(A, 'evdoc_broadcast_local_fallbacks_total') >= 1);
  // New connections and subscriptions on a node still work.
  const late = await subscribed(await connectTo(B, 'sess-1'));
  const onLate = next(late, 'trade:update');
  assert.equal(await publishTo(B, 'down-2'), 202);
  assert.equal((await onLate)[0].tradeId, 'down-2');
  assert.ok(a.connected && b.connected, 'clients must stay connected while Redis is away');

  await harness('START_REDIS');
  await health(A, 'up', 15000);
  await health(B, 'up', 15000);
  assert.equal(await metric(B, 'evdoc_redis_up'), 1);
  // The same sockets, with no reconnection: the nodes resubscribed to their Redis channels.
  const back = [next(a, 'trade:update', 5000), next(b, 'trade:update', 5000), next(late, 'trade:update', 5000)];
  assert.equal(await publishTo(A, 'back-1'), 202);
  for (const p of back) assert.equal((await p)[0].tradeId, 'back-1');
  const fromB = next(a, 'trade:update', 5000);
  assert.equal(await publishTo(B, 'back-2'), 202);
  assert.equal((await fromB)[0].tradeId, 'back-2');
  for (const s of [a, b, late]) s.close();
}]]);
