/**
 * V8 code cache for falco-ts's own modules. A short replay spends a large share of its time
 * compiling our JavaScript (module bodies, then each function on its first call); V8 can
 * serialize that bytecode and skip the work next time. `npm run build` writes the cache into
 * dist/.code-cache after exercising the common commands (`node dist/src/cli/code-cache.js
 * --generate`); bin/falco-ts installs the loader hook before anything else is required.
 *
 * Safe by construction: the cache is only read from beside the code (never a shared or
 * temporary directory), not at all when that directory is writable by others; an entry starts
 * with the SHA-1 of the source it was made from and is used only for that very source (V8's own
 * check compares the source's length alone: an edit of the same length would run stale
 * bytecode), and V8 rejects any entry whose V8 version or flags differ (the module then
 * compiles as usual).
 * FALCO_TS_NO_CODE_CACHE=1 turns it off.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createHash } from 'node:crypto';
import Module = require('node:module');

/** dist/ (this file is dist/src/cli/code-cache.js) */
const DIST = path.resolve(__dirname, '..', '..') + path.sep;
const CACHE_DIR = path.join(DIST, '.code-cache');

interface ModuleInternals {
  _compile: (this: ModuleInternals, content: string, filename: string) => unknown;
  require(id: string): unknown;
  exports: unknown;
}
type ModuleStatics = { wrap(src: string): string };

const compiled: Array<[vm.Script, string, Buffer]> = [];
/** bytes of the source digest at the start of an entry */
const DIGEST = 20;

function sourceDigest(content: string): Buffer {
  return createHash('sha1').update(content).digest();
}

function cacheFile(filename: string): string {
  return path.join(CACHE_DIR, filename.slice(DIST.length).replace(/[\\/]/g, '_') + '.v8');
}

function usableDir(): boolean {
  try {
    const st = fs.statSync(CACHE_DIR);
    return st.isDirectory() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Installs the hook; `record` keeps the compiled scripts so generate() can serialize them. */
export function installCodeCache(record = false): void {
  if (process.env.FALCO_TS_NO_CODE_CACHE === '1') return;
  if (!record && !usableDir()) return;
  const proto = Module.prototype as unknown as ModuleInternals;
  const original = proto._compile;
  proto._compile = function (this: ModuleInternals, content: string, filename: string): unknown {
    if (!filename.startsWith(DIST) || !filename.endsWith('.js')) return original.call(this, content, filename);
    const file = cacheFile(filename);
    let cachedData: Buffer | undefined;
    const digest = sourceDigest(content);
    // (recording reads it too: functions an earlier recording compiled stay in the new entry)
    try {
      const entry = fs.readFileSync(file);
      if (entry.length > DIGEST && entry.subarray(0, DIGEST).equals(digest)) cachedData = entry.subarray(DIGEST);
      else if (process.env.FALCO_TS_DEBUG_CODE_CACHE) process.stderr.write(`code cache stale: ${filename}\n`);
    } catch {
      /* not cached: compile */
    }
    const script = new vm.Script((Module as unknown as ModuleStatics).wrap(content), { filename, cachedData });
    if (process.env.FALCO_TS_DEBUG_CODE_CACHE && cachedData !== undefined && script.cachedDataRejected)
      process.stderr.write(`code cache rejected: ${filename}\n`);
    if (record) compiled.push([script, file, digest]);
    const fn = script.runInThisContext({ displayErrors: true }) as (...a: unknown[]) => unknown;
    const req = Module.createRequire(filename);
    // the module's own require keeps its parent (module.children) as Node's would
    const bound = Object.assign((id: string) => this.require(id), req);
    return fn.call(this.exports, this.exports, bound, this, filename, path.dirname(filename));
  };
}

/** Serializes every recorded script (with the functions compiled so far) into the cache. */
function writeRecorded(): number {
  fs.mkdirSync(CACHE_DIR, { recursive: true, mode: 0o755 });
  for (const [script, file, digest] of compiled)
    fs.writeFileSync(file, Buffer.concat([digest, script.createCachedData()]), { mode: 0o644 });
  return compiled.length;
}

/**
 * `--generate`: runs the common commands on our demo trace in child processes that record,
 * so the cache holds the functions a replay, a filter, -p, -j and the default rules compile.
 */
function generate(): void {
  // (required here: child_process is not needed by the hook every run installs)
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const root = path.resolve(DIST, '..');
  const bin = path.join(root, 'bin', 'falco-ts');
  const demo = path.join(root, 'fixtures', 'demo.scap');
  fs.rmSync(CACHE_DIR, { recursive: true, force: true });
  const runs = [
    ['replay', demo, '-r', 'default'],
    ['replay', demo, 'proc.name=cat and evt.type in (open, openat) and fd.name startswith /etc'],
    ['replay', demo, '-p', '%evt.num %proc.name %fd.name'],
    ['replay', demo, '-j', '-n', '200'],
    ['replay', demo],
  ];
  // one recording process per run; later runs add the functions earlier ones did not compile
  for (const args of runs) {
    // (same V8 flags as a normal run: V8 rejects a cache made under other flags)
    const r = spawnSync(process.execPath, [__filename, '--record', bin, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0 && r.status !== 2) process.stderr.write(`code cache: ${args.join(' ')} exited ${r.status}\n`);
  }
  const n = fs.existsSync(CACHE_DIR) ? fs.readdirSync(CACHE_DIR).length : 0;
  process.stdout.write(`falco-ts: code cache: ${n} modules in ${path.relative(root, CACHE_DIR)}\n`);
}

function record(bin: string, args: string[]): void {
  installCodeCache(true);
  process.on('exit', () => {
    writeRecorded();
  });
  process.argv = [process.argv[0], bin, ...args];
  require(bin);
}

if (require.main === module) {
  const a = process.argv.slice(2);
  if (a[0] === '--generate') generate();
  else if (a[0] === '--record') record(a[1], a.slice(2));
}
