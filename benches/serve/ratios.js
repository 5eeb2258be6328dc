#!/usr/bin/env node
'use strict';
// The targets of `evdoc serve` as ratios evdoc / Node over two node-baseline result folders.
// Usage: node ratios.js <node-results-dir> <evdoc-results-dir>
const fs = require('fs');
const path = require('path');

const [nodeDir, evdocDir] = process.argv.slice(2);
const load = (dir, name) => {
  try { return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')); } catch (_) { return null; }
};
const f = (x, d = 2) => (x == null || !Number.isFinite(x) ? '-' : Number(x).toFixed(d));
const rows = [];
const ratio = (what, name, get, target, unit) => {
  const n = load(nodeDir, name);
  const e = load(evdocDir, name);
  const nv = n && get(n);
  const ev = e && get(e);
  const r = nv && ev != null ? ev / nv : null;
  const verdict = r == null ? 'n/a' : r <= target ? 'met' : 'NOT met';
  rows.push(`| ${what} | ${name} | ${f(nv, 1)} ${unit} | ${f(ev, 1)} ${unit} | ${f(r)} | ≤ ${f(target)} | ${verdict} |`);
};
const lost = (r) => {
  if (!r) return null;
  if (r.mode === 'echo') return r.lost;
  if (r.mode === 'invalid') return r.lost_valid + r.lost_rejections;
  if (r.mode === 'fanout') return r.lost;
  if (r.mode === 'idle') return r.connect_failed;
  return null;
};
ratio('server CPU per message', 'echo', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('server CPU per message (50% invalid)', 'invalid', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('server CPU per delivery', 'fanout', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('server CPU per delivery (raw client)', 'fanout_raw', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('server CPU per delivery (sub-saturation)', 'fanout_light', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
// fanout_rs: the same fan-out driven by the Rust load generator (benches/serve/loadgen), which is
// not itself the bottleneck at 100k deliveries/s as loadgen.js is.
ratio('server CPU per delivery (Rust loadgen)', 'fanout_rs', (r) => r.server_cpu_us_per_msg, 1 / 3, 'µs');
ratio('RSS per connection', 'idle', (r) => r.rss_per_conn_kb, 1 / 2, 'KB');
ratio('echo RTT p99, 1,000 connections', 'echo', (r) => r.rtt_ms && r.rtt_ms.p99, 1 / 4, 'ms');
console.log('\n| target | scenario | Node | evdoc | evdoc / Node | target | |');
console.log('|---|---|---|---|---|---|---|');
console.log(rows.join('\n'));
const losses = ['echo', 'invalid', 'idle', 'fanout', 'fanout_raw', 'fanout_light', 'fanout_rs']
  .map((s) => [s, lost(load(evdocDir, s))])
  .filter(([, l]) => l != null);
console.log(`\nevdoc loss: ${losses.map(([s, l]) => `${s} ${l}`).join(', ') || 'n/a'}`);
