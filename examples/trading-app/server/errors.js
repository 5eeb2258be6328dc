'use strict';
// The one place that sends the `error` event, so every refusal has the catalog's shape:
// { message, code, event?, errors? } with code one of the catalog's error codes.

function sendError(socket, code, message, event, errors) {
  socket.emit('error', { message, code, event, errors });
}

module.exports = { sendError };
