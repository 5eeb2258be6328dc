'use strict';
// Turns Discord messages into trading signals and broadcasts them as `signal:new` to the
// `signals` room. Messages look like `BUY AAPL @ 189.10 SL 185 TP 198 (conf 0.86)`.
const { newId } = require('../ids');

const SIGNAL = /^(BUY|SELL|HOLD)\s+([A-Z][A-Z0-9.-]{0,14})\s+@\s*([\d.]+)(?:\s+SL\s+([\d.]+))?(?:\s+TP\s+([\d.]+))?(?:\s+\(conf\s+([\d.]+)\))?\s*$/i;

/** Parses one message; returns the signal fields or null when it is not a signal. */
function parse(content) {
  const m = SIGNAL.exec(content.trim());
  if (!m) return null;
  const confidence = m[6] === undefined ? 0.5 : Number(m[6]);
  if (confidence < 0 || confidence > 1) return null;
  return {
    action: m[1].toLowerCase(),
    symbol: m[2].toUpperCase(),
    entryPrice: Number(m[3]),
    stopLoss: m[4] === undefined ? null : Number(m[4]),
    takeProfit: m[5] === undefined ? null : Number(m[5]),
    confidence,
  };
}

function createSignalParser(io) {
  return {
    parse,
    /** Handles a Discord message; returns the broadcast signal, or null. */
    handleMessage({ authorId, authorName, channelId, content }) {
      const parsed = parse(content);
      if (!parsed) return null;
      const signal = {
        signalId: newId('s'),
        providerId: authorId,
        providerName: authorName,
        channelId,
        ...parsed,
        timestamp: new Date().toISOString(),
      };
      io.to('signals').emit('signal:new', signal);
      return signal;
    },
  };
}

module.exports = { createSignalParser, parse };
