import { useState } from 'preact/hooks';
import { barsFromRsrp } from './format.js';

export function Bars({ rsrp }) {
  const level = barsFromRsrp(rsrp);
  return (
    <span class="bars" role="img" aria-label={`signal ${level} of 4`}>
      {[1, 2, 3, 4].map((bar) => (
        <span key={bar} class={`bar h${bar}${bar <= level ? ' on' : ''}`} />
      ))}
    </span>
  );
}

// A list of facts: [[label, value], ...]; rows whose value is undefined are left out.
export function Facts({ rows }) {
  return (
    <dl class="facts">
      {rows
        .filter(([, value]) => value !== undefined)
        .map(([label, value]) => [<dt key={`t${label}`}>{label}</dt>, <dd key={`d${label}`}>{value}</dd>])}
    </dl>
  );
}

export function Card({ title, children, wide }) {
  return (
    <section class={wide ? 'card wide' : 'card'}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

export function ErrorText({ error }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message ?? String(error)}
    </p>
  );
}

export function Loading({ what }) {
  return <p class="muted">Loading {what}…</p>;
}

// A button that runs an async action, disabled while it runs, showing its error beside it.
export function ActionButton({ action, children, kind, label }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span class="action">
      <button type="button" class={kind} onClick={run} disabled={busy} aria-label={label}>
        {busy ? '…' : children}
      </button>
      <ErrorText error={error} />
    </span>
  );
}

// The modem a per-modem page shows, chosen from those uplinkd knows.
export function ModemPicker({ modems, current, page }) {
  if (!modems || modems.length < 2) return null;
  return (
    <nav class="picker" aria-label="modem">
      {modems.map((modem) => (
        <a key={modem.id} href={`#/${page}/${modem.id}`} aria-current={modem.id === current ? 'page' : undefined}>
          {modem.model || modem.id} ({modem.id})
        </a>
      ))}
    </nav>
  );
}

// The page's heading: focused when the page changes, so that keyboard and screen reader users
// start reading there.
export function Title({ children }) {
  return <h1 tabIndex={-1}>{children}</h1>;
}

// A new password and its confirmation, as form fields named `new_password` and `confirm`.
// uplinkd refuses fewer than 8 characters; the browser says so first.
export function NewPasswordFields() {
  return (
    <>
      <label>
        New password (8 characters or more)
        <input name="new_password" type="password" required minLength={8} autocomplete="new-password" />
      </label>
      <label>
        The same again
        <input name="confirm" type="password" required minLength={8} autocomplete="new-password" />
      </label>
    </>
  );
}

// The new password from a form with NewPasswordFields; an error when the two differ.
export function newPassword(form) {
  if (form.get('new_password') !== form.get('confirm')) throw new Error('The two passwords differ.');
  return form.get('new_password');
}
