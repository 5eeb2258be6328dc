'use strict';
// Sends `notification:new` to a user's private room and remembers it for `notification:ack`.
const { newId } = require('../ids');

function createNotifier(io, store) {
  return {
    notify(userId, type, title, message, actionUrl = null) {
      const notificationId = newId('n');
      const timestamp = new Date().toISOString();
      store.saveNotification({ notificationId, userId, type, title, message, actionUrl, timestamp });
      io.to(`user:${userId}`).emit('notification:new', {
        notificationId,
        userId,
        type,
        title,
        message,
        actionUrl,
        timestamp,
      });
      return notificationId;
    },
  };
}

module.exports = { createNotifier };
