'use strict';
// A dashboard-like client through `evdoc proxy` (run by tests/proxy_upstream.rs) that must come
// back by itself when the proxy or the upstream restarts. Reconnection is socket.io-client's;
// like a real dashboard it retries a refused handshake: `UpstreamUnavailable` after a moment,
// and an unknown session with the session id the test gives it on stdin (`session <id>`; the
// restarted example app has forgotten its sessions).
// Prints `connected N` each time it is connected and subscribed, `refused <message>` on a
// refusal. Usage: node proxy_reconnect.js PROXY_URL TRANSPORT SESSION_ID USER_ID
const readline = require('readline');
const { io } = require('socket.io-client');

const [url, transport, sessionId, userId] = process.argv.slice(2);
const transports = transport === 'polling' ? ['polling'] : ['websocket'];
const socket = io(url, {
  transports,
  auth: { sessionId },
  reconnectionDelay: 100,
  reconnectionDelayMax: 300,
  randomizationFactor: 0,
});
let connects = 0;
setTimeout(() => {
  console.log('timed out');
  process.exit(1);
}, 60000);

socket.on('connect', () => {
  socket.emit('subscribe:trades', { userId });
});
socket.on('trades:subscribed', () => {
  connects += 1;
  console.log(`connected ${connects}`);
});
socket.on('disconnect', (reason) => console.log(`disconnected ${reason}`));
socket.on('connect_error', (err) => {
  console.log(`refused ${err.message}`);
  if (err.message === 'UpstreamUnavailable') setTimeout(() => socket.connect(), 200);
});

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [word, value] = line.split(' ');
  if (word === 'session') {
    socket.auth = { sessionId: value };
    socket.connect();
  }
  if (word === 'quit') process.exit(0);
});
