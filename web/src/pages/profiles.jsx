import { useState } from 'preact/hooks';
import { Card, ErrorText, Facts, Loading, Title } from '../components.jsx';
import { Creator, Editor, Remover } from '../editor.jsx';
import { dash, list } from '../format.js';
import { useResource } from '../hooks.js';

// A profile's options as docs/config.md names them, with what GET /v1/profiles shows for each.
export function radioFields(profile) {
  const radio = profile?.radio ?? {};
  return [
    { name: 'rat', label: 'Radio access', type: 'select', choices: ['auto', '5g', 'lte', '3g', '2g'], shown: radio.rat ?? 'auto' },
    { name: 'lte_bands', label: 'LTE bands', type: 'text', shown: radio.lte_bands ?? [], placeholder: 'all (e.g. 3 7 20)' },
    { name: 'nr_bands', label: '5G NR bands', type: 'text', shown: radio.nr_bands ?? [], placeholder: 'all (e.g. 78 28)' },
    { name: 'operator', label: 'Operator (MCC-MNC)', type: 'text', shown: radio.operator ?? '', placeholder: 'automatic' },
  ];
}

function profileFields(profile) {
  return [
    { name: 'apn', label: 'APN', type: 'text', shown: profile?.apn, placeholder: 'from the operator table' },
    { name: 'auth', label: 'Authentication', type: 'select', choices: ['none', 'pap', 'chap', 'pap-chap'], shown: profile?.auth ?? 'none' },
    { name: 'username', label: 'Username', type: 'text', shown: profile?.username },
    { name: 'password', label: 'Password', type: 'secret', isSet: profile?.password_set, placeholder: profile?.password_set ? 'set: blank keeps it' : '' },
    { name: 'ip_family', label: 'IP', type: 'select', choices: ['ipv4', 'ipv6', 'ipv4v6'], shown: profile?.ip_family ?? 'ipv4' },
    { name: 'pin', label: 'SIM PIN', type: 'secret', isSet: profile?.pin_set, placeholder: profile?.pin_set ? 'set: blank keeps it' : '' },
    { name: 'autoconnect', label: 'Connect automatically', type: 'checkbox', shown: profile?.autoconnect ?? true },
    { name: 'mtu', label: 'MTU', type: 'number', shown: profile?.mtu, placeholder: "the network's" },
    { name: 'metric', label: 'Route metric', type: 'number', shown: profile?.metric, placeholder: 'by WAN number' },
    { name: 'ttl', label: 'TTL', type: 'number', shown: profile?.ttl, placeholder: 'as routed' },
    ...radioFields(profile),
  ];
}

function ruleFields(rule, profileNames) {
  return [
    { name: 'profile', label: 'Profile', type: 'select', choices: profileNames, shown: rule?.profile ?? profileNames[0] },
    { name: 'iccid', label: 'ICCID starts with', type: 'text', shown: rule?.iccid },
    { name: 'imsi', label: 'IMSI starts with', type: 'text', shown: rule?.imsi },
    { name: 'mcc_mnc', label: 'Home network (MCC-MNC)', type: 'text', shown: rule?.mcc_mnc },
    { name: 'imei', label: 'Modem IMEI', type: 'text', shown: rule?.imei },
    { name: 'model', label: 'Modem model', type: 'text', shown: rule?.model },
  ];
}

// What names a profile or a rule (docs/config.md).
const configName = { pattern: /^[A-Za-z0-9_]{1,32}$/, nameRule: '1 to 32 letters, digits or underscores' };

function ProfileCard({ profile, isDefault, reload }) {
  const [editing, setEditing] = useState(false);
  return (
    <Card title={`Profile ${profile.name}${isDefault ? ' (default)' : ''}`}>
      <Facts
        rows={[
          ['APN', profile.apn || 'from the operator table'],
          ['Authentication', profile.auth],
          ['IP', profile.ip_family],
          ['PIN', profile.pin_set ? 'set' : 'none'],
          ['Radio', `${profile.radio.rat}, LTE bands ${list(profile.radio.lte_bands)}`],
          ['Operator', profile.radio.operator ?? 'automatic'],
        ]}
      />
      <button type="button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
        {editing ? 'Close' : 'Edit'}
      </button>
      {editing && (
        <>
          <Editor resource={`/profiles/${profile.name}`} fields={profileFields(profile)} onSaved={reload} />
          <Remover resource={`/profiles/${profile.name}`} onRemoved={reload} />
        </>
      )}
    </Card>
  );
}

function RuleRow({ rule, profileNames, reload }) {
  const [editing, setEditing] = useState(false);
  const matches = ['iccid', 'imsi', 'mcc_mnc', 'imei', 'model'].filter((key) => rule[key]).map((key) => `${key} ${rule[key]}`);
  return (
    <li>
      <strong>{rule.name}</strong>: {matches.join(', ') || 'any SIM'} → profile {rule.profile}{' '}
      <button type="button" class="small" aria-expanded={editing} onClick={() => setEditing(!editing)}>
        {editing ? 'Close' : 'Edit'}
      </button>
      {editing && (
        <>
          <Editor resource={`/rules/${rule.name}`} fields={ruleFields(rule, profileNames)} onSaved={reload} />
          <Remover resource={`/rules/${rule.name}`} onRemoved={reload} />
        </>
      )}
    </li>
  );
}

export function Profiles() {
  const configured = useResource('/profiles');
  const data = configured.data;
  if (!data) return (
    <>
      <Title>Profiles and SIM rules</Title>
      {configured.error ? <ErrorText error={configured.error} /> : <Loading what="the profiles" />}
    </>
  );
  const profileNames = data.profiles.map((profile) => profile.name);
  return (
    <>
      <Title>Profiles and SIM rules</Title>
      <p class="muted">
        A SIM gets the profile of the first rule it matches, else the default profile ({data.default_profile ?? dash}).
        Changes are previewed, then applied live.
      </p>
      <ErrorText error={configured.error} />
      <div class="cards">
        {data.profiles.map((profile) => (
          <ProfileCard key={profile.name} profile={profile} isDefault={profile.name === data.default_profile} reload={configured.reload} />
        ))}
        <Creator title="New profile" base="/profiles" fields={profileFields(null)} {...configName} reload={configured.reload} />
      </div>
      <Card title="SIM rules" wide>
        {data.rules.length ? (
          <ol class="rules">
            {data.rules.map((rule) => (
              <RuleRow key={rule.name} rule={rule} profileNames={profileNames} reload={configured.reload} />
            ))}
          </ol>
        ) : (
          <p class="muted">No rules: every SIM uses the default profile.</p>
        )}
      </Card>
      <Creator title="New rule" base="/rules" fields={ruleFields(null, profileNames)} {...configName} reload={configured.reload} />
    </>
  );
}
