/**
 * `falco-ts falco [Falco 0.44's options]` and the program run as `falco` (src/cli/falco):
 *  - -V on the upstream rules files: Ok (exit 0); the k8s_audit files need their plugins, and
 *    without them exit 1 with Falco's requirement message, as Falco does;
 *  - -V on Falco's invalid rules files (../shared/falco-tests suites): exit 1, `Error: ...` on
 *    stderr, and each expected error (code, item, message) in the JSON load results;
 *  - replay the Falco way (`-o engine.kind=replay -o engine.replay.capture_file=F`) prints the
 *    same alerts as `falco-ts replay F -r R -j`;
 *  - -L, -l RULE, --list, -N against the rules files (read here with a YAML parser) and libs'
 *    field list (../shared/docs/libs-fields-current.txt); unknown options as cxxopts says;
 *  - -P writes the pid, --version has Falco's layout; a live run with engine.kind=modern_ebpf
 *    sees an alert for a file the test opens (root and BPF; CI must run it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as YAML from 'yaml';
import {
  BIN,
  SHARED,
  inputSkipReason,
  liveSkipReason,
  runCli,
  runCliAsync,
  sharedSkipReason,
  tmpDir,
} from './helpers/env';
import { type Msg, sameCode, sameMsg } from './helpers/falco-expectations';
import { sleep } from './helpers/output-fixtures';

const SKIP = sharedSkipReason();
const RULES_DIR = path.join(SHARED, 'rules');
const TESTS_DIR = path.join(SHARED, 'falco-tests', 'files', 'test');
const T_RULES = path.join(TESTS_DIR, 'rules');
const { ENGINE_VERSION } = require('../src/rules/collector') as typeof import('../src/rules/collector');

const falco = (args: string[]) => runCli(['falco', ...args]);
const text = (b: Buffer): string => b.toString('utf8');

test('falco -V: every upstream rules file validates as Falco validates it', { skip: SKIP ?? undefined }, () => {
  const files = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const file = path.join(RULES_DIR, f);
    const r = falco(['-V', file]);
    const doc = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>[];
    // the plugins a file requires that falco-ts does not have built in (container is)
    const needs = doc
      .filter((x) => x !== null && x.required_plugin_versions !== undefined)
      .flatMap((x) => x.required_plugin_versions as { name: string }[])
      .filter((p) => p.name !== 'container');
    if (needs.length === 0) {
      assert.equal(r.status, 0, `${f}: ${text(r.stderr)}`);
      assert.match(
        text(r.stdout),
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: Ok(, with warnings)?\\n$`),
      );
    } else {
      // (as Falco without the file's plugins: it names the first requirement not satisfied)
      assert.equal(r.status, 1, f);
      const m = /^Error: Plugin requirement not satisfied, must load one of: ([\w-]+) \(>= /m.exec(text(r.stderr));
      assert.ok(m && needs.some((p) => p.name === m[1]), `${f}: ${text(r.stderr)}`);
    }
  }
});

interface Expect {
  test: string;
  validate_rules_file?: string | string[];
  validate_errors?: Msg[];
  exit_status?: number;
}

const EXPECTATIONS: Expect[] = SKIP
  ? []
  : (JSON.parse(fs.readFileSync(path.join(SHARED, 'falco-tests', 'falco-test-expectations.json'), 'utf8')) as Expect[]);
const INVALID = EXPECTATIONS.filter(
  (t) => t.validate_rules_file !== undefined && t.exit_status === 1 && (t.validate_errors ?? []).length > 0,
);

test('falco -V: Falco’s invalid rules files fail with its messages', { skip: SKIP ?? undefined }, async () => {
  assert.ok(INVALID.length >= 20, `${INVALID.length} invalid-rules tests`);
  const seen = new Set<string>();
  await Promise.all(
    INVALID.map(async (t) => {
      const files = ([] as string[]).concat(t.validate_rules_file!).map((f) => path.join(TESTS_DIR, f));
      for (const f of files) if (path.basename(f).startsWith('invalid_')) seen.add(path.basename(f));
      const args = files.flatMap((f) => ['-V', f]);
      const [j, tx] = await Promise.all([
        runCliAsync(['falco', ...args, '-o', 'json_output=true']),
        runCliAsync(['falco', ...args]),
      ]);
      assert.equal(j.status, 1, `${t.test}: ${text(j.stderr)}`);
      // (the warnings of a valid file are logged on stderr before it, as Falco logs them)
      assert.match(text(j.stderr), /(^|\n)Error: /, t.test);
      const res = JSON.parse(text(j.stdout)) as {
        falco_load_results: { errors: { code: string; message: string; item_type: string; item_name: string }[] }[];
      };
      const errs = res.falco_load_results.flatMap((r) => r.errors);
      for (const e of t.validate_errors!) {
        const hit = errs.find(
          (g) =>
            sameCode(g.code, e.code) && sameMsg(g, e) && g.item_type === e.item_type && g.item_name === e.item_name,
        );
        assert.ok(hit, `${t.test}: expected ${JSON.stringify(e)}; got ${JSON.stringify(errs)}`);
      }
      // text: the summary on stdout names the invalid file, and Falco's Error: repeats it
      assert.equal(tx.status, 1, t.test);
      const invalid = /^(.*): Invalid$/m.exec(text(tx.stdout));
      assert.ok(invalid && files.includes(invalid[1]), `${t.test}: ${text(tx.stdout)}`);
      const fatal = text(tx.stderr).slice(text(tx.stderr).search(/(^|\n)Error: /));
      assert.ok(fatal.includes(`${invalid[1]}: Invalid`), `${t.test}: ${fatal}`);
      // each expected message is in the text report too
      for (const e of t.validate_errors!) {
        const m = e.message_contains ?? e.message ?? '';
        const found = errs.find((g) => sameMsg(g, e))?.message ?? m;
        assert.ok(text(tx.stdout).includes(found), `${t.test}: ${found}`);
      }
    }),
  );
  // most invalid_*.yaml files of the suite took part
  assert.ok(seen.size >= 20, `${seen.size} invalid files`);
});

const REPLAYS: [string, string[]][] = [
  ['falco_cat_write.scap', [path.join(T_RULES, 'single_rule.yaml'), path.join(T_RULES, 'double_rule.yaml')]],
  ['falco_open-multiple-files.scap', [path.join(T_RULES, 'tagged_rules.yaml')]],
  [
    'libs_test_ipv6_client.scap',
    [path.join(RULES_DIR, 'falco_rules.yaml'), path.join(RULES_DIR, 'falco-incubating_rules.yaml')],
  ],
];

for (const [capture, rules] of REPLAYS) {
  const file = path.join(SHARED, 'scap', capture);
  test(
    `falco -o engine.kind=replay: the alerts of replay -r -j on ${capture}`,
    { skip: SKIP ?? inputSkipReason(file) ?? undefined },
    async () => {
      const r = rules.flatMap((x) => ['-r', x]);
      const [ours, viaFalco] = await Promise.all([
        runCliAsync(['replay', file, ...r, '-j', '--no-summary']),
        runCliAsync([
          'falco',
          ...r,
          '-o',
          'engine.kind=replay',
          '-o',
          `engine.replay.capture_file=${file}`,
          '-o',
          'json_output=true',
        ]),
      ]);
      assert.equal(ours.status, 0, text(ours.stderr));
      assert.equal(viaFalco.status, 0, text(viaFalco.stderr));
      const lines = text(viaFalco.stdout).split('\n').filter(Boolean);
      assert.ok(lines.length > 0, 'the trace raises alerts');
      for (const l of lines) assert.ok(typeof (JSON.parse(l) as { rule: string }).rule === 'string');
      assert.equal(text(viaFalco.stdout), text(ours.stdout));
    },
  );
}

test('falco: engine.kind replay without a capture file, and a bad kind, fail as Falco says', () => {
  const a = falco(['-r', 'default', '-o', 'engine.kind=replay']);
  assert.equal(a.status, 1);
  assert.match(text(a.stderr), /^Error: .*engine\.kind is 'replay' but no engine\.replay\.capture_file specified\.\n$/);
  const b = falco(['-r', 'default', '-o', 'engine.kind=bogus']);
  assert.equal(b.status, 1);
  assert.match(text(b.stderr), /^Error: .*engine\.kind 'bogus' is not a valid kind\.\n$/);
});

test('the program run as `falco` through a symlink takes Falco’s command line', { skip: SKIP ?? undefined }, () => {
  const dir = tmpDir('falco-argv0-');
  const link = path.join(dir, 'falco');
  fs.symlinkSync(BIN, link);
  const v = spawnSync(link, ['-V', path.join(RULES_DIR, 'falco_rules.yaml')], { env: process.env });
  assert.equal(v.status, 0, text(v.stderr));
  assert.match(text(v.stdout), /falco_rules\.yaml: Ok\n$/);
  const bad = spawnSync(link, ['--nosuch'], { env: process.env });
  assert.equal(bad.status, 1);
  assert.equal(text(bad.stderr), 'Error: Option ‘nosuch’ does not exist\n');
});

test('falco: unknown and malformed options are one line, as cxxopts words them', () => {
  const cases: [string[], string][] = [
    [['--nosuch'], 'Error: Option ‘nosuch’ does not exist\n'],
    [['-Lq'], 'Error: Option ‘q’ does not exist\n'],
    [['-r'], 'Error: Option ‘r’ is missing an argument\n'],
    [['-M', 'x'], 'Error: Argument ‘x’ failed to parse\n'],
    [['-r/etc/x.yaml'], 'Error: Argument ‘-r/etc/x.yaml’ starts with a - but has incorrect syntax\n'],
    [['--format', 'xml', '--list'], "Error: Invalid format 'xml'. Valid values are: text, markdown, json\n"],
    [
      ['-c', '/nonexistent/falco.yaml', '--version'],
      'Error: Could not find configuration file at /nonexistent/falco.yaml\n',
    ],
    [['--list=k8s_audit'], 'Error: Value for --list must be a valid source type\n'],
    [
      ['-r', 'default', '--enable-source', 'syscall', '--disable-source', 'syscall'],
      'Error: You can not mix --enable-source and --disable-source\n',
    ],
    [['-r', 'default', '--disable-source', 'syscall', '--dry-run'], 'Error: Must enable at least one event source\n'],
  ];
  for (const [args, err] of cases) {
    const r = falco(args);
    assert.equal(r.status, 1, args.join(' '));
    assert.equal(text(r.stderr), err, args.join(' '));
    assert.equal(text(r.stdout), '', args.join(' '));
  }
  // -V never means "version"
  const v = falco(['-V']);
  assert.equal(text(v.stderr), 'Error: Option ‘V’ is missing an argument\n');
});

interface YRule {
  rule?: string;
  macro?: string;
  list?: string;
  desc?: string;
  condition?: string;
  enabled?: boolean;
}

test('falco -L and -l RULE describe exactly the rules of the files', { skip: SKIP ?? undefined }, () => {
  const files = [path.join(T_RULES, 'single_rule.yaml'), path.join(T_RULES, 'double_rule.yaml')];
  const items = files.flatMap((f) => YAML.parse(fs.readFileSync(f, 'utf8')) as YRule[]);
  const names = (k: 'rule' | 'macro' | 'list') => [
    ...new Set(items.filter((i) => i[k] !== undefined).map((i) => i[k]!)),
  ];
  const r = files.flatMap((f) => ['-r', f]);
  const L = falco([...r, '-L']);
  assert.equal(L.status, 0, text(L.stderr));
  const lines = text(L.stdout).split('\n');
  assert.equal(lines[0], 'Rule'.padEnd(50) + ' Description');
  assert.equal(lines[1], '----'.padEnd(50) + ' -----------');
  const rows = lines.filter((l) => /^\S/.test(l)).slice(2);
  assert.deepEqual(
    rows.map((l) => l.slice(0, 50).trimEnd()),
    names('rule'),
  );
  for (const row of rows) {
    const n = row.slice(0, 50).trimEnd();
    const desc = items.find((i) => i.rule === n && i.desc !== undefined)!.desc!;
    assert.ok(row.slice(51).startsWith(desc.split(/\s+/)[0]), row);
  }

  const J = falco([...r, '-L', '-o', 'json_output=true']);
  assert.equal(J.status, 0, text(J.stderr));
  const d = JSON.parse(text(J.stdout)) as {
    rules: { info: { name: string; condition: string; enabled: boolean } }[];
    macros: { info: { name: string } }[];
    lists: { info: { name: string } }[];
  };
  assert.deepEqual(
    d.rules.map((x) => x.info.name),
    names('rule'),
  );
  assert.deepEqual(d.macros.map((x) => x.info.name).sort(), names('macro').sort());
  assert.deepEqual(d.lists.map((x) => x.info.name).sort(), names('list').sort());

  const one = names('rule')[1];
  const l = falco([...r, '-l', one, '-o', 'json_output=true']);
  assert.equal(l.status, 0, text(l.stderr));
  const dl = JSON.parse(text(l.stdout)) as typeof d;
  assert.equal(dl.rules.length, 1);
  assert.equal(dl.rules[0].info.name, one);
  assert.equal(dl.rules[0].info.condition, items.find((i) => i.rule === one)!.condition!.trim());
  const lt = falco([...r, '-l', one]);
  assert.equal(lt.status, 0);
  assert.equal(
    text(lt.stdout)
      .split('\n')
      .filter((x) => /^\S/.test(x)).length,
    3,
  );

  const none = falco([...r, '-l', 'no such rule']);
  assert.equal(none.status, 1);
  assert.equal(text(none.stderr), 'Error: Rule "no such rule" is not loaded\n');
  // no rules at all
  const nr = falco(['-L']);
  assert.equal(nr.status, 1);
  assert.equal(
    text(nr.stderr),
    'Error: You must specify at least one rules file/directory via -r or a rules_file entry in falco.yaml\n',
  );
});

test('falco --list: the fields libs lists, without table-only or deprecated ones', { skip: SKIP ?? undefined }, () => {
  const libs = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(SHARED, 'docs', 'libs-fields-current.txt'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const [name, , flags] = line.split('\t');
    libs.set(name, flags);
  }
  const N = falco(['--list', '-N']);
  assert.equal(N.status, 0, text(N.stderr));
  const names = text(N.stdout).split('\n').filter(Boolean);
  assert.ok(names.length > 200, `${names.length} fields`);
  assert.equal(new Set(names).size, names.length, 'each field once');
  for (const n of names) {
    const f = libs.get(n);
    if (f === undefined) continue; // (a container or newer field: not in the core list)
    assert.ok(!/EPF_TABLE_ONLY|EPF_DEPRECATED/.test(f), `${n} is ${f}: Falco does not list it`);
  }
  // the core syscall fields Falco lists that falco-ts has: most of libs' listable ones
  const listable = [...libs].filter(([, f]) => !/EPF_TABLE_ONLY|EPF_DEPRECATED/.test(f)).map(([n]) => n);
  const have = listable.filter((n) => names.includes(n));
  assert.ok(have.length / listable.length > 0.8, `${have.length} of ${listable.length} libs fields listed`);

  // text: a block per class; each field starts a line, with libs' tags
  const T = falco(['--list=syscall']);
  assert.equal(T.status, 0);
  const tl = text(T.stdout).split('\n');
  const starts = tl.filter((l) => /^[a-z]/.test(l)).map((l) => l.split(/\s+/)[0]);
  const classes = tl.filter((l) => l.startsWith('Field Class:'));
  assert.ok(classes.length >= 5);
  assert.ok(tl.filter((l) => l.startsWith('Event Sources:')).every((l) => /^Event Sources:\s+syscall $/.test(l)));
  assert.deepEqual(
    starts.filter((s) => s !== 'Field' && s !== 'Event'),
    names,
  );
  const arg = tl.find((l) => l.startsWith('proc.aname'))!;
  assert.match(libs.get('proc.aname')!, /EPF_ARG_ALLOWED/);
  assert.match(arg, /^proc\.aname {20}\(ARG_ALLOWED/);
  // every line fits Falco's 120 columns but for an unbreakable word
  for (const l of tl) assert.ok(l.length <= 121 || !l.trim().includes(' '), l);
  // markdown and JSON list the same fields
  const md = falco(['--list', '--format', 'markdown']);
  const mdNames = [...text(md.stdout).matchAll(/^`([^`]+)` \| /gm)].map((m) => m[1]);
  assert.deepEqual(mdNames, names);
  const js = JSON.parse(text(falco(['--list', '--format', 'json']).stdout)) as {
    fieldclasses: { fields: { name: string }[] }[];
  };
  assert.deepEqual(
    js.fieldclasses.flatMap((c) => c.fields.map((f) => f.name)),
    names,
  );
});

test('falco --list-events, -i, --list-plugins, --plugin-info print and exit', () => {
  const ev = falco(['--list-events']);
  assert.equal(ev.status, 0);
  const o = text(ev.stdout);
  assert.match(o, /^The events below are valid for Falco \*Schema Version\*: /);
  for (const c of ['Syscall events', 'Tracepoint events', 'Plugin events', 'Metaevents'])
    assert.ok(o.includes(`## ${c}\n\n`));
  assert.match(o, /^> open\(FSPATH \*\*name\*\*, FLAGS32 \*\*flags\*\*: O_LARGEFILE, /m);
  const ig = falco(['-i']);
  assert.equal(ig.status, 0);
  const ignored = text(ig.stdout).split('\n');
  assert.equal(ignored[0], 'Ignored syscall(s):');
  for (const n of ['read', 'write', 'pread', 'readv']) assert.ok(ignored.includes(`- ${n}`), n);
  for (const n of ['open', 'execve', 'close']) assert.ok(!ignored.includes(`- ${n}`), n);
  const pl = falco(['--list-plugins']);
  assert.equal(text(pl.stdout), '0 Plugins Loaded:\n\n\n');
  const pi = falco(['--plugin-info', 'k8saudit']);
  assert.equal(pi.status, 1);
  assert.equal(text(pi.stderr), "Error: can't find plugin and print its info: k8saudit\n");
});

test('falco --version: Falco’s layout, and versions_info with json_output', () => {
  const v = falco(['--version']);
  assert.equal(v.status, 0);
  const lines = text(v.stdout).split('\n');
  const layout = [
    /^Falco version: \S+/,
    /^Libs version: {2}\S+/,
    /^Plugin API: {4}\S+/,
    /^Engine: {8}\S+$/,
    /^Driver:$/,
    /^ {2}API version: {4}\S+/,
    /^ {2}Schema version: \S+/,
    /^ {2}Default driver: \S+/,
    /^$/,
  ];
  assert.equal(lines.length, layout.length);
  layout.forEach((re, i) => assert.match(lines[i], re));
  assert.equal(lines[3], `Engine:        ${ENGINE_VERSION.join('.')}`);
  const j = JSON.parse(text(falco(['--version', '-o', 'json_output=true']).stdout)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(j), [
    'default_driver_version',
    'driver_api_version',
    'driver_schema_version',
    'engine_version',
    'engine_version_semver',
    'falco_version',
    'libs_version',
    'plugin_api_version',
    'plugin_versions',
  ]);
  assert.equal(j.engine_version, String(ENGINE_VERSION[1]));
  assert.equal(j.engine_version_semver, ENGINE_VERSION.join('.'));
});

test('falco -P writes the pid file; --dry-run does not, and runs nothing', { skip: SKIP ?? undefined }, () => {
  const dir = tmpDir('falco-pid-');
  const file = path.join(SHARED, 'scap', 'falco_cat_write.scap');
  const run = (pidfile: string, more: string[] = []) =>
    spawnSync(
      process.execPath,
      [BIN, 'falco', '-r', path.join(T_RULES, 'single_rule.yaml'), '-o', 'engine.kind=replay'].concat([
        '-o',
        `engine.replay.capture_file=${file}`,
        '-P',
        pidfile,
        ...more,
      ]),
      { env: process.env },
    );
  const pid = path.join(dir, 'falco.pid');
  const r = run(pid);
  assert.equal(r.status, 0, text(r.stderr));
  assert.equal(fs.readFileSync(pid, 'utf8'), String(r.pid));
  assert.ok(text(r.stdout).split('\n').filter(Boolean).length > 0, 'the replay ran');
  const pid2 = path.join(dir, 'dry.pid');
  const d = run(pid2, ['--dry-run']);
  assert.equal(d.status, 0, text(d.stderr));
  assert.equal(text(d.stdout), '');
  assert.ok(!fs.existsSync(pid2));
  const bad = run(path.join(dir, 'no', 'dir', 'x.pid'));
  assert.equal(bad.status, 1);
  assert.match(text(bad.stderr), /^Error: Could not write pid to pidfile .*x\.pid\. Exiting\.\n$/);
});

const LIVE_SKIP = liveSkipReason('the live falco front-end test');
if (LIVE_SKIP) process.stdout.write(`# falco-cli live test skipped: ${LIVE_SKIP}\n`);

test(
  'falco -o engine.kind=modern_ebpf: a live alert for a file the test opens',
  { skip: LIVE_SKIP ?? undefined, timeout: 180_000 },
  async () => {
    const dir = tmpDir('falco-live-');
    const marker = path.join(dir, 'marker');
    const rules = path.join(dir, 'rules.yaml');
    fs.writeFileSync(
      rules,
      `- rule: falco front-end live\n  desc: live test\n  condition: evt.type in (open, openat, openat2) and fd.name = ${marker}\n  output: marker opened (file=%fd.name proc=%proc.name)\n  priority: WARNING\n`,
    );
    const child = spawn(
      process.execPath,
      [BIN, 'falco', '-r', rules, '-o', 'engine.kind=modern_ebpf', '-o', 'json_output=true', '-M', '150'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exit = new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    const t0 = Date.now();
    while (!out.includes('marker opened')) {
      assert.ok(Date.now() - t0 < 120_000, `no alert: ${err}`);
      assert.equal(child.exitCode, null, `ended: ${err}`);
      fs.writeFileSync(marker, 'x');
      await sleep(100);
    }
    child.kill('SIGTERM');
    assert.equal(await exit, 0, err);
    const a = JSON.parse(out.split('\n').find((l) => l.includes('marker opened'))!) as Record<string, unknown>;
    assert.equal(a.rule, 'falco front-end live');
    assert.equal(a.priority, 'Warning');
    assert.equal((a.output_fields as Record<string, unknown>)['fd.name'], marker);
  },
);
