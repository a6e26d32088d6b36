// uplinkd's events, live (GET /api/v1/events: server-sent events, one JSON event per message).
// One EventSource for the whole page, open while some view listens; the browser reconnects it.
const listeners = new Set();
let source = null;

function dispatch(message) {
  let event;
  try {
    event = JSON.parse(message.data);
  } catch {
    return; // not ours to act on: the stream carries JSON only
  }
  for (const listener of listeners) listener(event);
}

export function subscribe(listener) {
  listeners.add(listener);
  if (!source) {
    source = new EventSource('/api/v1/events');
    source.onmessage = dispatch;
  }
  return () => {
    listeners.delete(listener);
    if (!listeners.size && source) {
      source.close();
      source = null;
    }
  };
}
