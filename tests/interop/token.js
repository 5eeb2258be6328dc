'use strict';
// `auth.scheme: token`: HS256 JWTs in the handshake `auth.token`.
// Usage: node token.js --url http://127.0.0.1:PORT --secret S
const crypto = require('node:crypto');
const { assert, arg, connect, ack, run } = require('./lib');

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(claims, secret = arg('secret')) {
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const body = b64(claims);
  const sig = crypto.createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
const now = Math.floor(Date.now() / 1000);

run([
  ['a valid HS256 token is accepted and its sub/roles are the identity', async () => {
    const s = await connect('/', { auth: { token: jwt({ sub: 'u-1', roles: ['user'], exp: now + 60 }) } });
    assert.deepEqual(await ack(s, 'subscribe:trades', { userId: 'u-1' }), { ok: true });
    assert.equal((await ack(s, 'subscribe:trades', { userId: 'u-2' })).error.code, 'SubscriptionError');
  }],
  ['a wrong signature, an expired token and a missing token are refused', async () => {
    const refused = (e) => e.message === 'AuthenticationError';
    await assert.rejects(connect('/', { auth: { token: jwt({ sub: 'u-1' }, 'other-secret') } }), refused);
    await assert.rejects(connect('/', { auth: { token: jwt({ sub: 'u-1', exp: now - 10 }) } }), refused);
    await assert.rejects(connect('/', { auth: {} }), refused);
    await assert.rejects(connect('/', { auth: { token: 'not.a.jwt' } }), refused);
  }],
]);
