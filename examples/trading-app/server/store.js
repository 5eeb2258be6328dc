'use strict';
// In-memory data for the demo: users, portfolios, notifications. A real deployment keeps these
// in a database; the realtime layer only needs the lookups below.

const USERS = [
  { userId: 'u-1001', username: 'alice', name: 'Alice Trader', role: 'user', password: 'demo' },
  { userId: 'u-1002', username: 'bob', name: 'Bob Holder', role: 'user', password: 'demo' },
  { userId: 'u-9000', username: 'admin', name: 'Ops Admin', role: 'admin', password: 'demo' },
];

const STARTING_CASH = 50000;

function createStore() {
  const portfolios = new Map();
  const notifications = new Map(); // notificationId -> notification (+ read flag)

  for (const user of USERS) {
    portfolios.set(user.userId, { cash: STARTING_CASH, positions: new Map() });
  }

  return {
    findUserByUsername(username) {
      return USERS.find((u) => u.username === username) || null;
    },
    findUser(userId) {
      return USERS.find((u) => u.userId === userId) || null;
    },
    allUsers() {
      return USERS.slice();
    },
    portfolio(userId) {
      return portfolios.get(userId) || null;
    },
    saveNotification(notification) {
      notifications.set(notification.notificationId, { ...notification, read: false });
    },
    markRead(userId, notificationId) {
      const n = notifications.get(notificationId);
      // Acknowledging someone else's or an unknown notification is silently ignored.
      if (n && n.userId === userId) n.read = true;
      return Boolean(n && n.userId === userId);
    },
  };
}

module.exports = { createStore, USERS };
