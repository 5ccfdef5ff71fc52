/**
 * An audit event's stageTimestamp (RFC 3339, as Go's time.Parse(time.RFC3339Nano) accepts it:
 * optional fraction of up to 9 digits, 'Z' or a ±hh:mm offset) as nanoseconds since the epoch.
 * Date has only milliseconds, hence the fraction is kept apart.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Nanoseconds since the epoch; throws a one-line error for a malformed time. */
export function parseRfc3339Nanos(s: string): bigint {
  const m = RFC3339.exec(s);
  if (!m) throw new Error(`cannot parse time "${s}" as RFC 3339`);
  const [Y, M, D, h, mi, sec] = m.slice(1, 7).map(Number);
  if (M < 1 || M > 12 || D < 1 || D > daysIn(Y, M) || h > 23 || mi > 59 || sec > 59)
    throw new Error(`time "${s}": a field is out of range`);
  let secs = daysFromCivil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec;
  if (!m[8]) {
    const off = (Number(m[10]) * 60 + Number(m[11])) * 60;
    secs -= m[9] === '+' ? off : -off;
  }
  const frac = BigInt((m[7] ?? '').padEnd(9, '0') || '0');
  return BigInt(secs) * 1_000_000_000n + frac;
}

function daysIn(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** days since 1970-01-01 of a proleptic Gregorian date (Date.UTC would read years < 100 as 19xx) */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
