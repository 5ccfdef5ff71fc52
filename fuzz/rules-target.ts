/**
 * Rules-file fuzzing: mutated ../shared/rules/*.yaml (YAML syntax damage, item-level damage:
 * wrong types, unknown keys, appends/overrides of nothing) and hostile documents (alias bombs,
 * recursive aliases, huge and deeply nested documents, recursive and exponential macros and
 * lists). Every case must load or be refused through the LoadResult (errors with a message);
 * an exception out of the loader is a crash. Hostile documents must be refused, and the
 * refusal must say why (alias, size, the macro or list by name).
 *
 * The loader is looked up at run time (src/rules is written alongside), so the fuzzer builds
 * and runs before it exists; `findRulesLoader()` says whether it is there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { Rng } from './prng';
import { Ctx, CaseResult, cpuMs } from './targets';
import { fieldRegistry } from '../src/filter/fields/registry';
import { parseYamlGeneral } from '../src/yaml/yaml-node';
import type { YNode } from '../src/yaml/yaml-types';
import { parseYamlFast } from '../src/yaml/yaml-fast';

/** a YAML tree as comparable text: kinds, scalars, positions */
function treeText(n: YNode | null): unknown {
  return n === null
    ? null
    : [
        n.kind,
        n.str,
        n.line,
        n.col,
        n.pos,
        n.items.map(treeText),
        [...n.map].map(([k, v]) => [k, treeText(v.key), treeText(v.value)]),
      ];
}

/**
 * The fast YAML reader (src/yaml/yaml-fast.ts) on the same damaged text: it must give up
 * (null) or build exactly the tree the yaml package route builds; a difference is a misread.
 */
function fastYamlMismatch(text: string): string | null {
  let fast;
  try {
    fast = parseYamlFast(text);
  } catch (e) {
    return `fast YAML reader threw ${(e as Error).message}`;
  }
  if (fast === null) return null;
  let general: string;
  try {
    general = JSON.stringify(parseYamlGeneral(text).map((d) => treeText(d.root)));
  } catch (e) {
    return `fast YAML reader accepted what the yaml package refuses: ${(e as Error).message.slice(0, 120)}`;
  }
  return JSON.stringify(fast.map((d) => treeText(d.root))) === general
    ? null
    : 'fast YAML reader built a different tree';
}

interface LoadMessageLike {
  code: string;
  message: string;
}
interface LoadResultLike {
  ok: boolean;
  errors: LoadMessageLike[];
  warnings: LoadMessageLike[];
}
interface LoaderLike {
  loadContent(name: string, content: string): LoadResultLike;
}
export interface RulesLoaderHandle {
  name: string;
  make: () => LoaderLike;
}

let cached: RulesLoaderHandle | null | undefined;

/** The rules loader if src/rules exposes one (RulesLoader with loadContent), else null. */
export function findRulesLoader(): RulesLoaderHandle | null {
  if (cached !== undefined) return cached;
  cached = null;
  for (const mod of ['loader', 'index']) {
    try {
      const m = require(path.join(__dirname, '..', 'src', 'rules', mod)) as Record<string, unknown>;
      const C = m.RulesLoader as (new (o: unknown) => LoaderLike) | undefined;
      if (typeof C === 'function' && typeof (C.prototype as Partial<LoaderLike>).loadContent === 'function') {
        cached = { name: `src/rules/${mod} RulesLoader.loadContent`, make: () => new C({ registry: fieldRegistry }) };
        return cached;
      }
    } catch {
      // not built yet
    }
  }
  return cached;
}

const YAML_CHARS = [
  ':',
  '-',
  ' ',
  '  ',
  '\t',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  '&a ',
  '*a',
  '!',
  '!!binary ',
  '|',
  '>',
  '#',
  '%',
  '@',
  '`',
  '\0',
  '\ufeff',
  '\n',
  '\n- ',
  '? ',
  ',',
  '<<: ',
  '---\n',
  '...\n',
  '\\',
  '\r',
  'é',
  '\ud800',
];

function syntaxDamage(rng: Rng, text: string): { text: string; what: string } {
  const lines = text.split('\n');
  const n = 1 + rng.smallInt(5);
  const what: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = rng.int(lines.length);
    switch (rng.int(7)) {
      case 0: {
        const l = lines[i];
        const p = rng.int(l.length + 1);
        lines[i] = l.slice(0, p) + rng.pick(YAML_CHARS) + l.slice(p);
        what.push('char');
        break;
      }
      case 1:
        lines.splice(i, 1 + rng.smallInt(10));
        what.push('del-lines');
        break;
      case 2:
        lines.splice(i, 0, lines[rng.int(lines.length)]);
        what.push('dup-line');
        break;
      case 3:
        lines[i] = ' '.repeat(rng.int(8)) + lines[i].trimStart();
        what.push('indent');
        break;
      case 4:
        lines.length = Math.max(1, i);
        what.push('truncate');
        break;
      case 5: {
        const l = lines[i];
        const p = rng.int(l.length + 1);
        lines[i] = l.slice(0, p) + l.slice(p + 1 + rng.smallInt(10));
        what.push('del-chars');
        break;
      }
      default:
        lines[i] = lines[i].replace(/:/, rng.pick(['', '::', ': :', ' :']));
        what.push('colon');
        break;
    }
  }
  return { text: lines.join('\n'), what: `syntax ${what.join(',')}` };
}

const WEIRD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  true,
  'maybe',
  '',
  [],
  {},
  [[]],
  { a: 1 },
  'x'.repeat(100000),
  ['a', null, 3],
  '%',
  '%%',
  '%evt.arg[',
  'not',
  '(',
  'proc.name in (',
  '${x}',
  'WARNING',
  'info',
  'Emergency',
];
const KEYS = [
  'rule',
  'macro',
  'list',
  'condition',
  'output',
  'desc',
  'priority',
  'items',
  'append',
  'enabled',
  'tags',
  'exceptions',
  'override',
  'source',
  'required_engine_version',
  'required_plugin_versions',
  'warn_evttypes',
  'skip-if-unknown-filter',
  'capture',
  'capture_duration',
  'name',
  'fields',
  'comps',
  'values',
  'unknown_key',
  'version',
];

function itemDamage(rng: Rng, text: string): { text: string; what: string } {
  let doc: unknown;
  try {
    doc = YAML.parse(text, { maxAliasCount: 100 });
  } catch {
    return syntaxDamage(rng, text);
  }
  if (!Array.isArray(doc) || doc.length === 0) return syntaxDamage(rng, text);
  const items = doc as Array<Record<string, unknown>>;
  const n = 1 + rng.smallInt(6);
  const what: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = rng.int(items.length);
    const it = items[i];
    switch (rng.int(8)) {
      case 0:
        if (it && typeof it === 'object') {
          const key = rng.pick(Object.keys(it));
          it[key] = rng.pick(WEIRD_VALUES);
          what.push(`value ${key}`);
        }
        break;
      case 1:
        if (it && typeof it === 'object') {
          it[rng.pick(KEYS)] = rng.pick(WEIRD_VALUES);
          what.push('key');
        }
        break;
      case 2:
        if (it && typeof it === 'object') {
          delete it[rng.pick(Object.keys(it))];
          what.push('del-key');
        }
        break;
      case 3:
        items.splice(i, 1);
        what.push('del-item');
        break;
      case 4:
        items.splice(rng.int(items.length + 1), 0, JSON.parse(JSON.stringify(it ?? null)) as Record<string, unknown>);
        what.push('dup-item');
        break;
      case 5:
        items[i] = rng.pick(WEIRD_VALUES) as Record<string, unknown>;
        what.push('item-type');
        break;
      case 6:
        if (it && typeof it === 'object') {
          it.append = true;
          what.push('append');
        }
        break;
      default:
        if (it && typeof it === 'object') {
          it.override = { condition: rng.pick(['append', 'replace', 'bogus']), output: 'replace' };
          what.push('override');
        }
        break;
    }
  }
  // reordering: an item before what it references
  if (rng.bool(0.2)) {
    const a = rng.int(items.length),
      b = rng.int(items.length);
    [items[a], items[b]] = [items[b], items[a]];
    what.push('swap');
  }
  return { text: YAML.stringify(items, { lineWidth: 0 }), what: `items ${what.join(',')}` };
}

interface Hostile {
  text: string;
  what: string;
  expect: RegExp | null;
}

function hostile(rng: Rng): Hostile {
  switch (rng.int(10)) {
    case 0: {
      // billion laughs
      const levels = 6 + rng.int(5);
      let t = '- list: l0\n  items: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
      for (let i = 1; i < levels; i++)
        t += `- list: l${i}\n  items: &a${i} [${new Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
      return { text: t, what: `alias bomb ${levels}`, expect: /alias|too large|too many/i };
    }
    case 1:
      return { text: '- list: a\n  items: &x [a, *x]\n', what: 'recursive alias', expect: /alias|recursive/i };
    case 2: {
      const d = rng.pick([100, 1000, 10000]);
      return { text: `- list: deep\n  items: ${'['.repeat(d)}${']'.repeat(d)}\n`, what: `nesting ${d}`, expect: null };
    }
    case 3: {
      // recursive macros: a cycle, or a macro naming itself
      const n = 1 + rng.int(4);
      let t = '';
      for (let i = 0; i < n; i++) t += `- macro: m${i}\n  condition: m${(i + 1) % n} and proc.name=x${i}\n`;
      t += `- rule: r\n  desc: d\n  condition: evt.type=open and m0\n  output: o\n  priority: INFO\n`;
      return { text: t, what: `macro cycle ${n}`, expect: /m\d/ };
    }
    case 4: {
      // exponential macros: each uses the previous one twice
      const n = 18 + rng.int(10);
      let t = '- macro: m0\n  condition: proc.name=a\n';
      for (let i = 1; i < n; i++) t += `- macro: m${i}\n  condition: (m${i - 1} or m${i - 1})\n`;
      t += `- rule: r\n  desc: d\n  condition: evt.type=open and m${n - 1}\n  output: o\n  priority: INFO\n`;
      return { text: t, what: `macro bomb ${n}`, expect: /macro|too large/i };
    }
    case 5: {
      if (rng.bool()) {
        // a list naming a big list a thousand times: 2M items
        let t = `- list: l0\n  items: [${new Array(2000)
          .fill(0)
          .map((_, i) => 'i' + i)
          .join(', ')}]\n`;
        t += `- list: l1\n  items: [${new Array(1000).fill('l0').join(', ')}]\n`;
        t += `- rule: r\n  desc: d\n  condition: evt.type=open and proc.name in (l1)\n  output: o\n  priority: INFO\n`;
        return { text: t, what: 'list bomb', expect: /l1.*too large|too large.*l1/i };
      }
      // lists naming the previous one ten times
      const n = 6 + rng.int(4);
      let t = '- list: l0\n  items: [a, b, c, d, e, f, g, h, i, j]\n';
      for (let i = 1; i < n; i++) t += `- list: l${i}\n  items: [${new Array(10).fill(`l${i - 1}`).join(', ')}]\n`;
      t += `- rule: r\n  desc: d\n  condition: evt.type=open and proc.name in (l${n - 1})\n  output: o\n  priority: INFO\n`;
      // Falco expands a list reference by one level (the referenced list's own items), so this
      // stays small; it must still load quickly
      return { text: t, what: `list chain ${n}`, expect: null };
    }
    case 6: {
      // a huge document (refused by size), or a large one (loads, in bounded time)
      switch (rng.int(3)) {
        case 0:
          return {
            text: `- list: big\n  items: [${new Array(100000)
              .fill(0)
              .map((_, i) => 'x' + i)
              .join(', ')}]\n`,
            what: 'list of 100000 items',
            expect: null,
          };
        case 1:
          return {
            text: `- macro: long\n  condition: proc.name = "${'a'.repeat(8 << 20)}"\n`,
            what: '8 MB scalar',
            expect: /too large/i,
          };
        default:
          return {
            text: `- list: big\n  items: [${new Array(1 << 20).fill('abcdefgh').join(', ')}]\n`,
            what: '10 MB list',
            expect: /too large/i,
          };
      }
    }
    case 7: {
      const n = rng.pick([1000, 5000]);
      let t = '';
      for (let i = 0; i < n; i++)
        t += `- rule: r${i}\n  desc: d\n  condition: evt.type=open and proc.name=p${i}\n  output: "%proc.name"\n  priority: INFO\n`;
      return { text: t, what: `${n} rules`, expect: null };
    }
    case 8: {
      // a list that names a later list and itself; an append to nothing; an override of nothing
      const t =
        '- list: a\n  items: [a, b]\n- list: b\n  items: [a]\n- list: c\n  items: [x]\n  append: true\n' +
        '- macro: q\n  condition: q\n- rule: nothing\n  condition: and\n  override:\n    condition: append\n';
      return { text: t, what: 'self references and appends', expect: /./ };
    }
    default: {
      // several documents, tags, merge keys, flow maps
      const t =
        '--- !!map\n? - a\n: b\n---\n- rule: !!binary aGVsbG8=\n  <<: {desc: x}\n  condition: !!str evt.type=open\n...\n- {macro: m, condition: "proc.name=\\u0000"}\n';
      return { text: t, what: 'tags and documents', expect: null };
    }
  }
}

export function runRulesCase(ctx: Ctx, rng: Rng): CaseResult {
  const loader = findRulesLoader();
  if (loader === null) return { outcome: 'ok', detail: 'rules loader not available' };
  const files = ctx.corpus.files;
  let text: string,
    what: string,
    expect: RegExp | null = null;
  const mode = rng.weighted([4, 4, 2]);
  if (mode === 2 || files.length === 0) ({ text, what, expect } = hostile(rng));
  else {
    const f = rng.pick(files);
    const r = mode === 0 ? syntaxDamage(rng, f.text) : itemDamage(rng, f.text);
    text = r.text;
    what = `${f.name} ${r.what}`;
  }
  const misread = fastYamlMismatch(text);
  if (misread !== null) {
    // (FALCO_TS_FUZZ_DUMP=FILE keeps the text for a look at it)
    if (process.env.FALCO_TS_FUZZ_DUMP) fs.writeFileSync(process.env.FALCO_TS_FUZZ_DUMP, text);
    return { outcome: 'crash', detail: `${what}: ${misread}` };
  }
  const t0 = process.cpuUsage();
  let res: LoadResultLike;
  try {
    res = loader.make().loadContent('fuzz_rules.yaml', text);
  } catch (e) {
    const s =
      e instanceof Error
        ? `${e.name}: ${e.message.slice(0, 200)} [${(e.stack ?? '')
            .split('\n')
            .slice(1, 3)
            .map((x) => x.trim())
            .join(' | ')}]`
        : String(e);
    return { outcome: 'crash', detail: `${what}: loadContent threw ${s}` };
  }
  const ms = cpuMs(t0);
  for (const m of res.errors) {
    if (typeof m.message !== 'string' || m.message.length === 0)
      return { outcome: 'crash', detail: `${what}: an error with no message (${m.code})` };
  }
  if (expect !== null) {
    if (res.ok) return { outcome: 'crash', detail: `${what}: hostile rules were accepted` };
    const all = res.errors.map((e) => e.message).join(' | ');
    if (!expect.test(all))
      return { outcome: 'crash', detail: `${what}: refused without saying why: ${all.slice(0, 300)}` };
  }
  if (ms > 10000) return { outcome: 'crash', detail: `${what}: took ${ms.toFixed(0)} ms of CPU` };
  return res.ok
    ? { outcome: 'ok', detail: `${what} (${ms.toFixed(0)} ms)` }
    : {
        outcome: 'clean',
        detail: `${what}: ${res.errors[0].code} ${res.errors[0].message.slice(0, 120)} (${ms.toFixed(0)} ms)`,
      };
}
