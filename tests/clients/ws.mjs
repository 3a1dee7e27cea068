// Live events over WebSocket as graphql-ws (graphql-transport-ws) does them.
//
//   node ws.mjs ws://127.0.0.1:18000/graphql/ws <access-token> [seconds]
//
// Connects at once (lazy: false, no retries) with {"Authorization": "Bearer <token>"} as the
// connection_init payload, subscribes to `subscription { events(after: 0) { sequence kind } }`
// and prints one JSON object per line on stdout as things happen:
//   {"event":"connected"}
//   {"event":"next","data":{...}}
//   {"event":"error","source":"subscription","message":"...", ...}  the subscription failed
//   {"event":"error","source":"socket","message":"..."}  the WebSocket reported an error
//   {"event":"complete"}
//   {"event":"closed","code":<int>,"reason":"..."}
//   {"event":"timeout","seconds":<n>}        [seconds] passed first (default 20)
// A subscription "error" line also carries "code"/"reason" when it ended because the socket
// closed, and "errors" (the GraphQL errors) when the server sent an error message.
// Exits 0 once the socket closed, once the subscription completed or failed (the client is
// then disposed, which closes the socket), or once [seconds] passed (likewise).
// Non-zero only if the script itself crashed.

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

// Only the event lines go to stdout.
console.log = console.info = console.debug = (...args) => console.error(...args);

const SUBSCRIPTION = 'subscription { events(after: 0) { sequence kind } }';

const [url, token, secondsArg] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node ws.mjs <ws-url> <access-token> [seconds]');
  process.exit(2);
}
const seconds = secondsArg === undefined ? 20 : Number(secondsArg);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`ws.mjs: seconds must be a positive number, not ${JSON.stringify(secondsArg)}`);
  process.exit(2);
}

/** One line per event; a pipe is written synchronously on Linux, so it is out at once. */
function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function isCloseEvent(value) {
  return value != null && typeof value === 'object' && typeof value.code === 'number';
}

function describeError(err) {
  if (isCloseEvent(err)) {
    const reason = String(err.reason ?? '');
    return { message: `socket closed: ${err.code}${reason ? ` ${reason}` : ''}`, code: err.code, reason };
  }
  if (Array.isArray(err)) {
    const errors = err.map((e) => (e && typeof e === 'object' ? e : { message: String(e) }));
    return { message: errors.map((e) => e.message ?? JSON.stringify(e)).join('; '), errors };
  }
  if (err instanceof Error) return { message: err.message };
  if (err && typeof err === 'object' && typeof err.message === 'string') return { message: err.message };
  return { message: String(err) };
}

let finished = false;
let socketClosed = false;
// Set once we dispose the client: graphql-ws then completes the subscription itself, which
// is no news from the server and is not printed.
let disposing = false;
let client;

function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(deadline);
  // Let stdout drain, then leave (the client may hold timers or the socket).
  process.stdout.write('', () => process.exit(0));
}

/** Close our side (if still open) and leave once the close is seen, or soon regardless. */
function shutDown() {
  if (socketClosed) {
    setTimeout(finish, 50);
    return;
  }
  disposing = true;
  try {
    client?.dispose();
  } catch (err) {
    console.error('ws.mjs: dispose failed:', err);
  }
  setTimeout(finish, 2000).unref();
}

const deadline = setTimeout(() => {
  emit({ event: 'timeout', seconds });
  shutDown();
}, seconds * 1000);

client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  lazy: false,
  onNonLazyError: (err) => console.error('ws.mjs: connection failed:', describeError(err).message),
  on: {
    connected: () => emit({ event: 'connected' }),
    closed: (event) => {
      socketClosed = true;
      emit({
        event: 'closed',
        code: isCloseEvent(event) ? event.code : null,
        reason: isCloseEvent(event) ? String(event.reason ?? '') : String(event ?? ''),
      });
      // The subscription's own error (if any) is delivered right after: give it a moment.
      setTimeout(finish, 100);
    },
    error: (err) => {
      emit({ event: 'error', source: 'socket', message: describeError(err).message });
    },
  },
});

client.subscribe(
  { query: SUBSCRIPTION },
  {
    next: (value) => {
      const line = { event: 'next', data: value?.data ?? null };
      if (value?.errors) line.errors = value.errors;
      emit(line);
    },
    error: (err) => {
      if (disposing) return console.error('ws.mjs: after dispose:', describeError(err).message);
      emit({ event: 'error', source: 'subscription', ...describeError(err) });
      shutDown();
    },
    complete: () => {
      if (disposing) return console.error('ws.mjs: subscription completed by dispose');
      emit({ event: 'complete' });
      shutDown();
    },
  },
);
