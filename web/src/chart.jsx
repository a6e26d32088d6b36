import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

// A uPlot chart of signal levels over time: RSRP and RSSI in dBm on the left axis, SINR and RSRQ
// in dB on the right. `data` is [times (unix s), rsrp, rssi, sinr, rsrq]; nulls are gaps.
const series = [
  {},
  { label: 'RSRP', scale: 'dBm', stroke: '#0b6bcb', width: 2, value: (u, v) => (v === null ? '–' : `${v} dBm`) },
  { label: 'RSSI', scale: 'dBm', stroke: '#8a8f98', width: 1, value: (u, v) => (v === null ? '–' : `${v} dBm`) },
  { label: 'SINR', scale: 'dB', stroke: '#1f9d55', width: 2, value: (u, v) => (v === null ? '–' : `${v} dB`) },
  { label: 'RSRQ', scale: 'dB', stroke: '#c77c02', width: 1, value: (u, v) => (v === null ? '–' : `${v} dB`) },
];

export function SignalChart({ data }) {
  const container = useRef(null);
  const chart = useRef(null);

  useEffect(() => {
    const element = container.current;
    chart.current = new uPlot(
      {
        width: element.clientWidth || 320,
        height: 260,
        series,
        scales: { x: { time: true } },
        axes: [
          {},
          { scale: 'dBm', label: 'dBm', size: 50 },
          { scale: 'dB', label: 'dB', side: 1, size: 40, grid: { show: false } },
        ],
        legend: { live: true },
      },
      data,
      element,
    );
    const observer = new ResizeObserver(() =>
      chart.current.setSize({ width: element.clientWidth, height: 260 }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.current.destroy();
    };
  }, []);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div class="chart" ref={container} role="img" aria-label="signal history chart" />;
}
