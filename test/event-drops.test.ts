/**
 * Falco configuration files (-c) and syscall event drop monitoring (src/config/falco-config.ts,
 * src/drops/event-drops.ts): the keys we read and Falco's validation messages; the monitor on
 * real drop counters (threshold, token bucket, actions); and `replay -c` end to end on our own
 * demo trace. Falco's own drop tests run in rules-falco-regression.test.ts.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, runCli } from './helpers/env';

const C = require('../src/config/falco-config') as typeof import('../src/config/falco-config');
const D = require('../src/drops/event-drops') as typeof import('../src/drops/event-drops');

const { makeBenchTrace } = require('../bench/make-trace') as typeof import('../bench/make-trace');

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-drops-'));
/** our demo trace (0.12 s) repeated with shifted timestamps: ~4 s, so there are seconds to check */
const DEMO = path.join(TMP, 'demo-x34.scap');
makeBenchTrace(path.join(ROOT, 'fixtures', 'demo.scap'), DEMO, 80000);

function conf(name: string, text: string): string {
  const p = path.join(TMP, name);
  fs.writeFileSync(p, text);
  return p;
}

test('config: rules, -o keys, outputs, logging and drop settings are read; the rest is ignored', () => {
  const c = C.loadFalcoConfig(
    conf(
      'full.yaml',
      [
        'rules_file:',
        '  - /etc/falco/falco_rules.yaml',
        '  - /etc/falco/local.yaml',
        'json_output: true',
        'priority: warning',
        'time_format_iso_8601: true',
        'buffered_outputs: false',
        'stdout_output:',
        '  enabled: false',
        'file_output:',
        '  enabled: true',
        '  filename: /tmp/x.txt',
        'program_output:',
        '  enabled: true',
        '  program: "jq -c ."',
        'http_output:',
        '  enabled: false',
        '  url: http://x',
        'syslog_output:',
        '  enabled: true',
        'log_stderr: false',
        'log_level: debug',
        'syscall_event_drops:',
        '  actions: [log, alert, exit]',
        '  threshold: 0.2',
        '  rate: 1',
        '  max_burst: 3',
        'plugins: []',
        'append_output:',
        '  - suggested_output: true',
        '  - match: {rule: x}',
        '    extra_output: y',
        '',
      ].join('\n'),
    ),
  );
  // (as Falco's load_yaml, only the entries that exist: neither does here)
  assert.deepEqual(c.rulesFiles, []);
  assert.deepEqual(c.overrides, [
    'priority=warning',
    'json_output=true',
    'time_format_iso_8601=true',
    'suggested_output=true',
  ]);
  assert.deepEqual(c.outputs, ['file:/tmp/x.txt', 'program:jq -c .', 'syslog']);
  assert.equal(c.logStderr, false);
  assert.equal(c.logLevel, 7);
  assert.deepEqual([...c.drops!.actions], ['log', 'alert', 'exit']);
  assert.equal(c.drops!.threshold, 0.2);
  assert.equal(c.drops!.rate, 1);
  assert.equal(c.drops!.maxBurst, 3);
  assert.equal(c.drops!.simulate, false);

  // absent sections: no outputs of its own (stdout stays), no drop monitoring, Falco's defaults
  const e = C.loadFalcoConfig(conf('empty.yaml', `rules_file: ${conf('x.yaml', '[]\n')}\n`));
  assert.deepEqual(e.rulesFiles, [path.join(TMP, 'x.yaml')]);
  assert.equal(e.outputs, null);
  assert.equal(e.drops, null);
  assert.equal(e.logStderr, true);
  assert.equal(e.logLevel, 6);
  const d = C.loadFalcoConfig(conf('drops-default.yaml', 'syscall_event_drops: {}\n')).drops!;
  assert.deepEqual([...d.actions], ['ignore']);
  assert.deepEqual([d.threshold, d.rate, d.maxBurst, d.simulate], [0.1, 0.03333, 1, false]);
});

test("config: -o sets the sections a file would (Falco's -o), over the file", () => {
  assert.equal(C.isConfigOption('file_output.enabled=true'), true);
  assert.equal(C.isConfigOption('syscall_event_drops.actions=[log]'), true);
  assert.equal(C.isConfigOption('json_output=true'), false); // an engine key: applyOverrides
  const o = C.loadFalcoConfig(null, [
    'stdout_output.enabled=false',
    'file_output.enabled=true',
    'file_output.filename=/tmp/a b.txt',
    'http_output.enabled=true',
    'http_output.url=http://127.0.0.1:2801/',
    'syscall_event_drops.actions=[log, alert]',
    'log_level=debug',
  ]);
  assert.equal(o.file, null);
  assert.deepEqual(o.outputs, ['file:/tmp/a b.txt', 'http://127.0.0.1:2801/']);
  assert.deepEqual([...o.drops!.actions], ['log', 'alert']);
  assert.equal(o.logLevel, 7);
  const f = conf(
    'base.yaml',
    'syscall_event_drops:\n  threshold: 0.2\n  actions: [log]\nfile_output:\n  enabled: true\n  filename: /tmp/f.txt\n',
  );
  const m = C.loadFalcoConfig(f, ['syscall_event_drops.threshold=0.5', 'file_output.filename=/tmp/g.txt']);
  assert.equal(m.drops!.threshold, 0.5);
  assert.deepEqual([...m.drops!.actions], ['log']);
  assert.deepEqual(m.outputs, ['stdout', 'file:/tmp/g.txt']);
  assert.throws(
    () => C.loadFalcoConfig(null, ['syscall_event_drops.threshold=2']),
    /^Error: Error in the -o options: syscall event drops threshold must be a double in the range \[0, 1\]$|Error in the -o options: syscall event drops threshold/,
  );
  assert.throws(
    () => C.loadFalcoConfig(f, ['syscall_event_drops.actions=[ignore, log]']),
    new RegExp(
      `Error reading config file \\(${f.replace(/[.]/g, '\\.')}\\) and -o options: syscall event drop action "log"`,
    ),
  );
});

test("config: Falco's validation, one line naming the file", () => {
  const bad: [string, RegExp][] = [
    [
      'syscall_event_drops:\n  actions: [ignore, alert]\n',
      /syscall event drop action "alert" does not make sense with the "ignore" action/,
    ],
    [
      'syscall_event_drops:\n  actions: [panic]\n',
      /available actions for syscall event drops are "ignore", "log", "alert", and "exit"/,
    ],
    [
      'syscall_event_drops:\n  threshold: 1.5\n',
      /syscall event drops threshold must be a double in the range \[0, 1\]/,
    ],
    ['syscall_event_drops:\n  rate: fast\n', /syscall_event_drops.rate: expected a number, got 'fast'/],
    ['log_level: loud\n', /log_level: unknown level 'loud'/],
    ['file_output:\n  enabled: true\n', /file_output.filename is not set/],
    ['json_output: [1\n', /line \d+, column \d+/],
    ['priority: 7\n', /\): priority: unknown priority '7'$/],
    ['json_output: yes_please\n', /\): json_output: expected true or false, got 'yes_please'$/],
    ['- a\n- b\n', /the document is not a map/],
  ];
  for (const [text, re] of bad) {
    const f = conf('bad.yaml', text);
    assert.throws(
      () => C.loadFalcoConfig(f),
      (e: Error) => {
        assert.match(e.message, re);
        assert.ok(e.message.startsWith(`Error reading config file (${f}): `), e.message);
        assert.ok(!e.message.includes('\n'), 'one line');
        return true;
      },
    );
  }
  assert.throws(
    () => C.loadFalcoConfig(path.join(TMP, 'absent.yaml')),
    /Error reading config file \(.*absent\.yaml\): no such file/,
  );
});

test('drop monitor: real counters, threshold, token bucket and actions', () => {
  const logs: string[] = [];
  const alerts: { msg: string; fields: Record<string, string> }[] = [];
  const cfg = {
    actions: new Set<import('../src/drops/drops-config').DropAction>(['log', 'alert']),
    threshold: 0.1,
    rate: 0.5,
    maxBurst: 1,
    simulate: false,
  };
  const m = new D.DropMonitor(cfg, {
    log: { log: (_l, s) => logs.push(s) },
    alert: (msg, fields) => alerts.push({ msg, fields }),
    ebpf: true,
  });
  let events = 0,
    drops = 0;
  const counters = () => ({ events, drops, dropsBuffer: drops });
  const S = 1e9;
  let t = 0;
  const second = (ev: number, dr: number): boolean => {
    events += ev;
    drops += dr;
    t += S + 1;
    return m.process(t, counters);
  };
  assert.equal(m.process(0, counters), true); // the first event only sets the first check
  assert.equal(second(1000, 0), true);
  assert.equal(m.detected, 0);
  assert.equal(second(1000, 50), true); // 5 % of the events: under the threshold
  assert.equal(m.detected, 0);
  assert.equal(second(1000, 200), true); // 20 %: detected, acted on
  assert.deepEqual([m.detected, m.actionsTaken], [1, 1]);
  assert.equal(alerts[0].msg, 'Falco internal: syscall event drop. 200 system calls dropped in last second.');
  assert.equal(alerts[0].fields.n_evts, '1000');
  assert.equal(alerts[0].fields.n_drops, '200');
  assert.equal(alerts[0].fields.n_drops_buffer_total, '200');
  assert.equal(alerts[0].fields.ebpf_enabled, '1');
  assert.ok(logs.some((l) => l === alerts[0].msg));
  // the bucket (0.5 tokens a second, one at most) allows the next action two seconds later
  assert.equal(second(1000, 300), true);
  assert.deepEqual([m.detected, m.actionsTaken], [2, 1]);
  assert.equal(second(1000, 300), true);
  assert.deepEqual([m.detected, m.actionsTaken], [3, 2]);
  assert.equal(
    m.statsText(),
    'Syscall event drop monitoring:\n   - event drop detected: 3 occurrences\n   - num times actions taken: 2\n',
  );

  // exit: the run stops; ignore: counted, nothing done
  const ex = new D.DropMonitor(
    { ...cfg, actions: new Set(['exit']) },
    { log: { log: (_l, s) => logs.push(s) }, alert: () => assert.fail('no alert'), ebpf: false },
  );
  ex.process(0, () => ({ events: 0, drops: 0, dropsBuffer: 0 }));
  assert.equal(
    ex.process(2 * S, () => ({ events: 10, drops: 5, dropsBuffer: 0 })),
    false,
  );
  assert.equal(logs.at(-1), 'Exiting.');
  const ig = new D.DropMonitor(
    { ...cfg, actions: new Set(['ignore']) },
    { log: { log: () => assert.fail('no log') }, alert: () => assert.fail('no alert'), ebpf: false },
  );
  ig.process(0, () => ({ events: 0, drops: 0, dropsBuffer: 0 }));
  assert.equal(
    ig.process(2 * S, () => ({ events: 10, drops: 5, dropsBuffer: 0 })),
    true,
  );
  assert.deepEqual([ig.detected, ig.actionsTaken], [1, 1]);
});

test("replay -c: simulated drops raise Falco's internal alert; the exit action stops with status 1", () => {
  const alertConf = conf(
    'alert.yaml',
    'syscall_event_drops:\n  actions: [alert]\n  simulate_drops: true\n  max_burst: 100\nlog_stderr: false\n',
  );
  const r = runCli(['replay', DEMO, '-r', 'default', '-c', alertConf, '-o', 'json_output=true'], {
    env: { TZ: 'UTC' },
  });
  assert.equal(r.status, 0, r.stderr.toString());
  const lines = r.stdout
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const internal = lines.filter((l) => l.rule === 'Falco internal: syscall event drop');
  const stats = /event drop detected: (\d+) occurrences\n {3}- num times actions taken: (\d+)/.exec(
    r.stderr.toString(),
  );
  assert.ok(stats, r.stderr.toString());
  assert.ok(
    internal.length > 0 && internal.length === Number(stats[2]),
    `${internal.length} alerts, stats ${stats[0]}`,
  );
  for (const a of internal) {
    assert.equal(a.source, 'internal');
    assert.equal(a.priority, 'Debug');
    assert.equal(a.output, 'Falco internal: syscall event drop. 1 system calls dropped in last second.');
    assert.ok(!('tags' in a));
    assert.match(String(a.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal((a.output_fields as Record<string, string>).n_drops, '1');
  }
  // the rules still fire as without -c
  const plain = runCli(['replay', DEMO, '-r', 'default', '-o', 'json_output=true'], { env: { TZ: 'UTC' } });
  const rules = lines.filter((l) => l.source !== 'internal').map((l) => JSON.stringify(l));
  assert.deepEqual(
    rules,
    plain.stdout
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.stringify(JSON.parse(l))),
  );

  const exitConf = conf('exit.yaml', 'syscall_event_drops:\n  actions: [exit]\n  simulate_drops: true\n');
  const x = runCli(['replay', DEMO, '-r', 'default', '-c', exitConf]);
  assert.equal(x.status, 1);
  assert.match(x.stderr.toString(), /: Exiting\.\n/);
  assert.match(x.stderr.toString(), /event drop detected: 1 occurrences/);

  const badConf = conf('bad-threshold.yaml', 'syscall_event_drops:\n  threshold: -1\n');
  const b = runCli(['replay', DEMO, '-r', 'default', '-c', badConf]);
  assert.equal(b.status, 2);
  assert.equal(
    b.stderr.toString(),
    `falco-ts: Error reading config file (${badConf}): syscall event drops threshold must be a double in the range [0, 1]\n`,
  );

  // the same drop settings from -o alone, as with Falco's -o
  const viaO = runCli(
    [
      'replay',
      DEMO,
      '-r',
      'default',
      '-o',
      'syscall_event_drops.actions=[alert]',
      '-o',
      'syscall_event_drops.simulate_drops=true',
      '-o',
      'syscall_event_drops.max_burst=100',
      '-o',
      'log_stderr=false',
      '-o',
      'json_output=true',
    ],
    { env: { TZ: 'UTC' } },
  );
  assert.equal(viaO.status, 0, viaO.stderr.toString());
  assert.equal(viaO.stdout.toString(), r.stdout.toString());

  // a config's rules_file serves when -r is not given
  const withRules = conf('rules.yaml', 'rules_file: default\njson_output: true\n');
  const w = runCli(['replay', DEMO, '-c', withRules], { env: { TZ: 'UTC' } });
  assert.equal(w.status, 0, w.stderr.toString());
  assert.equal(w.stdout.toString(), plain.stdout.toString());
});

test("falco-ts test: drop settings as a case's overrides (no config file), checked on alerts, stderr and exit", async () => {
  const { specFromObject } = require('../src/rule-tests/spec') as typeof import('../src/rule-tests/spec');
  const { runCase } = require('../src/rule-tests/runner') as typeof import('../src/rule-tests/runner');
  const overrides = [
    'syscall_event_drops.actions=[alert]',
    'syscall_event_drops.simulate_drops=true',
    'syscall_event_drops.max_burst=100',
    'log_stderr=false',
  ];
  const spec = specFromObject(
    {
      rules: ['default'],
      cases: [
        {
          name: 'drops',
          traces: [DEMO],
          options: { overrides },
          expect: {
            alerts: { 'Falco internal: syscall event drop': { at_least: 2 } },
            stderr: { matches: ['event drop detected: \\d+ occurrences'] },
            exit: 'success',
          },
        },
        { name: 'wrong exit', traces: [DEMO], options: { overrides }, expect: { exit: 'failure' } },
        {
          name: 'exit action',
          traces: [DEMO],
          options: { overrides: ['syscall_event_drops.actions=[exit]', 'syscall_event_drops.simulate_drops=true'] },
          expect: { stderr: { matches: ['Exiting\\.', 'event drop detected: 1 occurrences'] }, exit: 'failure' },
        },
      ],
    },
    path.join(TMP, 'drops.test.yaml'),
  );
  const [ok, wrong, exit] = await Promise.all(spec.cases.map((c) => runCase(c)));
  assert.equal(ok.status, 'pass', ok.messages.join('\n'));
  assert.equal(wrong.status, 'fail');
  assert.match(wrong.messages.join('\n'), /expected the run to end in failure, it ended in success/);
  assert.equal(exit.status, 'pass', exit.messages.join('\n'));
});
