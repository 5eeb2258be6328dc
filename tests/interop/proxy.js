'use strict';
// The official socket.io-client through `evdoc proxy` to the bundled example app (run by
// tests/proxy_upstream.rs): over websocket and polling, a login with `auth` and one with the
// app's session cookie, a subscription and its reply, a refusal passed on verbatim.
// Usage: node proxy.js PROXY_URL SESSION_ID USER_ID COOKIE
const { io } = require('socket.io-client');

const [url, sessionId, userId, cookie] = process.argv.slice(2);
const deadline = setTimeout(() => fail('timed out'), 15000);

function fail(message) {
  console.error(`proxy: FAIL ${message}`);
  process.exit(1);
}

function once(socket, event) {
  return new Promise((resolve) => socket.once(event, resolve));
}

async function transport(transports) {
  const opts = { transports, reconnection: false, forceNew: true };
  const anonymous = io(url, opts);
  const refused = await once(anonymous, 'connect_error');
  anonymous.close();
  if (refused.message !== 'AuthenticationError') fail(`${transports}: refusal ${refused.message}`);
  if (!refused.data || refused.data.code !== 'AuthenticationError') {
    fail(`${transports}: refusal data ${JSON.stringify(refused.data)}`);
  }

  const alice = io(url, { ...opts, auth: { sessionId } });
  await Promise.race([once(alice, 'connect'), once(alice, 'connect_error').then((e) => fail(`${transports}: ${e.message}`))]);
  alice.emit('subscribe:trades', { userId });
  const reply = await once(alice, 'trades:subscribed');
  if (reply.room !== `user:${userId}`) fail(`${transports}: trades:subscribed ${JSON.stringify(reply)}`);
  alice.close();

  const byCookie = io(url, { ...opts, extraHeaders: { cookie } });
  await Promise.race([once(byCookie, 'connect'), once(byCookie, 'connect_error').then((e) => fail(`${transports} cookie: ${e.message}`))]);
  byCookie.close();
  console.log(`proxy: ok ${transports.join('+')}`);
}

(async () => {
  await transport(['websocket']);
  await transport(['polling']);
  await transport(['polling', 'websocket']);
  clearTimeout(deadline);
  console.log('proxy: all checks passed');
  process.exit(0);
})().catch((e) => fail(e.stack || String(e)));
