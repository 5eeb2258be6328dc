'use strict';
// Portfolio subscriptions: the user's own `portfolio:{userId}` room. A new subscriber gets the
// current valuation right away, sent to the room like every other valuation.
const { checkPayload } = require('../validation');
const { sendError } = require('../errors');

function registerPortfolioHandlers(io, socket, { portfolioService }) {
  socket.on('subscribe:portfolio', (payload) => {
    if (!checkPayload(socket, 'subscribe:portfolio', payload)) return;
    const { userId } = payload;
    if (userId !== socket.data.userId) {
      return sendError(socket, 'SubscriptionError', "Cannot subscribe to another user's portfolio", 'subscribe:portfolio');
    }
    socket.join(`portfolio:${userId}`);
    socket.emit('portfolio:subscribed', { room: `portfolio:${userId}` });
    portfolioService.publish(userId);
  });

  socket.on('unsubscribe:portfolio', (payload) => {
    if (!checkPayload(socket, 'unsubscribe:portfolio', payload)) return;
    const { userId } = payload;
    if (userId !== socket.data.userId) {
      return sendError(socket, 'SubscriptionError', "Cannot unsubscribe another user's portfolio", 'unsubscribe:portfolio');
    }
    socket.leave(`portfolio:${userId}`);
    socket.emit('portfolio:unsubscribed', { room: `portfolio:${userId}` });
  });
}

module.exports = { registerPortfolioHandlers };
