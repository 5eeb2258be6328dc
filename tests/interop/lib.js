'use strict';
// Helpers shared by the interop scripts: promise wrappers around the official socket.io-client.
const { io } = require('socket.io-client');
const assert = require('node:assert/strict');

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

const URL_BASE = arg('url');
const TRANSPORT = arg('transport', 'websocket');
const TOKEN = arg('token', 'tok');
const open = new Set();

// Connect and resolve with the socket, or reject with the connect_error message.
function connect(ns = '/', opts = {}) {
  return new Promise((resolve, reject) => {
    const s = io(URL_BASE + ns, {
      transports: [TRANSPORT],
      reconnection: false,
      forceNew: true,
      timeout: 5000,
      ...opts,
    });
    open.add(s);
    const t = setTimeout(() => reject(new Error('connect timeout')), 6000);
    s.once('connect', () => { clearTimeout(t); resolve(s); });
    s.once('connect_error', (e) => { clearTimeout(t); s.close(); reject(e); });
  });
}

// The arguments of the next `event` on `s`.
function next(s, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { s.off(event, h); reject(new Error(`no ${event} within ${ms} ms`)); }, ms);
    const h = (...a) => { clearTimeout(t); resolve(a); };
    s.once(event, h);
  });
}

// Resolve true when `event` does NOT arrive within `ms`.
function silent(s, event, ms = 400) {
  return new Promise((resolve) => {
    const h = () => { clearTimeout(t); resolve(false); };
    const t = setTimeout(() => { s.off(event, h); resolve(true); }, ms);
    s.once(event, h);
  });
}

// Emit with an ack callback and resolve with the ack's first argument.
function ack(s, event, ...args) {
  return s.timeout(3000).emitWithAck(event, ...args);
}

async function publish(body, token = TOKEN) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(URL_BASE + '/v1/publish', { method: 'POST', headers, body: JSON.stringify(body) });
  let json = null;
  try { json = await r.json(); } catch (_) { /* not JSON */ }
  return { status: r.status, body: json };
}

// Run named scenarios in order; print TAP-like lines; exit 1 if any failed.
async function run(scenarios) {
  const only = arg('only');
  let failed = 0;
  let n = 0;
  for (const [name, fn] of scenarios) {
    if (only && !name.includes(only)) continue;
    n += 1;
    try {
      await fn();
      console.log(`ok ${n} - [${TRANSPORT}] ${name}`);
    } catch (e) {
      failed += 1;
      console.log(`not ok ${n} - [${TRANSPORT}] ${name}\n  ${(e && e.stack || String(e)).split('\n').join('\n  ')}`);
    } finally {
      for (const s of open) s.close();
      open.clear();
    }
  }
  console.log(`${n - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

module.exports = { io, assert, arg, connect, next, silent, ack, publish, run, URL_BASE, TRANSPORT, TOKEN };
