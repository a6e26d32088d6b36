import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { ErrorText, ModemPicker, Title } from '../components.jsx';

// One AT command at a time on the modem's AT port, queued behind uplinkd's own (docs/api.md,
// POST /v1/modems/<id>/at). Up and Down recall earlier commands, as in a shell.
export function Console({ modemId, modems }) {
  const [command, setCommand] = useState('');
  const [exchanges, setExchanges] = useState([]);
  const [recall, setRecall] = useState(-1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  async function send(event) {
    event.preventDefault();
    const line = command.trim();
    if (!line) return;
    setBusy(true);
    setError(null);
    try {
      const reply = await post(`/modems/${modemId}/at`, { command: line });
      setExchanges((old) => [{ command: line, ...reply }, ...old]);
      setCommand('');
      setRecall(-1);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  function keyDown(event) {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    const next = Math.max(-1, Math.min(exchanges.length - 1, recall + (event.key === 'ArrowUp' ? 1 : -1)));
    setRecall(next);
    setCommand(next < 0 ? '' : exchanges[next].command);
  }

  return (
    <>
      <Title>AT console</Title>
      <ModemPicker modems={modems} current={modemId} page="console" />
      <form class="console" onSubmit={send}>
        <label for="at-command">Command for {modemId}</label>
        <div class="inline">
          <input
            id="at-command"
            value={command}
            onInput={(event) => setCommand(event.target.value)}
            onKeyDown={keyDown}
            placeholder="AT+CSQ"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            maxLength={1024}
          />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? '…' : 'Send'}
          </button>
        </div>
      </form>
      <ErrorText error={error} />
      <ol class="exchanges" aria-live="polite">
        {exchanges.map((exchange, index) => (
          <li key={exchanges.length - index}>
            <pre>
              <span class="sent">&gt; {exchange.command}</span>
              {'\n'}
              {exchange.lines.map((line) => `${line}\n`).join('')}
              <span class={exchange.error ? 'error' : 'final'}>{exchange.final}</span>
              {exchange.error ? ` (${exchange.error})` : ''}
            </pre>
          </li>
        ))}
      </ol>
    </>
  );
}
