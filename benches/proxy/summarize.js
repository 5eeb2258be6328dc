#!/usr/bin/env node
'use strict';
// Turns one benches/proxy/run.sh result folder into the overhead tables.
// Usage: node summarize.js <results-dir> [scenario ...]     (default scenarios: echo fanout_light)
//
// Per scenario the folder holds <scenario>.direct.json / <scenario>.proxy.json (node-baseline's
// loadgen.js result line) and <scenario>.{direct,proxy}.probe.json (probe.js: utime/stime of the
// Node server and of the proxy over the load generator's own measured window).
//
// Messages, from the load generator's counts:
//   echo:   Node and proxy both handle sent + received (every ping:echo in, every pong:echo out).
//   fanout: Node handles published + delivered; the proxy relays delivered only (publishes go
//           to Node over HTTP, not through the proxy: 10/s against 20,000 deliveries/s).
// CPU µs per message = (utime + stime ticks over the window) / CLK_TCK / messages.
// Writes summary.json next to the inputs; prints markdown on stdout.
const fs = require('fs');
const path = require('path');

const [dir, ...names] = process.argv.slice(2);
if (!dir) { console.error('usage: node summarize.js <results-dir> [scenario ...]'); process.exit(2); }
const scenarios = names.length ? names : ['echo', 'fanout_light'];
const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')); } catch (_) { return null; } };
const fmt = (x, d = 1) => (x == null || !Number.isFinite(x) ? '–' : Number(x).toFixed(d));
const sum = (o) => Object.values(o || {}).reduce((a, b) => a + b, 0);

function latency(r) {
  if (!r) return null;
  return r.mode === 'fanout' ? r.delivery_latency_ms : r.rtt_ms;
}
function counts(r) {
  if (!r) return null;
  if (r.mode === 'echo') {
    const m = (r.sent || 0) + (r.received || 0);
    return { node: m, relayed: m, achieved: `${fmt(r.events_per_s, 0)} pong/s`, lost: r.lost };
  }
  if (r.mode === 'fanout') {
    return {
      node: (r.published || 0) + (r.delivered || 0),
      relayed: r.delivered || 0,
      achieved: `${fmt(r.delivered_per_s, 0)} deliv/s`,
      lost: r.lost,
    };
  }
  return null;
}
/** CPU of one probed process over the measured (last) window: seconds, µs/msg, user/sys split. */
function cpu(probe, name, msgs) {
  if (!probe || !probe.windows || !probe.windows.length) return null;
  const w = probe.windows[probe.windows.length - 1];
  const p = w.pids[name];
  if (!p || !p.start || !p.end) return null;
  const tck = probe.clk_tck || 100;
  const user = (p.end.utime - p.start.utime) / tck;
  const sys = (p.end.stime - p.start.stime) / tck;
  const wall = (w.t1_ms - w.t0_ms) / 1000;
  return {
    cpu_s: user + sys,
    user_s: user,
    sys_s: sys,
    window_s: wall,
    pct: ((user + sys) / wall) * 100,
    us_per_msg: msgs ? ((user + sys) * 1e6) / msgs : null,
    user_us_per_msg: msgs ? (user * 1e6) / msgs : null,
    sys_us_per_msg: msgs ? (sys * 1e6) / msgs : null,
  };
}

const summary = { dir, scenarios: {} };
const head = [];
const detail = [];
for (const s of scenarios) {
  const d = read(`${s}.direct.json`);
  const p = read(`${s}.proxy.json`);
  const dp = read(`${s}.direct.probe.json`);
  const pp = read(`${s}.proxy.probe.json`);
  const dc = counts(d);
  const pc = counts(p);
  const dl = latency(d);
  const pl = latency(p);
  const nodeDirect = cpu(dp, 'node', dc && dc.node);
  const nodeVia = cpu(pp, 'node', pc && pc.node);
  const proxy = cpu(pp, 'proxy', pc && pc.relayed);
  const added = (k) => (dl && pl && dl[k] != null && pl[k] != null ? pl[k] - dl[k] : null);
  const ratio = proxy && nodeDirect && nodeDirect.us_per_msg ? proxy.us_per_msg / nodeDirect.us_per_msg : null;
  summary.scenarios[s] = {
    direct: { latency_ms: dl, msgs: dc, node_cpu: nodeDirect, result: d && { lost: d.lost, errors: d.errors, aborted: d.aborted } },
    proxy: { latency_ms: pl, msgs: pc, node_cpu: nodeVia, proxy_cpu: proxy, result: p && { lost: p.lost, errors: p.errors, aborted: p.aborted } },
    added_ms: { p50: added('p50'), p95: added('p95'), p99: added('p99') },
    proxy_over_node_cpu: ratio,
  };
  const pair = (l) => (l && l.n ? `${fmt(l.p50, 2)} / ${fmt(l.p99, 2)}` : '–');
  head.push(`| ${s} | ${pair(dl)} | ${pair(pl)} | ${fmt(added('p50'), 2)} / ${fmt(added('p99'), 2)} `
    + `| ${fmt(nodeDirect && nodeDirect.us_per_msg)} | ${fmt(nodeVia && nodeVia.us_per_msg)} `
    + `| ${fmt(proxy && proxy.us_per_msg)} | ${fmt(ratio, 2)} |`);

  for (const [label, r, c, n, x] of [['direct', d, dc, nodeDirect, null], ['via proxy', p, pc, nodeVia, proxy]]) {
    if (!r) { detail.push(`| ${s} | ${label} | no result | | | | | | | | |`); continue; }
    const l = latency(r);
    const errs = sum(r.errors);
    const loss = `${c ? c.lost : '?'} lost, ${errs} err${r.aborted ? `, ABORTED ${r.aborted}` : ''}`;
    // loadgen's other_cpu_pct (machine busy minus its --server-pid and itself, clamped at 0)
    // also holds Node in the via-proxy run, where --server-pid is the proxy. A noise flag, not a
    // figure: softirq time can be in both a process's stime and /proc/stat's irq column.
    const other = r.other_cpu_pct != null ? Math.max(0, r.other_cpu_pct - (x && n ? n.pct : 0)) : null;
    const split = (q) => (q ? `${fmt(q.pct, 0)} (${fmt(q.user_us_per_msg)} + ${fmt(q.sys_us_per_msg)})` : '–');
    detail.push(`| ${s} | ${label} | ${r.clients_connected}/${r.clients_requested} | ${c ? c.achieved : '–'} | ${loss} `
      + `| ${l && l.n ? `${fmt(l.p50, 2)} / ${fmt(l.p95, 2)} / ${fmt(l.p99, 2)} / ${fmt(l.max, 0)}` : '–'} `
      + `| ${split(n)} | ${split(x)} | ${fmt(r.loadgen_cpu_pct, 0)} | ${fmt(other, 0)} | ${fmt(r.machine_idle_pct, 0)} `
      + `| ${x ? fmt(r.rss_per_conn_kb, 1) : '–'} |`);
  }
}

const out = [];
out.push('| scenario | direct p50 / p99 ms | via proxy p50 / p99 ms | added p50 / p99 ms | Node CPU µs/msg (direct) | Node CPU µs/msg (via proxy) | proxy CPU µs/relayed msg | proxy / Node CPU |');
out.push('|---|---|---|---|---|---|---|---|');
out.push(...head);
out.push('');
out.push('| scenario | path | clients ok/req | achieved | loss | latency ms p50 / p95 / p99 / max | Node CPU % (user + kernel µs/msg) | proxy CPU % (user + kernel µs/msg) | loadgen CPU % | other processes CPU % | machine idle % (of 200) | proxy RSS KB/client |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
out.push(...detail);
out.push('');
out.push('Latency: echo = ping:echo → pong:echo round trip; fanout = publish POST → signal:new at the subscriber; '
  + 'both from node-baseline\'s loadgen.js. "added" = via proxy minus direct, percentile by percentile. '
  + 'CPU: utime + stime from /proc/<pid>/stat over the load generator\'s measured window (send + drain); '
  + 'µs/msg = CPU / (sent + received) for Node (fanout: published + delivered), / messages relayed for the proxy '
  + '(echo: sent + received; fanout: delivered). proxy / Node = proxy µs per relayed message over Node\'s µs per '
  + 'message in the direct run. CPU % is of one core (100 = one core busy). proxy RSS KB/client: the proxy\'s RSS growth while the clients connected, per client (it holds the client\'s and the upstream connection).');
const echo = summary.scenarios.echo;
if (echo && echo.added_ms.p99 != null) {
  out.push('');
  out.push(`Targets: added p99 at echo ${fmt(echo.added_ms.p99, 2)} ms (target < 1 ms: ${echo.added_ms.p99 < 1 ? 'met' : 'NOT met'}); `
    + scenarios.filter((s) => summary.scenarios[s].proxy_over_node_cpu != null)
      .map((s) => `proxy / Node CPU at ${s} ${fmt(summary.scenarios[s].proxy_over_node_cpu, 2)} (target < 1: ${summary.scenarios[s].proxy_over_node_cpu < 1 ? 'met' : 'NOT met'})`).join('; ')
    + '.');
}
console.log(out.join('\n'));
fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
