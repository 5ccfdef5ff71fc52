/** Shared test helpers: where ../shared lives, whether tools exist, running our CLI. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { loadNativeModule } from '../../src/capture/live-source';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SHARED = path.resolve(ROOT, '..', 'shared');
export const SCAP_DIR = path.join(SHARED, 'scap');
export const BIN = path.join(ROOT, 'bin', 'falco-ts');
export const IN_CI = process.env.CI === 'true';

export function haveShared(): boolean {
  return fs.existsSync(SCAP_DIR);
}

/** Reason to skip a test that needs ../shared, or null. In CI its absence is a failure. */
export function sharedSkipReason(): string | null {
  if (haveShared()) return null;
  if (IN_CI) throw new Error(`../shared is missing at ${SHARED}; CI must have it`);
  return `../shared not found at ${SHARED}`;
}

/**
 * Reason to skip a test whose input file (a capture, a rules file) is missing, or null. Under
 * CI=true the file must be there (CI has ../shared): its absence is a failure, not a skip.
 */
export function inputSkipReason(file: string): string | null {
  if (fs.existsSync(file)) return null;
  if (IN_CI) throw new Error(`${file} is missing; CI must have it`);
  return `${file} not found`;
}

export function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Reason to skip a sysdig comparison, or null. In CI sysdig must be installed. */
export function sysdigSkipReason(): string | null {
  if (which('sysdig')) return null;
  if (IN_CI) throw new Error('sysdig is not installed; .ci/run must install it');
  return 'sysdig is not installed (apt-get install --no-install-recommends sysdig)';
}

export function captures(): string[] {
  return fs
    .readdirSync(SCAP_DIR)
    .filter((f) => f.endsWith('.scap'))
    .sort()
    .map((f) => path.join(SCAP_DIR, f));
}

export function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string } = {},
): SpawnSyncReturns<Buffer> {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...process.env, TZ: 'UTC', ...opts.env },
    maxBuffer: 1 << 30,
    input: opts.input,
  });
}

export function runSysdig(args: string[]): SpawnSyncReturns<Buffer> {
  return spawnSync('sysdig', args, { env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 30 });
}

export function tmpDir(prefix = 'falco-ts-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface AsyncResult {
  status: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

function spawnAsync(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<AsyncResult> {
  return new Promise((resolve, reject) => {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [],
      err: Buffer[] = [];
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => err.push(b));
    p.on('error', reject);
    p.on('close', (status) => resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
  });
}

/** runCli without blocking: lets a suite run several replays (and sysdigs) at once. */
export function runCliAsync(args: string[]): Promise<AsyncResult> {
  return spawnAsync(process.execPath, [BIN, ...args], { ...process.env, TZ: 'UTC' });
}

/** runSysdig without blocking. */
export function runSysdigAsync(args: string[]): Promise<AsyncResult> {
  return spawnAsync('sysdig', args, { ...process.env, TZ: 'UTC' });
}

/** Why the native addon cannot be loaded (its one-line message), or null. */
export function nativeLoadable(): string | null {
  try {
    loadNativeModule();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Reason to skip a live test (root and the native addon needed), or null. Under CI=true they
 * must run: a missing one is a failure.
 */
export function liveSkipReason(what: string): string | null {
  let why: string | null = null;
  if (typeof process.geteuid === 'function' && process.geteuid() !== 0) why = 'live capture needs root';
  else {
    const e = nativeLoadable();
    if (e !== null) why = `native addon not available: ${e}`;
  }
  if (why !== null && IN_CI) throw new Error(`${why}; CI must run ${what}`);
  return why;
}

/** The non-empty lines of a file, none if it does not exist. */
export function fileLines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** True if something accepts a TCP connection on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
