// How values read on the page. Absent values (null) show as an en dash, never as 0.
export const dash = '–';

export function withUnit(value, unit) {
  return value === null || value === undefined ? dash : `${value} ${unit}`;
}

export function bytes(count) {
  if (count === null || count === undefined) return dash;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = count;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit ? value.toFixed(value < 10 ? 2 : 1) : value} ${units[unit]}`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return dash;
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min ${seconds % 60} s`;
  return `${seconds} s`;
}

export function time(iso) {
  if (!iso) return dash;
  return new Date(iso).toLocaleString();
}

// Signal bars from LTE RSRP (dBm), the levels most modem tools use: > -80 excellent ... < -110 none.
export function barsFromRsrp(rsrp) {
  if (rsrp === null || rsrp === undefined) return 0;
  if (rsrp >= -80) return 4;
  if (rsrp >= -90) return 3;
  if (rsrp >= -100) return 2;
  if (rsrp >= -110) return 1;
  return 0;
}

const technologies = { gsm: '2G', umts: '3G', lte: 'LTE', '5g-nsa': '5G NSA', '5g-sa': '5G SA', unknown: dash };
export function technology(name) {
  return technologies[name] ?? name;
}

export function list(values) {
  if (values === null || values === undefined) return dash;
  return values.length ? values.join(', ') : 'all';
}
