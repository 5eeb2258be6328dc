'use strict';
// The trading dashboard backend: Express (login API + the dashboard's static files) and a
// Socket.IO 4 server on the same HTTP server. `npm start` runs it on PORT (default 3000).
const path = require('path');
const http = require('http');
const express = require('express');
const session = require('express-session');
const { Server } = require('socket.io');

const { createStore } = require('./store');
const { authenticate } = require('./middleware/auth');
const { rateLimit } = require('./middleware/rateLimit');
const { log, logPackets } = require('./middleware/logging');
const { knownEvents } = require('./validation');
const { sendError } = require('./errors');
const { createBroker } = require('./services/broker');
const { createNotifier } = require('./services/notifier');
const { createPortfolioService } = require('./services/portfolioService');
const { createTradeExecutor } = require('./services/tradeExecutor');
const { createSignalParser } = require('./services/signalParser');
const { createSimulator } = require('./services/simulator');
const { registerTradeHandlers } = require('./handlers/trades');
const { registerSignalHandlers } = require('./handlers/signals');
const { registerPortfolioHandlers } = require('./handlers/portfolio');
const { registerNotificationHandlers } = require('./handlers/notifications');
const { registerAdminNamespace } = require('./handlers/admin');

/**
 * Builds and starts the server. Resolves `{ port, services, close }` once it listens.
 * Options: `port`, `host`, `simulator` (false to disable demo activity), `fillDelayMs`.
 */
// Client→server events of the `/` namespace; anything else is answered with UnknownEvent.
const dashboardEvents = new Set([...knownEvents].filter((event) => !event.startsWith('admin:')));

function start({ port = 3000, host, simulator = true, fillDelayMs } = {}) {
  const app = express();
  const httpServer = http.createServer(app);
  const store = createStore();

  const sessionStore = new session.MemoryStore();
  const sessionMiddleware = session({
    secret: process.env.SESSION_SECRET || 'dev-only-secret-change-me',
    name: 'connect.sid',
    store: sessionStore,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
  });

  app.use(express.json({ limit: '10kb' }));
  app.use(sessionMiddleware);
  app.use(express.static(path.join(__dirname, '..', 'dashboard')));

  // Demo sign-in: every demo user's password is "demo" (see store.js).
  app.post('/api/login', (req, res) => {
    const { username, password } = req.body || {};
    const user = store.findUserByUsername(username);
    if (!user || password !== user.password) return res.status(401).json({ error: 'Invalid credentials' });
    req.session.regenerate((err) => {
      if (err) return res.status(500).json({ error: 'Session error' });
      req.session.userId = user.userId;
      res.json({ userId: user.userId, name: user.name, role: user.role, sessionId: req.sessionID });
    });
  });

  app.get('/api/me', (req, res) => {
    const user = req.session.userId && store.findUser(req.session.userId);
    if (!user) return res.status(401).json({ error: 'Not signed in' });
    res.json({ userId: user.userId, name: user.name, role: user.role, sessionId: req.sessionID });
  });

  app.post('/api/logout', (req, res) => {
    req.session.destroy(() => res.status(204).end());
  });

  app.get('/healthz', (req, res) => res.json({ ok: true }));

  const io = new Server(httpServer, {
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    pingInterval: 25000,
    pingTimeout: 60000,
    maxHttpBufferSize: 1e6,
    serveClient: true, // the dashboard loads /socket.io/socket.io.js: no bundler needed
  });
  // Share the express-session with Socket.IO: the handshake request gets `req.session`.
  io.engine.use(sessionMiddleware);

  const broker = createBroker({ fillDelayMs });
  const notifier = createNotifier(io, store);
  const portfolioService = createPortfolioService(io, store, broker);
  const tradeExecutor = createTradeExecutor(io, { broker, portfolioService, notifier });
  const signalParser = createSignalParser(io);
  const services = { broker, notifier, portfolioService, tradeExecutor, signalParser, store, sessionStore };

  io.use(authenticate(sessionStore, store));

  io.on('connection', (socket) => {
    log({ msg: 'connected', socket: socket.id, user: socket.data.userId, transport: socket.conn.transport.name });
    socket.use(rateLimit(socket));
    socket.use(logPackets(socket));
    socket.onAny((event) => {
      if (!dashboardEvents.has(event)) sendError(socket, 'UnknownEvent', `Unknown event ${event}`, event);
    });

    registerTradeHandlers(io, socket, services);
    registerSignalHandlers(io, socket, services);
    registerPortfolioHandlers(io, socket, services);
    registerNotificationHandlers(io, socket, services);

    socket.on('disconnect', (reason) => {
      // Socket.IO removes the socket from its rooms; nothing else is kept per socket.
      log({ msg: 'disconnected', socket: socket.id, user: socket.data.userId, reason });
    });
  });

  const admin = registerAdminNamespace(io, services);
  const sim = createSimulator(services);
  if (simulator) sim.start();

  return new Promise((resolve) => {
    httpServer.listen(port, host, () => {
      const actual = httpServer.address().port;
      resolve({
        port: actual,
        io,
        services,
        close: () =>
          new Promise((done) => {
            sim.stop();
            admin.stop();
            io.close(() => done());
          }),
      });
    });
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT || 3000);
  start({ port, host: process.env.HOST, simulator: process.env.SIMULATOR !== 'off' }).then((server) => {
    log({ msg: `trading dashboard on http://localhost:${server.port}` });
  });
}

module.exports = { start };
