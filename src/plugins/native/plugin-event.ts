/**
 * scap's plugin event (PPME_PLUGINEVENT_E, code 322) as source plugins produce it: the 26-byte
 * ppm_evt_hdr, two 4-byte parameter lengths, the plugin ID (u32) and the payload.
 */
export const PLUGIN_EVENT_CODE = 322;
const HDR = 26;
const ID_OFF = HDR + 8;

/** length of the event at `off` (ppm_evt_hdr.len) */
export function eventLength(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off + 16);
}

export function eventType(buf: Buffer, off: number): number {
  return buf.readUInt16LE(off + 20);
}

/** the plugin ID parameter of the plugin event at `off` */
export function pluginEventId(buf: Buffer, off: number): number {
  return buf.readUInt32LE(off + ID_OFF);
}

/** the payload (event_data) of the plugin event at `off`, without copying */
export function pluginEventPayload(buf: Buffer, off: number): Buffer {
  const idLen = buf.readUInt32LE(off + HDR);
  const dataLen = buf.readUInt32LE(off + HDR + 4);
  const start = off + ID_OFF + idLen;
  return buf.subarray(start, start + dataLen);
}

/** the offsets of the events of a batch (events back to back) */
export function eventOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + HDR <= buf.length; ) {
    const len = eventLength(buf, off);
    if (len < HDR || off + len > buf.length) throw new Error(`truncated event at offset ${off} of a plugin batch`);
    out.push(off);
    off += len;
  }
  return out;
}

/**
 * Plugin events as scap writes them (what a `.so`'s batch holds), for plugins that hand over
 * payloads (TypeScript plugins): back to back in one buffer, tid -1 as libs sets it.
 */
export function encodePluginEvents(id: number, events: readonly { data: Uint8Array; ts: bigint }[]): Buffer {
  let total = 0;
  for (const e of events) total += ID_OFF + 4 + e.data.length;
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (const e of events) {
    const len = ID_OFF + 4 + e.data.length;
    buf.writeBigUInt64LE(e.ts, off);
    buf.writeBigInt64LE(-1n, off + 8);
    buf.writeUInt32LE(len, off + 16);
    buf.writeUInt16LE(PLUGIN_EVENT_CODE, off + 20);
    buf.writeUInt32LE(2, off + 22);
    buf.writeUInt32LE(4, off + HDR);
    buf.writeUInt32LE(e.data.length, off + HDR + 4);
    buf.writeUInt32LE(id, off + ID_OFF);
    buf.set(e.data, off + ID_OFF + 4);
    off += len;
  }
  return buf;
}
