'use strict';
// Payload validation of incoming events against server/schemas.js (Ajv, JSON Schema 2020-12
// subset). A missing payload is validated as `{}`, so an event sent without a payload is accepted
// when its schema has no required field.
const Ajv = require('ajv');
const addFormats = require('ajv-formats');
const schemas = require('./schemas');
const { sendError } = require('./errors');

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validators = new Map(Object.entries(schemas).map(([event, schema]) => [event, ajv.compile(schema)]));

/** Returns the violations of `payload` for `event`, or an empty list when it is valid. */
function violations(event, payload) {
  const validate = validators.get(event);
  if (!validate) return [];
  if (validate(payload === undefined ? {} : payload)) return [];
  return validate.errors.map((e) => ({
    path: e.instancePath || '/',
    message: e.message,
  }));
}

/** Validates and, when invalid, answers with a PayloadError; returns whether to go on. */
function checkPayload(socket, event, payload, ack) {
  const errors = violations(event, payload);
  if (errors.length === 0) return true;
  const message = `${errors[0].path}: ${errors[0].message}`;
  sendError(socket, 'PayloadError', message, event, errors);
  if (typeof ack === 'function') ack({ ok: false, error: { message, code: 'PayloadError' } });
  return false;
}

module.exports = { checkPayload, violations, knownEvents: new Set(validators.keys()) };
