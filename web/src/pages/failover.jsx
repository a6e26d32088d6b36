// The Failover page: each WAN of `config wan` (GET /v1/wans, docs/failover.md) with its state and
// why, its link, round trip, loss and probes, and its last transitions with their reasons. A
// transition (a wan-changed event) reloads it at once; the figures that move without one (round
// trip, loss, probe counts) are read again every few seconds while the page is open.
import { useEffect } from 'preact/hooks';
import { Card, ErrorText, Facts, Loading, Title } from '../components.jsx';
import { bytes, dash, time, withUnit } from '../format.js';
import { useResource } from '../hooks.js';

const refreshMilliseconds = 5000;

function percent(ratio) {
  return ratio === null || ratio === undefined ? dash : `${(ratio * 100).toFixed(1)} %`;
}

function State({ state }) {
  return <span class={`state ${state}`}>{state}</span>;
}

// Newest first: the one that explains the state now comes at the top.
function Transitions({ transitions }) {
  if (!transitions.length) return <p class="muted">None since uplinkd started.</p>;
  return (
    <ul class="events">
      {transitions
        .map((transition, index) => (
          <li key={`${transition.time} ${index}`}>
            <time dateTime={transition.time}>{time(transition.time)}</time>
            <State state={transition.from} /> → <State state={transition.to} />: {transition.reason}
          </li>
        ))
        .reverse()}
    </ul>
  );
}

function WanCard({ wan }) {
  const probes = wan.probes;
  const budget = probes.monthly_budget_bytes ? ` (budget ${bytes(probes.monthly_budget_bytes)})` : '';
  return (
    <Card title={wan.name}>
      <p class="status-line">
        <State state={wan.state} />
      </p>
      <p class="muted">{wan.reason}</p>
      <Facts
        rows={[
          ['Interface', wan.interface ?? dash],
          ['Link', wan.link ? 'up' : 'down'],
          ['Since', time(wan.since)],
          ['Held dead until', wan.held_until ? time(wan.held_until) : undefined],
          ['Round trip', wan.rtt_ms === null ? dash : `${wan.rtt_ms} ms ± ${wan.rtt_variation_ms} ms`],
          ['Loss', percent(wan.loss)],
          ['Latency', withUnit(wan.latency_ms, 'ms')],
          ['Probes', `${probes.sent} sent, ${probes.lost} lost`],
          ['Probe cost', `${bytes(probes.bytes_per_month)} a month${budget}`],
        ]}
      />
      <h3>Last transitions</h3>
      <Transitions transitions={wan.transitions} />
    </Card>
  );
}

export function Failover() {
  const wans = useResource('/wans', (event) => event.kind === 'wan-changed');
  const { reload } = wans;
  useEffect(() => {
    const timer = setInterval(reload, refreshMilliseconds);
    return () => clearInterval(timer);
  }, [reload]);

  let content;
  if (wans.data === null) content = !wans.error && <Loading what="the WANs" />;
  else if (!wans.data.length)
    content = (
      <p class="muted">
        No WAN is set up for failover. Name your WANs in <code>/etc/config/uplink</code> with <code>config wan</code>{' '}
        sections and order them in a <code>config policy</code>.
      </p>
    );
  else
    content = (
      <div class="cards">
        {wans.data.map((wan) => (
          <WanCard key={wan.name} wan={wan} />
        ))}
      </div>
    );
  return (
    <>
      <Title>Failover</Title>
      {content}
      <ErrorText error={wans.error} />
    </>
  );
}
