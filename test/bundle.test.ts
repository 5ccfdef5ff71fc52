/**
 * The one-file bundle (scripts/bundle.mjs): bin/falco-ts runs it when it is newer than the
 * compiled modules, with output, errors and exit statuses identical to the modules' (checked
 * on commands that reach the lazily loaded parts: rules, outputs, the Falco and sysdig
 * command lines, -w, errors); a bundle older than the modules is never run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, BIN } from './helpers/env';

const BUNDLE = path.join(ROOT, 'dist', 'src', 'bundle', 'main.js');
const MODULES = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const DEMO = path.join(ROOT, 'fixtures', 'demo.scap');
const SCAP = path.join(ROOT, '..', 'shared', 'scap');

/** a preload that tells, at exit, which entry the launcher required */
function probeScript(dir: string): string {
  const f = path.join(dir, 'which-entry.js');
  fs.writeFileSync(
    f,
    `process.on('exit', () => { const k = Object.keys(require.cache);` +
      ` process.stderr.write('ENTRY=' + (k.includes(${JSON.stringify(BUNDLE)}) ? 'bundle' : k.includes(${JSON.stringify(MODULES)}) ? 'modules' : 'none') + '\\n'); });`,
  );
  return f;
}

function run(args: string[], env: NodeJS.ProcessEnv, preload?: string) {
  const r = spawnSync(process.execPath, [...(preload ? ['-r', preload] : []), BIN, ...args], {
    env: { ...process.env, TZ: 'UTC', ...env },
    maxBuffer: 1 << 30,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

test('bundle: run when fresh, same output and statuses as the modules', (t) => {
  if (!fs.existsSync(BUNDLE) || fs.statSync(BUNDLE).mtimeMs < fs.statSync(MODULES).mtimeMs) {
    t.skip('no fresh dist/src/bundle/main.js (npm run build and npm test make it)');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-bundle-'));
  const probe = probeScript(tmp);
  // a datagram socket nobody reads any more (the syslog output through unix-dgram, a native package)
  const deadSocket = path.join(tmp, 'dead.sock');
  const py = `import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind(${JSON.stringify(deadSocket)})`;
  assert.equal(spawnSync('python3', ['-c', py]).status, 0);
  const cases: string[][] = [
    ['replay', DEMO, '-r', 'default'],
    ['replay', DEMO, '-r', 'default', '-j'],
    ['replay', DEMO, '-p', '%evt.num %proc.name %fd.name', 'evt.type in (open, openat)'],
    ['replay', path.join(SCAP, 'falco_cat_write.scap'), '-j', '-n', '50'],
    ['replay', DEMO, 'proc.name=bash and'], // a filter error: one line, exit 2
    ['replay', path.join(tmp, 'absent.scap')],
    [
      'falco',
      '-o',
      'engine.kind=replay',
      '-o',
      `engine.replay.capture_file=${DEMO}`,
      '-r',
      path.join(ROOT, 'rules', 'default-rules.yaml'),
      '-o',
      'json_output=true',
    ],
    ['falco', '-e', DEMO], // removed from Falco: its error
    ['sysdig', '-r', path.join(SCAP, 'falco_cat_write.scap'), '-S'],
    ['replay', DEMO, '-r', 'default', '--output', `syslog:${deadSocket}`], // unix-dgram: refused, exit 3
    ['list', 'fields'],
    ['--version'],
  ];
  try {
    for (const args of cases) {
      const b = run(args, {}, probe);
      const m = run(args, { FALCO_TS_NO_BUNDLE: '1' }, probe);
      assert.match(b.stderr, /ENTRY=bundle\n$/, `bundle ran: ${args.join(' ')}`);
      assert.match(m.stderr, /ENTRY=modules\n$/, `modules ran: ${args.join(' ')}`);
      assert.equal(b.status, m.status, `status: ${args.join(' ')}`);
      assert.deepEqual(b.stdout, m.stdout, `stdout: ${args.join(' ')}`);
      assert.equal(b.stderr, m.stderr.replace('ENTRY=modules', 'ENTRY=bundle'), `stderr: ${args.join(' ')}`);
    }
    // -w through both: the same trace bytes
    const wb = path.join(tmp, 'b.scap');
    const wm = path.join(tmp, 'm.scap');
    assert.equal(run(['replay', DEMO, '-w', wb, '-z', 'none', 'proc.name=cat'], {}).status, 0);
    assert.equal(run(['replay', DEMO, '-w', wm, '-z', 'none', 'proc.name=cat'], { FALCO_TS_NO_BUNDLE: '1' }).status, 0);
    assert.ok(fs.statSync(wb).size > 0);
    assert.deepEqual(fs.readFileSync(wb), fs.readFileSync(wm));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('bundle: one older than the compiled modules is not run', (t) => {
  if (!fs.existsSync(BUNDLE)) {
    t.skip('no dist/src/bundle/main.js (npm run build and npm test make it)');
    return;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'falco-ts-bundle-'));
  const st = fs.statSync(BUNDLE);
  try {
    // as after a `tsc` without a new bundle
    const past = new Date(fs.statSync(MODULES).mtimeMs - 60_000);
    fs.utimesSync(BUNDLE, past, past);
    const r = run(['replay', DEMO, '-n', '3'], {}, probeScript(tmp));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /ENTRY=modules\n$/);
  } finally {
    fs.utimesSync(BUNDLE, st.atime, st.mtime);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
