'use strict';
// Per-socket rate limit on incoming events: a token bucket of 40 events refilled at 20/s.
// An event over the limit is dropped and answered with `error` / RateLimited. (Calling
// `next(err)` instead would raise a server-side `error` event, not tell the client.)
const { sendError } = require('../errors');

const RATE_PER_SECOND = 20;
const BURST = 40;

function rateLimit(socket) {
  let tokens = BURST;
  let last = Date.now();
  return function rateLimitPacket([event], next) {
    const now = Date.now();
    tokens = Math.min(BURST, tokens + ((now - last) / 1000) * RATE_PER_SECOND);
    last = now;
    if (tokens < 1) {
      return sendError(socket, 'RateLimited', `More than ${RATE_PER_SECOND} events per second`, event);
    }
    tokens -= 1;
    return next();
  };
}

module.exports = { rateLimit };
