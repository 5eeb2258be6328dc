'use strict';
// Preloaded into node-baseline's loadgen.js (`node -r ./probe.js loadgen.js ...`) by run.sh, so
// that the load generator itself stays unmodified. Two jobs:
//
// 1. CPU of several processes over exactly the load generator's own measured windows.
//    loadgen.js opens a window with `process.cpuUsage()` and closes it with
//    `process.cpuUsage(start)` (its cpuWindow(): the connect phase, then the send/publish window
//    including the drain). At each of those calls this module reads utime and stime of every
//    process in PROBE_PIDS ("node=123,proxy=456") from /proc/<pid>/stat, and rewrites
//    PROBE_OUT (JSON) after every closed window:
//      {clk_tck, windows: [{t0_ms, t1_ms, pids: {node: {start: {utime, stime}, end: {...}}}}]}
//    The last window is the measured one (echo: send + drain; fanout: publish + drain).
//
// 2. PUBLISH_PORT: loadgen.js posts publishes (POST <publish path>) to the same host:port as its
//    Socket.IO connections. A proxy only relays Socket.IO, so with PUBLISH_PORT set every HTTP
//    request for PUBLISH_PATH (default /publish) goes to that port instead: publishes go straight
//    to the Node server while subscribers stay connected through the proxy.
const fs = require('fs');
const http = require('http');
const { performance } = require('perf_hooks');

const CLK_TCK = Number(process.env.CLK_TCK || 100);
const OUT = process.env.PROBE_OUT || '';
const PIDS = (process.env.PROBE_PIDS || '')
  .split(',')
  .filter(Boolean)
  .map((kv) => { const [name, pid] = kv.split('='); return { name, pid: Number(pid) }; });

function readStat(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm) ": state is index 0, utime index 11, stime index 12 (man 5 proc)
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { utime: Number(f[11]), stime: Number(f[12]) };
  } catch (e) {
    return null; // process gone: the summary reports the window as unmeasured
  }
}
const snapshot = () => Object.fromEntries(PIDS.map(({ name, pid }) => [name, readStat(pid)]));

if (OUT && PIDS.length) {
  const windows = [];
  let open = null;
  const original = process.cpuUsage.bind(process);
  process.cpuUsage = function probedCpuUsage(prev) {
    if (prev === undefined) {
      open = { t0_ms: performance.now(), start: snapshot() };
    } else if (open) {
      const end = snapshot();
      const pids = {};
      for (const { name, pid } of PIDS) pids[name] = { pid, start: open.start[name], end: end[name] };
      windows.push({ t0_ms: open.t0_ms, t1_ms: performance.now(), pids });
      open = null;
      fs.writeFileSync(OUT, JSON.stringify({ clk_tck: CLK_TCK, windows }) + '\n');
    }
    return original(prev);
  };
}

const PUBLISH_PORT = Number(process.env.PUBLISH_PORT || 0);
const PUBLISH_PATH = process.env.PUBLISH_PATH || '/publish';
if (PUBLISH_PORT) {
  const request = http.request;
  http.request = function redirectedRequest(opts, ...rest) {
    if (opts && typeof opts === 'object' && !(opts instanceof URL) && opts.path === PUBLISH_PATH) {
      opts = Object.assign({}, opts, { port: PUBLISH_PORT });
    }
    return request.call(this, opts, ...rest);
  };
}
