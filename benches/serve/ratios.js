#!/usr/bin/env node
'use strict';
// The targets of `evdoc serve` as ratios evdoc / Node over two node-baseline result folders;
// with a third folder (evdoc-floor's results, see loadgen/src/bin/floor.rs), also floor / Node,
// the least a server on evdoc's stack spends, and the user/kernel split of every CPU figure.
// Usage: node ratios.js <node-results-dir> <evdoc-results-dir> [<floor-results-dir>]
const fs = require('fs');
const path = require('path');

const [nodeDir, evdocDir, floorDir] = process.argv.slice(2);
const load = (dir, name) => {
  if (!dir) return null;
  try { return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')); } catch (_) { return null; }
};
const f = (x, d = 2) => (x == null || !Number.isFinite(x) ? '-' : Number(x).toFixed(d));
const rows = [];
const ratio = (what, name, get, target, unit) => {
  const [nv, ev, fv] = [nodeDir, evdocDir, floorDir].map((d) => { const r = load(d, name); return r && get(r); });
  const r = nv && ev != null ? ev / nv : null;
  const verdict = r == null ? 'n/a' : r <= target ? 'met' : 'NOT met';
  const floor = floorDir ? ` ${f(fv, 1)} ${unit} | ${f(nv && fv != null ? fv / nv : null)} |` : '';
  rows.push(`| ${what} | ${name} | ${f(nv, 1)} ${unit} | ${f(ev, 1)} ${unit} | ${f(r)} | ≤ ${f(target)} | ${verdict} |${floor}`);
};
const lost = (r) => {
  if (!r) return null;
  if (r.mode === 'echo') return r.lost;
  if (r.mode === 'invalid') return r.lost_valid + r.lost_rejections;
  if (r.mode === 'fanout') return r.lost;
  if (r.mode === 'idle') return r.connect_failed;
  return null;
};
const cpuRows = [
  ['server CPU per message', 'echo'],
  ['server CPU per message (50% invalid)', 'invalid'],
  ['server CPU per delivery', 'fanout'],
  ['server CPU per delivery (raw client)', 'fanout_raw'],
  ['server CPU per delivery (sub-saturation)', 'fanout_light'],
  // fanout_rs: the same fan-out driven by the Rust load generator (benches/serve/loadgen), which
  // is not itself the bottleneck at 100k deliveries/s as loadgen.js is.
  ['server CPU per delivery (Rust loadgen)', 'fanout_rs'],
];
for (const [what, name] of cpuRows) ratio(what, name, (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('RSS per connection', 'idle', (r) => r.rss_per_conn_kb, 1 / 2, 'KB');
ratio('echo RTT p99, 1,000 connections', 'echo', (r) => r.rtt_ms && r.rtt_ms.p99, 1 / 4, 'ms');
const floorHead = floorDir ? [' floor |', ' floor / Node |'] : ['', ''];
console.log(`\n| target | scenario | Node | evdoc | evdoc / Node | target | |${floorHead.join('')}`);
console.log(`|---|---|---|---|---|---|---|${floorDir ? '---|---|' : ''}`);
console.log(rows.join('\n'));

// User (the server's own work) and kernel (socket I/O, epoll, loopback TCP) µs per unit, from
// the server's utime/stime over the same window as the total.
const split = (r) => {
  if (!r || r.server_cpu_us_per_msg == null || !(r.server_user_pct + r.server_sys_pct > 0)) return [null, null];
  const us = r.server_cpu_us_per_msg;
  const u = r.server_user_pct / (r.server_user_pct + r.server_sys_pct);
  return [us * u, us * (1 - u)];
};
const servers = [['Node', nodeDir], ['evdoc', evdocDir], ...(floorDir ? [['floor', floorDir]] : [])];
console.log(`\n| scenario | ${servers.map(([n]) => `${n} user µs | ${n} kernel µs`).join(' | ')} | evdoc/Node user | evdoc/Node kernel |${floorDir ? ' floor/Node user | floor/Node kernel |' : ''}`);
console.log(`|---|${servers.map(() => '---|---|').join('')}---|---|${floorDir ? '---|---|' : ''}`);
const q = (a, b) => f(a != null && b ? a / b : null);
for (const [, name] of cpuRows) {
  const splits = servers.map(([, d]) => split(load(d, name)));
  const [n, ...others] = splits; // Node, then evdoc (and the floor)
  if (n[0] == null && others[0][0] == null) continue;
  const cells = splits.map(([u, k]) => `${f(u, 1)} | ${f(k, 1)}`);
  const vsNode = others.map(([u, k]) => `${q(u, n[0])} | ${q(k, n[1])}`);
  console.log(`| ${name} | ${cells.join(' | ')} | ${vsNode.join(' | ')} |`);
}

const losses = ['echo', 'invalid', 'idle', 'fanout', 'fanout_raw', 'fanout_light', 'fanout_rs']
  .map((s) => [s, lost(load(evdocDir, s))])
  .filter(([, l]) => l != null);
console.log(`\nevdoc loss: ${losses.map(([s, l]) => `${s} ${l}`).join(', ') || 'n/a'}`);
