// The Failover page: each WAN of `config wan` (GET /v1/wans, docs/failover.md) with its state and
// why, its link, round trip, loss and probes, and its last transitions with their reasons. A
// transition (a wan-changed event) reloads it at once; the figures that move without one (round
// trip, loss, probe counts) are read again every few seconds while the page is open. The WANs,
// the policies and the traffic rules (GET /v1/policies) are edited here, previewed, then applied
// live (POST /v1/wans|policies|traffic/<name>).
import { useEffect, useState } from 'preact/hooks';
import { Card, ErrorText, Facts, Loading, Title } from '../components.jsx';
import { Creator, Editor, Remover } from '../editor.jsx';
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

// What names a WAN or a policy: it names nftables objects and metrics (docs/failover.md).
const wanName = { pattern: /^[a-z0-9_]{1,15}$/, nameRule: '1 to 15 lower-case letters, digits or underscores' };

function wanFields(config) {
  return [
    { name: 'interface', label: 'Interface (a wired WAN)', type: 'text', shown: config?.interface, placeholder: 'eth1' },
    { name: 'modem', label: 'Modem (a cellular WAN)', type: 'text', shown: config?.modem, placeholder: 'wan1 or a USB path' },
    { name: 'track_ip', label: 'Probe targets', type: 'list', shown: config?.track_ip ?? [], placeholder: '1.1.1.1 8.8.8.8 9.9.9.9' },
    { name: 'track_method', label: 'Probes', type: 'select', choices: ['ping', 'tcp', 'dns'], shown: config?.track_method ?? 'ping' },
    { name: 'track_port', label: 'TCP probe port', type: 'number', shown: config?.track_method === 'tcp' ? config.track_port : null, placeholder: '443, with tcp' },
    { name: 'dns', label: 'DNS servers', type: 'list', shown: config?.dns ?? [], placeholder: "a modem's: from its connection" },
    { name: 'metered', label: 'Metered (slow idle probing)', type: 'checkbox', shown: config?.metered, help: 'default: on for a modem' },
    { name: 'probe_budget_mb', label: 'Probe budget (MB a month)', type: 'number', shown: config?.probe_budget_mb, placeholder: '50, 5 in standby' },
    { name: 'standby', label: 'Standby (carries nothing while another WAN lives)', type: 'checkbox', shown: config?.standby },
    { name: 'nat66', label: 'Masquerade the LAN’s IPv6 (NAT66)', type: 'checkbox', shown: config?.nat66 },
    { name: 'share_prefix', label: 'Share its IPv6 /64 on (RFC 7278)', type: 'text', shown: config?.share_prefix, placeholder: 'not shared (br-lan)' },
    { name: 'enabled', label: 'Enabled', type: 'checkbox', shown: config?.enabled ?? true },
  ];
}

function policyFields(policy) {
  return [
    { name: 'tier', label: 'Tiers, first preferred (one a line: wan[:weight] …)', type: 'lines', shown: policy?.tier ?? [], placeholder: 'fibre\nlte' },
    { name: 'last_resort', label: 'When every WAN is dead', type: 'select', choices: ['unreachable', 'main'], shown: policy?.last_resort ?? 'unreachable' },
    { name: 'sticky', label: 'Sticky hosts (seconds, 0: off)', type: 'number', shown: policy?.sticky ?? 0 },
    { name: 'failback', label: 'On fail-back, move', type: 'select', choices: ['new', 'all'], shown: policy?.failback ?? 'new' },
  ];
}

function trafficFields(rule, policyNames) {
  return [
    { name: 'src_ip', label: 'From (address or prefix)', type: 'text', shown: rule?.src_ip, placeholder: 'any' },
    { name: 'dest_ip', label: 'To (address or prefix)', type: 'text', shown: rule?.dest_ip, placeholder: 'any' },
    { name: 'proto', label: 'Protocol', type: 'select', choices: ['all', 'tcp', 'udp', 'icmp'], shown: rule?.proto ?? 'all' },
    { name: 'src_port', label: 'From port', type: 'text', shown: rule?.src_port, placeholder: 'any (tcp, udp)' },
    { name: 'dest_port', label: 'To port', type: 'text', shown: rule?.dest_port, placeholder: 'any (5060-5061)' },
    { name: 'family', label: 'IP version', type: 'select', choices: ['any', 'ipv4', 'ipv6'], shown: rule?.family ?? 'any' },
    { name: 'policy', label: 'Policy', type: 'select', choices: policyNames, shown: rule?.policy ?? policyNames[0] },
  ];
}

// An Edit button that opens the section's editor and its removal. `implicit`: a section the file
// does not have yet (the default failover policy), written whole by its first edit.
function Editing({ resource, fields, reload, small, implicit }) {
  const [editing, setEditing] = useState(false);
  return (
    <>
      <button type="button" class={small ? 'small' : undefined} aria-expanded={editing} onClick={() => setEditing(!editing)}>
        {editing ? 'Close' : 'Edit'}
      </button>
      {editing && (
        <>
          <Editor resource={resource} fields={fields} onSaved={reload} creating={implicit} />
          {!implicit && <Remover resource={resource} onRemoved={reload} />}
        </>
      )}
    </>
  );
}

function WanCard({ wan, reload }) {
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
      <Editing resource={`/wans/${wan.name}`} fields={wanFields(wan.config)} reload={reload} />
    </Card>
  );
}

function PolicyCard({ policy, isDefault, reload }) {
  return (
    <Card title={`Policy ${policy.name}${isDefault ? ' (default)' : ''}`}>
      <ol class="tiers">
        {policy.tier.map((tier) => (
          <li key={tier}>{tier}</li>
        ))}
      </ol>
      {!policy.tier.length && <p class="muted">No tiers: its traffic goes to its last resort.</p>}
      {policy.implicit && <p class="muted">Not in the config file: every WAN, wired ones first. Editing it writes it there.</p>}
      <Facts
        rows={[
          ['All dead', policy.last_resort],
          ['Sticky', policy.sticky ? `${policy.sticky} s` : 'off'],
          ['Fail-back moves', policy.failback === 'all' ? 'all connections' : 'new connections'],
        ]}
      />
      <Editing resource={`/policies/${policy.name}`} fields={policyFields(policy)} reload={reload} implicit={policy.implicit} />
    </Card>
  );
}

function TrafficRow({ rule, policyNames, reload }) {
  const matches = ['src_ip', 'dest_ip', 'src_port', 'dest_port'].filter((key) => rule[key]).map((key) => `${key} ${rule[key]}`);
  if (rule.proto !== 'all') matches.unshift(rule.proto);
  if (rule.family !== 'any') matches.unshift(rule.family);
  return (
    <li>
      <strong>{rule.name}</strong>: {matches.join(', ') || 'everything'} → policy {rule.policy}{' '}
      {/^[A-Za-z0-9_]+$/.test(rule.name) && (
        <Editing resource={`/traffic/${rule.name}`} fields={trafficFields(rule, policyNames)} reload={reload} small />
      )}
    </li>
  );
}

function Policies({ reload: reloadWans }) {
  const configured = useResource('/policies');
  const data = configured.data;
  if (!data) return configured.error ? <ErrorText error={configured.error} /> : <Loading what="the policies" />;
  const reload = () => {
    configured.reload();
    reloadWans();
  };
  const policyNames = data.policies.map((policy) => policy.name);
  return (
    <>
      <h2>Policies</h2>
      <div class="cards">
        {data.policies.map((policy) => (
          <PolicyCard key={policy.name} policy={policy} isDefault={policy.name === data.default_policy} reload={reload} />
        ))}
        <Creator title="New policy" base="/policies" fields={policyFields(null)} {...wanName} reload={reload} />
      </div>
      <Card title="Traffic rules" wide>
        <p class="muted">The first rule a new connection matches picks its policy; else the default policy ({data.default_policy}).</p>
        {data.traffic.length ? (
          <ol class="rules">
            {data.traffic.map((rule) => (
              <TrafficRow key={rule.name} rule={rule} policyNames={policyNames} reload={reload} />
            ))}
          </ol>
        ) : (
          <p class="muted">No rules.</p>
        )}
      </Card>
      <Creator title="New traffic rule" base="/traffic" fields={trafficFields(null, policyNames)} {...wanName} reload={reload} />
    </>
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
  else
    content = (
      <>
        {!wans.data.length && (
          <p class="muted">
            No WAN is set up for failover: add your wired line (its interface) and your modems (wan1, wan2) below, and order
            them in a policy.
          </p>
        )}
        <div class="cards">
          {wans.data.map((wan) => (
            <WanCard key={wan.name} wan={wan} reload={reload} />
          ))}
          <Creator title="New WAN" base="/wans" fields={wanFields(null)} {...wanName} reload={reload} />
        </div>
        <Policies reload={reload} />
      </>
    );
  return (
    <>
      <Title>Failover</Title>
      {content}
      <ErrorText error={wans.error} />
    </>
  );
}
