/**
 * The terminal experience, under a real pseudo-terminal (`script -qc`) and piped: sysdig's
 * TTY colours on the default line, the progress bar and the summary on stderr; none of it
 * when piped, with NO_COLOR or --no-color; stdout never carries the summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, SCAP_DIR, runCli, sharedSkipReason, which } from './helpers/env';
import { ProgressBar } from '../src/ui/progress';
import { colorAlertLine, colorEnabled, makeChalk } from '../src/format/colors';

const CAPTURE = path.join(SCAP_DIR, 'libs_curl_google.scap');

function shq(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

/** Runs falco-ts under a pseudo-terminal (stdout and stderr both the TTY). */
function underTty(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const cmd = [process.execPath, BIN, ...args].map(shq).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '', FORCE_COLOR: '', FALCO_TS_PROGRESS_DELAY_MS: '0', ...env },
    input: '',
    maxBuffer: 1 << 28,
    timeout: 120000,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('utf8');
}

test('replay on a terminal: sysdig colours, progress bar and summary; piped: none', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  if (!which('script')) {
    t.skip('script (util-linux) not installed');
    return;
  }
  const tty = underTty(['replay', CAPTURE]);
  // sysdig's TTY default format, byte for byte: ... \e[01;32mcurl\e[00m (\e[01;36m17497\e[00m.17497) < \e[01;34mexecve\e[00m ...
  assert.match(
    tty,
    /211 \S+ 0 \x1b\[01;32mcurl\x1b\[00m \(\x1b\[01;36m17497\x1b\[00m\.17497\) < \x1b\[01;34mexecve\x1b\[00m res=0/,
  );
  assert.ok(!/ev\/s/.test(tty), 'no progress bar while events stream to the same terminal');
  assert.match(tty, /events read/, 'summary');
  // with -q (or -w) the terminal is free for the bar
  const q = underTty(['replay', '-q', CAPTURE]);
  assert.match(q, /\r[^\r\n]*\d+%[^\r\n]*ev\/s[^\r\n]*ETA/, 'progress bar');
  assert.match(q, /\r\x1b\[K/, 'bar erased at the end');
  assert.match(q, /events read\s+│\s+1,536/);
  assert.match(tty, /\x1b\[00m/);

  const piped = runCli(['replay', CAPTURE], {
    env: { FALCO_TS_PROGRESS_DELAY_MS: '0', NO_COLOR: '', FORCE_COLOR: '' },
  });
  assert.equal(piped.status, 0);
  const out = piped.stdout.toString('latin1');
  assert.ok(!out.includes('\x1b['), 'no escapes when piped');
  assert.ok(!/events read/.test(out), 'no summary on stdout');
  assert.equal(piped.stderr.toString(), '', 'no progress or summary when stderr is not a TTY');
  // same lines as the plain default format
  assert.match(out, /^211 \S+ 0 curl \(17497\) < execve res=0/m);

  for (const [args, env] of [
    [['replay', CAPTURE], { NO_COLOR: '1' }],
    [['replay', '--no-color', CAPTURE], {}],
  ] as const) {
    const plain = underTty([...args], env);
    assert.ok(!plain.includes('\x1b[01;32m'), `colours despite ${JSON.stringify(args)} ${JSON.stringify(env)}`);
    assert.match(plain, /211 \S+ 0 curl \(17497\) < execve/);
  }
  const quiet = underTty(['replay', '--no-progress', '--no-summary', '-n', '300', CAPTURE]);
  assert.ok(!/ev\/s|events read/.test(quiet));
});

test('replay --summary when piped: the table goes to stderr, stdout unchanged', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const a = runCli(['replay', CAPTURE, '--summary']);
  const b = runCli(['replay', CAPTURE]);
  assert.equal(a.status, 0);
  assert.deepEqual(a.stdout, b.stdout);
  const err = a.stderr.toString();
  assert.match(err, /events read\s+│\s+1,536/);
  assert.match(err, /events matched\s+│\s+1,536/);
});

test('progress bar rendering and colour rules', () => {
  let now = 1000;
  const writes: string[] = [];
  const bar = new ProgressBar(
    { write: (s: string) => writes.push(s), columns: 100 },
    { total: 1000, now: () => now, delayMs: 0, intervalMs: 100 },
  );
  now += 2000;
  const r = bar.render(250, 5000);
  assert.match(r, /\[=+> +\] {2}25%/);
  assert.match(r, /2\.5k ev\/s/);
  assert.match(r, /ETA 0:06/);
  bar.update(250, 5000);
  bar.update(260, 5100); // within the interval: not redrawn
  assert.equal(writes.length, 1);
  bar.finish();
  assert.equal(writes[1], '\r\x1b[K');
  assert.equal(colorEnabled({ isTTY: true }, { env: {} }), true);
  assert.equal(colorEnabled({ isTTY: false }, { env: {} }), false);
  assert.equal(colorEnabled({ isTTY: true }, { env: { NO_COLOR: '1' } }), false);
  assert.equal(colorEnabled({ isTTY: true }, { env: {}, noColor: true }), false);
  const line = colorAlertLine(makeChalk(true), '12:00:00.000000000: Critical boom', 'Critical');
  assert.ok(line.includes('\x1b[31m') && line.endsWith(' boom'));
  assert.equal(colorAlertLine(makeChalk(false), 'x: Critical y', 'Critical'), 'x: Critical y');
});
