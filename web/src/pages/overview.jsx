import { useCallback, useEffect, useState } from 'preact/hooks';
import { Bars, Card, ErrorText, Facts, Loading, Title } from '../components.jsx';
import { bytes, dash, duration, technology, withUnit } from '../format.js';
import { useResource } from '../hooks.js';

// docs/api.md: a profile's metric null is "by WAN number": 200 for WAN1, 210 for WAN2...
function routeMetric(modem) {
  const configured = modem.settings?.connection?.metric;
  if (configured !== null && configured !== undefined) return configured;
  const number = Number((modem.wan || '').replace(/^wan/, ''));
  return number ? 200 + 10 * (number - 1) : Infinity;
}

// The connected WAN whose default route has the lowest metric carries the traffic.
function carrierOf(modems) {
  const connected = modems.filter((modem) => modem.connection?.state === 'connected');
  connected.sort((left, right) => routeMetric(left) - routeMetric(right));
  return connected[0]?.id;
}

function Usage({ usage }) {
  if (!usage) return <p class="muted">No data usage recorded yet.</p>;
  const total = (part) => bytes(part.received_bytes + part.sent_bytes);
  return (
    <Facts
      rows={[
        ['Today', `${total(usage.today)} (↓ ${bytes(usage.today.received_bytes)} ↑ ${bytes(usage.today.sent_bytes)})`],
        [
          `This month, since ${new Date(usage.period_start).toLocaleDateString()}`,
          `${total(usage.this_period)} (↓ ${bytes(usage.this_period.received_bytes)} ↑ ${bytes(
            usage.this_period.sent_bytes,
          )})`,
        ],
      ]}
    />
  );
}

function WanFacts({ modem, carries }) {
  const registration = modem.registration ?? {};
  const connection = modem.connection ?? {};
  return (
    <>
      <p class="status-line">
        <span class={`state ${modem.state}`}>{modem.state}</span>
        {carries && <span class="badge">carries traffic</span>}
      </p>
      <p class="muted">{modem.message}</p>
      <Facts
        rows={[
          [
            'Operator',
            registration.operator_name
              ? `${registration.operator_name} (${technology(registration.technology)})${
                  registration.state === 'roaming' ? ', roaming' : ''
                }`
              : dash,
          ],
          [
            'Signal',
            <span>
              <Bars rsrp={modem.signal?.rsrp_dbm} /> {withUnit(modem.signal?.rsrp_dbm, 'dBm')} RSRP,{' '}
              {withUnit(modem.signal?.sinr_db, 'dB')} SINR
            </span>,
          ],
          ['Connection', connection.state ?? dash],
          ['Address', connection.ipv4?.address ?? connection.ipv6?.address ?? dash],
          ['Up for', connection.state === 'connected' ? duration(connection.uptime_s) : dash],
        ]}
      />
      <h3>Data usage</h3>
      <Usage usage={modem.usage} />
      <p>
        <a href={`#/modem/${modem.id}`}>Modem details</a> · <a href={`#/align/${modem.id}`}>Antenna alignment</a>
      </p>
    </>
  );
}

// One WAN's card. It loads the modem in full (the summaries lack usage, WAN and route metric)
// and hands it up, so that the overview can tell which WAN carries the traffic.
function WanCard({ id, carries, onLoaded }) {
  const modem = useResource(`/modems/${id}`, (event) => event.modem_id === id);
  useEffect(() => {
    if (modem.data) onLoaded(id, modem.data);
  }, [modem.data]);
  const title = modem.data ? `${(modem.data.wan || 'WAN').toUpperCase()} · ${modem.data.identity.model || id}` : id;
  return (
    <Card title={title}>
      {modem.data ? <WanFacts modem={modem.data} carries={carries} /> : !modem.error && <Loading what="the modem" />}
      <ErrorText error={modem.error} />
    </Card>
  );
}

function WanList({ ids }) {
  const [loaded, setLoaded] = useState({});
  const onLoaded = useCallback((id, modem) => setLoaded((old) => ({ ...old, [id]: modem })), []);
  const carrier = carrierOf(ids.map((id) => loaded[id]).filter(Boolean));
  return (
    <div class="cards">
      {ids.map((id) => (
        <WanCard key={id} id={id} carries={id === carrier} onLoaded={onLoaded} />
      ))}
    </div>
  );
}

export function Overview({ modems }) {
  const status = useResource('/status', (event) => event.kind === 'added' || event.kind === 'removed');
  const ids = (modems ?? []).map((modem) => modem.id);
  return (
    <>
      <Title>Overview</Title>
      {status.data && (
        <p class="muted">
          uplinkd {status.data.version}, up {duration(status.data.uptime_s)}
        </p>
      )}
      <ErrorText error={status.error} />
      {ids.length ? <WanList key={ids.join(' ')} ids={ids} /> : <p class="muted">No modem is connected.</p>}
    </>
  );
}
