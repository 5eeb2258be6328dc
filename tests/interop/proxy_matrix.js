'use strict';
// The official socket.io-client through `evdoc proxy` (run by tests/proxy_interop.rs) to the
// example app with its test extras (tests/interop/upstream_app.js, EVDOC_TEST_EXTRAS=1), over
// websocket and over polling: cookie and `auth` logins, a subscription and a room push, acks
// both ways, a binary payload with a binary ack, then what breaks the catalog — a client's bad
// payload, a callback the catalog documents no ack for, the server's non-conforming payload and
// undocumented event, a client's bad ack — each checked as MODE says it must go.
// Usage: node proxy_matrix.js PROXY_URL enforce|observe SESSION_ID USER_ID COOKIE
const { io } = require('socket.io-client');

const [url, mode, sessionId, userId, cookie] = process.argv.slice(2);
const enforce = mode === 'enforce';
const deadline = setTimeout(() => fail('timed out'), 40000);
let step = '';

function fail(message) {
  console.error(`proxy_matrix: FAIL [${step}] ${message}`);
  process.exit(1);
}

function check(ok, what) {
  if (!ok) fail(what);
}

function once(socket, event) {
  return new Promise((resolve) => socket.once(event, resolve));
}

async function connected(socket) {
  await Promise.race([once(socket, 'connect'), once(socket, 'connect_error').then((e) => fail(`connect_error ${e.message}`))]);
}

/** The ack, or `'timeout'` when none came within `ms`. */
function ack(socket, ms, event, payload) {
  return socket.timeout(ms).emitWithAck(event, payload).catch(() => 'timeout');
}

async function transport(transports) {
  const t = transports.join('+');
  const opts = { transports, reconnection: false, forceNew: true };

  step = `${t} cookie login`;
  const s = io(url, { ...opts, extraHeaders: { cookie } });
  await connected(s);
  const seen = [];
  s.onAny((event, ...args) => seen.push([event, ...args]));

  step = `${t} subscription and room push`;
  s.emit('subscribe:trades', { userId });
  const sub = await once(s, 'trades:subscribed');
  check(sub.room === `user:${userId}`, `trades:subscribed ${JSON.stringify(sub)}`);
  s.emit('test:push', {});
  const pushed = await once(s, 'notification:new');
  check(pushed.userId === userId && pushed.title === 'Pushed', `notification:new ${JSON.stringify(pushed)}`);

  step = `${t} client ack`;
  const read = await ack(s, 3000, 'notification:ack', { notificationId: pushed.notificationId });
  check(read && read.ok === true, `notification:ack answered ${JSON.stringify(read)}`);

  step = `${t} server ack`;
  s.on('test:question', (q, cb) => cb({ answer: 'pong' }));
  s.emit('test:ask-client', {});
  const answered = await once(s, 'test:answered');
  check(answered.ok && answered.reply.answer === 'pong', `test:answered ${JSON.stringify(answered)}`);

  step = `${t} binary`;
  const bytes = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
  const echo = await ack(s, 3000, 'test:upload', { name: 'b.bin', data: bytes });
  check(echo !== 'timeout' && echo.size === bytes.length, `test:upload ack ${JSON.stringify(echo)}`);
  check(Buffer.isBuffer(echo.data) && Buffer.compare(echo.data, bytes) === 0, `bytes back ${JSON.stringify(echo.data)}`);

  step = `${t} bad client payload`;
  const errorsBefore = seen.filter(([e]) => e === 'error').length;
  const bad = await ack(s, 3000, 'notification:ack', {});
  if (enforce) {
    check(bad.error && bad.error.code === 'PayloadError' && !('ok' in bad), `refused with ${JSON.stringify(bad)}`);
    check(bad.error.errors.length > 0 && bad.error.event === 'notification:ack', `errors ${JSON.stringify(bad.error)}`);
    const told = seen.filter(([e]) => e === 'error').slice(errorsBefore);
    check(told.some(([, e]) => e.code === 'PayloadError' && e.event === 'notification:ack'), `error event ${JSON.stringify(told)}`);
  } else {
    check(bad.ok === false, `the app's own answer expected, got ${JSON.stringify(bad)}`);
  }

  step = `${t} undocumented callback`;
  const unasked = await ack(s, 1000, 'subscribe:signals', {});
  if (enforce) {
    check(unasked.error && unasked.error.code === 'PayloadError', `refused with ${JSON.stringify(unasked)}`);
  } else {
    check(unasked === 'timeout', `the app never answers it, got ${JSON.stringify(unasked)}`);
  }

  step = `${t} bad server packets`;
  const mark = seen.length;
  s.emit('test:bad-server', {});
  await once(s, 'test:done');
  const got = seen.slice(mark).map(([e]) => e).filter((e) => e !== 'error');
  if (enforce) {
    check(JSON.stringify(got) === '["test:done"]', `only test:done expected, got ${JSON.stringify(got)}`);
  } else {
    check(JSON.stringify(got) === '["notification:new","debug:internal","test:done"]', `all three expected, got ${JSON.stringify(got)}`);
  }

  step = `${t} bad client ack`;
  s.off('test:question');
  s.on('test:question', (q, cb) => cb({ answer: 42 }));
  s.emit('test:ask-client', {});
  const answered2 = await once(s, 'test:answered');
  if (enforce) {
    check(answered2.ok === false, `the server must not get the bad answer: ${JSON.stringify(answered2)}`);
  } else {
    check(answered2.ok && answered2.reply.answer === 42, `test:answered ${JSON.stringify(answered2)}`);
  }

  step = `${t} forwarded headers`;
  s.emit('test:headers', {});
  const headers = JSON.parse((await once(s, 'test:done')).step);
  check(/(^|, )127\.0\.0\.1$/.test(headers.xff || '') && headers.proto === 'http', `X-Forwarded-* ${JSON.stringify(headers)}`);

  step = `${t} another namespace`;
  const admin = io(`${url}/admin`, { ...opts, extraHeaders: { cookie } });
  const notAdmin = await once(admin, 'connect_error');
  check(notAdmin.message === 'AuthenticationError' && notAdmin.data && notAdmin.data.code, `/admin refusal ${JSON.stringify(notAdmin)}`);
  admin.close();

  step = `${t} server disconnect`;
  s.emit('test:kick', {});
  const reason = await once(s, 'disconnect');
  check(reason === 'io server disconnect', `disconnect reason ${reason}`);

  step = `${t} auth login`;
  const a = io(url, { ...opts, auth: { sessionId } });
  await connected(a);
  a.emit('subscribe:trades', { userId });
  const sub2 = await once(a, 'trades:subscribed');
  check(sub2.room === `user:${userId}`, `trades:subscribed ${JSON.stringify(sub2)}`);
  a.close();
  console.log(`proxy_matrix: ok ${t}`);
}

(async () => {
  await transport(['websocket']);
  await transport(['polling']);
  // A polling client's close is a request of its own: let it leave before the process does.
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearTimeout(deadline);
  console.log('proxy_matrix: all checks passed');
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
