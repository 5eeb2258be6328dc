'use strict';
// A fake broker: random-walk market prices and order fills after a short delay. It refuses
// orders it cannot pay for and everything while the (simulated) market is closed.

const PRICES = { AAPL: 189.1, MSFT: 415.2, NVDA: 905.5, TSLA: 172.8, GME: 23.65, 'BTC-USD': 66700, 'ETH-USD': 3050 };

function createBroker({ fillDelayMs = 300 } = {}) {
  const prices = { ...PRICES };
  let marketOpen = true;

  return {
    price(symbol) {
      return prices[symbol];
    },
    symbols() {
      return Object.keys(prices);
    },
    setMarketOpen(open) {
      marketOpen = open;
    },
    /** Moves every price by up to ±0.5 %. */
    tick() {
      for (const symbol of Object.keys(prices)) {
        const drift = 1 + (Math.random() - 0.5) / 100;
        prices[symbol] = Math.round(prices[symbol] * drift * 100) / 100;
      }
    },
    /** Resolves `{ filled: true, price }` or `{ filled: false, reason, message }`. */
    fill({ symbol, side, quantity }, cashAvailable) {
      return new Promise((resolve) => {
        setTimeout(() => {
          const price = prices[symbol];
          if (!marketOpen) return resolve({ filled: false, reason: 'MarketClosed', message: 'The market is closed' });
          if (price === undefined) {
            return resolve({ filled: false, reason: 'BrokerRejected', message: `Unknown symbol ${symbol}` });
          }
          const cost = price * quantity;
          if (side === 'buy' && cost > cashAvailable) {
            return resolve({
              filled: false,
              reason: 'InsufficientFunds',
              message: `Buying ${quantity} ${symbol} needs ${cost.toFixed(2)} USD, ${cashAvailable.toFixed(2)} USD available`,
            });
          }
          return resolve({ filled: true, price });
        }, fillDelayMs);
      });
    },
  };
}

module.exports = { createBroker };
