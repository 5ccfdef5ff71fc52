/** `capture -Z USER`: the probe is attached as root, then files are written as USER (tcpdump -Z). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, IN_CI, runCli, tmpDir } from './helpers/env';
import { lookupUser } from '../src/util/privileges';

function captureSkipReason(): string | null {
  const root = process.getuid !== undefined && process.getuid() === 0;
  let native: boolean;
  try {
    native = (require('../src/capture/native') as typeof import('../src/capture/native')).nativeBuilt();
  } catch {
    native = false;
  }
  if (root && native) return null;
  if (IN_CI && root) throw new Error('CI as root: the native addon must be built for the -Z test');
  return root ? 'the native addon is not built (npm run build)' : 'not root: live capture needs root';
}

test('lookupUser: names and numeric ids, unknown names refused', () => {
  assert.deepEqual(lookupUser('root'), { name: 'root', uid: 0, gid: 0 });
  assert.equal(lookupUser('65534').uid, 65534);
  assert.throws(() => lookupUser('no-such-user-xyz'), /-Z: unknown user 'no-such-user-xyz'/);
});

test("capture -Z nobody: runs as nobody after attaching, the file is nobody's and mode 0600", async (t) => {
  const skip = captureSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const nobody = lookupUser('nobody');
  const dir = tmpDir();
  fs.chmodSync(dir, 0o777);
  const out = path.join(dir, 'z.scap');
  const child = spawn(process.execPath, [BIN, 'capture', '-Z', 'nobody', '-w', out, '-z', 'gzip', '-M', '6'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b) => {
    stderr += b;
  });
  // wait for the switch, then look at the running process's ids
  let uidLine = '';
  for (let i = 0; i < 200 && !/dropped privileges/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  try {
    uidLine =
      fs
        .readFileSync(`/proc/${child.pid}/status`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Uid:')) ?? '';
  } catch {
    /* exited */
  }
  const code: number = await new Promise((r) => child.on('exit', (c) => r(c ?? -1)));
  assert.equal(code, 0, stderr);
  assert.match(stderr, new RegExp(`dropped privileges to nobody \\(uid ${nobody.uid}`));
  assert.deepEqual(
    uidLine.split(/\s+/).slice(1, 5).map(Number),
    [nobody.uid, nobody.uid, nobody.uid, nobody.uid],
    uidLine,
  );
  const st = fs.statSync(out);
  assert.equal(st.uid, nobody.uid);
  assert.equal(st.mode & 0o777, 0o600);
  const r = runCli(['replay', out, '-q']);
  assert.equal(r.status, 0, String(r.stderr));
  fs.rmSync(dir, { recursive: true, force: true });
});

test('capture -Z with an unknown user: one line, non-zero exit, no file', (t) => {
  const skip = captureSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  const out = path.join(dir, 'u.scap');
  const r = runCli(['capture', '-Z', 'no-such-user-xyz', '-w', out, '-M', '1']);
  assert.notEqual(r.status, 0);
  assert.match(String(r.stderr), /unknown user 'no-such-user-xyz'/);
  assert.equal(
    String(r.stderr)
      .trim()
      .split('\n')
      .filter((l) => !/^falco-ts: \d+ events/.test(l)).length,
    1,
    String(r.stderr),
  );
  assert.equal(fs.existsSync(out), false);
  fs.rmSync(dir, { recursive: true, force: true });
});
