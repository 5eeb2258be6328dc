// The operator console: a second connection, to the `/admin` namespace (role `admin` only).
// Operator actions pass an acknowledgement callback and show its result.
/* global io */

const $ = (id) => document.getElementById(id);

function renderStats(stats) {
  const rooms = Object.entries(stats.rooms)
    .map(([room, members]) => `${room}: ${members}`)
    .join(', ');
  $('admin-stats').textContent = `${stats.connections} connections · ${stats.users} users · up ${Math.round(
    stats.uptimeSeconds,
  )} s · rooms: ${rooms || 'none'}`;
}

function showResult(text) {
  $('admin-result').textContent = text;
}

export function startAdmin(user, logLine) {
  const admin = io('/admin', {
    auth: { sessionId: user.sessionId },
    transports: ['websocket', 'polling'],
    withCredentials: true,
  });

  admin.on('connect', () => {
    logLine('operator console connected');
    admin.emit('admin:stats', {}, renderStats);
  });
  admin.on('connect_error', (err) => logLine(`operator console refused: ${err.message}`));
  admin.on('admin:stats', renderStats);

  $('admin-refresh').addEventListener('click', () => admin.emit('admin:stats', {}, renderStats));

  $('broadcast').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    admin.emit(
      'admin:broadcast',
      { title: form.get('title'), message: form.get('message'), type: form.get('type') },
      (res) => showResult(res.ok ? `announcement sent to ${res.delivered} user(s)` : res.error.message),
    );
  });

  $('kick').addEventListener('submit', (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const reason = String(form.get('reason') || '').trim();
    admin.emit('admin:kick-user', reason ? { userId: form.get('userId'), reason } : { userId: form.get('userId') }, (res) =>
      showResult(res.ok ? `${res.disconnected} socket(s) disconnected` : res.error.message),
    );
  });

  return admin;
}
