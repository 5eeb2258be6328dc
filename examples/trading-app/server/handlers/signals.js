'use strict';
// Signal subscriptions: every signed-in user may join the shared `signals` room.
const { checkPayload } = require('../validation');

function registerSignalHandlers(io, socket) {
  socket.on('subscribe:signals', (payload = {}) => {
    if (!checkPayload(socket, 'subscribe:signals', payload)) return;
    const channelId = payload.channelId || null;
    socket.data.signalChannel = channelId;
    socket.join('signals');
    socket.emit('signals:subscribed', { room: 'signals', channelId });
  });

  socket.on('unsubscribe:signals', (payload = {}) => {
    if (!checkPayload(socket, 'unsubscribe:signals', payload)) return;
    socket.leave('signals');
    socket.emit('signals:unsubscribed', { room: 'signals' });
  });
}

module.exports = { registerSignalHandlers };
