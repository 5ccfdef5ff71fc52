/**
 * Rules loader: upstream files load unchanged, errors carry file:line:column, append and
 * override semantics, list substitution, exceptions compiled as Falco does, alert shapes,
 * and the default ruleset.
 */
process.env.TZ = 'UTC';
process.env.FALCO_HOSTNAME = 'h';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SHARED, inputSkipReason, runCli, sharedSkipReason, tmpDir } from './helpers/env';

const R = require('../src/rules') as typeof import('../src/rules');
const C = require('../src/rules/compiler') as typeof import('../src/rules/compiler');
const run = require('../src/pipeline/run') as typeof import('../src/pipeline/run');
const render = require('../src/alert/render') as typeof import('../src/alert/render');
const { fieldRegistry } = require('../src/filter/fields/registry') as typeof import('../src/filter/fields/registry');

const SKIP = sharedSkipReason();
const RULES = path.join(SHARED, 'rules');
const CAT = path.join(SHARED, 'scap', 'falco_cat_write.scap');

function load(...contents: string[]) {
  const l = new R.RulesLoader({ registry: fieldRegistry });
  const res = contents.map((c, i) => l.loadContent(`f${i}.yaml`, c));
  return { l, res };
}

async function countOn(trace: string, files: string[], extra: Partial<import('../src/rules').SessionOptions> = {}) {
  const s = R.RulesSession.load({ rules: files, bothDirections: true, ...extra });
  const counts = new Map<string, number>();
  const lines: string[] = [];
  await run.runSessionOnTraces(s, [trace], (a) => {
    lines.push(render.alertLine(a, s.config.jsonOutput));
    counts.set(a.rule, (counts.get(a.rule) ?? 0) + 1);
  });
  return { counts, lines };
}

test('upstream rules load unchanged with zero errors', { skip: SKIP ?? undefined }, () => {
  const cases: [string[], number, number, number][] = [
    [['falco_rules.yaml'], 25, 87, 49],
    [['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'], 93, 315, 118],
    [['falco_rules_0.32.2.yaml'], 72, 301, 108],
    [['falco-deprecated_rules.yaml'], 4, 6, 9],
  ];
  for (const [files, nr, nm, nl] of cases) {
    const l = new R.RulesLoader({ registry: fieldRegistry });
    for (const f of files) {
      const [r] = l.loadPath(path.join(RULES, f));
      assert.deepEqual(
        r.errors.map((e) => e.message),
        [],
        `${f} errors`,
      );
    }
    assert.equal(l.ruleset.rules.length, nr, `${files.join(',')} rules`);
    assert.equal(l.ruleset.macros.length, nm, `${files.join(',')} macros`);
    assert.equal(l.ruleset.lists.length, nl, `${files.join(',')} lists`);
    assert.deepEqual(l.pluginRequirementErrors(), []);
  }
});

test('load errors carry codes and file:line:column', () => {
  const table: [string, string, string, string][] = [
    // [yaml, code, message (substring), "line:col"]
    [
      '- rule: r\n  desc: d\n  condition: evt.type=open and\n  output: o\n  priority: WARNING\n',
      'LOAD_ERR_COMPILE_CONDITION',
      '',
      '3:31',
    ],
    [
      '- rule: r\n  desc: d\n  condition: evt.type=open and my_macro\n  output: o\n  priority: WARNING\n',
      'LOAD_ERR_VALIDATE',
      "Undefined macro 'my_macro' used in filter.",
      '3:32',
    ],
    [
      '- rule: r\n  desc: d\n  condition: proc.nobody = 1\n  output: o\n  priority: WARNING\n',
      'LOAD_ERR_COMPILE_CONDITION',
      'filter_check called with nonexistent field proc.nobody',
      '3:14',
    ],
    [
      '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: x %not_a_field\n  priority: WARNING\n',
      'LOAD_ERR_COMPILE_OUTPUT',
      'invalid formatting token not_a_field',
      '4:11',
    ],
    [
      '- rule: r\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: LOUD\n',
      'LOAD_ERR_YAML_VALIDATE',
      'Invalid priority',
      '5:13',
    ],
    [
      '- rule: r\n  desc: d\n  condition: evt.type=open\n  priority: WARNING\n',
      'LOAD_ERR_YAML_VALIDATE',
      "Item has no mapping for key 'output'",
      '1:3',
    ],
    ['- list: l\n  items: [a\n', 'LOAD_ERR_YAML_PARSE', '', '3:1'],
    ['- macro: m\n  condition: evt.type in (open\n', 'LOAD_ERR_COMPILE_CONDITION', "')'", '2:31'],
    [
      '- macro: a\n  condition: b\n- macro: b\n  condition: evt.type=open\n',
      'LOAD_ERR_VALIDATE',
      "Undefined macro 'b'",
      '2:14',
    ],
    [
      '- rule: r\n  condition: and x\n  append: true\n',
      'LOAD_ERR_VALIDATE',
      "Rule has 'append' key but no rule",
      '1:3',
    ],
  ];
  for (const [yaml, code, msg, lc] of table) {
    const { res } = load(yaml);
    const e = res[0].errors[0];
    assert.ok(e, `error expected for ${JSON.stringify(yaml)}`);
    assert.equal(e.code, code, yaml);
    assert.ok(e.message.includes(msg), `${e.message} ~ ${msg}`);
    const p = R.filePos(e, yaml);
    assert.equal(`${p.line}:${p.col}`, lc, `${yaml}: ${R.formatMessage(e, yaml, 'error')}`);
  }
});

test('list substitution is textual, quote-if-space, and mixes with literals', () => {
  assert.deepEqual(C.resolveList('proc.name in (shells, zsh)', 'shells', ['bash', 'a b']), [
    'proc.name in ( bash, "a b" , zsh)',
    true,
  ]);
  assert.deepEqual(C.resolveList('proc.name in (myshells)', 'shells', ['x']), ['proc.name in (myshells)', false]);
  assert.deepEqual(C.resolveList('x in (a, empty)', 'empty', []), ['x in (a  )', true]);
});

test('append and override semantics', () => {
  const base =
    '- list: l\n  items: [cat]\n- macro: m\n  condition: proc.name in (l)\n' +
    '- rule: r\n  desc: d\n  condition: evt.type=open and m\n  output: o\n  priority: WARNING\n  tags: [a]\n';
  const { l, res } = load(
    base,
    '- list: l\n  items: [dog]\n  override:\n    items: append\n' +
      '- macro: m\n  condition: or proc.name=bird\n  override:\n    condition: append\n' +
      '- rule: r\n  condition: and fd.num >= 0\n  output: extra=%fd.num\n  tags: [b]\n  priority: ERROR\n  enabled: false\n' +
      '  override:\n    condition: append\n    output: append\n    tags: append\n    priority: replace\n    enabled: replace\n',
  );
  assert.deepEqual(
    res.map((r) => r.errors.map((e) => e.message)),
    [[], []],
  );
  const r = l.ruleset.rules[0];
  assert.equal(r.info.cond, 'evt.type=open and m and fd.num >= 0');
  assert.equal(r.output, 'o extra=%fd.num');
  assert.deepEqual(r.tags, ['a', 'b']);
  assert.equal(r.priority, 3);
  assert.equal(r.enabled, false);
  assert.deepEqual(l.ruleset.lists[0].items, ['cat', 'dog']);
  assert.equal(l.ruleset.macros[0].condition, 'proc.name in (l) or proc.name=bird');
  // pairing rule: a key present without an override entry is an error
  const bad = load(base, '- rule: r\n  condition: and x\n  desc: more\n  override:\n    condition: append\n');
  assert.match(
    bad.res[1].errors[0].message,
    /Unexpected key 'desc': no corresponding entry under 'override' is defined/,
  );
  // override on a missing rule
  const miss = load('- rule: nope\n  condition: and x\n  override:\n    condition: append\n');
  assert.match(
    miss.res[0].errors[0].message,
    /Rule uses 'append' or 'override.<key>: append' but no rule by that name/,
  );
  // redefinition keeps the first slot (first-match order)
  const order = load(
    '- rule: a\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n' +
      '- rule: b\n  desc: d\n  condition: evt.type=open\n  output: o\n  priority: INFO\n' +
      '- rule: a\n  desc: d2\n  condition: evt.type=close\n  output: o\n  priority: INFO\n',
  );
  assert.deepEqual(
    order.l.ruleset.rules.map((x) => `${x.name}:${x.desc}`),
    ['a:d2', 'b:d'],
  );
});

test('exceptions become condition text as Falco builds it', () => {
  const fields = new Set<string>();
  const txt = C.buildExceptionCondition(
    'evt.type=open',
    [
      {
        name: 'e1',
        ctx: R.Context.file('x'),
        fields: {
          isList: true,
          item: '',
          items: [
            { isList: false, item: 'proc.name', items: [] },
            { isList: false, item: 'fd.name', items: [] },
          ],
        },
        comps: {
          isList: true,
          item: '',
          items: [
            { isList: false, item: '=', items: [] },
            { isList: false, item: 'contains', items: [] },
          ],
        },
        values: [
          {
            isList: true,
            item: '',
            items: [
              { isList: false, item: 'cat', items: [] },
              { isList: false, item: '/dev null', items: [] },
            ],
          },
        ],
      },
      {
        name: 'e2',
        ctx: R.Context.file('x'),
        fields: { isList: false, item: 'proc.name', items: [] },
        comps: { isList: false, item: 'in', items: [] },
        values: [
          { isList: false, item: 'a', items: [] },
          { isList: false, item: 'b', items: [] },
        ],
      },
    ],
    fields,
    () => false,
  );
  assert.equal(
    txt,
    '(evt.type=open) and not (( proc.name = cat and  fd.name contains "/dev null")) and not (proc.name in (a, b))',
  );
  assert.deepEqual([...fields].sort(), ['fd.name', 'proc.name']);
});

test('exceptions from Falco tests: expected counts on cat_write.scap', { skip: SKIP ?? undefined }, async () => {
  const dir = path.join(SHARED, 'falco-tests', 'files', 'test', 'rules', 'exceptions');
  const none = await countOn(CAT, [path.join(dir, 'rule_exception_no_values.yaml')]);
  assert.equal(none.counts.get('Open From Cat'), 8);
  for (const f of [
    'rule_exception_one_value',
    'rule_exception_second_item',
    'rule_exception_values_listref',
    'rule_exception_values_listref_noparens',
    'rule_exception_comp',
    'rule_exception_append_multiple',
    'rule_exception_quoted',
    'rule_exception_new_second_field_append',
    'rule_exception_single_field_append',
  ]) {
    const r = await countOn(CAT, [path.join(dir, f + '.yaml')]);
    assert.equal(r.lines.length, 0, f);
  }
});

test('first vs all matching, priority and JSON alert shape', { skip: SKIP ?? undefined }, async () => {
  const rulesDir = path.join(SHARED, 'falco-tests', 'files', 'test', 'rules');
  const first = await countOn(CAT, [path.join(rulesDir, 'catchall_order.yaml')]);
  assert.deepEqual(
    [...first.counts],
    [
      ['open_dev_null', 1],
      ['dev_null', 6],
    ],
  );
  const all = await countOn(CAT, [path.join(rulesDir, 'catchall_order.yaml')], { overrides: ['rule_matching=all'] });
  assert.deepEqual(
    [...all.counts],
    [
      ['open_dev_null', 1],
      ['dev_null', 7],
    ],
  );
  // current-Falco mode: exit events only
  const exitOnly = await countOn(CAT, [path.join(rulesDir, 'single_rule.yaml')], { bothDirections: false });
  assert.equal(exitOnly.counts.get('open_from_cat'), 4);
  assert.equal(exitOnly.lines[0], '16:17:57.881785348: Warning An open was seen (command=cat /dev/null)');
  const j = await countOn(CAT, [path.join(rulesDir, 'single_rule_with_tags.yaml')], {
    json: true,
    bothDirections: false,
  });
  const o = JSON.parse(j.lines[0]) as Record<string, unknown>;
  assert.deepEqual(Object.keys(o), [
    'hostname',
    'output',
    'output_fields',
    'priority',
    'rule',
    'source',
    'tags',
    'time',
  ]);
  assert.deepEqual(o, {
    hostname: 'h',
    output: '16:17:57.881785348: Warning An open was seen (command=cat /dev/null)',
    // evt.time is 1470327477881785348 in the text; JSON.parse reads the nearest double
    output_fields: { 'evt.time': 1470327477881785344, 'proc.cmdline': 'cat /dev/null' },
    priority: 'Warning',
    rule: 'open_from_cat',
    source: 'syscall',
    tags: ['filesystem', 'process', 'testing'],
    time: '2016-08-04T16:17:57.881785348Z',
  });
  assert.match(j.lines[0], /"evt\.time":1470327477881785348,/);
});

test('exit-only mode reads enter-only parameters from the enter event', async (t) => {
  const trace = path.join(SHARED, 'scap', 'libs_single_ipv6_conn.scap');
  const skip = inputSkipReason(trace);
  if (skip) {
    t.skip(skip);
    return;
  }
  const d = tmpDir();
  const f = path.join(d, 'r.yaml');
  fs.writeFileSync(
    f,
    '- rule: socket domain\n  desc: d\n  condition: evt.type=socket and evt.arg.domain contains AF_INET6\n' +
      '  output: dom=%evt.arg.domain\n  priority: INFO\n',
  );
  const exitOnly = await countOn(trace, [f], { bothDirections: false });
  const both = await countOn(trace, [f], { bothDirections: true });
  assert.ok((exitOnly.counts.get('socket domain') ?? 0) > 0, 'exit events see the merged domain');
  assert.equal(
    exitOnly.counts.get('socket domain'),
    both.counts.get('socket domain'),
    'one alert per socket() either way',
  );
  assert.match(exitOnly.lines[0], /dom=AF_INET6/);
});

test('default ruleset loads cleanly and stays quiet on benign captures', { skip: SKIP ?? undefined }, async () => {
  const l = new R.RulesLoader({ registry: fieldRegistry });
  const [r] = l.loadPath(R.DEFAULT_RULES);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(
    r.warnings.map((w) => w.message),
    [],
  );
  assert.ok(l.ruleset.rules.length >= 20);
  for (const x of l.ruleset.rules) {
    assert.ok(x.desc.length > 20 && x.tags.length > 0, x.name);
    assert.ok(x.eventTypes !== null && x.eventTypes.size <= 100, `${x.name} is indexed by event type`);
  }
  for (const cap of ['falco_cat_write.scap', 'libs_curl_google.scap', 'bencer_example0_nginx.scap']) {
    const res = await countOn(path.join(SHARED, 'scap', cap), ['default'], { bothDirections: false });
    assert.equal(res.lines.length, 0, `${cap}: ${res.lines[0]}`);
  }
});

test('-t with -T/-D is refused like Falco', () => {
  assert.throws(
    () => R.RulesSession.load({ rules: ['default'], runTags: ['a'], disablePatterns: ['x'] }),
    /You can not specify both disabled \(-D\/-T\) and enabled \(-t\) rules/,
  );
});

test('expanded conditions re-parse to the compiled filter, fully parenthesised', { skip: SKIP ?? undefined }, () => {
  const F = require('../src/filter') as typeof import('../src/filter');
  const l = new R.RulesLoader({ registry: fieldRegistry });
  assert.ok(l.loadPath(path.join(RULES, 'falco_rules.yaml')).every((r) => r.ok));
  assert.ok(l.ruleset.rules.length > 0);
  for (const r of l.ruleset.rules) {
    const text = R.expandedCondition(r);
    // no macro names left, and re-parsing gives the AST that was compiled
    assert.ok(F.astEqual(F.parseFilter(text).ast, r.filter.expanded), r.name);
    F.walk(F.parseFilter(text).ast, (n) => assert.notEqual(n.kind, 'identifier', `${r.name}: macro left in ${text}`));
  }
  const { l: l2, res } = load(
    '- macro: m\n  condition: evt.type = open or evt.type = close\n' +
      '- list: l\n  items: [a, "b c"]\n' +
      '- rule: r\n  desc: d\n  condition: m and proc.name in (l) or not fd.num = 1\n  output: o\n  priority: INFO\n',
  );
  assert.ok(res[0].ok);
  assert.equal(
    R.expandedCondition(l2.ruleset.rules[0]),
    '(((evt.type = open or evt.type = close) and proc.name in (a, "b c")) or not fd.num = 1)',
  );
});

test('rules conditions: per rule, --json, and --or (one filter, the OR of the enabled rules)', () => {
  const F = require('../src/filter') as typeof import('../src/filter');
  const json = runCli(['rules', 'conditions', '--json', 'default']);
  assert.equal(json.status, 0, json.stderr.toString());
  const rules = JSON.parse(json.stdout.toString()) as {
    name: string;
    enabled: boolean;
    source: string;
    condition: string;
  }[];
  const on = rules.filter((r) => r.enabled && r.source === 'syscall');
  assert.ok(on.length > 3);
  const or = runCli(['rules', 'conditions', '--or', 'default']);
  assert.equal(or.status, 0);
  const ast = F.parseFilter(or.stdout.toString().trim()).ast;
  assert.equal(ast.kind, 'or');
  assert.deepEqual(
    ast.children.map(F.astToString),
    on.map((r) => r.condition),
  );
  const text = runCli(['rules', 'conditions', 'default']).stdout.toString();
  assert.ok(text.startsWith(`# ${rules[0].name}\n${rules[0].condition}\n`));
});
