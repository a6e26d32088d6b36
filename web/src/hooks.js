import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api.js';
import { subscribe } from './events.js';

// Calls `listener` with each live event while the view is shown.
export function useEvents(listener) {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((event) => latest.current(event)), []);
}

// GET `path` now, again when `path` changes, and again whenever `refreshOn(event)` says a live
// event changed it: at most one request in flight, one more queued behind it.
export function useResource(path, refreshOn) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const inFlight = useRef(false);
  const queued = useRef(false);
  const current = useRef(path);
  current.current = path;

  const load = useCallback(async () => {
    if (!path) return;
    if (inFlight.current) {
      queued.current = true;
      return;
    }
    inFlight.current = true;
    try {
      const data = await get(path);
      if (current.current === path) setState({ data, error: null, loading: false });
    } catch (error) {
      if (current.current === path) setState((old) => ({ data: old.data, error, loading: false }));
    } finally {
      inFlight.current = false;
      if (queued.current) {
        queued.current = false;
        load();
      }
    }
  }, [path]);

  useEffect(() => {
    setState({ data: null, error: null, loading: true });
    load();
  }, [load]);
  useEvents((event) => {
    if (refreshOn && refreshOn(event)) load();
  });
  return { ...state, reload: load };
}
