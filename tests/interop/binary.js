'use strict';
// Binary payloads through `evdoc serve`: the official client sends Buffer, ArrayBuffer and
// Uint8Array values (attachments on the wire); the catalog declares them `format: binary` with
// `maxBytes` (tests/fixtures/serve/catalog.yaml: file:upload, blob:put).
// Usage: node binary.js --url http://127.0.0.1:PORT --transport websocket|polling
const { assert, connect, next, ack, publish, run } = require('./lib');

const user = () => connect('/', { auth: { sessionId: 'sess-1' } });

// The ack of a refused event: the error names the field and never Socket.IO's placeholder.
function refused(answer, path, words) {
  assert.ok(answer && answer.error, `expected an error ack, got ${JSON.stringify(answer)}`);
  assert.equal(answer.error.code, 'PayloadError');
  const text = JSON.stringify(answer.error);
  assert.ok(!text.includes('_placeholder'), `the placeholder leaked: ${text}`);
  const hit = answer.error.errors.find((e) => e.path === path);
  assert.ok(hit, `no error at ${path}: ${text}`);
  assert.ok(hit.message.includes(words), `${hit.message} does not say "${words}"`);
}

const bytes = [1, 2, 3, 250];
const kinds = [
  ['Buffer', () => Buffer.from(bytes)],
  ['ArrayBuffer', () => new Uint8Array(bytes).buffer],
  ['Uint8Array', () => new Uint8Array(bytes)],
];

const scenarios = [];
for (const [kind, make] of kinds) {
  scenarios.push([`a ${kind} field within maxBytes is accepted, and echoed back as bytes`, async () => {
    const s = await user();
    const stored = next(s, 'file:stored');
    assert.deepEqual(await ack(s, 'file:upload', { name: 'a.bin', data: make() }), { ok: true });
    const [echo] = await stored;
    assert.equal(echo.name, 'a.bin');
    assert.ok(Buffer.isBuffer(echo.data), `echoed data is ${typeof echo.data}: ${JSON.stringify(echo.data)}`);
    assert.deepEqual([...echo.data], bytes);
  }]);
  scenarios.push([`a ${kind} top-level argument within maxBytes is accepted`, async () => {
    const s = await user();
    assert.deepEqual(await ack(s, 'blob:put', make(), 'label'), { ok: true });
  }]);
}

scenarios.push(
  ['a binary field over maxBytes is refused at its path', async () => {
    const s = await user();
    refused(await ack(s, 'file:upload', { name: 'big', data: Buffer.alloc(17) }), '/data', 'binary data of 17 bytes is larger than maxBytes 16');
  }],
  ['a top-level binary argument over maxBytes is refused at its index', async () => {
    const s = await user();
    refused(await ack(s, 'blob:put', new Uint8Array(40), 'label'), '/0', 'larger than maxBytes 16');
  }],
  ['a string where binary is declared is refused, field and argument', async () => {
    const s = await user();
    refused(await ack(s, 'file:upload', { name: 'n', data: 'AQID' }), '/data', 'expected binary data');
    refused(await ack(s, 'blob:put', 'AQID', 'label'), '/0', 'got a string');
  }],
  ['bytes where a string is declared are named as binary data, not as a placeholder', async () => {
    const s = await user();
    refused(await ack(s, 'file:upload', { name: Buffer.from('abc'), data: Buffer.from('x') }), '/name', 'binary data (3 bytes) is not of type "string"');
  }],
  ['a placeholder written as plain JSON is an object, not binary', async () => {
    const s = await user();
    refused(await ack(s, 'file:upload', { name: 'n', data: { _placeholder: true, num: 0 } }), '/data', 'got an object');
  }],
  ['two attachments in one packet are each checked', async () => {
    const s = await user();
    const stored = next(s, 'file:stored');
    assert.deepEqual(await ack(s, 'file:upload', { name: 'n', data: Buffer.from([9]) }), { ok: true });
    await stored;
    refused(await ack(s, 'blob:put', Buffer.alloc(16), Buffer.alloc(2)), '/1', 'binary data (2 bytes) is not of type "string"');
  }],
);

scenarios.push(
  ['a publish carries {"$binary": base64} to clients as bytes', async () => {
    const s = await user();
    const got = next(s, 'file:stored');
    const r = await publish({ event: 'file:stored', payload: { name: 'p', data: { $binary: Buffer.from(bytes).toString('base64') } } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const [msg] = await got;
    assert.ok(Buffer.isBuffer(msg.data), `published data is ${JSON.stringify(msg.data)}`);
    assert.deepEqual([...msg.data], bytes);
  }],
  ['a publish with a string where binary is declared, or bad base64, is refused at its path', async () => {
    let r = await publish({ event: 'file:stored', payload: { name: 'p', data: 'AQID' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].path, '/data');
    assert.ok(r.body.errors[0].message.includes('expected binary data'), JSON.stringify(r.body));
    r = await publish({ event: 'file:stored', payload: { name: 'p', data: { $binary: '%%' } } });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].path, '/0/data');
  }],
);

run(scenarios);
