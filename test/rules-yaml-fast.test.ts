/**
 * The fast YAML reader for rules files (src/yaml/yaml-fast.ts) against the `yaml` package
 * route (parseYamlGeneral): equal trees, positions included, on every rules file and spec at
 * hand and on shapes that are easy to get wrong; unusual YAML falls back, never misreads.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, SHARED, sharedSkipReason } from './helpers/env';

const Y = require('../src/yaml/yaml-node') as typeof import('../src/yaml/yaml-node');
const F = require('../src/yaml/yaml-fast') as typeof import('../src/yaml/yaml-fast');

type N = import('../src/yaml/yaml-types').YNode;
const norm = (n: N | null): unknown =>
  n === null
    ? null
    : {
        k: n.kind,
        s: n.str,
        l: n.line,
        c: n.col,
        p: n.pos,
        i: n.items.map(norm),
        m: [...n.map].map(([k, v]) => [k, norm(v.key), norm(v.value)]),
      };

/** The general reader's tree (or its error) and the fast reader's (or 'fallback'). */
function both(text: string): { general: string; fast: string } {
  let general: string;
  try {
    general = JSON.stringify(Y.parseYamlGeneral(text).map((d) => norm(d.root)));
  } catch (e) {
    general = `error: ${(e as Error).message}`;
  }
  const f = F.parseYamlFast(text);
  return { general, fast: f === null ? 'fallback' : JSON.stringify(f.map((d) => norm(d.root))) };
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e.name) ? [p] : [];
  });
}

test(
  'fast and general readers agree on every rules file and spec at hand',
  { skip: sharedSkipReason() ?? undefined },
  () => {
    const files = [
      ...yamlFiles(path.join(SHARED, 'rules')),
      ...yamlFiles(path.join(SHARED, 'falco-tests')),
      ...yamlFiles(path.join(ROOT, 'rules')),
      ...yamlFiles(path.join(ROOT, 'test', 'specs')),
    ];
    assert.ok(files.length > 50);
    let fast = 0;
    for (const f of files) {
      const r = both(fs.readFileSync(f, 'utf8'));
      if (r.fast === 'fallback') continue;
      fast++;
      assert.equal(r.fast, r.general, f);
    }
    // the upstream rules files themselves take the fast route
    for (const f of yamlFiles(path.join(SHARED, 'rules')))
      assert.notEqual(F.parseYamlFast(fs.readFileSync(f, 'utf8')), null, f);
    assert.ok(fast > files.length / 2, `${fast} of ${files.length} read by the fast reader`);
  },
);

test('fast reader: tricky shapes read alike or fall back', () => {
  const cases = [
    '- a: 1\n  b:\n- c\n',
    '- a:\n    - x\n    - y\n  b: [1, 2,\n     3]\n',
    'a:\n- x\n- y\nb: z\n',
    '- rule: r\n  desc: >-\n    hello\n    world\n\n    again\n  x: |\n    l1\n      l2\n    l3\n\n\n- x: y',
    '- a: b # c\n- "q: r"\n',
    "- a: 'it''s'\n  b: \"x\\ty\\u00e9\"\n",
    '---\n- a\n---\n- b\n',
    '---\n',
    '',
    '# only comment\n',
    '- a\n---\n',
    'a: b',
    '- cond: >\n    x\n',
    '- cond: >\n    x',
    '- a: multi\n    line plain\n\n    with blank\n  b: c\n',
    '- list: l\n  items: []\n- list: m\n  items: [ ]\n',
    '- x:\n  - y\n  -\n  - z\n',
    '- x: [a, [b, c], "d e", \'f\']\n',
    '- x: [a,\n  # comment\n  b]\n',
    'key: ~\nk2: null\nk3: true\nk4: 0x10\nk5: 1.5\n',
    '-\n- a\n',
    '- a:\n\n    b\n',
    '- a: >\n\n    b\n',
    '- a: >\n    b\n   \n    c\n',
    '- a: x\n  b: >\n      deep\n      more\n  c: d\n',
    '- exceptions:\n  - name: n\n    fields: [a, b]\n    values:\n      - [x, y]\n      - [z, w]\n',
    '- a: b\n  # comment\n  c: d\n',
    '- a: "x" # c\n',
    '- a: [x] # c\n',
    '- a: >\n    x\n  # c\n  b: y\n',
    '- a: >\n    first\n      indented\n    back\n',
    '- x: [a,\n  ]\n',
    '- x: [a,\n]\n',
    '- x: [a,\n ]\n',
    'x: [a,\nb]\n',
    '- [a,\n b]\n',
    '- a: b\n c: d\n',
    '- a\n  - b\n',
    '- a: &x 1\n- b: *x\n',
    '- a: !tag x\n',
    '- {a: 1}\n',
    '- a: "multi\n  line"\n',
    '- a:\tb\n',
    '- a: b\r\n',
    'a: b: c\n',
    '- a: [b, c\n',
    '- a: "unterminated\n',
    '- a: >2\n   x\n',
    '- a: |+\n    x\n\n',
  ];
  for (const c of cases) {
    const r = both(c);
    if (r.fast !== 'fallback') assert.equal(r.fast, r.general, JSON.stringify(c));
  }
});

test('fast reader: a BOM inside the text and very deep nesting are left to the yaml package', () => {
  // the yaml package keeps a BOM inside a key (JavaScript's trim() would drop it)
  const bom = '- rule: r\n  priority\ufeff: NOTICE\n';
  assert.equal(F.parseYamlFast(bom), null);
  assert.match(both(bom).general, /priority\\ufeff|priority\ufeff/);
  // deep nesting gets one behaviour whichever reader would have taken it: an error (yaml-cpp's,
  // as Falco reports it: at most 500 nested nodes), never the fast reader's different answer
  for (const text of [
    '- x: ' + '['.repeat(1000) + ']'.repeat(1000) + '\n',
    '- x: ' + '['.repeat(65) + ']'.repeat(65) + '\n',
  ]) {
    assert.equal(F.parseYamlFast(text), null);
  }
  const r = both('- x: ' + '['.repeat(1000) + ']'.repeat(1000) + '\n');
  assert.match(r.general, /^error: yaml-cpp: error at line 1, column 2006: bad file/);
  const shallow = '- x: ' + '['.repeat(10) + 'a' + ']'.repeat(10) + '\n';
  assert.equal(both(shallow).fast, both(shallow).general);
});
