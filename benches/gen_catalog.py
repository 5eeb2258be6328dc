#!/usr/bin/env python3
"""Write a catalog with N events for benches/render.sh.

Usage: gen_catalog.py DIR N [typical|subscriptions]

typical: 40 domains, each with one subscription (subscribe:dX joins dX:{userId}) and its
confirmation, the other events pushes to the domain's room (2/3) or client requests (1/3),
like the reference catalog. subscriptions: every other event is a subscription with its own
reply (the worst case: one sequence diagram per pair)."""
import os, sys

out, n = sys.argv[1], int(sys.argv[2])
mode = sys.argv[3] if len(sys.argv) > 3 else "typical"
os.makedirs(out, exist_ok=True)
domains = 40
L = ["evdoc: 1", "info: {title: Generated API, version: 1.0.0, server_url: http://localhost:3000}",
     "auth: {scheme: session, session: {handshake_field: sessionId, cookie: connect.sid}}",
     "namespaces: {/: {auth: required}}", "errors: {PayloadError: {description: Invalid payload}}",
     "rooms:"]
for d in range(domains):
    L.append(f"  \"d{d}:{{userId}}\": {{description: Private room of domain {d}, access: self}}")

PUSH = """    direction: s2c
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
    tags: [d{d}]"""
SUB = """    direction: c2s
    summary: Subscribe to the updates of domain {d}
    description: |
      Joins `d{d}:{{userId}}`. Sent on every connect; a duplicate subscription is harmless.
    auth: required
    payload: {{type: object, required: [userId], properties: {{userId: {{type: string, minLength: 1, description: The signed-in user}}}}, additionalProperties: false}}
    joins: "d{d}:{{userId}}"
    replies: ["{reply}"]
    errors: [PayloadError]
    examples: [{{userId: u-{i}}}]
    tags: [d{d}]"""
ACTION = """    direction: c2s
    summary: Request {i} of domain {d}
    auth: required
    payload: {{type: object, required: [id], properties: {{id: {{type: string}}, note: {{type: string, maxLength: 200}}}}}}
    errors: [PayloadError]
    examples: [{{id: x-{i}}}]
    tags: [d{d}]"""
events = []
if mode == "typical":
    for d in range(min(domains, n // 2)):
        events.append((f"subscribe:d{d}", SUB.format(d=d, i=d, reply=f"d{d}:subscribed")))
        events.append((f"d{d}:subscribed", PUSH.format(d=d, i=d)))
    i = len(events)
    while len(events) < n:
        d = i % domains
        events.append((f"d{d}:action{i}", ACTION.format(d=d, i=i)) if i % 3 == 0 else (f"d{d}:push{i}", PUSH.format(d=d, i=i)))
        i += 1
else:
    for i in range(0, n, 2):
        d = i % domains
        events.append((f"subscribe:d{d}x{i}", SUB.format(d=d, i=i, reply=f"d{d}:subscribed{i}")))
        events.append((f"d{d}:subscribed{i}", PUSH.format(d=d, i=i)))
    events = events[:n]
L.append("flows:")
for d in range(5):
    L.append(f"  flow{d}: {{title: Flow {d}, steps: [Producer {d}, Service {d}, {{emit: \"{events[2 * d + 1][0]}\"}}, Dashboard]}}")
L.append("events:")
for name, body in events:
    L.append(f"  \"{name}\":\n{body}")
open(os.path.join(out, "evdoc.yaml"), "w").write("\n".join(L) + "\n")
