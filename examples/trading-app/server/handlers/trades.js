'use strict';
// Trade events of the `/` namespace: subscriptions to the user's private room and manual
// execution (admin role).
const { checkPayload } = require('../validation');
const { sendError } = require('../errors');

function registerTradeHandlers(io, socket, { tradeExecutor }) {
  socket.on('subscribe:trades', (payload) => {
    if (!checkPayload(socket, 'subscribe:trades', payload)) return;
    const { userId } = payload;
    if (userId !== socket.data.userId) {
      return sendError(socket, 'SubscriptionError', "Cannot subscribe to another user's trades", 'subscribe:trades');
    }
    // Joining twice is a no-op, so a re-subscription after reconnect is simply confirmed again.
    socket.join(`user:${userId}`);
    socket.emit('trades:subscribed', { room: `user:${userId}` });
  });

  socket.on('unsubscribe:trades', (payload) => {
    if (!checkPayload(socket, 'unsubscribe:trades', payload)) return;
    const { userId } = payload;
    if (userId !== socket.data.userId) {
      return sendError(socket, 'SubscriptionError', "Cannot unsubscribe another user's trades", 'unsubscribe:trades');
    }
    socket.leave(`user:${userId}`);
    socket.emit('trades:unsubscribed', { room: `user:${userId}` });
  });

  socket.on('execute:trade', async (payload) => {
    if (socket.data.role !== 'admin') {
      return sendError(socket, 'AuthenticationError', 'execute:trade requires the admin role', 'execute:trade');
    }
    if (!checkPayload(socket, 'execute:trade', payload)) return;
    const { symbol, side, quantity } = payload;
    const result = await tradeExecutor.execute({ userId: socket.data.userId, symbol, side, quantity });
    if (result.ok) {
      socket.emit('trade:executed', result.trade);
    } else {
      socket.emit('trade:error', result.error);
    }
  });
}

module.exports = { registerTradeHandlers };
