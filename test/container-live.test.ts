/**
 * Containers of a real runtime, end to end (root, containerd running, our busybox image
 * imported: scripts/ci-containers.sh). While `falco-ts capture -w` and live mode run, `ctr`
 * starts containers with a terminal that run a shell, netcat with -e (a connection whose
 * socket becomes stdin/stdout) and arping (a packet socket); the same actions then run on the
 * host. Live output and the replayed capture show the containers' events with their id, name,
 * image repository and labels (from containerd's API, recorded in the trace as container events),
 * host processes show `host`; Falco's stable rules "Terminal shell in container", "Netcat Remote
 * Code Execution in Container", "Redirect STDOUT/STDIN to Network Connection in Container" and
 * "Packet socket created in container" fire for the container and not for the host.
 *
 * Skipped with the reason when something is missing, except under CI=true, where it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { BIN, IN_CI, SHARED, tmpDir, which, runCli } from './helpers/env';
import { nativeBuilt } from '../src/capture/native';

const IMAGE = 'docker.io/falcots/busybox:1.0';
const REPO = 'docker.io/falcots/busybox';
const RULES = path.join(SHARED, 'rules', 'falco_rules.yaml');
const TMP = tmpDir('falco-ts-ctr-live-');
process.on('exit', () => {
  try {
    fs.rmSync(TMP, { recursive: true, force: true });
  } catch {
    /* ignore */
  }
});

function skipReason(): string | null {
  const why = ((): string | null => {
    if (typeof process.geteuid !== 'function' || process.geteuid() !== 0) return 'not root';
    if (!nativeBuilt()) return 'the native probe is not built (npm run build)';
    for (const c of ['ctr', 'script', 'busybox'])
      if (which(c) === null) return `${c} is not installed (sh scripts/ci-containers.sh)`;
    if (spawnSync('ctr', ['--timeout', '5s', 'version']).status !== 0)
      return 'containerd is not running (sh scripts/ci-containers.sh)';
    const imgs = spawnSync('ctr', ['image', 'ls', '-q']).stdout?.toString() ?? '';
    if (!imgs.split('\n').includes(IMAGE)) return `image ${IMAGE} is not imported (sh scripts/ci-containers.sh)`;
    if (!fs.existsSync(RULES)) return `no rules at ${RULES}`;
    return null;
  })();
  if (why !== null && IN_CI) throw new Error(`container tests must run in CI: ${why}`);
  return why;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function start(args: string[]): {
  p: ChildProcess;
  out: () => string;
  err: () => string;
  done: Promise<number | null>;
} {
  const p = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  p.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const done = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  return { p, out: () => out, err: () => err, done };
}

/** Runs a command on a pseudo-terminal (script), so the shell has a tty as with `ctr run -t`. */
function onTty(cmd: string): void {
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60000 });
  assert.notEqual(r.status, null, `${cmd}: timed out`);
}

interface Row {
  type: string;
  name: string;
  id: string;
  cname: string;
  repo: string;
  app: string;
  test: string;
  cmd: string;
}

function rows(text: string): Row[] {
  const out: Row[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 8 || f[0] !== 'R') continue;
    out.push({
      type: f[1],
      name: f[2],
      id: f[3],
      cname: f[4],
      repo: f[5],
      app: f[6],
      test: f[7],
      cmd: f.slice(8).join(' '),
    });
  }
  return out;
}

const FORMAT =
  '*R %evt.type %proc.name %container.id %container.name %container.image.repository %container.label.app %container.label[falcots.test] %proc.cmdline';
const FILTER = 'evt.type=execve and evt.dir=< and (container.id != host or proc.cmdline contains falcotsmark)';

test('containers run with ctr: live and replayed events carry their metadata; container rules fire, not on the host', async (t) => {
  const skip = skipReason();
  if (skip !== null) {
    t.skip(skip);
    return;
  }

  const full = crypto.randomBytes(32).toString('hex');
  const short = full.slice(0, 12);
  const named = `falcots-web-${crypto.randomBytes(3).toString('hex')}`;
  const trace = path.join(TMP, 'containers.scap');
  const bin = path.join(TMP, 'bin');
  fs.mkdirSync(bin);
  for (const a of ['nc', 'arping']) fs.symlinkSync(which('busybox')!, path.join(bin, a));

  const cap = start(['capture', '-w', trace, '-M', '60']);
  const live = start(['-M', '60', '-p', FORMAT, FILTER]);
  try {
    // both probes attached: the capture file has its header, and a host marker shows up live
    for (let i = 0; i < 100 && !(fs.existsSync(trace) && fs.statSync(trace).size > 0); i++) await sleep(100);
    for (let i = 0; i < 50 && !live.out().includes('falcotsmark-ready'); i++) {
      spawnSync('sh', ['-c', 'true falcotsmark-ready']);
      await sleep(200);
    }
    assert.ok(live.out().includes('falcotsmark-ready'), `live mode shows no events: ${live.err()}`);

    const scenario = (nc: string, arping: string, port: number, mark: string) =>
      `${nc} -l -p ${port} -e /bin/true & sleep 0.3; ${nc} 127.0.0.1 ${port} -e /bin/true; ${arping} -c 1 -w 1 -I lo 127.0.0.1; exit 0 ${mark}`;
    onTty(`ctr run -t --rm --label app=demo ${IMAGE} ${full} sh -c '${scenario('/bin/nc', '/bin/arping', 4444, '')}'`);
    const r2 = spawnSync(
      'ctr',
      ['run', '--rm', '--label', 'app=web', IMAGE, named, 'sh', '-c', 'sleep 0.3; /bin/cat /etc/passwd >/dev/null'],
      { timeout: 60000 },
    );
    assert.equal(r2.status, 0, r2.stderr?.toString());
    // the same actions on the host, with a terminal
    onTty(`sh -c '${scenario(path.join(bin, 'nc'), path.join(bin, 'arping'), 4445, 'falcotsmark')}'`);
    await sleep(1500);
  } finally {
    cap.p.kill('SIGINT');
    live.p.kill('SIGINT');
  }
  assert.equal(await cap.done, 0, cap.err());
  assert.equal(await live.done, 0, live.err());

  const check = (where: string, rs: Row[]) => {
    const mine = rs.filter((r) => r.id === short);
    assert.ok(
      mine.some((r) => r.name === 'sh'),
      `${where}: the container's shell: ${JSON.stringify(rs.slice(0, 5))}`,
    );
    for (const n of ['nc', 'arping', 'true']) {
      const r = mine.find((x) => x.name === n);
      assert.ok(r !== undefined, `${where}: ${n} in the container`);
      assert.equal(r.cname, short, `${where}: container.name of a ctr container is its short id`);
      assert.equal(r.repo, REPO, `${where}: container.image.repository`);
      assert.equal(r.app, 'demo', `${where}: container.label.app`);
      assert.equal(r.test, 'yes', `${where}: the image's label`);
    }
    const web = rs.filter((r) => r.id === named.slice(0, 12));
    assert.ok(
      web.some((r) => r.name === 'cat' && r.repo === REPO && r.app === 'web'),
      `${where}: the container named ${named}`,
    );
    const host = rs.filter((r) => r.cmd.includes('falcotsmark') && r.cmd.includes('4445'));
    assert.ok(host.length > 0, `${where}: the host scenario`);
    for (const r of host) assert.equal(r.id, 'host', `${where}: host process ${r.name}`);
  };
  check('live', rows(live.out()));

  const rep = runCli(['replay', trace, '-p', FORMAT, FILTER]);
  assert.equal(rep.status, 0, rep.stderr.toString());
  check('replay', rows(rep.stdout.toString()));

  // the capture recorded the containers: container events in the trace
  const evs = runCli([
    'replay',
    trace,
    '-p',
    '*%container.id %container.name %container.image.repository',
    'evt.type=container',
  ]);
  assert.equal(evs.status, 0, evs.stderr.toString());

  // Falco's stable container rules on the replayed capture
  const al = runCli(['replay', trace, '-r', RULES, '-o', 'json_output=true']);
  assert.equal(al.status, 0, al.stderr.toString());
  const alerts = al.stdout
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, string | number | null> });
  const want = [
    'Terminal shell in container',
    'Netcat Remote Code Execution in Container',
    'Redirect STDOUT/STDIN to Network Connection in Container',
    'Packet socket created in container',
  ];
  for (const rule of want) {
    const a = alerts.filter((x) => x.rule === rule);
    assert.ok(
      a.some((x) => x.output_fields['container.id'] === short),
      `${rule}: no alert for container ${short}: ${JSON.stringify(alerts.map((x) => x.rule))}`,
    );
    assert.ok(
      a.every((x) => x.output_fields['container.id'] !== 'host'),
      `${rule}: fired on the host`,
    );
    for (const x of a) {
      const cmd = String(x.output_fields['proc.cmdline'] ?? '');
      assert.ok(!cmd.includes('falcotsmark') && !cmd.includes('4445'), `${rule}: fired for the host scenario: ${cmd}`);
    }
  }
  // our default ruleset's "Interactive shell in a container": the container's tty shell, never
  // the host's shell that ran the same scenario on a terminal
  const dal = runCli(['replay', trace, '-r', 'default', '-o', 'json_output=true']);
  assert.equal(dal.status, 0, dal.stderr.toString());
  const dAlerts = dal.stdout
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, string | number | null> });
  const shells = dAlerts.filter((x) => x.rule === 'Interactive shell in a container');
  assert.ok(
    shells.some((x) => x.output_fields['container.id'] === short),
    `default rules: no interactive-shell alert for ${short}: ${JSON.stringify(dAlerts.map((x) => x.rule))}`,
  );
  assert.ok(
    shells.every((x) => x.output_fields['container.id'] !== 'host'),
    'default rules: interactive-shell alert for a host shell',
  );
  // (the shell is the container's first process: its metadata may still be on its way, as in Falco)
  const nc = alerts.find((x) => x.rule === 'Netcat Remote Code Execution in Container')!;
  assert.equal(nc.output_fields['container.image.repository'], REPO);
});
