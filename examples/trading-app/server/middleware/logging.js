'use strict';
// Connection and event logging: one line per connection, disconnection and incoming event,
// with the time spent in the handler chain (the "event latency" of the task list's metrics).

function log(fields) {
  if (process.env.LOG_LEVEL === 'silent') return;
  console.log(JSON.stringify({ time: new Date().toISOString(), ...fields }));
}

function logPackets(socket) {
  return function logPacket([event], next) {
    const started = process.hrtime.bigint();
    next();
    const micros = Number(process.hrtime.bigint() - started) / 1000;
    log({ msg: 'event', nsp: socket.nsp.name, socket: socket.id, user: socket.data.userId, event, micros });
  };
}

module.exports = { log, logPackets };
