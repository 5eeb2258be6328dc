// The dashboard client: signs in, connects to the `/` namespace with the session id, subscribes
// to trades, signals and portfolio, and renders every server→client event of the API.
// `io` is the global defined by /socket.io/socket.io.js (served by the Socket.IO server).
/* global io */
import { startAdmin } from './admin.js';

const $ = (id) => document.getElementById(id);
const state = { user: null, socket: null, firstConnect: true };

function logLine(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('log').prepend(li);
  while ($('log').children.length > 50) $('log').lastChild.remove();
}

function setStatus(status) {
  $('status').textContent = status;
  $('status').className = `status ${status}`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// ---- rendering ------------------------------------------------------------------------------

function renderTrade(trade) {
  let row = document.querySelector(`tr[data-trade="${trade.tradeId}"]`);
  if (!row) {
    row = document.createElement('tr');
    row.dataset.trade = trade.tradeId;
    $('trades').prepend(row);
  }
  row.replaceChildren(
    cell(new Date(trade.timestamp).toLocaleTimeString()),
    cell(trade.tradeId),
    cell(trade.symbol),
    cell(trade.side),
    cell(String(trade.quantity)),
    cell(trade.status, trade.status),
    cell(trade.executedPrice === null ? '–' : trade.executedPrice.toFixed(2)),
  );
}

function renderSignal(signal) {
  const channel = $('channel').value.trim();
  if (channel && signal.channelId !== channel) return;
  const li = document.createElement('li');
  const levels = [signal.stopLoss !== null && `SL ${signal.stopLoss}`, signal.takeProfit !== null && `TP ${signal.takeProfit}`]
    .filter(Boolean)
    .join(' ');
  li.textContent = `${signal.action.toUpperCase()} ${signal.symbol} @ ${signal.entryPrice} ${levels} · ${Math.round(
    signal.confidence * 100,
  )}% · ${signal.providerName}`;
  $('signals').prepend(li);
}

function renderPortfolio(portfolio) {
  $('total').textContent = portfolio.totalValue.toFixed(2);
  $('cash').textContent = portfolio.cash.toFixed(2);
  $('positions').replaceChildren(
    ...portfolio.positions.map((p) => {
      const tr = document.createElement('tr');
      tr.append(cell(p.symbol), cell(String(p.quantity)), cell(p.avgPrice.toFixed(2)));
      return tr;
    }),
  );
}

function renderNotification(socket, notification) {
  const li = document.createElement('li');
  li.className = notification.type;
  li.textContent = `${notification.title}: ${notification.message} `;
  if (notification.actionUrl) {
    const a = document.createElement('a');
    a.href = notification.actionUrl;
    a.textContent = 'Open';
    li.append(a, ' ');
  }
  const read = document.createElement('button');
  read.textContent = 'Mark read';
  read.addEventListener('click', () => {
    socket.emit('notification:ack', { notificationId: notification.notificationId }, (res) => {
      if (res && res.ok) li.classList.add('read');
    });
  });
  li.append(read);
  $('notifications').prepend(li);
}

// ---- subscriptions --------------------------------------------------------------------------

function subscribeAll(socket) {
  const { userId } = state.user;
  if ($('sub-trades').checked) socket.emit('subscribe:trades', { userId });
  if ($('sub-portfolio').checked) socket.emit('subscribe:portfolio', { userId });
  if ($('sub-signals').checked) subscribeSignals(socket);
}

function subscribeSignals(socket) {
  const channelId = $('channel').value.trim();
  socket.emit('subscribe:signals', channelId ? { channelId } : {});
}

function bindToggles(socket) {
  const { userId } = state.user;
  $('sub-trades').addEventListener('change', (e) => {
    if (e.target.checked) socket.emit('subscribe:trades', { userId });
    else socket.emit('unsubscribe:trades', { userId });
  });
  $('sub-portfolio').addEventListener('change', (e) => {
    if (e.target.checked) socket.emit('subscribe:portfolio', { userId });
    else socket.emit('unsubscribe:portfolio', { userId });
  });
  $('sub-signals').addEventListener('change', (e) => {
    if (e.target.checked) subscribeSignals(socket);
    else socket.emit('unsubscribe:signals', {});
  });
  $('channel').addEventListener('change', () => {
    if ($('sub-signals').checked) subscribeSignals(socket);
  });
  $('ticket').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    socket.emit('execute:trade', {
      symbol: String(form.get('symbol')).toUpperCase(),
      side: form.get('side'),
      quantity: Number(form.get('quantity')),
    });
    $('ticket-result').textContent = 'sent…';
  });
}

// ---- connection -----------------------------------------------------------------------------

function connect(user) {
  const socket = io({
    auth: { sessionId: user.sessionId },
    transports: ['websocket', 'polling'],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    reconnectionAttempts: 5,
    withCredentials: true,
  });

  // Listeners are registered once, here, never inside `connect`: a listener added on every
  // (re)connection would fire once per reconnection (troubleshooting: duplicate-listeners).
  socket.on('connect', () => {
    setStatus('online');
    logLine(`connected as ${user.name} (${socket.id})`);
    if (state.firstConnect) {
      state.firstConnect = false;
      subscribeAll(socket);
    }
  });
  socket.on('connect_error', (err) => {
    setStatus('offline');
    logLine(`connect_error: ${err.message}`);
    if (err.message === 'AuthenticationError') showLogin('Your session expired, please sign in again.');
  });
  socket.on('disconnect', (reason) => {
    setStatus(socket.active ? 'reconnecting' : 'offline');
    logLine(`disconnected: ${reason}`);
  });
  socket.io.on('reconnect_attempt', (attempt) => logLine(`reconnecting, attempt ${attempt}`));
  socket.io.on('reconnect', (attempt) => {
    logLine(`reconnected after ${attempt} attempt(s)`);
    // Rooms do not survive a new connection: subscribe again. Duplicates are harmless.
    subscribeAll(socket);
  });

  socket.on('trades:subscribed', ({ room }) => logLine(`subscribed to ${room}`));
  socket.on('trades:unsubscribed', ({ room }) => logLine(`left ${room}`));
  socket.on('trade:update', renderTrade);
  socket.on('trade:executed', (trade) => {
    $('ticket-result').textContent = `filled at ${trade.executedPrice}`;
    renderTrade(trade);
  });
  socket.on('trade:error', (failure) => {
    $('ticket-result').textContent = `${failure.reason}: ${failure.message}`;
  });

  socket.on('signals:subscribed', ({ room, channelId }) => logLine(`subscribed to ${room} (${channelId || 'all channels'})`));
  socket.on('signals:unsubscribed', ({ room }) => logLine(`left ${room}`));
  socket.on('signal:new', renderSignal);

  socket.on('portfolio:subscribed', ({ room }) => logLine(`subscribed to ${room}`));
  socket.on('portfolio:unsubscribed', ({ room }) => logLine(`left ${room}`));
  socket.on('portfolio:update', renderPortfolio);

  socket.on('notification:new', (notification) => renderNotification(socket, notification));

  socket.on('error', (error) => logLine(`server refused ${error.event || 'an event'}: ${error.code} – ${error.message}`));

  bindToggles(socket);
  state.socket = socket;
  return socket;
}

// ---- session --------------------------------------------------------------------------------

function showLogin(message = '') {
  $('login').hidden = false;
  $('dashboard').hidden = true;
  $('logout').hidden = true;
  $('login-error').textContent = message;
}

function showDashboard(user) {
  state.user = user;
  $('login').hidden = true;
  $('dashboard').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${user.name} (${user.role})`;
  const isAdmin = user.role === 'admin';
  $('ticket').hidden = !isAdmin;
  $('admin').hidden = !isAdmin;
  connect(user);
  if (isAdmin) startAdmin(user, logLine);
}

$('login').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  });
  if (!res.ok) return showLogin('Wrong username or password.');
  showDashboard(await res.json());
});

$('logout').addEventListener('click', async () => {
  await fetch('/api/logout', { method: 'POST' });
  window.location.reload();
});

const me = await fetch('/api/me');
if (me.ok) showDashboard(await me.json());
else showLogin();
