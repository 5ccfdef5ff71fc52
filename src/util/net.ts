/** Address rendering as libsinsp prints it (ports as numbers; no name resolution). */

/** IPv4 stored as the u32 read little-endian from network-order bytes (as libscap keeps it). */
export function ipv4ToString(ip: number): string {
  return `${ip & 0xff}.${(ip >>> 8) & 0xff}.${(ip >>> 16) & 0xff}.${ip >>> 24}`;
}

export function ipv4Endpoint(ip: number, port: number): string {
  return `${ipv4ToString(ip)}:${port}`;
}

export function ipv4Tuple(sip: number, sport: number, dip: number, dport: number): string {
  return `${ipv4ToString(sip)}:${sport}->${ipv4ToString(dip)}:${dport}`;
}

/** inet_ntop(AF_INET6) as glibc renders it (RFC 5952 compression, ::ffff:a.b.c.d mapped form). */
export function ipv6ToString(b: Uint8Array, off = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  // IPv4-mapped / compatible forms, as glibc prints them: a leading zero run of exactly 6
  // words (::a.b.c.d) or of 5 words then ffff (::ffff:a.b.c.d). glibc, unlike BSD, prints
  // a 7-word run as ::2, not ::0.0.0.2 (checked against inet_ntop on 3000 addresses).
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0) {
    const v4 = `${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`;
    if (w[5] === 0xffff) return `::ffff:${v4}`;
    if (w[5] === 0 && w[6] !== 0) return `::${v4}`;
  }
  // longest run of zero words (length >= 2), first one wins
  let bestStart = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestLen = j - i;
      bestStart = i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += w[i].toString(16);
  }
  return s;
}

export function ipv6Endpoint(ip: Uint8Array, port: number, off = 0): string {
  return `${ipv6ToString(ip, off)}:${port}`;
}

export function ipv6Tuple(sip: Uint8Array, sport: number, dip: Uint8Array, dport: number): string {
  return `${ipv6ToString(sip)}:${sport}->${ipv6ToString(dip)}:${dport}`;
}

/**
 * sinsp_utils::is_ipv4_mapped_ipv6: ::ffff:a.b.c.d, or the all-zero address (`::`, which
 * libsinsp also takes for IPv4, e.g. connect to `:::443` makes an IPv4 socket).
 */
export function isIpv4MappedIpv6(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  if (b[off + 10] === 0xff && b[off + 11] === 0xff) return true;
  return (
    b[off + 10] === 0 &&
    b[off + 11] === 0 &&
    b[off + 12] === 0 &&
    b[off + 13] === 0 &&
    b[off + 14] === 0 &&
    b[off + 15] === 0
  );
}
