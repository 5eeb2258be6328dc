'use strict';
// Who may send which event, and join its room: for each `--events a,b,…` (c2s events), emit it
// with an ack as an anonymous client, as user u-1 (session sess-1) and as admin-1 (sess-admin),
// and print one JSON line {event: {anonymous, user, admin}} with `ok` or the refusal's code.
// serve_interop.rs compares these outcomes with what the rendered docs say.
const { connect, ack, arg } = require('./lib');

async function outcome(sessionId, event) {
  const s = await connect('/', sessionId ? { auth: { sessionId } } : {});
  try {
    const a = await ack(s, event, { id: 'x', userId: 'u-1' });
    return a && a.error ? a.error.code : 'ok';
  } finally {
    s.close();
  }
}

(async () => {
  const out = {};
  for (const event of arg('events').split(',')) {
    out[event] = {
      anonymous: await outcome(null, event),
      user: await outcome('sess-1', event),
      admin: await outcome('sess-admin', event),
    };
  }
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
