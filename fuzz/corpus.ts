/**
 * Where the fuzzers' seeds come from: real captures (../shared/scap, fixtures/), and the
 * conditions, macros, lists and outputs of the Falco rules in ../shared/rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import YAML from 'yaml';
import { mapScap } from './scap-layout';
import type { Seed } from './trace-mutators';
import { lz4DecompressFrame } from '../src/codec/lz4';

/** Repository root (this file runs from dist/fuzz/). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const SCAP_DIR = path.join(SHARED, 'scap');
export const RULES_DIR = path.join(SHARED, 'rules');

/** Captures the quick run uses (small, varied: raw/gzip, SHB 1.0-1.2, v1 and v2 blocks, IPv6). */
const QUICK = [
  'falco_cat_write.scap',
  'falco_connect_localhost.scap',
  'falco_ping_sendto.scap',
  'falco_psp_privileged.scap',
  'libs_sample.scap',
  'libs_single_ipv6_conn.scap',
  'libs_test_ipv6_client.scap',
  'libs_curl_google.scap',
  'bencer_example5_httpd.scap',
  'sysdig0293_rewrite_of_falco_ping_sendto.scap',
  'falco_psp_write_tmp_test.scap',
  'bencer_example0_nginx.scap',
];

function decompress(b: Buffer): Buffer {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return zlib.gunzipSync(b);
  if (b.length >= 4 && b.readUInt32LE(0) === 0x184d2204) return lz4DecompressFrame(b);
  return b;
}

export function seedFiles(quick: boolean): string[] {
  const out: string[] = [];
  if (fs.existsSync(SCAP_DIR)) {
    const all = fs
      .readdirSync(SCAP_DIR)
      .filter((f) => f.endsWith('.scap'))
      .sort();
    for (const f of all) if (!quick || QUICK.includes(f)) out.push(path.join(SCAP_DIR, f));
  }
  const fx = path.join(ROOT, 'fixtures');
  if (fs.existsSync(fx)) {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.scap(\.gz|\.lz4)?$/.test(e.name) && fs.statSync(p).size <= (quick ? 400_000 : 8_000_000))
          out.push(p);
      }
    };
    walk(fx);
  }
  return out;
}

export function loadSeeds(quick: boolean): Seed[] {
  return seedFiles(quick).map((f) => {
    const raw = decompress(fs.readFileSync(f));
    return { name: path.basename(f), raw, layout: mapScap(raw) };
  });
}

export interface RulesCorpus {
  files: Array<{ name: string; text: string }>;
  macros: Map<string, string>;
  lists: Map<string, string[]>;
  conditions: string[];
  outputs: string[];
}

export function loadRulesCorpus(): RulesCorpus {
  const corpus: RulesCorpus = { files: [], macros: new Map(), lists: new Map(), conditions: [], outputs: [] };
  if (!fs.existsSync(RULES_DIR)) return corpus;
  for (const f of fs
    .readdirSync(RULES_DIR)
    .filter((x) => x.endsWith('.yaml'))
    .sort()) {
    const text = fs.readFileSync(path.join(RULES_DIR, f), 'utf8');
    corpus.files.push({ name: f, text });
    let doc: unknown;
    try {
      doc = YAML.parse(text, { maxAliasCount: 100 });
    } catch {
      continue;
    }
    if (!Array.isArray(doc)) continue;
    for (const item of doc as Array<Record<string, unknown>>) {
      if (item === null || typeof item !== 'object') continue;
      if (typeof item.macro === 'string' && typeof item.condition === 'string') {
        if (item.append === true && corpus.macros.has(item.macro)) {
          corpus.macros.set(item.macro, `${corpus.macros.get(item.macro)} ${item.condition}`);
        } else corpus.macros.set(item.macro, item.condition);
      } else if (typeof item.list === 'string' && Array.isArray(item.items)) {
        const items = (item.items as unknown[]).map((x) => String(x));
        if (item.append === true && corpus.lists.has(item.list)) corpus.lists.get(item.list)!.push(...items);
        else corpus.lists.set(item.list, items);
      } else if (typeof item.rule === 'string') {
        if (typeof item.condition === 'string') corpus.conditions.push(item.condition);
        if (typeof item.output === 'string') corpus.outputs.push(item.output);
      }
    }
  }
  for (const c of corpus.macros.values()) corpus.conditions.push(c);
  return corpus;
}
