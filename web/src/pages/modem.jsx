import { useEffect, useState } from 'preact/hooks';
import { post } from '../api.js';
import { SignalChart } from '../chart.jsx';
import { ActionButton, Card, ErrorText, Facts, Loading, ModemPicker, Title } from '../components.jsx';
import { bytes, dash, duration, technology, withUnit } from '../format.js';
import { useEvents, useResource } from '../hooks.js';

const historyColumns = ['rsrp_dbm', 'rssi_dbm', 'sinr_db', 'rsrq_db'];
const maxPoints = 5000;

// The stored history (GET .../signal/history) and, appended to it, each live signal event.
function useSignalHistory(modemId) {
  const history = useResource(`/modems/${modemId}/signal/history`);
  const [data, setData] = useState([[], [], [], [], []]);
  useEffect(() => {
    if (history.data) setData([history.data.time, ...historyColumns.map((column) => history.data[column])]);
  }, [history.data]);
  useEvents((event) => {
    if (event.kind !== 'signal-changed' || event.modem_id !== modemId || !event.signal) return;
    const at = Date.parse(event.time) / 1000;
    setData((old) =>
      old.map((column, index) =>
        [...column, index === 0 ? at : event.signal[historyColumns[index - 1]]].slice(-maxPoints),
      ),
    );
  });
  return { data, error: history.error };
}

function Carriers({ carriers }) {
  if (!carriers?.length) return <p class="muted">No carrier aggregation reported.</p>;
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Carrier</th>
            <th scope="col">Band</th>
            <th scope="col">EARFCN</th>
            <th scope="col">Width</th>
            <th scope="col">PCI</th>
            <th scope="col">RSRP</th>
            <th scope="col">RSRQ</th>
            <th scope="col">SINR</th>
          </tr>
        </thead>
        <tbody>
          {carriers.map((carrier, index) => (
            <tr key={index}>
              <td>{carrier.primary ? 'primary' : 'secondary'}</td>
              <td>{carrier.band}</td>
              <td>{carrier.earfcn ?? dash}</td>
              <td>{carrier.bandwidth_rb === null ? dash : `${carrier.bandwidth_rb} RB`}</td>
              <td>{carrier.pci ?? dash}</td>
              <td>{withUnit(carrier.rsrp_dbm, 'dBm')}</td>
              <td>{withUnit(carrier.rsrq_db, 'dB')}</td>
              <td>{withUnit(carrier.sinr_db, 'dB')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Connection({ modem, reload }) {
  const connection = modem.connection;
  const ipv4 = connection.ipv4;
  async function request(what) {
    await post(`/modems/${modem.id}/${what}`);
    await reload();
  }
  return (
    <Card title="Connection">
      <Facts
        rows={[
          ['State', <span class={`state ${connection.state}`}>{connection.state}</span>],
          ['Interface', connection.interface || dash],
          ['IPv4', ipv4 ? `${ipv4.address}/${ipv4.prefix_length} via ${ipv4.gateway}` : dash],
          ['DNS', ipv4?.dns?.join(', ') || dash],
          ['IPv6', connection.ipv6?.address ?? dash],
          ['MTU', connection.mtu ?? dash],
          ['Up for', connection.state === 'connected' ? duration(connection.uptime_s) : dash],
          ['Received', bytes(connection.received_bytes)],
          ['Sent', bytes(connection.sent_bytes)],
          ['Last error', connection.last_error || dash],
        ]}
      />
      <p class="buttons">
        <ActionButton kind="primary" action={() => request('connect')}>
          Connect
        </ActionButton>
        <ActionButton action={() => request('disconnect')}>Disconnect</ActionButton>
      </p>
    </Card>
  );
}

function ModemDetails({ modem, reload }) {
  const { identity, sim, registration, signal } = modem;
  return (
    <div class="cards">
      <Card title="Modem">
        <p class="status-line">
          <span class={`state ${modem.state}`}>{modem.state}</span> {modem.wan?.toUpperCase()}
        </p>
        <p class="muted">{modem.message}</p>
        <Facts
          rows={[
            ['Model', `${identity.manufacturer} ${identity.model}`],
            ['Firmware', identity.revision || dash],
            ['IMEI', identity.imei || dash],
            ['Protocol', modem.device?.protocol ?? dash],
            ['USB', modem.device ? `${modem.device.usb_path} (${modem.device.vendor_id}:${modem.device.product_id})` : dash],
          ]}
        />
      </Card>
      <Card title="SIM">
        <Facts
          rows={[
            ['State', sim.state],
            ['ICCID', sim.iccid || dash],
            ['IMSI', sim.imsi || dash],
            ['PIN tries left', sim.pin_retries ?? dash],
            ['PUK tries left', sim.puk_retries ?? dash],
          ]}
        />
      </Card>
      <Card title="Network">
        <Facts
          rows={[
            ['Registration', registration.state],
            ['Operator', registration.operator_name ? `${registration.operator_name} (${registration.operator_id})` : dash],
            ['Technology', technology(registration.technology)],
            ['Cell', registration.cell_id === null ? dash : `${registration.cell_id} (${registration.cell_id_hex})`],
            ['TAC', registration.tac === null ? dash : `${registration.tac} (${registration.tac_hex})`],
            ['Band', signal.band === null ? dash : `B${signal.band}`],
            ['EARFCN', signal.earfcn ?? dash],
            ['PCI', signal.pci ?? dash],
          ]}
        />
      </Card>
      <Card title="Signal">
        <Facts
          rows={[
            ['RSRP', withUnit(signal.rsrp_dbm, 'dBm')],
            ['RSRQ', withUnit(signal.rsrq_db, 'dB')],
            ['SINR', withUnit(signal.sinr_db, 'dB')],
            ['RSSI', withUnit(signal.rssi_dbm, 'dBm')],
            ['Measured', signal.age_ms === null ? dash : `${Math.round(signal.age_ms / 1000)} s ago`],
          ]}
        />
      </Card>
      <Connection modem={modem} reload={reload} />
      <Card title="Carrier aggregation" wide>
        <Carriers carriers={signal.carriers} />
      </Card>
    </div>
  );
}

function History({ modemId }) {
  const history = useSignalHistory(modemId);
  return (
    <Card title="Signal history" wide>
      <ErrorText error={history.error} />
      <SignalChart data={history.data} />
      <p class="muted">Stored by uplinkd; live samples are added as they come. Times are this browser's.</p>
    </Card>
  );
}

export function Modem({ modemId, modems }) {
  const modem = useResource(`/modems/${modemId}`, (event) => event.modem_id === modemId);
  return (
    <>
      <Title>Modem {modemId}</Title>
      <ModemPicker modems={modems} current={modemId} page="modem" />
      <ErrorText error={modem.error} />
      {modem.data ? <ModemDetails modem={modem.data} reload={modem.reload} /> : !modem.error && <Loading what="the modem" />}
      <History key={modemId} modemId={modemId} />
    </>
  );
}
