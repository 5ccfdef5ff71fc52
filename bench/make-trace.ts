/**
 * Builds a large benchmark trace by repeating the event blocks of a real capture: the
 * metadata blocks are copied once, then the event blocks N times with timestamps shifted so
 * they stay monotonic. Output is raw scap, readable by sysdig and by us.
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

const EVENT_BLOCKS = new Set([0x204, 0x8010abcd, 0x208, 0x216, 0x217, 0x221, 0x222]);

export function makeBenchTrace(src: string, dst: string, minEvents: number): number {
  let data = fs.readFileSync(src);
  if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
  let p = 0;
  let firstEvent = -1;
  const events: Array<[number, number]> = [];
  let firstTs = 0n,
    lastTs = 0n;
  while (p + 8 <= data.length) {
    const type = data.readUInt32LE(p),
      total = data.readUInt32LE(p + 4);
    if (EVENT_BLOCKS.has(type)) {
      if (firstEvent < 0) firstEvent = p;
      events.push([p, total]);
      const flags = type === 0x208 || type === 0x217 || type === 0x222 ? 4 : 0;
      const ts = data.readBigUInt64LE(p + 10 + flags);
      if (firstTs === 0n) firstTs = ts;
      lastTs = ts;
    }
    p += total;
  }
  if (firstEvent < 0) throw new Error(`${src}: no events`);
  const span = lastTs - firstTs + 1000n;
  const reps = Math.ceil(minEvents / events.length);
  const fd = fs.openSync(dst, 'w', 0o600);
  fs.writeSync(fd, data.subarray(0, firstEvent));
  const chunk = Buffer.concat(events.map(([o, n]) => data.subarray(o, o + n)));
  const tsOffsets: number[] = [];
  let q = 0;
  for (const [o, n] of events) {
    const type = data.readUInt32LE(o);
    const flags = type === 0x208 || type === 0x217 || type === 0x222 ? 4 : 0;
    tsOffsets.push(q + 10 + flags);
    q += n;
  }
  const out = Buffer.from(chunk);
  for (let r = 0; r < reps; r++) {
    const shift = span * BigInt(r);
    for (const off of tsOffsets) out.writeBigUInt64LE(chunk.readBigUInt64LE(off) + shift, off);
    fs.writeSync(fd, out);
  }
  fs.closeSync(fd);
  return reps * events.length;
}
