import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { ErrorText, NewPasswordFields, newPassword } from '../components.jsx';

function Gate({ title, intro, onSubmit, children, submitLabel }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  async function submit(event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(new FormData(event.target));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }
  return (
    <main class="gate">
      <form onSubmit={submit}>
        <h1>{title}</h1>
        {intro}
        {children}
        <ErrorText error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? '…' : submitLabel}
        </button>
      </form>
    </main>
  );
}

// First run: no password yet. The setup code is in uplinkd's log, so only someone who can read
// the router's log (or run `uplink passwd` on it) can claim it.
export function Setup({ onDone }) {
  async function submit(form) {
    await post('/setup', { setup_code: form.get('setup_code').trim(), password: newPassword(form) });
    await onDone();
  }
  return (
    <Gate
      title="Set the admin password"
      submitLabel="Set password"
      onSubmit={submit}
      intro={
        <p>
          This router has no password yet. uplinkd printed a one-time setup code when it started (see its log, or
          run <code>uplink passwd</code> on the router instead).
        </p>
      }
    >
      <label>
        Setup code
        <input name="setup_code" required autocomplete="one-time-code" autocapitalize="characters" />
      </label>
      <NewPasswordFields />
    </Gate>
  );
}

export function Login({ onDone, expired }) {
  async function submit(form) {
    await post('/login', { password: form.get('password') });
    await onDone();
  }
  return (
    <Gate
      title="Log in to uplink"
      submitLabel="Log in"
      onSubmit={submit}
      intro={expired ? <p class="muted">Your session ended; log in again.</p> : null}
    >
      <label>
        Password
        <input name="password" type="password" required autocomplete="current-password" autofocus />
      </label>
    </Gate>
  );
}
