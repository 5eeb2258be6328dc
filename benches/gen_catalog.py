#!/usr/bin/env python3
"""Write a catalog with N events (half c2s subscriptions with replies, half s2c pushes to rooms),
realistic payload schemas and examples, for benches/render.sh. Usage: gen_catalog.py DIR N"""
import json, os, sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
q = json.dumps
lines = ["evdoc: 1", "info: {title: Generated API, version: 1.0.0, server_url: http://localhost:3000}",
         "auth: {scheme: session, session: {handshake_field: sessionId, cookie: connect.sid}}",
         "namespaces: {/: {auth: required}}",
         "rooms:"]
domains = 40
for d in range(domains):
    lines.append(f"  \"d{d}:{{userId}}\": {{description: Private room of domain {d}, access: self}}")
lines.append("flows:")
for d in range(5):
    lines.append(f"  flow{d}: {{title: Flow {d}, steps: [Producer {d}, Service {d}, {{emit: \"d{2*d}:subscribed{2*d}\"}}, Dashboard]}}")
lines.append("events:")
for i in range(n):
    d = (i - i % 2) % domains  # a subscription and its reply share a domain
    if i % 2 == 0:
        lines.append(f"""  "subscribe:d{d}x{i}":
    direction: c2s
    summary: Subscribe to the updates of domain {d} (variant {i})
    description: |
      Joins `d{d}:{{userId}}`. Sent on every connect; a duplicate subscription is harmless.
    auth: required
    payload: {{type: object, required: [userId], properties: {{userId: {{type: string, minLength: 1, description: The signed-in user}}}}, additionalProperties: false}}
    joins: "d{d}:{{userId}}"
    replies: ["d{d}:subscribed{i}"]
    errors: [PayloadError]
    examples: [{{userId: u-{i}}}]
    tags: [d{d}]""")
    else:
        lines.append(f"""  "d{d}:subscribed{i - 1}":
    direction: s2c
    summary: Push {i} of domain {d}
    room: "d{d}:{{userId}}"
    emitted_when: Something of domain {d} changes.
    payload:
      type: object
      required: [id, userId, status, amount, timestamp]
      properties:
        id: {{type: string, description: Stable id}}
        userId: {{type: string}}
        status: {{enum: [pending, done, failed]}}
        amount: {{type: number, minimum: 0}}
        items: {{type: array, items: {{type: object, properties: {{sku: {{type: string}}, qty: {{type: integer}}}}}}}}
        timestamp: {{type: string, format: date-time}}
    examples: [{{id: x-{i}, userId: u-1, status: done, amount: 1.5, timestamp: "2024-01-01T00:00:00Z"}}]
    tags: [d{d}]""")
lines.append("errors: {PayloadError: {description: Invalid payload}}")
open(os.path.join(out, "evdoc.yaml"), "w").write("\n".join(lines) + "\n")
