/**
 * What the sysdig comparisons share: which input each side reads for a capture, and the named
 * deliberate differences (../deliberate-differences.ts) applied to formats and lines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { eventBlockKind } from '../../src/scap/blocks';
import { DIFFERENCES, DifferenceName } from '../deliberate-differences';
import { captures, tmpDir } from './env';

export function lines(b: Buffer): string[] {
  const s = b.toString('latin1');
  if (s === '') return [];
  return s.replace(/\n$/, '').split('\n');
}

/** Up to `n` descriptions of the lines where `got` differs from `ref` (both compared in order). */
export function lineDifferences(ref: string[], got: string[], n = 3): string[] {
  const out: string[] = [];
  if (ref.length !== got.length) out.push(`sysdig printed ${ref.length} lines, falco-ts ${got.length}`);
  const max = Math.max(ref.length, got.length);
  for (let i = 0; i < max && out.length < n + 1; i++) {
    if (ref[i] === got[i]) continue;
    out.push(
      `line ${i + 1}:\n      sysdig:   ${(ref[i] ?? '(none)').slice(0, 400)}\n      falco-ts: ${(got[i] ?? '(none)').slice(0, 400)}`,
    );
  }
  return out;
}

/** How one capture is compared: the file each side reads, and the differences applied. */
export interface CapturePlan {
  name: string;
  /** the trace falco-ts reads */
  ours: string;
  /** the trace sysdig reads */
  sysdig: string;
  /** fields taken out of -p formats on both sides, with the entry that says why */
  leftOut: Array<{ field: string; by: DifferenceName }>;
  /** names of the differences that shape this plan */
  applied: DifferenceName[];
  /** the original capture, when `ours`/`sysdig` is another file */
  original: string;
}

const E = DIFFERENCES;

/**
 * Writes `src` without its event blocks of codes >= minCode (uncompressed) to `dst`; returns
 * how many it left out. Event blocks start with the 8-byte block header, cpuid (u16), the dump
 * flags (u32, EVF blocks only), then ts, tid (u64 each), len (u32) and the event type (u16):
 * ../shared/docs/scap-format.md.
 */
export function copyWithoutEvents(src: string, dst: string, minCode: number): number {
  let buf = fs.readFileSync(src);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = zlib.gunzipSync(buf);
  const keep: Buffer[] = [];
  let dropped = 0;
  for (let off = 0; off + 8 <= buf.length;) {
    const type = buf.readUInt32LE(off),
      len = buf.readUInt32LE(off + 4);
    if (len < 12 || off + len > buf.length) throw new Error(`${src}: bad block length ${len} at byte ${off}`);
    const kind = eventBlockKind(type);
    if (kind !== 0 && buf.readUInt16LE(off + 30 + (kind & 1 ? 4 : 0)) >= minCode) dropped++;
    else keep.push(buf.subarray(off, off + len));
    off += len;
  }
  fs.writeFileSync(dst, Buffer.concat(keep));
  return dropped;
}

let plansMemo: CapturePlan[] | null = null;

/**
 * One plan per capture in ../shared/scap. Throws if an entry's captures no longer match what
 * the captures hold (a capture with later-libs events not listed, or one listed without any).
 */
export function capturePlans(): CapturePlan[] {
  if (plansMemo) return plansMemo;
  const later = E['later-libs-events'];
  const dir = tmpDir('falco-ts-compare-');
  const withLater: string[] = [];
  const plans = captures().map((file): CapturePlan => {
    const name = path.basename(file);
    const plan: CapturePlan = { name, ours: file, sysdig: file, leftOut: [], applied: [], original: file };
    const copy = path.join(dir, name);
    if (copyWithoutEvents(file, copy, later.minCode) > 0) {
      withLater.push(name);
      plan.ours = plan.sysdig = copy;
      plan.applied.push('later-libs-events');
    }
    if (name === E['shb-options'].capture) {
      plan.sysdig = path.join(path.dirname(file), E['shb-options'].sameEventsAs);
      plan.applied.push('shb-options');
    }
    for (const by of ['newer-proclist-layout', 'totexectime-of-tid-minus-1'] as const) {
      if (!E[by].captures.includes(name)) continue;
      for (const field of E[by].fields) plan.leftOut.push({ field, by });
      plan.applied.push(by);
    }
    return plan;
  });
  if (withLater.join() !== later.captures.join())
    throw new Error(
      `later-libs-events lists ${later.captures.join(', ')}; the captures with such events are ${withLater.join(', ')}`,
    );
  plansMemo = plans;
  return plans;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `args` with every %FIELD (any width) of `fields` taken out of its -p format. */
export function withoutFields(args: string[], fields: string[]): string[] {
  const i = args.indexOf('-p');
  if (i < 0 || fields.length === 0) return args;
  let fmt = args[i + 1];
  for (const f of fields) {
    const tok = `%-?\\d*${esc(f)}(?![\\w.\\[])`;
    fmt = fmt.replace(new RegExp(`${tok} ?`, 'g'), '');
  }
  return [...args.slice(0, i + 1), fmt, ...args.slice(i + 2)];
}

/**
 * names-of-missing-ids on one sysdig JSON line: each `"FIELD":null` of the entry's fields becomes
 * current libs' value. Returns the line unchanged if nothing applied.
 */
export function normaliseSysdigJson(line: string): string {
  const d = E['names-of-missing-ids'];
  if (!line.startsWith('{') || !d.fields.some((f) => line.includes(`"${f}":null`))) return line;
  let obj: Record<string, unknown>;
  try {
    obj = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  let out = line;
  for (const f of d.fields) {
    const v = d.value(f, obj);
    if (v !== null) out = out.replace(`"${f}":null`, `"${f}":${JSON.stringify(v)}`);
  }
  return out;
}
