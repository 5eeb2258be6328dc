'use strict';
// Short random ids with a prefix per kind (`t-` trades, `s-` signals, `n-` notifications).
const crypto = require('crypto');

function newId(prefix) {
  return `${prefix}-${crypto.randomBytes(3).toString('hex')}`;
}

module.exports = { newId };
