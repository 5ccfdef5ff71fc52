/**
 * The syslog output against real receivers: `replay demo.scap -r default --output syslog`
 * sends each alert as Falco does, syslog(severity, "%s", line), facility user.
 *  - glibc's syslog(3) (through the addon) and our JS datagram fallback put the same bytes on
 *    /dev/log: `<PRI>Mmm dd hh:mm:ss falco-ts: <the alert line stdout prints>`, PRI = 8 + the
 *    severity of the line's priority; a python receiver sees them (/dev/log is a test socket in
 *    a private mount namespace: glibc knows no other path);
 *  - busybox syslogd, an independent parser, files them as `user.warn falco-ts: ...`;
 *  - `--output syslog:PATH` reaches a receiver at PATH; a socket nobody listens on counts the
 *    alerts as failed, and the run ends with the loss line and exit 3.
 * Root, unshare and the addon are needed for the /dev/log legs (CI must run them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { BIN, IN_CI, ROOT, liveSkipReason, runCli, tmpDir, which } from './helpers/env';
import { until } from './helpers/output-fixtures';
import { rfc3164Frame } from '../src/log/syslog';
import { PRIORITY_NAMES } from '../src/alert/priority';

const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');
const PY = which('python3');
if (PY === null && IN_CI) throw new Error('python3 is needed by the syslog tests');
const NS_SKIP =
  PY === null
    ? 'python3 not installed'
    : which('unshare') === null
      ? 'unshare not installed'
      : liveSkipReason('the syslog tests');
if (NS_SKIP) process.stdout.write(`# syslog /dev/log legs skipped: ${NS_SKIP}\n`);

/** A datagram receiver: binds argv[1], writes each datagram as one hex line to argv[2], then touches argv[3]. */
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
f = open(sys.argv[2], 'ab', buffering=0)
open(sys.argv[3], 'w').close()
while True:
    f.write(s.recv(65536).hex().encode() + b'\\n')
`;

const TS = '[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d';

function datagrams(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((h) => Buffer.from(h, 'hex').toString('utf8'))
    : [];
}

/** the alert lines of the replay on stdout, the oracle of what syslog gets */
function stdoutAlerts(): string[] {
  const r = runCli(['replay', DEMO, '-r', 'default']);
  assert.equal(r.status, 0, r.stderr.toString());
  const l = r.stdout.toString().split('\n').filter(Boolean);
  assert.ok(l.length >= 2);
  return l;
}

/** the datagram Falco sends for a stdout line (its priority is the line's second word) */
function expected(line: string): RegExp {
  const sev = PRIORITY_NAMES.findIndex((n) => n.toLowerCase() === line.split(' ')[1].toLowerCase());
  assert.ok(sev >= 0, line);
  return new RegExp(`^<${8 + sev}>${TS} falco-ts: ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

test('rfc3164Frame: glibc syslog(3) framing, local time, day space-padded, no host name', () => {
  assert.equal(rfc3164Frame(12, 'falco', 'a\nb', new Date(2026, 11, 7, 9, 5, 3)), '<12>Dec  7 09:05:03 falco: a\nb');
  assert.equal(rfc3164Frame(8, 'x', 'm', new Date(2026, 0, 17, 23, 59, 0)), '<8>Jan 17 23:59:00 x: m');
});

test(
  '--output syslog: syslog(3) and the JS fallback send the same datagrams to /dev/log; busybox syslogd reads them',
  { skip: NS_SKIP ?? undefined, timeout: 120_000 },
  () => {
    const want = stdoutAlerts();
    const dir = tmpDir('falco-ts-syslog-');
    fs.mkdirSync(path.join(dir, 'u'));
    fs.mkdirSync(path.join(dir, 'w'));
    fs.writeFileSync(path.join(dir, 'recv.py'), RECEIVER);
    // Falco's log with log_syslog (stderr off): a warning, a debug line above log_level info
    const logger = path.join(ROOT, 'dist', 'src', 'log', 'falco-logger.js');
    const logOnce = `const l = require('${logger}').stderrLogger(false, 6, undefined, true); l.log(4, 'drops seen\\n'); l.log(7, 'not sent')`;
    const replay = `${process.execPath} ${BIN} replay ${DEMO} -r default --output syslog`;
    // a private /dev (overlay over the real one) where /dev/log is the test's receiver
    const script = `set -e
mount -t overlay overlay -o lowerdir=/dev,upperdir=${dir}/u,workdir=${dir}/w /dev
${PY} ${dir}/recv.py /dev/log ${dir}/native.hex ${dir}/ready & rx=$!
while [ ! -e ${dir}/ready ]; do sleep 0.05; done
${replay}
${process.execPath} -e "${logOnce}"
sleep 0.3; kill $rx; wait $rx || true; rm -f /dev/log ${dir}/ready
${PY} ${dir}/recv.py /dev/log ${dir}/js.hex ${dir}/ready & rx=$!
while [ ! -e ${dir}/ready ]; do sleep 0.05; done
FALCO_TS_NATIVE=${dir}/no-addon.node ${replay}
sleep 0.3; kill $rx; wait $rx || true; rm -f /dev/log
if command -v busybox >/dev/null; then
  busybox syslogd -n -O ${dir}/messages & sd=$!
  while [ ! -S /dev/log ]; do sleep 0.05; done
  ${replay}
  sleep 0.5; kill $sd; wait $sd || true
fi
`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
      env: { ...process.env, TZ: 'UTC' },
      timeout: 100_000,
    });
    try {
      assert.equal(r.status, 0, r.stderr.toString());
      const native = datagrams(path.join(dir, 'native.hex'));
      // (the last one: the log line, severity warning, its newline dropped as Falco does)
      assert.match(native.pop() ?? '', new RegExp(`^<12>${TS} falco-ts: drops seen$`));
      const js = datagrams(path.join(dir, 'js.hex'));
      assert.equal(native.length, want.length, native.join('\n'));
      native.forEach((d, i) => assert.match(d, expected(want[i])));
      // the fallback's bytes are glibc's (the time stamps aside)
      const untimed = (d: string) => d.replace(new RegExp(TS), 'TS');
      assert.deepEqual(js.map(untimed), native.map(untimed));
      if (which('busybox') !== null) {
        const names = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
        // (syslogd logs its own start and exit as syslog.info)
        const got = fs
          .readFileSync(path.join(dir, 'messages'), 'utf8')
          .split('\n')
          .filter((l) => / user\./.test(l));
        assert.equal(got.length, want.length, got.join('\n'));
        got.forEach((l, i) => {
          const sev = Number(/^<(\d+)>/.exec(native[i])![1]) - 8;
          assert.equal(l.replace(new RegExp(`^${TS} \\S+ `), ''), `user.${names[sev]} falco-ts: ${want[i]}`);
        });
      } else if (IN_CI) assert.fail('busybox is needed by the syslog test in CI');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  '--output syslog:PATH: datagrams to a receiver at PATH; nobody listening: failed, loss line, exit 3',
  { skip: PY === null ? 'python3 not installed' : undefined, timeout: 120_000 },
  async () => {
    const want = stdoutAlerts();
    const dir = tmpDir('falco-ts-syslog-');
    const sock = path.join(dir, 'log.sock');
    const rx = spawn(PY!, ['-c', RECEIVER, sock, path.join(dir, 'got.hex'), path.join(dir, 'ready')], {
      stdio: 'ignore',
    });
    try {
      assert.ok(await until(() => fs.existsSync(path.join(dir, 'ready'))), 'receiver did not start');
      const r = runCli(['replay', DEMO, '-r', 'default', '--output', `syslog:${sock}`]);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.ok(await until(() => datagrams(path.join(dir, 'got.hex')).length >= want.length));
      const got = datagrams(path.join(dir, 'got.hex'));
      assert.equal(got.length, want.length);
      got.forEach((d, i) => assert.match(d, expected(want[i])));
      // the receiver gone, its socket file left behind: connection refused on every alert
      rx.kill('SIGKILL');
      await until(() => rx.exitCode !== null || rx.signalCode !== null);
      const lost = runCli(['replay', DEMO, '-r', 'default', '--output', `syslog:${sock}`]);
      assert.equal(lost.status, 3, lost.stderr.toString());
      assert.match(
        lost.stderr.toString(),
        new RegExp(`^falco-ts: ${want.length} alerts not delivered: syslog:${sock} ${want.length} failed$`, 'm'),
      );
      // no socket at all: one line, exit 2
      const none = runCli(['replay', DEMO, '-r', 'default', '--output', `syslog:${dir}/none`]);
      assert.equal(none.status, 2);
      assert.match(none.stderr.toString(), /--output syslog: \S+\/none does not exist/);
    } finally {
      rx.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
);
