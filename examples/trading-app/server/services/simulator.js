'use strict';
// Demo activity so that the dashboard has something to show without Discord or a broker:
// a "Discord" message every few seconds, auto-trading for users who follow signals, and
// market price moves that revalue portfolios.

const MESSAGES = [
  'BUY AAPL @ 189.10 SL 185 TP 198 (conf 0.86)',
  'SELL TSLA @ 172.80 SL 180 TP 160 (conf 0.71)',
  'BUY BTC-USD @ 66700 SL 64000 TP 72000 (conf 0.64)',
  'HOLD NVDA @ 905.50 (conf 0.55)',
  'gm everyone, charts later',
  'BUY MSFT @ 415.20 SL 405 TP 440 (conf 0.9)',
];
const PROVIDERS = [
  { authorId: '880123456789012345', authorName: 'TheChartist', channelId: '1187334401234567890' },
  { authorId: '880123456789099999', authorName: 'MoonDesk', channelId: '1187334401234500000' },
];
const AUTO_TRADERS = ['u-1001'];

function createSimulator({ broker, signalParser, tradeExecutor, portfolioService, store }, { intervalMs = 6000 } = {}) {
  const timers = [];
  let i = 0;

  function postMessage() {
    const provider = PROVIDERS[i % PROVIDERS.length];
    const content = MESSAGES[i % MESSAGES.length];
    i += 1;
    const signal = signalParser.handleMessage({ ...provider, content });
    if (!signal || signal.action === 'hold') return;
    for (const userId of AUTO_TRADERS) {
      const holding = store.portfolio(userId).positions.get(signal.symbol);
      if (signal.action === 'sell' && !holding) continue;
      const quantity = signal.action === 'sell' ? holding.quantity : Math.max(1, Math.floor(2000 / signal.entryPrice));
      tradeExecutor
        .execute({ userId, symbol: signal.symbol, side: signal.action, quantity, signalId: signal.signalId })
        .catch((err) => console.error('simulated trade failed', err));
    }
  }

  function moveMarket() {
    broker.tick();
    for (const user of store.allUsers()) portfolioService.publish(user.userId);
  }

  return {
    start() {
      timers.push(setInterval(postMessage, intervalMs));
      timers.push(setInterval(moveMarket, intervalMs * 2.5));
    },
    stop() {
      timers.forEach(clearInterval);
    },
  };
}

module.exports = { createSimulator };
