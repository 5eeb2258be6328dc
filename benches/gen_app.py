"""Generate N realistic Socket.IO app files (server handlers and client modules) for the scan benchmark."""
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
for i in range(n):
    if i % 2 == 0:
        open(os.path.join(out, f"server{i}.ts"), "w").write(SERVER.format(i=i))
    else:
        open(os.path.join(out, f"client{i}.js"), "w").write(CLIENT.format(i=i))
