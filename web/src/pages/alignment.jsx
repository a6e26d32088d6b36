import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Card, ErrorText, ModemPicker, Title } from '../components.jsx';
import { dash } from '../format.js';
import { useEvents } from '../hooks.js';

// While this view is open uplinkd polls the modem's signal 4 times a second: the lease
// (POST .../signal/fast) lasts 30 s and is renewed every 10 s, so a closed tab stops it soon.
const leaseSeconds = 30;
// The receive chains as AT+QRSRP names them: the antenna connectors marked MAIN, DIV, then MIMO.
const chainNames = { prx: 'Main antenna', drx: 'Diversity antenna', rx2: 'MIMO antenna 3', rx3: 'MIMO antenna 4' };
const renewEvery = 10000;

function useFastSignal(modemId) {
  const [error, setError] = useState(null);
  useEffect(() => {
    let stopped = false;
    async function renew() {
      try {
        await post(`/modems/${modemId}/signal/fast`, { seconds: leaseSeconds });
        if (!stopped) setError(null);
      } catch (caught) {
        if (!stopped) setError(caught);
      }
    }
    renew();
    const timer = setInterval(renew, renewEvery);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [modemId]);
  return error;
}

// The best value seen since the view opened, and when.
function useBest(value) {
  const best = useRef(null);
  if (value !== null && value !== undefined && (best.current === null || value > best.current.value))
    best.current = { value, at: new Date() };
  return best.current;
}

function Meter({ label, value, unit, low, high }) {
  const best = useBest(value);
  const fraction = value === null || value === undefined ? 0 : Math.min(1, Math.max(0, (value - low) / (high - low)));
  return (
    <div class="meter">
      <div class="meter-label">{label}</div>
      <div class="meter-value" aria-live="off">
        {value ?? dash}
        <span class="unit"> {unit}</span>
      </div>
      <progress max="100" value={Math.round(fraction * 100)} aria-label={`${label} level`} />
      <div class="meter-best">
        best {best ? `${best.value} ${unit} at ${best.at.toLocaleTimeString()}` : dash}
      </div>
    </div>
  );
}

// How many samples arrived per second, over the last 2 s.
function useSamplesPerSecond(sampleCount) {
  const [rate, setRate] = useState(null);
  const count = useRef(sampleCount);
  count.current = sampleCount;
  useEffect(() => {
    let last = { count: count.current, at: Date.now() };
    const timer = setInterval(() => {
      const now = { count: count.current, at: Date.now() };
      setRate(((now.count - last.count) * 1000) / (now.at - last.at));
      last = now;
    }, 2000);
    return () => clearInterval(timer);
  }, []);
  return rate;
}

export function Alignment({ modemId, modems }) {
  const [signal, setSignal] = useState(null);
  const [samples, setSamples] = useState(0);
  const [loadError, setLoadError] = useState(null);
  const leaseError = useFastSignal(modemId);
  const rate = useSamplesPerSecond(samples);

  useEffect(() => {
    setSignal(null);
    get(`/modems/${modemId}/signal`).then(setSignal, setLoadError);
  }, [modemId]);
  useEvents((event) => {
    if (event.kind !== 'signal-changed' || event.modem_id !== modemId || !event.signal) return;
    setSignal(event.signal);
    setSamples((count) => count + 1);
  });

  const antennas = signal?.antennas ?? [];
  return (
    <>
      <Title>Antenna alignment</Title>
      <ModemPicker modems={modems} current={modemId} page="align" />
      <ErrorText error={loadError || leaseError} />
      <p class="muted">
        Turn the antennas slowly; each value is the modem's latest measurement
        {rate === null ? '' : ` (${rate.toFixed(1)} per second)`}.
      </p>
      <div class="meters" key={modemId}>
        <Meter label="RSRP" value={signal?.rsrp_dbm} unit="dBm" low={-120} high={-70} />
        <Meter label="SINR" value={signal?.sinr_db} unit="dB" low={-5} high={25} />
        <Meter label="RSRQ" value={signal?.rsrq_db} unit="dB" low={-20} high={-5} />
      </div>
      {antennas.length > 0 && (
        <Card title="RSRP per antenna" wide>
          <div class="meters" key={modemId}>
            {antennas.map((antenna) => (
              <Meter
                key={antenna.chain}
                label={chainNames[antenna.chain] ?? antenna.chain}
                value={antenna.rsrp_dbm}
                unit="dBm"
                low={-120}
                high={-70}
              />
            ))}
          </div>
        </Card>
      )}
      <p class="muted">
        Cell {signal?.pci ?? dash}, band {signal?.band ?? dash}, EARFCN {signal?.earfcn ?? dash}.
      </p>
    </>
  );
}
