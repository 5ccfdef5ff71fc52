/** xxHash32 (seed 0), for building LZ4 frames whose checksums are right but whose contents lie. */
const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}
function rd32(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}
function round(acc: number, lane: number): number {
  return Math.imul(rotl((acc + Math.imul(lane, P2)) | 0, 13), P1);
}

export function xxh32(b: Uint8Array, p = 0, end = b.length): number {
  const len = end - p;
  let h: number;
  if (len >= 16) {
    let v1 = (P1 + P2) | 0,
      v2 = P2,
      v3 = 0,
      v4 = -P1 | 0;
    const limit = end - 16;
    while (p <= limit) {
      v1 = round(v1, rd32(b, p));
      v2 = round(v2, rd32(b, p + 4));
      v3 = round(v3, rd32(b, p + 8));
      v4 = round(v4, rd32(b, p + 12));
      p += 16;
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = P5;
  }
  h = (h + len) | 0;
  while (p + 4 <= end) {
    h = Math.imul(rotl((h + Math.imul(rd32(b, p), P3)) | 0, 17), P4);
    p += 4;
  }
  while (p < end) {
    h = Math.imul(rotl((h + Math.imul(b[p], P5)) | 0, 11), P1);
    p++;
  }
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
