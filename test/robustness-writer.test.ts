/**
 * The trace writer's own safety (issue 7): capture files are private (0600), a symlink or a
 * hard link planted at the output path is refused without touching its target, and a full
 * disk gives one clear line, a non-zero exit and a file that reads back as a valid prefix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { readTraceFile } from '../src/scap/file-source';
import { runCli, sharedSkipReason, tmpDir, SCAP_DIR, IN_CI } from './helpers/env';

const SMALL = (): string => path.join(SCAP_DIR, 'falco_cat_write.scap');
const BIG = (): string => path.join(SCAP_DIR, 'sysdiginspect_502Error.scap');

function oneLine(err: string, what: string): void {
  const lines = err.split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 1, `${what}: one line on stderr, got ${JSON.stringify(err)}`);
  assert.doesNotMatch(err, /internal error/, what);
  assert.doesNotMatch(err, /\n\s+at /, `${what}: no stack trace`);
}

async function readAll(file: string): Promise<{ events: number; error: string | null }> {
  let events = 0;
  try {
    await readTraceFile(file, {
      onSection: () => {},
      onEvent: () => {
        events++;
      },
    });
    return { events, error: null };
  } catch (e) {
    return { events, error: (e as Error).message };
  }
}

test('trace files are created 0600 by replay -w and convert, whatever the umask', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  try {
    for (const z of ['lz4', 'gzip', 'none']) {
      const out = path.join(dir, `w-${z}.scap`);
      // umask 0 would give 0666 to a file opened with the default mode
      const r = spawnSync(
        'sh',
        [
          '-c',
          `umask 000; exec "$0" "$@"`,
          process.execPath,
          path.join(__dirname, '..', '..', 'bin', 'falco-ts'),
          'replay',
          SMALL(),
          '-w',
          out,
          '-z',
          z,
        ],
        { env: { ...process.env, TZ: 'UTC' } },
      );
      assert.equal(r.status, 0, `replay -w -z ${z}: ${r.stderr.toString()}`);
      assert.equal(fs.statSync(out).mode & 0o777, 0o600, `replay -w -z ${z}: mode`);
      const conv = path.join(dir, `c-${z}.scap`);
      const c = runCli(['convert', out, conv, '-z', z]);
      assert.equal(c.status, 0, `convert -z ${z}: ${c.stderr.toString()}`);
      assert.equal(fs.statSync(conv).mode & 0o777, 0o600, `convert -z ${z}: mode`);
      assert.ok((await readAll(conv)).events > 0);
    }
    // an existing file of ours with a looser mode is made private when it is rewritten
    const loose = path.join(dir, 'loose.scap');
    fs.writeFileSync(loose, 'old');
    fs.chmodSync(loose, 0o644);
    const r = runCli(['replay', SMALL(), '-w', loose]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(fs.statSync(loose).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a symlink or hard link planted at the output path is refused and its target untouched', (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  try {
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious');
    fs.chmodSync(victim, 0o644);
    const link = path.join(dir, 'out.scap');
    const dangling = path.join(dir, 'dangling.scap');
    const created = path.join(dir, 'would-be-created');
    const hard = path.join(dir, 'hard.scap');
    fs.symlinkSync(victim, link);
    fs.symlinkSync(created, dangling);
    fs.linkSync(victim, hard);
    const runs: Array<[string, string[]]> = [
      ['replay -w symlink', ['replay', SMALL(), '-w', link]],
      ['replay -w symlink (filtered)', ['replay', SMALL(), '-w', link, '-z', 'none', 'proc.name exists']],
      ['convert symlink', ['convert', SMALL(), link]],
      ['replay -w dangling symlink', ['replay', SMALL(), '-w', dangling]],
      ['convert dangling symlink', ['convert', SMALL(), dangling, '-z', 'gzip']],
      ['replay -w hard link', ['replay', SMALL(), '-w', hard]],
      ['convert hard link', ['convert', SMALL(), hard]],
    ];
    for (const [what, args] of runs) {
      const r = runCli(args);
      const err = r.stderr.toString();
      assert.equal(r.status, 2, `${what}: exit ${r.status}: ${err}`);
      oneLine(err, what);
      assert.match(err, /symbolic link|hard link/, what);
      assert.equal(fs.readFileSync(victim, 'utf8'), 'precious', `${what}: the target was written`);
      assert.equal(fs.statSync(victim).mode & 0o777, 0o644, `${what}: the target's mode changed`);
      assert.equal(fs.existsSync(created), false, `${what}: the dangling link's target was created`);
      assert.ok(fs.lstatSync(link).isSymbolicLink(), `${what}: the link itself is left alone`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Mounts a 1 MiB tmpfs; returns its path, or null (with the reason) when mounting is not possible. */
function smallTmpfs(t: { skip: (m: string) => void }): { mnt: string; cleanup: () => void } | null {
  const dir = tmpDir('falco-ts-tmpfs-');
  const mnt = path.join(dir, 'small');
  fs.mkdirSync(mnt);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const r = isRoot ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', mnt]) : null;
  if (r === null || r.status !== 0) {
    const why = r === null ? 'not root' : `mount failed: ${r.stderr.toString().trim() || r.error?.message}`;
    fs.rmSync(dir, { recursive: true, force: true });
    if (IN_CI && isRoot) throw new Error(`cannot mount a small tmpfs in CI (${why})`);
    t.skip(`needs a 1 MiB tmpfs: ${why}`);
    return null;
  }
  return {
    mnt,
    cleanup: () => {
      spawnSync('umount', [mnt]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('full disk: one clear line, non-zero exit, and what was written reads back as a valid prefix', async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const full = await readAll(BIG());
  assert.equal(full.error, null);
  const fs1 = smallTmpfs(t);
  if (fs1 === null) return;
  try {
    for (const [cmd, z] of [
      ['replay', 'none'],
      ['replay', 'lz4'],
      ['replay', 'gzip'],
      ['convert', 'none'],
      ['convert', 'lz4'],
    ] as const) {
      const out = path.join(fs1.mnt, `out-${cmd}-${z}.scap`);
      // the big capture, several times over, is far more than 1 MiB in any compression
      const args =
        cmd === 'replay'
          ? ['replay', ...new Array<string>(z === 'gzip' ? 10 : 4).fill(BIG()), '-w', out, '-z', z]
          : ['convert', BIG(), out, '-z', z];
      const r = runCli(args);
      const err = r.stderr.toString();
      const what = `${cmd} -z ${z}`;
      if (cmd === 'convert' && z === 'lz4' && r.status === 0) {
        // a single copy may fit once compressed: then it must be complete
        assert.equal((await readAll(out)).events, full.events, what);
        fs.rmSync(out, { force: true });
        continue;
      }
      assert.notEqual(r.status, 0, `${what}: exit 0 on a full disk`);
      assert.ok(r.status === 1 || r.status === 2, `${what}: exit ${r.status}`);
      oneLine(err, what);
      assert.match(err, /no space left on device/, `${what}: ${err}`);
      assert.ok(err.includes(out), `${what}: the message names the file: ${err}`);
      const back = await readAll(out);
      assert.ok(back.events > 0, `${what}: nothing readable was kept (${back.error})`);
      if (back.error !== null)
        assert.match(
          back.error,
          /truncated|unexpected end|end of file/i,
          `${what}: the kept part ends cleanly: ${back.error}`,
        );
      fs.rmSync(out, { force: true });
    }
  } finally {
    fs1.cleanup();
  }
});
