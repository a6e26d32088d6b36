import { useState } from 'preact/hooks';
import { post } from '../api.js';
import { ActionButton, Card, ErrorText, Facts, Loading, ModemPicker, Title } from '../components.jsx';
import { Editor } from '../editor.jsx';
import { dash, list, technology } from '../format.js';
import { useResource } from '../hooks.js';
import { radioFields } from './profiles.jsx';

function InEffect({ modem }) {
  const radio = modem.radio ?? {};
  return (
    <Card title="In effect">
      <Facts
        rows={[
          ['Radio access', radio.rat ?? 'not known for this model'],
          ['LTE bands', list(radio.lte_bands)],
          ['5G NR bands', radio.nr_bands === null || radio.nr_bands === undefined ? dash : list(radio.nr_bands)],
          ['5G NSA bands', radio.nsa_nr_bands === null || radio.nsa_nr_bands === undefined ? dash : list(radio.nsa_nr_bands)],
          ['Network selection', radio.selection ?? dash],
          ['Operator', radio.operator || dash],
          ['Registered on', `${modem.registration.operator_name || dash} (${technology(modem.registration.technology)})`],
        ]}
      />
      {radio.error && <p class="error">Not in effect: {radio.error}</p>}
    </Card>
  );
}

function Scan({ modemId, onChoose }) {
  const [networks, setNetworks] = useState(null);
  async function scan() {
    setNetworks(null);
    const reply = await post(`/modems/${modemId}/scan`);
    setNetworks(reply.networks);
  }
  return (
    <Card title="Operator scan" wide>
      <p class="muted">A scan takes up to three minutes on a real modem and may drop its data connection meanwhile.</p>
      <ActionButton action={scan}>Scan for networks</ActionButton>
      {networks && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Network</th>
                <th scope="col">MCC-MNC</th>
                <th scope="col">Technology</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Choose</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {networks.map((network) => (
                <tr key={`${network.mcc_mnc}-${network.technology}`}>
                  <td>{network.long_name || network.short_name}</td>
                  <td>{network.mcc_mnc}</td>
                  <td>{technology(network.technology)}</td>
                  <td>{network.status}</td>
                  <td>
                    <button type="button" class="small" disabled={network.status === 'forbidden'} onClick={() => onChoose(network.mcc_mnc)}>
                      Use
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export function Radio({ modemId, modems }) {
  const modem = useResource(`/modems/${modemId}`, (event) => event.modem_id === modemId && event.kind !== 'signal-changed');
  const profiles = useResource('/profiles');
  const [chosenOperator, setChosenOperator] = useState(null);
  const profileName = modem.data?.settings?.profile;
  const profile = profiles.data?.profiles.find((candidate) => candidate.name === profileName);
  const fields = radioFields(profile).map((field) =>
    field.name === 'operator' && chosenOperator ? { ...field, start: chosenOperator } : field,
  );
  return (
    <>
      <Title>Radio</Title>
      <ModemPicker modems={modems} current={modemId} page="radio" />
      <ErrorText error={modem.error || profiles.error} />
      {!modem.data && !modem.error && <Loading what="the modem" />}
      {modem.data && (
        <div class="cards">
          <InEffect modem={modem.data} />
          <Card title={`Asked for by profile ${profileName ?? dash}`}>
            {profile ? (
              <Editor
                resource={`/profiles/${profile.name}`}
                fields={fields}
                onSaved={() => {
                  setChosenOperator(null);
                  profiles.reload();
                  modem.reload();
                }}
              />
            ) : (
              <p class="muted">The modem's profile is not known yet (its SIM is not read).</p>
            )}
            <p class="muted">These settings belong to the profile: every modem that uses it gets them.</p>
          </Card>
        </div>
      )}
      <Scan modemId={modemId} onChoose={setChosenOperator} />
    </>
  );
}
