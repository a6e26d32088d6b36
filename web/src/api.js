// The page's one way to uplinkd: /api/v1 (docs/api.md). Every POST carries the session's CSRF
// token; an error reply becomes an ApiError with the API's own message, for the page to show.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let csrfToken = null;
let onLoggedOut = () => {};

export function setCsrfToken(token) {
  csrfToken = token;
}

// Called when a request finds the session gone (expired, or ended elsewhere).
export function whenLoggedOut(callback) {
  onLoggedOut = callback;
}

export async function request(method, path, body) {
  const headers = {};
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError(0, `uplinkd cannot be reached (${error.message})`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(response.status, `uplinkd sent a reply that is not JSON (HTTP ${response.status})`);
  }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/login') && !path.startsWith('/setup')) onLoggedOut();
    const retry = response.headers.get('Retry-After');
    const message = (data && data.error) || `HTTP ${response.status}`;
    throw new ApiError(response.status, retry ? `${message} (try again in ${retry} s)` : message);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
