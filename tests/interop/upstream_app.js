'use strict';
// The bundled example app as an upstream for the proxy's tests (tests/proxy_upstream.rs):
// starts it on 127.0.0.1 (a free port, no simulator), signs alice in, prints one JSON line
// {port, sessionId, userId, cookie} and runs until its stdin closes (the test drops it).
const { start } = require('../../examples/trading-app/server');

process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';

async function main() {
  const server = await start({ port: 0, host: '127.0.0.1', simulator: false, fillDelayMs: 20 });
  const res = await fetch(`http://127.0.0.1:${server.port}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice', password: 'demo' }),
  });
  const alice = await res.json();
  const cookie = (res.headers.get('set-cookie') || '').split(';')[0];
  console.log(JSON.stringify({ port: server.port, sessionId: alice.sessionId, userId: alice.userId, cookie }));
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
