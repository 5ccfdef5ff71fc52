/** Timestamp rendering as sysdig does it (sinsp_utils::ts_to_string and friends). */

// gmt2local(0): sysdig takes the zone offset once, at start, not per event.
const zoneOffsetSec = -new Date().getTimezoneOffset() * 60;

const pad2 = (n: number) => (n < 10 ? '0' + n : '' + n);

let lastSec = -1;
let lastHms = '';

/** "HH:MM:SS.nnnnnnnnn" in local time (sysdig's default %evt.time / -t h). */
export function timeOfDay(sec: number, nsec: number): string {
  if (sec !== lastSec) {
    let s = (sec + zoneOffsetSec) % 86400;
    if (s < 0) s += 86400;
    lastHms = pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor((s % 3600) / 60)) + ':' + pad2(s % 60);
    lastSec = sec;
  }
  return lastHms + '.' + nanos9(nsec);
}

export function nanos9(ns: number): string {
  const s = '' + ns;
  return s.length >= 9 ? s : '000000000'.slice(s.length) + s;
}

/** "YYYY-MM-DD HH:MM:SS.nnnnnnnnn" in local time (evt.datetime). */
export function dateTime(sec: number, nsec: number): string {
  const local = sec + zoneOffsetSec;
  const day = local - (((local % 86400) + 86400) % 86400);
  const d = new Date(day * 1000);
  const date = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  return date + ' ' + timeOfDay(sec, nsec);
}
