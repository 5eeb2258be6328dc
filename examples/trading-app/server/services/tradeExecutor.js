'use strict';
// Executes trades through the broker and reports every status change as `trade:update` to the
// owner's private room `user:{userId}` (pending → executed | failed).
const { newId } = require('../ids');

function createTradeExecutor(io, { broker, portfolioService, notifier }) {
  function publish(trade) {
    const { tradeId, userId, symbol, side, status, executedPrice, quantity, signalId } = trade;
    io.to(`user:${userId}`).emit('trade:update', {
      tradeId,
      userId,
      symbol,
      side,
      status,
      executedPrice,
      quantity,
      signalId,
      timestamp: new Date().toISOString(),
    });
  }

  return {
    /**
     * Runs one order; resolves `{ ok: true, trade }` or `{ ok: false, error }` where `error` is
     * the `trade:error` payload.
     */
    async execute({ userId, symbol, side, quantity, signalId = null }) {
      const trade = { tradeId: newId('t'), userId, symbol, side, status: 'pending', executedPrice: null, quantity, signalId };
      publish(trade);

      const result = await broker.fill(trade, portfolioService.cash(userId));
      if (!result.filled) {
        trade.status = 'failed';
        publish(trade);
        notifier.notify(userId, 'error', 'Trade failed', `${side} ${quantity} ${symbol}: ${result.message}`);
        return {
          ok: false,
          error: {
            tradeId: trade.tradeId,
            symbol,
            reason: result.reason,
            message: result.message,
            timestamp: new Date().toISOString(),
          },
        };
      }

      trade.status = 'executed';
      trade.executedPrice = result.price;
      portfolioService.applyFill(userId, { symbol, side, quantity, price: result.price });
      publish(trade);
      notifier.notify(userId, 'success', 'Trade executed', `${side === 'buy' ? 'Bought' : 'Sold'} ${quantity} ${symbol} at ${result.price}`);
      return { ok: true, trade: { ...trade, timestamp: new Date().toISOString() } };
    },
  };
}

module.exports = { createTradeExecutor };
