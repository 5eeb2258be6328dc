'use strict';
// A client connected through `evdoc proxy` whose upstream goes away (tests/proxy_upstream.rs
// stops the app after "connected"): the proxy must disconnect it, so that it reconnects, rather
// than leave it connected to nothing. Usage: node proxy_upstream_gone.js PROXY_URL SESSION_ID
const { io } = require('socket.io-client');

const [url, sessionId] = process.argv.slice(2);
setTimeout(() => {
  console.log('still connected after 10 s');
  process.exit(1);
}, 10000);
const socket = io(url, { auth: { sessionId }, transports: ['websocket'], reconnection: false });
socket.on('connect', () => console.log('connected'));
socket.on('connect_error', (e) => {
  console.log(`connect_error ${e.message}`);
  process.exit(1);
});
socket.on('disconnect', (reason) => {
  console.log(`disconnected: ${reason}`);
  process.exit(0);
});
