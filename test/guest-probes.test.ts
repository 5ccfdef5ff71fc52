/**
 * Both probes on a second kernel (issue 9): scripts/guest/run.sh builds the falco_ts module
 * against Debian's linux-headers-amd64, boots the matching Debian kernel (6.1) under
 * qemu -accel tcg, loads the module, and captures the same scripted scenario
 * (scripts/guest/workload.sh) with `falco-ts capture --driver kmod` and `--driver ebpf` into a
 * shared folder. On the host, both traces must
 *   - replay with the scenario's events (paths, arguments, socket tuples, results),
 *   - be read by `sysdig -r` (the same events as our reader),
 *   - give the same verdicts of Falco's stable rules (../shared/rules/falco_rules.yaml, in place).
 * And a module that oopses (or deadlocks) in its probe must fail the run within a bounded time.
 *
 * FT_GUEST_KVER=<version> boots another installed Debian kernel instead (README); FT_GUEST_REUSE=DIR
 * checks the outputs of an earlier run.sh --out DIR without booting.
 *
 * Runs as root; under CI=true it must run (a missing qemu/headers/addon is a failure); elsewhere
 * it is skipped with the reason printed.
 */
import { test, before } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { IN_CI, ROOT, SHARED, runCliAsync, runSysdigAsync, sysdigSkipReason, tmpDir, which } from './helpers/env';
import { ScapReader } from '../src/scap/reader';
import type { EventView } from '../src/event/view';

const RUN = path.join(ROOT, 'scripts', 'guest', 'run.sh');
const RULES = path.join(SHARED, 'rules', 'falco_rules.yaml');
const TAG = 'scn'; // workload.sh's tag (scenario.sh)
const DRIVERS = ['kmod', 'ebpf'] as const;
const TMP = tmpDir('falco-ts-guest-');
process.on('exit', () => {
  try {
    fs.rmSync(TMP, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
});

function skipReason(): string | null {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('not root (qemu 9p passthrough of /usr, module build)');
  if (!which('qemu-system-x86_64')) missing.push('qemu-system-x86_64 (apt-get install qemu-system-x86)');
  const hdr = spawnSync('dpkg-query', ['-W', '-f=${Status}', 'linux-headers-amd64']);
  if (!String(hdr.stdout).includes('ok installed'))
    missing.push('Debian kernel headers (apt-get install linux-headers-amd64)');
  if (!which('busybox') || !which('cpio')) missing.push('busybox-static and cpio');
  if (!fs.existsSync(path.join(ROOT, 'build', 'Release', 'falco_ts_native.node')))
    missing.push('the native addon (npm run build:native)');
  if (!fs.existsSync(RULES)) missing.push(`Falco's rules at ${RULES}`);
  if (missing.length === 0) return null;
  if (IN_CI)
    throw new Error(
      `CI: the guest-kernel tests cannot run: missing ${missing.join('; ')} (scripts/guest/setup.sh installs the packages)`,
    );
  return `missing ${missing.join('; ')}`;
}

const SKIP = skipReason();
function skipIf(t: TestContext): boolean {
  if (SKIP === null) return false;
  console.log(`# skipped: ${SKIP}`);
  t.skip(SKIP);
  return true;
}

interface RunResult {
  code: number | null;
  ms: number;
  log: string;
}

function runGuest(args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const p = spawn(RUN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    p.stdout.on('data', (b: Buffer) => {
      log += b.toString();
    });
    p.stderr.on('data', (b: Buffer) => {
      log += b.toString();
    });
    const timer = setTimeout(() => {
      log += '\n[test: killed after timeout]';
      p.kill('SIGKILL');
    }, timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - t0, log });
    });
  });
}

// FT_GUEST_REUSE=DIR (debugging): check the outputs of an earlier `scripts/guest/run.sh --out DIR`
const REUSE = process.env.FT_GUEST_REUSE;
const OUT = REUSE ?? path.join(TMP, 'out');
let guest: RunResult | null = null;

before(async () => {
  if (SKIP !== null) return;
  if (REUSE) {
    guest = { code: 0, ms: 0, log: '' };
    return;
  }
  fs.mkdirSync(OUT, { recursive: true });
  guest = await runGuest(['--out', OUT, '--timeout', '420'], 480_000);
  console.log(`# guest run: exit ${guest.code} in ${(guest.ms / 1000).toFixed(1)} s`);
  for (const l of guest.log.split('\n')) if (/guest\[|guest-run\[/.test(l)) console.log(`#   ${l.trim()}`);
});

function needGuest(): RunResult {
  assert.ok(guest, 'guest run missing');
  assert.equal(guest.code, 0, `scripts/guest/run.sh failed (exit ${guest.code}):\n${guest.log.slice(-4000)}`);
  return guest;
}

const trace = (d: string): string => path.join(OUT, `${d}.scap`);

/** Our replay: one line per event of `filter`, formatted with `fmt`. */
async function replay(file: string, fmt: string, filter: string): Promise<string[]> {
  const r = await runCliAsync(['replay', file, '-p', fmt, filter]);
  assert.equal(r.status, 0, `replay ${path.basename(file)} '${filter}': ${r.stderr.toString()}`);
  return r.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0);
}

async function one(file: string, fmt: string, filter: string): Promise<string> {
  const lines = await replay(file, fmt, filter);
  assert.ok(lines.length >= 1, `${path.basename(file)}: no event for '${filter}'`);
  return lines[0];
}

test('the guest boots Debian 6.1 and both probes capture the scenario', (t) => {
  if (skipIf(t)) return;
  const g = needGuest();
  const kernel = fs.readFileSync(path.join(OUT, 'uname'), 'utf8').trim();
  // FT_GUEST_KVER (run.sh): another Debian kernel, e.g. 6.12.107+deb12-amd64
  if (process.env.FT_GUEST_KVER) assert.equal(kernel, process.env.FT_GUEST_KVER);
  else assert.match(kernel, /^6\.1\.\d+-\d+-amd64$/, `guest kernel ${kernel}`);
  const log = fs.readFileSync(path.join(OUT, 'guest.log'), 'utf8');
  assert.match(log, /kmod-smoke: \d+ well-formed events/);
  assert.match(log, /kmod: rmmod refused while attached/);
  assert.match(log, /kmod: unloaded/);
  assert.match(
    log,
    /kmod api99: kmod-version: the loaded falco_ts module speaks interface version 99, this build needs version 1/,
  );
  for (const d of DRIVERS) {
    assert.match(log, new RegExp(`${d}: falco-ts: \\d+ events, 0 dropped`), `${d} summary in:\n${log}`);
    assert.ok(fs.statSync(trace(d)).size > 10_000, `${d}.scap is too small`);
  }
  assert.ok(g.ms < 420_000);
});

for (const d of DRIVERS) {
  test(`${d} trace: the scenario's files, exec and socket events replay with their arguments`, async (t) => {
    if (skipIf(t)) return;
    needGuest();
    const f = trace(d);
    const T = `/tmp/ft-${TAG}`;
    // open with O_CREAT|O_TRUNC by the shell's redirection, then the write of the text
    const open = await one(
      f,
      '%evt.rawres %fd.name %evt.arg.flags',
      `evt.type=openat and evt.dir=< and fd.name=${T}.txt and proc.name=bash`,
    );
    assert.match(open, new RegExp(`^\\d+ ${T}\\.txt .*O_CREAT.*`), open);
    const write = await one(f, '%evt.rawres %evt.arg.data', `evt.type=write and evt.dir=< and fd.name=${T}.txt`);
    assert.equal(write, `${TAG.length + 7} hello-${TAG}.`);
    const read = await one(
      f,
      '%proc.name %evt.rawres %evt.arg.data',
      `evt.type=read and evt.dir=< and fd.name=${T}.txt and evt.rawres>0`,
    );
    assert.equal(read, `cat ${TAG.length + 7} hello-${TAG}.`);
    const mv = await one(
      f,
      '%proc.name %evt.rawres %evt.arg.oldpath %evt.arg.newpath',
      `evt.type in (rename, renameat, renameat2) and evt.dir=<`,
    );
    assert.equal(mv, `mv 0 ${T}.txt ${T}.moved`);
    const rm = await one(
      f,
      '%proc.name %evt.rawres %evt.arg.name',
      `evt.type=unlinkat and evt.dir=< and evt.arg.name=${T}.moved`,
    );
    assert.equal(rm, `rm 0 ${T}.moved`);
    const exec = await one(
      f,
      '%evt.rawres %proc.exe %proc.args %proc.pname',
      `evt.type=execve and evt.dir=< and proc.name=true and proc.args=arg-${TAG}`,
    );
    assert.equal(exec, `0 /bin/true arg-${TAG} bash`);
    const sym = await one(
      f,
      '%proc.name %evt.rawres %evt.arg.target %evt.arg.linkpath',
      'evt.type=symlinkat and evt.dir=<',
    );
    assert.equal(sym, `ln 0 /etc/shadow ${T}.lnk`);
    const shadow = await one(
      f,
      '%proc.name %evt.rawres %fd.name',
      'evt.type=openat and evt.dir=< and fd.name=/etc/shadow',
    );
    assert.match(shadow, /^head \d+ \/etc\/shadow$/);
    // TCP on loopback: the client's connect and the server's accept are the same connection
    const conn = await one(f, '%evt.rawres %fd.name', 'evt.type=connect and evt.dir=< and fd.sport=7001');
    const m = /^0 127\.0\.0\.1:(\d+)->127\.0\.0\.1:7001$/.exec(conn);
    assert.ok(m, `connect: ${conn}`);
    const acc = await one(f, '%fd.name %fd.cip %fd.sip', 'evt.type in (accept, accept4) and evt.dir=<');
    assert.equal(acc, `127.0.0.1:${m[1]}->127.0.0.1:7001 127.0.0.1 127.0.0.1`);
    const send = await one(
      f,
      '%evt.rawres %evt.arg.data',
      'evt.type=sendto and evt.dir=< and fd.sport=7001 and evt.rawres=7',
    );
    assert.match(send, /^7 (ping|pong)-ft$/);
    const recv = await replay(
      f,
      '%evt.rawres %evt.arg.data',
      'evt.type=recvfrom and evt.dir=< and fd.sport=7001 and evt.rawres=7',
    );
    assert.deepEqual(recv.sort(), ['7 ping-ft', '7 pong-ft']);
  });
}

test('--driver kmod without the module loaded: one clear line, exit 1', (t) => {
  if (
    process.getuid?.() !== 0 ||
    fs.existsSync('/dev/falco_ts') ||
    !fs.existsSync(path.join(ROOT, 'build', 'Release', 'falco_ts_native.node'))
  ) {
    const why = 'needs root, the addon, and no falco_ts module loaded';
    if (IN_CI && process.getuid?.() === 0 && !fs.existsSync('/dev/falco_ts')) throw new Error(`CI: ${why}`);
    console.log(`# skipped: ${why}`);
    t.skip(why);
    return;
  }
  const r = spawnSync(process.execPath, [
    path.join(ROOT, 'bin', 'falco-ts'),
    'capture',
    '--driver',
    'kmod',
    '-w',
    path.join(TMP, 'none.scap'),
  ]);
  assert.equal(r.status, 1);
  assert.equal(String(r.stdout), '');
  assert.match(
    String(r.stderr),
    /^falco-ts: the falco_ts kernel module is not loaded \(\/dev\/falco_ts is missing\): build and load it: make -C \/usr\/src\/linux-headers-\$\(uname -r\) M=\$PWD\/native\/kmod && insmod native\/kmod\/falco_ts.ko\n$/,
  );
  assert.ok(!fs.existsSync(path.join(TMP, 'none.scap')));
});

/** Per event type: the parameter counts seen, and which parameters were ever non-empty. */
function layouts(file: string): Map<number, string> {
  const seen = new Map<number, { counts: Set<number>; filled: Set<number> }>();
  const r = new ScapReader({
    onSection() {
      /* state is not needed */
    },
    onEvent(ev: EventView) {
      let e = seen.get(ev.type);
      if (e === undefined) seen.set(ev.type, (e = { counts: new Set(), filled: new Set() }));
      e.counts.add(ev.nparams);
      for (let i = 0; i < ev.nparams; i++) if (ev.bytes(i).length > 0) e.filled.add(i);
    },
  });
  r.feed(fs.readFileSync(file));
  r.finish();
  const out = new Map<number, string>();
  for (const [k, v] of seen)
    out.set(k, `nparams ${[...v.counts].sort().join('/')} filled ${[...v.filled].sort((a, b) => a - b).join(',')}`);
  return out;
}

test('both probes write the same event layouts, and the same process details', async (t) => {
  if (skipIf(t)) return;
  needGuest();
  // every event type both traces hold: same parameter count, the same parameters filled
  const k = layouts(trace('kmod'));
  const e = layouts(trace('ebpf'));
  let common = 0;
  for (const [type, lk] of k) {
    const le = e.get(type);
    if (le === undefined) continue;
    common++;
    assert.equal(lk, le, `event type ${type}: kmod ${lk}, ebpf ${le}`);
  }
  assert.ok(common >= 40, `only ${common} event types in both traces`);
  // execve exits of the same programs: every field but the run-specific numbers
  const mask = (l: string) =>
    l.replace(/\b(tid|pid|ptid|pgft_maj|pgft_min|vm_size|vm_rss|vm_swap)=\d+(\([^)]*\))?/g, '$1=N');
  for (const p of ['true', `ft-true-${TAG}`, 'head', 'find']) {
    const [lk, le] = await Promise.all(
      DRIVERS.map((d) => one(trace(d), '%evt.args', `evt.type=execve and evt.dir=< and proc.name=${p}`)),
    );
    assert.equal(mask(lk), mask(le), `execve of ${p}`);
  }
});

test('sysdig -r reads both traces: the same events as our reader', async (t) => {
  if (skipIf(t)) return;
  const sk = sysdigSkipReason();
  if (sk !== null) {
    console.log(`# skipped: ${sk}`);
    t.skip(sk);
    return;
  }
  needGuest();
  const filters = [
    `fd.name startswith /tmp/ft-${TAG}`,
    'evt.type in (connect, accept, accept4, execve, symlinkat, linkat, renameat2, unlinkat) and evt.dir=<',
    'proc.name=python3 and evt.type in (socket, bind, listen, sendto, recvfrom)',
  ];
  const fmt = '%evt.num %evt.type %evt.dir %proc.name %evt.rawres %fd.name';
  for (const d of DRIVERS) {
    for (const flt of filters) {
      const [s, ours] = await Promise.all([
        runSysdigAsync(['-r', trace(d), '-p', fmt, flt]),
        runCliAsync(['replay', trace(d), '-p', fmt, flt]),
      ]);
      assert.equal(s.status, 0, `sysdig -r ${d}.scap: ${s.stderr.toString()}`);
      const sl = s.stdout
        .toString()
        .split('\n')
        .filter((l) => l);
      const ol = ours.stdout
        .toString()
        .split('\n')
        .filter((l) => l);
      assert.ok(sl.length > 0, `sysdig found no events for '${flt}' in ${d}.scap`);
      assert.deepEqual(ol, sl, `${d}.scap '${flt}': our reader and sysdig disagree`);
    }
  }
});

/** Falco verdicts of a trace: rule name and the output with run-specific numbers masked. */
async function verdicts(file: string): Promise<string[]> {
  const r = await runCliAsync(['replay', file, '-r', RULES, '-o', 'json_output=true']);
  assert.equal(r.status, 0, `rules on ${path.basename(file)}: ${r.stderr.toString()}`);
  const out: string[] = [];
  for (const l of r.stdout.toString().split('\n')) {
    if (!l.startsWith('{')) continue;
    const j = JSON.parse(l) as { rule: string; output_fields?: Record<string, unknown> };
    const f = j.output_fields ?? {};
    const keep = [
      'fd.name',
      'proc.name',
      'proc.cmdline',
      'proc.pname',
      'proc.exepath',
      'evt.type',
      'evt.arg.target',
      'evt.arg.linkpath',
      'evt.arg.oldpath',
      'evt.arg.newpath',
      'user.name',
    ];
    out.push(
      `${j.rule} | ${keep
        .filter((k) => k in f)
        .map((k) => `${k}=${String(f[k])}`)
        .join(' ')}`,
    );
  }
  return out.sort();
}

test('the same Falco stable-rule verdicts from either trace', async (t) => {
  if (skipIf(t)) return;
  needGuest();
  const [k, e] = await Promise.all([verdicts(trace('kmod')), verdicts(trace('ebpf'))]);
  const fired = new Set(k.map((l) => l.split(' | ')[0]));
  for (const rule of [
    'Read sensitive file untrusted',
    'Create Symlink Over Sensitive Files',
    'Create Hardlink Over Sensitive Files',
    'Search Private Keys or Passwords',
    'Execution from /dev/shm',
  ]) {
    assert.ok(fired.has(rule), `kmod trace: '${rule}' did not fire; verdicts:\n${k.join('\n')}`);
  }
  assert.deepEqual(e, k, 'the eBPF and kmod traces give different verdicts');
});

test('a module that oopses or deadlocks in its probe fails the run within a bounded time', async (t) => {
  if (skipIf(t)) return;
  needGuest(); // the kernel is cached by then
  // the module is built with FT_FAULT_INJECT: a NULL write (oops) or an endless loop with
  // preemption off (deadlock) in its sys_enter probe, hit as soon as kmod-smoke.py starts it
  const [oops, hang] = await Promise.all([
    runGuest(['--out', path.join(TMP, 'oops'), '--fault', 'oops', '--timeout', '120'], 180_000),
    runGuest(['--out', path.join(TMP, 'hang'), '--fault', 'hang', '--timeout', '60'], 120_000),
  ]);
  console.log(
    `# oops run: exit ${oops.code} in ${(oops.ms / 1000).toFixed(1)} s; hang run: exit ${hang.code} in ${(hang.ms / 1000).toFixed(1)} s`,
  );
  assert.equal(oops.code, 3, `oops run: expected exit 3 (kernel oops/panic):\n${oops.log.slice(-3000)}`);
  assert.match(
    oops.log,
    /RIP: 0010:ft_sys_enter\+0x[0-9a-f]+\/0x[0-9a-f]+ \[falco_ts\]/,
    "the oops is in the module's probe",
  );
  assert.ok(oops.ms < 150_000);
  assert.equal(hang.code, 4, `hang run: expected exit 4 (timeout):\n${hang.log.slice(-3000)}`);
  // it hung in the module (the guest reached the scenario; the smoke test never finished)
  const hangLog = fs.readFileSync(path.join(TMP, 'hang', 'guest.log'), 'utf8');
  assert.match(hangLog, /mode fault/);
  assert.doesNotMatch(hangLog, /kmod-smoke:|PASS/);
  assert.ok(hang.ms < 100_000);
});
