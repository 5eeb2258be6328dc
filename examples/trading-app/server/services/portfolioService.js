'use strict';
// Portfolio bookkeeping and valuation; every change is pushed as `portfolio:update` to the
// owner's `portfolio:{userId}` room.

function createPortfolioService(io, store, broker) {
  function valuation(userId) {
    const portfolio = store.portfolio(userId);
    const positions = [...portfolio.positions.entries()].map(([symbol, p]) => ({
      symbol,
      quantity: p.quantity,
      avgPrice: p.avgPrice,
    }));
    const marketValue = positions.reduce((sum, p) => sum + p.quantity * (broker.price(p.symbol) || p.avgPrice), 0);
    return {
      totalValue: Math.round((portfolio.cash + marketValue) * 100) / 100,
      cash: Math.round(portfolio.cash * 100) / 100,
      positions,
    };
  }

  function publish(userId) {
    const { totalValue, cash, positions } = valuation(userId);
    io.to(`portfolio:${userId}`).emit('portfolio:update', {
      userId,
      totalValue,
      cash,
      positions,
      timestamp: new Date().toISOString(),
    });
  }

  return {
    cash(userId) {
      return store.portfolio(userId).cash;
    },
    /** Books a fill and publishes the new valuation. */
    applyFill(userId, { symbol, side, quantity, price }) {
      const portfolio = store.portfolio(userId);
      const current = portfolio.positions.get(symbol) || { quantity: 0, avgPrice: 0 };
      if (side === 'buy') {
        const quantityAfter = current.quantity + quantity;
        current.avgPrice = (current.avgPrice * current.quantity + price * quantity) / quantityAfter;
        current.quantity = quantityAfter;
        portfolio.cash -= price * quantity;
      } else {
        current.quantity -= quantity;
        portfolio.cash += price * quantity;
      }
      current.avgPrice = Math.round(current.avgPrice * 100) / 100;
      if (current.quantity === 0) portfolio.positions.delete(symbol);
      else portfolio.positions.set(symbol, current);
      publish(userId);
    },
    publish,
  };
}

module.exports = { createPortfolioService };
