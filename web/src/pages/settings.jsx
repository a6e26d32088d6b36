import { useState } from 'preact/hooks';
import { get, post, setCsrfToken } from '../api.js';
import { ActionButton, Card, ErrorText, Facts, Loading, NewPasswordFields, Title, newPassword } from '../components.jsx';
import { Changes } from '../editor.jsx';
import { dash, time } from '../format.js';
import { useResource } from '../hooks.js';

function saveFile(name, text, type) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

function Password() {
  const [done, setDone] = useState(false);
  const [error, setError] = useState(null);
  async function submit(event) {
    event.preventDefault();
    const form = new FormData(event.target);
    setDone(false);
    setError(null);
    try {
      const reply = await post('/password', { current: form.get('current'), new: newPassword(form) });
      setCsrfToken(reply.csrf_token);
      event.target.reset();
      setDone(true);
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Card title="Admin password">
      <form onSubmit={submit}>
        <label>
          Current password
          <input name="current" type="password" required autocomplete="current-password" />
        </label>
        <NewPasswordFields />
        <ErrorText error={error} />
        {done && <p role="status">Changed. Every other session has ended.</p>}
        <button type="submit" class="primary">
          Change password
        </button>
      </form>
    </Card>
  );
}

function Tokens() {
  const tokens = useResource('/tokens');
  const [name, setName] = useState('');
  const [consoleScope, setConsoleScope] = useState(false);
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState(null);
  // A token outlives this session, so uplinkd asks for the password again (docs/auth.md).
  async function create() {
    setCreated(null);
    const reply = await post('/tokens', { name, scopes: consoleScope ? ['console'] : [], password });
    setCreated(reply);
    setName('');
    setConsoleScope(false);
    setPassword('');
    await tokens.reload();
  }
  async function revoke(tokenName) {
    await post(`/tokens/${encodeURIComponent(tokenName)}/delete`);
    await tokens.reload();
  }
  return (
    <Card title="API tokens">
      <p class="muted">For scripts and Prometheus: send <code>Authorization: Bearer &lt;token&gt;</code>.</p>
      <ErrorText error={tokens.error} />
      {tokens.data && (
        <ul class="tokens">
          {tokens.data.tokens.map((token) => (
            <li key={token.name}>
              <strong>{token.name}</strong>, made {time(token.created)}, last used {time(token.last_used)}
              {token.scopes?.includes('console') && ', may use the AT console'}{' '}
              <ActionButton kind="small danger" action={() => revoke(token.name)} label={`revoke ${token.name}`}>
                Revoke
              </ActionButton>
            </li>
          ))}
          {tokens.data.tokens.length === 0 && <li class="muted">None.</li>}
        </ul>
      )}
      <label>
        New token's name
        <input value={name} onInput={(event) => setName(event.target.value)} autocomplete="off" />
      </label>
      <label class="check">
        <input type="checkbox" checked={consoleScope} onChange={(event) => setConsoleScope(event.target.checked)} />
        May use the AT console (it can send the SIM a PIN; every command is logged)
      </label>
      <label>
        Your admin password, to make it
        <input
          type="password"
          value={password}
          onInput={(event) => setPassword(event.target.value)}
          autocomplete="current-password"
        />
      </label>
      <ActionButton action={create}>Make a token</ActionButton>
      {created && (
        <p role="status">
          Token {created.name}: <code class="secret">{created.token}</code>. Copy it now: it is not shown again.
        </p>
      )}
    </Card>
  );
}

function Certificate() {
  const certificate = useResource('/certificate');
  const data = certificate.data;
  return (
    <Card title="HTTPS certificate">
      <ErrorText error={certificate.error} />
      {!data && !certificate.error && <Loading what="the certificate" />}
      {data && (
        <Facts
          rows={[
            ['Subject', data.subject],
            ['Names', data.subject_alt_names.join(', ') || dash],
            ['Valid from', time(data.not_before)],
            ['Valid until', time(data.not_after)],
            ['SHA-256', <code class="fingerprint">{data.sha256_fingerprint}</code>],
            ['Made by', data.origin === 'uplink' ? 'uplinkd (self-signed)' : `you (issuer ${data.issuer})`],
          ]}
        />
      )}
      <p class="muted">
        Compare the fingerprint with the one your browser shows before you trust the certificate. To use your own, put
        cert.pem and key.pem in uplinkd's state directory (web/) and restart it.
      </p>
    </Card>
  );
}

function Backup() {
  const [text, setText] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);

  async function backup() {
    const config = await get('/config');
    saveFile(`uplink-${new Date().toISOString().slice(0, 10)}.conf`, config.text, 'text/plain');
  }
  async function choose(event) {
    setResult(null);
    setError(null);
    const file = event.target.files[0];
    if (!file) return;
    const chosen = await file.text();
    setText(chosen);
    try {
      setResult(await post('/config', { text: chosen, preview: true }));
    } catch (caught) {
      setError(caught);
    }
  }
  async function restore() {
    setError(null);
    try {
      setResult(await post('/config', { text, preview: false }));
    } catch (caught) {
      setError(caught);
    }
  }
  return (
    <Card title="Configuration backup">
      <p class="muted">
        The backup holds the SIM PINs and APN passwords: keep it safe. A restored file is checked whole before it
        replaces anything, and applied live.
      </p>
      <ActionButton action={backup}>Download backup</ActionButton>
      <label>
        Restore from a file
        <input type="file" accept=".conf,text/plain" onChange={choose} />
      </label>
      <ErrorText error={error} />
      <Changes result={result} />
      {result?.restart_required?.length > 0 && (
        <p class="muted">Takes effect when uplinkd restarts: {result.restart_required.join(', ')}.</p>
      )}
      {result && !result.applied && (
        <button type="button" class="primary" onClick={restore}>
          Restore it
        </button>
      )}
    </Card>
  );
}

export function Settings() {
  return (
    <>
      <Title>Settings</Title>
      <div class="cards">
        <Password />
        <Tokens />
        <Certificate />
        <Backup />
      </div>
    </>
  );
}
