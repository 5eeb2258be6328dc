'use strict';
// Notification acknowledgements. Notifications themselves are sent by services/notifier.js.
const { checkPayload } = require('../validation');

function registerNotificationHandlers(io, socket, { store }) {
  socket.on('notification:ack', (payload, ack) => {
    if (!checkPayload(socket, 'notification:ack', payload, ack)) return;
    store.markRead(socket.data.userId, payload.notificationId);
    if (typeof ack === 'function') ack({ ok: true });
  });
}

module.exports = { registerNotificationHandlers };
