"""Generate N realistic Socket.IO app files (server handlers and client modules) for the scan benchmark.

Like real apps, the app also emits through a helper of a shared module (`emitToUser` in
`realtime.ts`): every eighth file is a service with no Socket.IO import that only calls it (in
audiobookshelf about one server file in ten calls its `SocketAuthority` helpers), so the scan's
wrapper inference (a second look at the files that name a wrapper) is in the figures.
"""
import os, sys

out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out, exist_ok=True)
SERVER = """import {{ Server }} from 'socket.io';
import {{ validate }} from '../lib/validate';

const EVENTS = {{ UPDATE: 'item{i}:update', CREATED: 'item{i}:created' }} as const;

export function register{i}(io: Server) {{
  io.on('connection', (socket) => {{
    socket.on('subscribe:item{i}', async ({{ userId }}: {{ userId: string }}) => {{
      if (socket.data.userId !== userId) {{
        return socket.emit('error', {{ message: 'Unauthorized', code: 'SubscriptionError' }});
      }}
      await socket.join(`user:${{userId}}`);
      socket.emit('item{i}:subscribed', {{ room: `user:${{userId}}` }});
    }});
    socket.on('item{i}:create', (payload, ack) => {{
      const errors = validate(payload);
      if (errors.length) return ack({{ ok: false, errors }});
      io.to(`user:${{socket.data.userId}}`).emit(EVENTS.CREATED, {{ id: String(Date.now()), ...payload }});
      ack({{ ok: true }});
    }});
  }});
}}

export function publish{i}(io: Server, userId: string, item: {{ id: string; value: number }}) {{
  io.to(`user:${{userId}}`).emit(EVENTS.UPDATE, {{ id: item.id, value: item.value, timestamp: new Date().toISOString() }});
}}
"""
CLIENT = """import {{ io }} from 'socket.io-client';

const socket = io('/', {{ auth: {{ sessionId: localStorage.getItem('sid') }} }});

export function watch{i}(userId, render) {{
  socket.emit('subscribe:item{i}', {{ userId }});
  socket.on('item{i}:subscribed', ({{ room }}) => console.debug('joined', room));
  socket.on('item{i}:update', (item) => render(item));
  socket.on('item{i}:created', (item) => render(item));
  socket.io.on('reconnect', () => socket.emit('subscribe:item{i}', {{ userId }}));
}}

export function create{i}(value) {{
  return new Promise((resolve) => socket.emit('item{i}:create', {{ value }}, resolve));
}}
"""
REALTIME = """import { Server } from 'socket.io';

let io: Server;

export function bind(server: Server) {
  io = server;
}

export function emitToUser(userId: string, evt: string, data: unknown) {
  io.to(`user:${userId}`).emit(evt, data);
}
"""
SERVICE = """import {{ emitToUser }} from './realtime';
import {{ db }} from '../lib/db';

export async function archive{i}(userId: string, id: string) {{
  await db.items.update(id, {{ archived: true }});
  emitToUser(userId, 'item{i}:archived', {{ id }});
}}
"""
open(os.path.join(out, "realtime.ts"), "w").write(REALTIME)
for i in range(n):
    if i % 8 == 7:
        open(os.path.join(out, f"service{i}.ts"), "w").write(SERVICE.format(i=i))
    elif i % 2 == 0:
        open(os.path.join(out, f"server{i}.ts"), "w").write(SERVER.format(i=i))
    else:
        open(os.path.join(out, f"client{i}.js"), "w").write(CLIENT.format(i=i))
