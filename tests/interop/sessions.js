'use strict';
// Sessions made by a real express-session + connect-redis app, read by `evdoc serve --sessions
// redis://… --session-secret …`. The app below logs users in the way an Express app does and
// hands out its Set-Cookie; socket.io-client then connects to evdoc serve with that cookie.
// Refusals: unsigned, forged, unknown, destroyed, expired (TTL and cookie.expires) sessions.
// Last, the session store goes away: the harness stops and restarts redis-server when this
// script prints `STOP_REDIS` / `START_REDIS`, and answers with a line on stdin.
// Usage: node sessions.js --url http://EVDOC --redis-url redis://127.0.0.1:P --secret S
//        --prefix app-sess: --transport websocket|polling
// evdoc serve runs tests/fixtures/serve/catalog.yaml (cookie connect.sid, field sessionId).
const readline = require('node:readline');
const express = require('express');
const session = require('express-session');
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');
const signature = require('cookie-signature');
const { io, assert, arg, next, run, TRANSPORT } = require('./lib');

const URL_BASE = arg('url');
const SECRET = arg('secret');
const PREFIX = arg('prefix', 'sess:');
const open = [];

function connect(ns, opts) {
  return new Promise((resolve, reject) => {
    const s = io(URL_BASE + ns, { transports: [TRANSPORT], reconnection: false, forceNew: true, ...opts });
    open.push(s);
    const t = setTimeout(() => reject(new Error('connect timeout')), 6000);
    s.once('connect', () => { clearTimeout(t); resolve(s); });
    s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
  });
}
const withCookie = (cookie, ns = '/') => connect(ns, { extraHeaders: { cookie: `theme=dark; ${cookie}` } });
const refused = (p) => assert.rejects(p, (e) => e.message === 'AuthenticationError');
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
async function harness(what) {
  console.log(what);
  const { done } = await lines.next();
  assert.ok(!done, `harness closed stdin instead of answering ${what}`);
}

async function main() {
  // Reconnects quickly after the store outage at the end.
  const redis = createClient({ url: arg('redis-url'), socket: { reconnectStrategy: () => 100 } });
  redis.on('error', () => {});
  await redis.connect();
  const app = express();
  app.use(session({
    store: new RedisStore({ client: redis, prefix: PREFIX }),
    secret: [SECRET],
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, maxAge: 60 * 60 * 1000 },
  }));
  app.get('/login', (req, res) => {
    req.session.userId = req.query.user;
    req.session.roles = String(req.query.roles || 'user').split(',');
    if (req.query.maxAge) req.session.cookie.maxAge = Number(req.query.maxAge);
    res.send('ok');
  });
  app.get('/visit', (req, res) => { req.session.visits = 1; res.send('ok'); });
  app.get('/logout', (req, res) => req.session.destroy(() => res.send('bye')));
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const appUrl = `http://127.0.0.1:${server.address().port}`;

  // The `connect.sid=…` pair of the app's Set-Cookie, as a browser would send it back.
  async function visit(path, cookie) {
    const r = await fetch(appUrl + path, { headers: cookie ? { cookie } : {} });
    assert.equal(r.status, 200);
    const set = r.headers.get('set-cookie');
    return set ? set.split(';')[0] : null;
  }
  const idOf = (cookie) => decodeURIComponent(cookie.split('=')[1]).slice(2).split('.')[0];

  await run([
    ['a session cookie from express-session + connect-redis is accepted; the user id maps to rooms', async () => {
      const cookie = await visit('/login?user=u-1');
      assert.match(cookie, /^connect\.sid=s%3A[^.]+\.[A-Za-z0-9%]+$/);
      const s = await withCookie(cookie);
      const ok = next(s, 'trades:subscribed');
      s.emit('subscribe:trades', { userId: 'u-1' });
      assert.deepEqual(await ok, [{ room: 'user:u-1' }]);
      const err = next(s, 'error');
      s.emit('subscribe:trades', { userId: 'u-2' });
      assert.equal((await err)[0].code, 'SubscriptionError');
    }],
    ['roles come from the session: /admin accepts an admin, refuses a user', async () => {
      await withCookie(await visit('/login?user=root&roles=user,admin'), '/admin');
      await refused(withCookie(await visit('/login?user=u-2&roles=user'), '/admin'));
    }],
    ['the signed value in the handshake auth field is accepted too', async () => {
      const cookie = await visit('/login?user=u-1');
      await connect('/', { auth: { sessionId: decodeURIComponent(cookie.split('=')[1]) } });
      await refused(connect('/', { auth: { sessionId: idOf(cookie) } }));
    }],
    ['unsigned cookies are refused (bare id, `s:` without signature)', async () => {
      const id = idOf(await visit('/login?user=u-1'));
      await refused(withCookie(`connect.sid=${id}`));
      await refused(withCookie(`connect.sid=s%3A${id}`));
    }],
    ['forged cookies are refused (wrong secret, signature moved to another session)', async () => {
      const id = idOf(await visit('/login?user=u-1'));
      const wrong = encodeURIComponent('s:' + signature.sign(id, 'not-the-secret'));
      await refused(withCookie(`connect.sid=${wrong}`));
      const admin = idOf(await visit('/login?user=root&roles=admin'));
      const sigOfUser = signature.sign(id, SECRET).split('.').pop();
      await refused(withCookie(`connect.sid=${encodeURIComponent(`s:${admin}.${sigOfUser}`)}`, '/admin'));
      // Control: the genuine signature of the admin session does pass.
      await withCookie(`connect.sid=${encodeURIComponent('s:' + signature.sign(admin, SECRET))}`, '/admin');
    }],
    ['a well-signed id without a stored session, and a destroyed session, are refused', async () => {
      await refused(withCookie(`connect.sid=${encodeURIComponent('s:' + signature.sign('no-such-session', SECRET))}`));
      const cookie = await visit('/login?user=u-1');
      await withCookie(cookie);
      await visit('/logout', cookie);
      await refused(withCookie(cookie));
    }],
    ['an expired session is refused (connect-redis TTL)', async () => {
      const cookie = await visit('/login?user=u-1&maxAge=1000');
      await withCookie(cookie);
      await new Promise((r) => setTimeout(r, 2100));
      await refused(withCookie(cookie));
    }],
    ['an expired session is refused (cookie.expires passed, key stored without TTL)', async () => {
      const put = async (id, expires) => {
        await redis.set(PREFIX + id, JSON.stringify({ cookie: { originalMaxAge: 1000, expires, httpOnly: true, path: '/' }, userId: 'u-1', roles: ['user'] }));
        return `connect.sid=${encodeURIComponent('s:' + signature.sign(id, SECRET))}`;
      };
      await refused(withCookie(await put('stale-no-ttl', new Date(Date.now() - 60000).toISOString())));
      await withCookie(await put('fresh-no-ttl', new Date(Date.now() + 60000).toISOString()));
    }],
    ['a session nobody logged into: anonymous (public namespace only)', async () => {
      const cookie = await visit('/visit');
      await refused(withCookie(cookie));
      await withCookie(cookie, '/public');
    }],
    ['the session store goes away: handshakes are refused, and accepted again once it is back', async () => {
      const signed = (id) => `connect.sid=${encodeURIComponent('s:' + signature.sign(id, SECRET))}`;
      const store = (id) => redis.set(PREFIX + id, JSON.stringify({ cookie: { path: '/' }, userId: 'u-1', roles: ['user'] }));
      await store('before-outage');
      await withCookie(signed('before-outage'));
      await harness('STOP_REDIS');
      await refused(withCookie(signed('before-outage')));
      await harness('START_REDIS');
      // redis-server restarted empty (no persistence): the app's client reconnects and stores
      // a session again; evdoc's store connection must have come back on its own.
      const end = Date.now() + 10000;
      for (;;) {
        try { await store('after-outage'); break; } catch (e) { if (Date.now() > end) throw e; }
        await new Promise((r) => setTimeout(r, 100));
      }
      let last;
      while (Date.now() < end) {
        try { await withCookie(signed('after-outage')); return; } catch (e) { last = e; }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw last;
    }],
  ].map(([name, fn]) => [name, async () => {
    try { await fn(); } finally { while (open.length) open.pop().close(); }
  }]));
}

main().catch((e) => { console.error(e); process.exit(1); });
