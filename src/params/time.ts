/** Timestamp rendering as sysdig does it (sinsp_utils::ts_to_string and friends). */
import type { Out } from '../util/out';

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

/** Bytes of "HH:MM:SS." for lastSec (see writeTimeOfDay). */
const hmsBytes = new Uint8Array(9);
let hmsBytesSec = -1;

/** timeOfDay(sec, nsec) appended to out without building a string. */
export function writeTimeOfDay(out: Out, sec: number, nsec: number): void {
  if (sec !== hmsBytesSec) {
    const s = timeOfDay(sec, 0);
    for (let i = 0; i < 8; i++) hmsBytes[i] = s.charCodeAt(i);
    hmsBytes[8] = 0x2e;
    hmsBytesSec = sec;
  }
  if (!(nsec >= 0 && nsec < 1e9 && Math.floor(nsec) === nsec)) {
    out.str(timeOfDay(sec, nsec));
    return;
  }
  out.ensure(18);
  const b = out.buf;
  let p = out.pos;
  for (let i = 0; i < 9; i++) b[p + i] = hmsBytes[i];
  p += 18;
  out.pos = p;
  let x = nsec | 0;
  for (let i = 0; i < 9; i++) {
    const q = (x / 10) | 0;
    b[--p] = 48 + (x - q * 10);
    x = q;
  }
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
