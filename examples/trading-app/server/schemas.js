'use strict';
// JSON Schemas of the client→server payloads, the same as in the evdoc catalog
// (catalog/events/*.yaml). The server refuses a payload that does not match with PayloadError.

const userId = { type: 'string', minLength: 1 };
const symbol = { type: 'string', pattern: '^[A-Z][A-Z0-9.-]{0,14}$' };
const closed = (properties, required = []) => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});

module.exports = {
  'subscribe:trades': closed({ userId }, ['userId']),
  'unsubscribe:trades': closed({ userId }, ['userId']),
  'execute:trade': closed(
    {
      symbol,
      side: { type: 'string', enum: ['buy', 'sell'] },
      quantity: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 },
    },
    ['symbol', 'side', 'quantity'],
  ),
  'subscribe:signals': closed({ channelId: { type: 'string', minLength: 1 } }),
  'unsubscribe:signals': closed({}),
  'subscribe:portfolio': closed({ userId }, ['userId']),
  'unsubscribe:portfolio': closed({ userId }, ['userId']),
  'notification:ack': closed({ notificationId: { type: 'string', minLength: 1 } }, ['notificationId']),
  'admin:broadcast': closed(
    {
      title: { type: 'string', minLength: 1, maxLength: 120 },
      message: { type: 'string', minLength: 1, maxLength: 2000 },
      type: { type: 'string', enum: ['info', 'warning', 'error', 'success'] },
      actionUrl: { type: ['string', 'null'] },
    },
    ['title', 'message'],
  ),
  'admin:kick-user': closed({ userId, reason: { type: 'string', maxLength: 500 } }, ['userId']),
  'admin:stats': closed({}),
};
