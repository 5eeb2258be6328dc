'use strict';
// Smoke test: starts the server on 127.0.0.1 (random port, no simulator), signs in, connects
// with socket.io-client and walks through the API: subscriptions and their replies, a refused
// subscription, a signal, a trade executed by the admin, the operator console. Exits 0 on
// success, 1 on the first failure or after 15 seconds.
const { io } = require('socket.io-client');
const { start } = require('../server');

process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'silent';
const deadline = setTimeout(() => fail('timed out'), 15000);

function fail(message) {
  console.error(`smoke: FAIL ${message}`);
  process.exit(1);
}

function ok(message) {
  console.log(`smoke: ok ${message}`);
}

async function login(base, username) {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  if (!res.ok) fail(`login ${username}: HTTP ${res.status}`);
  return res.json();
}

function next(socket, event) {
  return new Promise((resolve) => socket.once(event, resolve));
}

function connect(url, user) {
  return io(url, { auth: { sessionId: user.sessionId }, transports: ['websocket'], reconnection: false });
}

async function main() {
  const server = await start({ port: 0, host: '127.0.0.1', simulator: false, fillDelayMs: 20 });
  const base = `http://127.0.0.1:${server.port}`;

  const anonymous = io(base, { transports: ['websocket'], reconnection: false });
  const refused = await new Promise((resolve) => anonymous.on('connect_error', resolve));
  if (refused.message !== 'AuthenticationError') fail(`anonymous handshake: ${refused.message}`);
  anonymous.close();
  ok('handshake without a session is refused with AuthenticationError');

  const alice = await login(base, 'alice');
  const socket = connect(base, alice);
  await next(socket, 'connect');
  ok(`alice connected (${socket.id})`);

  socket.emit('subscribe:trades', { userId: alice.userId });
  const trades = await next(socket, 'trades:subscribed');
  if (trades.room !== `user:${alice.userId}`) fail(`trades:subscribed ${JSON.stringify(trades)}`);
  socket.emit('subscribe:signals', {});
  await next(socket, 'signals:subscribed');
  // The first valuation follows the confirmation immediately: listen for both before emitting.
  const subscribed = next(socket, 'portfolio:subscribed');
  const firstValuation = next(socket, 'portfolio:update');
  socket.emit('subscribe:portfolio', { userId: alice.userId });
  await subscribed;
  const portfolio = await firstValuation;
  if (portfolio.cash !== 50000) fail(`portfolio:update ${JSON.stringify(portfolio)}`);
  ok('subscribed to trades, signals and portfolio; got the first portfolio:update');

  socket.emit('subscribe:trades', { userId: 'u-1002' });
  const denied = await next(socket, 'error');
  if (denied.code !== 'SubscriptionError') fail(`foreign subscription: ${JSON.stringify(denied)}`);
  socket.emit('execute:trade', { symbol: 'AAPL', side: 'buy', quantity: 1 });
  const notAdmin = await next(socket, 'error');
  if (notAdmin.code !== 'AuthenticationError') fail(`execute:trade as user: ${JSON.stringify(notAdmin)}`);
  socket.emit('subscribe:portfolio', { userId: 42 });
  const invalid = await next(socket, 'error');
  if (invalid.code !== 'PayloadError' || invalid.errors[0].path !== '/userId') fail(`bad payload: ${JSON.stringify(invalid)}`);
  ok('foreign subscription, missing role and invalid payload are refused');

  server.services.signalParser.handleMessage({
    authorId: '880123456789012345',
    authorName: 'TheChartist',
    channelId: '1187334401234567890',
    content: 'BUY AAPL @ 189.10 SL 185 TP 198 (conf 0.86)',
  });
  const signal = await next(socket, 'signal:new');
  if (signal.symbol !== 'AAPL' || signal.confidence !== 0.86) fail(`signal:new ${JSON.stringify(signal)}`);
  ok('signal:new reached the signals room');

  const statuses = [];
  socket.on('trade:update', (t) => statuses.push(t.status));
  const noteReceived = next(socket, 'notification:new');
  await server.services.tradeExecutor.execute({ userId: alice.userId, symbol: 'MSFT', side: 'buy', quantity: 2 });
  const note = await noteReceived;
  if (statuses.join() !== 'pending,executed') fail(`trade:update statuses ${statuses}`);
  const acked = await new Promise((resolve) => socket.emit('notification:ack', { notificationId: note.notificationId }, resolve));
  if (!acked.ok) fail('notification:ack');
  ok('trade:update pending → executed, notification:new acknowledged');

  const adminUser = await login(base, 'admin');
  const adminMain = connect(base, adminUser);
  await next(adminMain, 'connect');
  adminMain.emit('execute:trade', { symbol: 'NVDA', side: 'buy', quantity: 1 });
  const executed = await next(adminMain, 'trade:executed');
  if (executed.status !== 'executed') fail(`trade:executed ${JSON.stringify(executed)}`);
  adminMain.emit('execute:trade', { symbol: 'BTC-USD', side: 'buy', quantity: 100 });
  const rejected = await next(adminMain, 'trade:error');
  if (rejected.reason !== 'InsufficientFunds') fail(`trade:error ${JSON.stringify(rejected)}`);
  ok('admin execute:trade → trade:executed, and trade:error when funds are short');

  const console_ = connect(`${base}/admin`, adminUser);
  await next(console_, 'connect');
  const stats = await console_.emitWithAck('admin:stats', {});
  if (stats.connections < 2) fail(`admin:stats ${JSON.stringify(stats)}`);
  const broadcast = await console_.emitWithAck('admin:broadcast', { title: 'Hello', message: 'Smoke test' });
  if (!broadcast.ok || broadcast.delivered !== 2) fail(`admin:broadcast ${JSON.stringify(broadcast)}`);
  const kicked = next(socket, 'disconnect');
  const kick = await console_.emitWithAck('admin:kick-user', { userId: alice.userId, reason: 'smoke test' });
  if (!kick.ok || kick.disconnected !== 1) fail(`admin:kick-user ${JSON.stringify(kick)}`);
  const reason = await kicked;
  ok(`operator console: stats, broadcast, kick (alice: ${reason})`);

  const userConsole = connect(`${base}/admin`, alice);
  const noRole = await new Promise((resolve) => userConsole.on('connect_error', resolve));
  if (noRole.message !== 'AuthenticationError') fail(`/admin as user: ${noRole.message}`);
  ok('/admin refuses a user without the admin role');

  for (const s of [socket, adminMain, console_, userConsole]) s.close();
  await server.close();
  clearTimeout(deadline);
  console.log('smoke: all checks passed');
}

main().catch((err) => fail(err.stack || String(err)));
