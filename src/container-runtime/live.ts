/**
 * Container enrichment for the live commands (`capture`, live mode): their CLI options, the
 * manager they run, and the container events a capture records (one per container when a file
 * starts, one whenever a container appears or changes), so replay resolves container.* alone.
 */
import type { Command } from 'commander';
import type { ScapWriter } from '../scap/writer';
import type { ContainerMeta } from '../container/meta';
import { InputError } from '../util/errors';
import type { ContainerEngineOptions, ContainerManager } from './manager';
import { ALL_ENGINES, type EngineName } from './engines';
import { lazy } from '../util/lazy';

/** the runtime clients (gRPC over http2, Docker API) load only when a manager starts */
const managerModule = lazy(() => require('./manager') as typeof import('./manager'));
import { containerJsonEvent } from '../container/json';

/** false: no runtime is queried */
export type ContainerSetting = ContainerEngineOptions | false;

/** Adds --container-engines and the socket options to a live command. */
export function addContainerOptions(cmd: Command): Command {
  return cmd
    .option(
      '--container-engines <list>',
      `container runtimes to ask for metadata: comma-separated ${ALL_ENGINES.join(', ')}, or none (default: all; an absent socket is skipped)`,
    )
    .option('--containerd-socket <path>', 'containerd gRPC socket (default /run/containerd/containerd.sock)')
    .option('--docker-socket <path>', 'Docker API socket (default /var/run/docker.sock)')
    .option('--podman-socket <path>', 'podman API socket (default /run/podman/podman.sock)');
}

export function parseEngines(v: string): EngineName[] | false {
  const words = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (words.length === 1 && words[0] === 'none') return false;
  for (const w of words) {
    if (!(ALL_ENGINES as string[]).includes(w))
      throw new InputError(`--container-engines: expected ${ALL_ENGINES.join(', ')} or none, got '${w}'`);
  }
  return words as EngineName[];
}

/** The container setting from parsed options (undefined when none was given: the default). */
export function containerOptionsFrom(o: Record<string, unknown>): ContainerSetting | undefined {
  const e = typeof o.containerEngines === 'string' ? parseEngines(o.containerEngines) : undefined;
  if (e === false) return false;
  const s: ContainerEngineOptions = {};
  if (e !== undefined) s.engines = e;
  if (typeof o.containerdSocket === 'string') s.containerdSocket = o.containerdSocket;
  if (typeof o.dockerSocket === 'string') s.dockerSocket = o.dockerSocket;
  if (typeof o.podmanSocket === 'string') s.podmanSocket = o.podmanSocket;
  return Object.keys(s).length === 0 ? undefined : s;
}

/**
 * The manager for a live session, started, or null when disabled. `fakeProbe`: a test's probe
 * (no real runtime behind its events): disabled unless a setting was given explicitly.
 */
export function openContainerManager(
  setting: ContainerSetting | undefined,
  fakeProbe = false,
): ContainerManager | null {
  if (setting === false || (setting === undefined && fakeProbe)) return null;
  if (process.env.FALCO_TS_CONTAINER_ENGINES !== undefined && setting === undefined) {
    const e = parseEngines(process.env.FALCO_TS_CONTAINER_ENGINES);
    if (e === false) return null;
    setting = { engines: e };
  }
  const cm = new (managerModule().ContainerManager)(setting ?? {});
  if (process.env.FALCO_TS_DEBUG_CONTAINERS) {
    const t0 = Date.now();
    cm.onContainer((m) =>
      process.stderr.write(
        `falco-ts: container ${m.id} (${m.type}, ${m.image ?? ''}) known after ${Date.now() - t0} ms\n`,
      ),
    );
    cm.onStop(() => {
      for (const e of cm.errors) process.stderr.write(`falco-ts: container lookup: ${e}\n`);
    });
  }
  void cm.start();
  return cm;
}

/** Waits for the manager's first listing, at most `ms` (the session starts either way). */
export async function startedWithin(cm: ContainerManager | null, ms: number): Promise<void> {
  if (cm === null) return;
  let t: NodeJS.Timeout | undefined;
  await Promise.race([
    cm.start(),
    new Promise<void>((r) => {
      t = setTimeout(r, ms);
    }),
  ]);
  if (t !== undefined) clearTimeout(t);
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1000000n;
}

/** Writes one container event (CONTAINER_JSON_2_E) into a trace. */
export function writeContainerEvent(w: ScapWriter, m: ContainerMeta, tsNs: bigint = nowNs()): void {
  w.writeEventBytes(containerJsonEvent(m, tsNs), 0);
}

/**
 * Records containers into a capture: every known one when a file starts (`fileStarted`), and
 * each new or changed one as it is learnt, into the file being written (`current()`).
 */
export class ContainerRecorder {
  constructor(
    private readonly cm: ContainerManager,
    private readonly current: () => ScapWriter | null,
  ) {
    cm.onContainer((m) => {
      const w = this.current();
      if (w !== null) writeContainerEvent(w, m);
    });
  }

  fileStarted(w: ScapWriter): void {
    const ts = nowNs();
    for (const m of this.cm.containers.values()) writeContainerEvent(w, m, ts);
  }
}
