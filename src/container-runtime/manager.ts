/**
 * The container manager of live sessions: metadata from the runtimes' own APIs (containerd's
 * gRPC socket, the Docker-compatible API of docker and podman), looked up asynchronously and
 * cached by the 12-character id, so event processing never waits for a runtime:
 *
 *   start()        lists every container of every configured runtime (absent sockets are
 *                  skipped, not errors) and subscribes to their events (create/start), so a
 *                  new container is usually known before its first process runs;
 *   noteThread(t)  called per event: a thread whose cgroups name a container not yet known
 *                  starts one lookup in the background (retried a few times on failure);
 *   tables         maps to fill (a State's `containers`), listeners for each new or changed
 *                  container (capture writes its CONTAINER_JSON event).
 *
 * A container that is gone keeps its last known values.
 */
import * as fs from 'node:fs';
import type { ContainerMeta } from '../container/meta';
import type { ThreadInfo } from '../state/threadinfo';
import { CgroupMatch, addContainerdNamespace } from '../container/cgroup';
import { threadCgroupMatch } from '../state/thread-container';
import {
  ContainerdClient,
  DEFAULT_CONTAINERD_SOCKET,
  containerdToMeta,
  ContainerdContainer,
  ContainerdImage,
} from './containerd';
import { DEFAULT_DOCKER_SOCKET, DEFAULT_PODMAN_SOCKET, DockerClient } from './docker';
import { containerToJson, shortId } from '../container/json';

import { ALL_ENGINES, type EngineName } from './engines';
export { ALL_ENGINES, type EngineName };

export interface ContainerEngineOptions {
  /** runtimes to query (default: all) */
  engines?: EngineName[];
  containerdSocket?: string;
  dockerSocket?: string;
  podmanSocket?: string;
  /** per-request timeout, ms (default 3000) */
  timeoutMs?: number;
  /** subscribe to the runtimes' event streams (default true) */
  watch?: boolean;
}

const RETRY_MS = 1000;
const MAX_TRIES = 5;

interface Failure {
  at: number;
  tries: number;
}

export class ContainerManager {
  /** short id → metadata: every container seen */
  readonly containers = new Map<string, ContainerMeta>();
  /** lookup problems, for diagnostics (never fatal) */
  readonly errors: string[] = [];
  private readonly tables: Map<string, ContainerMeta>[] = [];
  private readonly listeners: ((m: ContainerMeta) => void)[] = [];
  private readonly pending = new Map<string, Promise<ContainerMeta | null>>();
  private readonly failed = new Map<string, Failure>();
  private readonly json = new Map<string, string>();
  /** containerd images by "namespace/name" */
  private readonly images = new Map<string, ContainerdImage>();
  private readonly ctrd: ContainerdClient | null;
  private readonly dockers: DockerClient[] = [];
  private readonly cancels: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private starting: Promise<void> | null = null;
  private stopped = false;
  private readonly stopFns: (() => void)[] = [];
  private ctrdNamespaces: string[] = [];
  /** the last thread looked at and its cgroups array: the per-event fast path */
  private lastThread: ThreadInfo | null = null;
  private lastCg: string[] | null = null;

  constructor(readonly opts: ContainerEngineOptions = {}) {
    const engines = new Set(opts.engines ?? ALL_ENGINES);
    const t = opts.timeoutMs ?? 3000;
    this.ctrd = engines.has('containerd')
      ? new ContainerdClient(opts.containerdSocket ?? DEFAULT_CONTAINERD_SOCKET, t)
      : null;
    if (engines.has('docker'))
      this.dockers.push(new DockerClient(opts.dockerSocket ?? DEFAULT_DOCKER_SOCKET, 'docker', t));
    if (engines.has('podman'))
      this.dockers.push(new DockerClient(opts.podmanSocket ?? DEFAULT_PODMAN_SOCKET, 'podman', t));
  }

  /** Keeps `table` (e.g. a State's containers) filled with every container known, now and later. */
  attachTable(table: Map<string, ContainerMeta>): void {
    this.tables.push(table);
    for (const [k, m] of this.containers) table.set(k, m);
  }

  /** Called with each container that becomes known or changes. */
  onContainer(fn: (m: ContainerMeta) => void): void {
    this.listeners.push(fn);
  }

  /** Lists the runtimes' containers and subscribes to their events; resolves when the listing is done. */
  start(): Promise<void> {
    if (this.starting === null) this.starting = this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const jobs: Promise<void>[] = [];
    if (this.ctrd !== null && sockExists(this.ctrd.socketPath)) jobs.push(this.startContainerd(this.ctrd));
    for (const d of this.dockers) if (sockExists(d.socketPath)) jobs.push(this.startDocker(d));
    await Promise.all(jobs);
  }

  private async startContainerd(c: ContainerdClient): Promise<void> {
    if (this.opts.watch !== false) this.watchContainerd(c);
    try {
      const nss = await c.namespaces();
      this.ctrdNamespaces = nss;
      for (const ns of nss) addContainerdNamespace(ns);
      for (const ns of nss) {
        for (const ct of await c.listContainers(ns)) {
          if (this.stopped) return;
          await this.setContainerd(c, ct);
        }
      }
    } catch (e) {
      this.note('containerd', e);
    }
  }

  private watchContainerd(c: ContainerdClient): void {
    if (this.stopped) return;
    const h = c.subscribe(
      ['topic=="/containers/create"', 'topic=="/containers/update"', 'topic=="/tasks/start"'],
      (ev) => {
        if (ev.id === '' || ev.namespace === '') return;
        addContainerdNamespace(ev.namespace);
        if (!this.ctrdNamespaces.includes(ev.namespace)) this.ctrdNamespaces.push(ev.namespace);
        const key = shortId(ev.id);
        const p = c
          .getContainer(ev.namespace, ev.id)
          .then((ct) => (ct === null ? null : this.setContainerd(c, ct)))
          .catch((e) => {
            this.note('containerd', e);
            return null;
          })
          .finally(() => {
            if (this.pending.get(key) === p) this.pending.delete(key);
          });
        this.pending.set(key, p);
      },
      (err) => {
        if (this.stopped) return;
        if (err !== null) this.note('containerd events', err);
        // containerd restarted or the stream broke: subscribe again a bit later
        this.later(() => this.watchContainerd(c), RETRY_MS);
      },
    );
    this.cancels.push(() => h.cancel());
  }

  /**
   * Records a containerd container at once (its image digest from the cache), then asks for
   * the image when the digest is not known yet and records it again with the digest: a new
   * container's metadata is there one round trip sooner.
   */
  private async setContainerd(c: ContainerdClient, ct: ContainerdContainer): Promise<ContainerMeta> {
    const key = `${ct.namespace}/${ct.image}`;
    const cached = this.images.get(key);
    let m = containerdToMeta(ct, cached ?? null);
    this.set(m);
    if (cached === undefined && ct.image !== '') {
      let img: Awaited<ReturnType<ContainerdClient['getImage']>>;
      try {
        img = await c.getImage(ct.namespace, ct.image);
      } catch {
        img = null;
      }
      if (img !== null) {
        this.images.set(key, img);
        m = containerdToMeta(ct, img);
        this.set(m);
      }
    }
    return m;
  }

  private async startDocker(d: DockerClient): Promise<void> {
    if (this.opts.watch !== false) {
      const cancel = d.events(
        (ev) => {
          if (!/^(create|start|update|rename)$/.test(ev.action)) return;
          const key = shortId(ev.id);
          const p = d
            .inspect(ev.id)
            .then((m) => {
              if (m !== null) this.set(m);
              return m;
            })
            .catch((e) => {
              this.note(d.type, e);
              return null;
            })
            .finally(() => {
              if (this.pending.get(key) === p) this.pending.delete(key);
            });
          this.pending.set(key, p);
        },
        (err) => {
          if (err !== null && !this.stopped) this.note(`${d.type} events`, err);
        },
      );
      this.cancels.push(cancel);
    }
    try {
      for (const id of await d.list()) {
        if (this.stopped) return;
        const m = await d.inspect(id);
        if (m !== null) this.set(m);
      }
    } catch (e) {
      this.note(d.type, e);
    }
  }

  /**
   * Per event: starts a background lookup for a thread whose cgroups name an unknown
   * container. Cheap when nothing changed (same thread, same cgroups).
   */
  noteThread(t: ThreadInfo | null): void {
    if (t === null || this.stopped) return;
    if (t === this.lastThread && t.cgroups === this.lastCg) return;
    this.lastThread = t;
    this.lastCg = t.cgroups;
    if (t.cgroups.length === 0) return;
    const m = threadCgroupMatch(t);
    if (m !== null && !this.containers.has(m.id)) void this.want(m);
  }

  /** Starts (or joins) the lookup of a container named by its cgroups; never throws. */
  want(m: CgroupMatch): Promise<ContainerMeta | null> {
    const known = this.containers.get(m.id);
    if (known !== undefined) return Promise.resolve(known);
    const p = this.pending.get(m.id);
    if (p !== undefined) return p;
    const f = this.failed.get(m.id);
    if (f !== undefined && (f.tries >= MAX_TRIES || Date.now() - f.at < RETRY_MS)) return Promise.resolve(null);
    const q = this.lookup(m)
      .catch((e) => {
        this.note('lookup', e);
        return null;
      })
      .then((r) => {
        if (r === null) {
          const g = this.failed.get(m.id);
          this.failed.set(m.id, { at: Date.now(), tries: (g?.tries ?? 0) + 1 });
        } else {
          this.failed.delete(m.id);
        }
        return r;
      })
      .finally(() => {
        if (this.pending.get(m.id) === q) this.pending.delete(m.id);
      });
    this.pending.set(m.id, q);
    return q;
  }

  private async lookup(m: CgroupMatch): Promise<ContainerMeta | null> {
    if (this.stopped) return null;
    const c = this.ctrd;
    const tryCtrd = c !== null && sockExists(c.socketPath);
    if (tryCtrd && m.namespace !== undefined) {
      const ct = await c.getContainer(m.namespace, m.fullId);
      if (ct !== null) return this.setContainerd(c, ct);
    }
    const order = m.type === 'podman' ? [...this.dockers].reverse() : this.dockers;
    if (m.type !== 'containerd' && m.type !== 'cri') {
      for (const d of order) {
        if (!sockExists(d.socketPath)) continue;
        try {
          const r = await d.inspect(m.fullId);
          if (r !== null) {
            this.set(r);
            return r;
          }
        } catch (e) {
          this.note(d.type, e);
        }
      }
    }
    if (tryCtrd) {
      if (this.ctrdNamespaces.length === 0) {
        try {
          this.ctrdNamespaces = await c.namespaces();
        } catch (e) {
          this.note('containerd', e);
        }
      }
      for (const ns of this.ctrdNamespaces) {
        if (ns === m.namespace) continue;
        const ct = await c.getContainer(ns, m.fullId);
        if (ct !== null) return this.setContainerd(c, ct);
      }
    }
    return null;
  }

  /** Records a container (a runtime's answer); listeners hear of it when it is new or changed. */
  set(m: ContainerMeta): void {
    if (m.id === '') return;
    const key = shortId(m.id);
    if (m.namespace !== undefined) addContainerdNamespace(m.namespace);
    const text = containerToJson(m);
    const same = this.json.get(key) === text;
    this.json.set(key, text);
    this.containers.set(key, m);
    for (const t of this.tables) t.set(key, m);
    if (same) return;
    for (const fn of this.listeners) {
      try {
        fn(m);
      } catch (e) {
        this.note('listener', e);
      }
    }
  }

  /** Waits for the lookups in flight (tests, end of capture). */
  async settle(): Promise<void> {
    if (this.starting !== null) await this.starting;
    while (this.pending.size > 0) await Promise.all([...this.pending.values()]);
  }

  /** Called once by stop(). */
  onStop(fn: () => void): void {
    this.stopFns.push(fn);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const fn of this.stopFns) {
      try {
        fn();
      } catch {
        /* diagnostics only */
      }
    }
    for (const c of this.cancels.splice(0)) {
      try {
        c();
      } catch {
        /* gone */
      }
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.ctrd?.close();
    for (const d of this.dockers) d.close();
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private note(what: string, e: unknown): void {
    if (this.errors.length < 100) this.errors.push(`${what}: ${(e as Error)?.message ?? String(e)}`);
  }
}

function sockExists(p: string): boolean {
  try {
    return fs.statSync(p).isSocket();
  } catch {
    return false;
  }
}
