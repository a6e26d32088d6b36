import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { ActionButton, Card, ErrorText, Facts, Loading, ModemPicker, Title } from '../components.jsx';
import { dash, time } from '../format.js';
import { useResource } from '../hooks.js';

function Settings({ settings }) {
  if (!settings) return <p class="muted">Not decided yet (the SIM is not read).</p>;
  const connection = settings.connection ?? {};
  return (
    <Facts
      rows={[
        ['Profile', settings.profile],
        ['Rule', settings.rule ?? 'none matched (default profile)'],
        ['Why', settings.reason || dash],
        ['APN', `${connection.apn || dash} (${settings.apn_source}${settings.apn_entry ? `: ${settings.apn_entry}` : ''})`],
        ['Authentication', `${connection.auth}${connection.username ? `, user ${connection.username}` : ''}`],
        ['IP', connection.ip_family],
        ['Connect automatically', connection.autoconnect ? 'yes' : 'no'],
        ['MTU', connection.mtu ?? "the network's"],
        ['Route metric', connection.metric ?? dash],
        ['Provisional', settings.provisional ? 'yes: the SIM is still locked' : 'no'],
      ]}
    />
  );
}

function Dialogue({ lines }) {
  const [filter, setFilter] = useState('');
  const shown = lines.filter((line) => !filter || line.text.toLowerCase().includes(filter.toLowerCase()));
  return (
    <>
      <label>
        Filter
        <input type="search" value={filter} onInput={(event) => setFilter(event.target.value)} />
      </label>
      <p class="muted">
        {shown.length} of {lines.length} lines; PINs and passwords are never captured.
      </p>
      <pre class="dialogue" tabIndex={0} aria-label="modem dialogue">
        {shown
          .slice(-500)
          .map((line) => `${line.time.slice(11, 23)} ${line.port.padEnd(9)} ${line.direction.padEnd(3)} ${line.text}`)
          .join('\n')}
      </pre>
    </>
  );
}

// The same document `uplink debug <id> --bundle` archives, saved as JSON by the browser.
async function download(modemId) {
  const document_ = await get(`/modems/${modemId}/debug`);
  const blob = new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `uplink-debug-${modemId}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function Debug({ modemId, modems }) {
  const debug = useResource(`/modems/${modemId}/debug`);
  const data = debug.data;
  return (
    <>
      <Title>Debug</Title>
      <ModemPicker modems={modems} current={modemId} page="debug" />
      <p class="buttons">
        <ActionButton action={debug.reload}>Refresh</ActionButton>
        <ActionButton kind="primary" action={() => download(modemId)}>
          Download debug document
        </ActionButton>
      </p>
      <ErrorText error={debug.error} />
      {!data && !debug.error && <Loading what="the debug document" />}
      {data && (
        <div class="cards">
          <Card title="Effective settings">
            <Settings settings={data.modem.settings} />
          </Card>
          <Card title="Device">
            <Facts
              rows={[
                ['USB', `${data.modem.device.usb_path} (${data.modem.device.vendor_id}:${data.modem.device.product_id})`],
                ['Protocol', data.modem.device.protocol],
                ['Ports', data.modem.device.ports.map((port) => `${port.name} (${port.role}, ${port.driver})`).join(', ')],
                ['uplinkd', data.uplink_version],
              ]}
            />
          </Card>
          <Card title="Events" wide>
            <ul class="events">
              {data.events
                .slice()
                .reverse()
                .map((event, index) => (
                  <li key={index}>
                    <time>{time(event.time)}</time> {event.kind}: {event.message}
                  </li>
                ))}
            </ul>
          </Card>
          <Card title="Modem dialogue" wide>
            <Dialogue lines={data.dialogue} />
          </Card>
        </div>
      )}
    </>
  );
}
