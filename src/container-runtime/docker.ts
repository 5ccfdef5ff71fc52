/**
 * The Docker-compatible HTTP API over a unix socket (docker: /var/run/docker.sock; podman:
 * /run/podman/podman.sock): container inspect, image inspect for the repo digest, the list
 * of containers, and the event stream. Plain http over the socket, JSON bodies.
 */
import * as http from 'node:http';
import type { ContainerMeta } from '../container/meta';
import { parseImageRef } from './containerd';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
export const DEFAULT_PODMAN_SOCKET = '/run/podman/podman.sock';

export class DockerApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'DockerApiError';
  }
}

export interface DockerEvent {
  id: string;
  action: string;
}

export class DockerClient {
  private readonly agent: http.Agent;

  constructor(
    readonly socketPath: string,
    readonly type: 'docker' | 'podman' = 'docker',
    readonly timeoutMs = 3000,
  ) {
    this.agent = new http.Agent({ keepAlive: false });
  }

  /** GET path → parsed JSON; null on 404. */
  get(path: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { socketPath: this.socketPath, path, method: 'GET', agent: this.agent, headers: { Host: 'localhost' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            if (status === 404) {
              resolve(null);
              return;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            if (status !== 200) {
              reject(new DockerApiError(`${path}: HTTP ${status} ${text.slice(0, 200)}`, status));
              return;
            }
            try {
              resolve(JSON.parse(text));
            } catch (e) {
              reject(new DockerApiError(`${path}: bad JSON (${(e as Error).message})`, status));
            }
          });
          res.on('error', (e) => {
            clearTimeout(timer);
            reject(e);
          });
        },
      );
      const timer = setTimeout(
        () => req.destroy(new DockerApiError(`${path}: timed out after ${this.timeoutMs} ms`, 0)),
        this.timeoutMs,
      );
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end();
    });
  }

  /** Full ids of the containers (all states). */
  async list(): Promise<string[]> {
    const r = await this.get('/containers/json?all=1');
    return Array.isArray(r)
      ? r.map((c: { Id?: unknown }) => (typeof c.Id === 'string' ? c.Id : '')).filter((x) => x !== '')
      : [];
  }

  /** The container's metadata, or null when the runtime does not know the id. */
  async inspect(id: string): Promise<ContainerMeta | null> {
    const c = (await this.get(`/containers/${encodeURIComponent(id)}/json`)) as DockerInspect | null;
    if (c === null || typeof c !== 'object') return null;
    let img: DockerImage | null = null;
    if (typeof c.Image === 'string' && c.Image !== '') {
      try {
        img = (await this.get(`/images/${encodeURIComponent(c.Image)}/json`)) as DockerImage | null;
      } catch {
        img = null;
      }
    }
    return dockerToMeta(c, img, this.type);
  }

  /** Container events (start, create, destroy, ...) as they happen; returns a cancel function. */
  events(onEvent: (e: DockerEvent) => void, onEnd: (err: Error | null) => void): () => void {
    let ended = false;
    const end = (e: Error | null) => {
      if (!ended) {
        ended = true;
        onEnd(e);
      }
    };
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
    const req = http.request(
      {
        socketPath: this.socketPath,
        path: `/events?filters=${filters}`,
        method: 'GET',
        agent: this.agent,
        headers: { Host: 'localhost' },
      },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          end(new DockerApiError(`/events: HTTP ${res.statusCode}`, res.statusCode ?? 0));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          buf += s;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line === '') continue;
            try {
              const o = JSON.parse(line) as { id?: string; Action?: string; status?: string; Actor?: { ID?: string } };
              const id = o.Actor?.ID ?? o.id ?? '';
              if (id !== '') onEvent({ id, action: o.Action ?? o.status ?? '' });
            } catch {
              /* not an event line */
            }
          }
        });
        res.on('end', () => end(null));
        res.on('error', (e) => end(e));
      },
    );
    req.on('error', (e) => end(e));
    req.end();
    // the stream never keeps the process alive
    req.on('socket', (s) => s.unref());
    return () => {
      ended = true;
      req.destroy();
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

interface DockerInspect {
  Id?: string;
  Name?: string;
  Created?: string;
  Image?: string;
  State?: { StartedAt?: string };
  Config?: {
    Image?: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    User?: string;
    Healthcheck?: { Test?: string[] };
  };
  HostConfig?: {
    Privileged?: boolean;
    NetworkMode?: string;
    PidMode?: string;
    IpcMode?: string;
    Memory?: number;
    MemorySwap?: number;
    CpuShares?: number;
    CpuQuota?: number;
    CpuPeriod?: number;
    CpusetCpus?: string;
  };
  Mounts?: { Source?: string; Destination?: string; Mode?: string; RW?: boolean; Propagation?: string }[] | null;
  NetworkSettings?: { IPAddress?: string };
}

interface DockerImage {
  Id?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
}

function ipv4(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const p = s.split('.').map(Number);
  if (p.length !== 4 || !p.every((x) => Number.isInteger(x) && x >= 0 && x <= 255)) return undefined;
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function cpusetCount(s: string | undefined): number {
  if (!s) return 0;
  let n = 0;
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (Number.isInteger(a)) n += Number.isInteger(b) && b >= a ? b - a + 1 : 1;
  }
  return n;
}

/** libsinsp's docker parse (async_source.cpp parse_docker): inspect JSON → metadata. */
export function dockerToMeta(
  c: DockerInspect,
  img: DockerImage | null,
  type: 'docker' | 'podman' = 'docker',
): ContainerMeta {
  const cfg = c.Config ?? {};
  let image = cfg.Image ?? '';
  const imageIdFull = (c.Image ?? '').replace(/^sha256:/, '');
  // an image given by id: name it by its first tag, as libs does
  if ((image === '' || /^(sha256:)?[0-9a-f]{12,64}$/.test(image)) && img?.RepoTags && img.RepoTags.length > 0)
    image = img.RepoTags[0];
  const ref = parseImageRef(image);
  let digest = ref.digest;
  if (digest === '' && img?.RepoDigests) {
    const mine = img.RepoDigests.find((d) => d.startsWith(ref.repo + '@')) ?? img.RepoDigests[0];
    if (mine !== undefined) digest = mine.slice(mine.indexOf('@') + 1);
  }
  const hc = c.HostConfig ?? {};
  const created = Date.parse(c.Created ?? '');
  const meta: ContainerMeta = {
    id: c.Id ?? '',
    name: (c.Name ?? '').replace(/^\//, ''),
    image,
    imageId: imageIdFull,
    imageRepo: ref.repo,
    imageTag: ref.tag === '' && ref.digest === '' ? 'latest' : ref.tag,
    imageDigest: digest,
    type,
    privileged: hc.Privileged === true,
    mounts: (c.Mounts ?? []).map((m) => ({
      source: m.Source ?? '',
      dest: m.Destination ?? '',
      mode: m.Mode ?? '',
      rdwr: m.RW === true,
      propagation: m.Propagation ?? '',
    })),
    ip: ipv4(c.NetworkSettings?.IPAddress),
    createdTime: Number.isFinite(created) ? Math.floor(created / 1000) : undefined,
    labels: { ...(cfg.Labels ?? {}) },
    hostNetwork: hc.NetworkMode === 'host',
    hostPid: hc.PidMode === 'host',
    hostIpc: hc.IpcMode === 'host',
    user: cfg.User ?? '',
    env: cfg.Env ?? [],
    memoryLimit: hc.Memory ?? 0,
    swapLimit: hc.MemorySwap ?? 0,
    cpuShares: hc.CpuShares || 1024,
    cpuQuota: hc.CpuQuota ?? 0,
    cpuPeriod: hc.CpuPeriod || 100000,
    cpusetCpuCount: cpusetCount(hc.CpusetCpus),
  };
  const test = cfg.Healthcheck?.Test;
  if (Array.isArray(test) && test.length > 0) {
    if (test[0] === 'NONE') meta.healthProbes = [];
    else if (test[0] === 'CMD' && test.length > 1)
      meta.healthProbes = [{ type: 'healthcheck', exe: test[1], args: test.slice(2) }];
    else if (test[0] === 'CMD-SHELL' && test.length > 1)
      meta.healthProbes = [{ type: 'healthcheck', exe: '/bin/sh', args: ['-c', test[1]] }];
  }
  const podNs = meta.labels?.['io.kubernetes.pod.namespace'];
  if (podNs !== undefined && meta.labels?.['io.kubernetes.sandbox.id'])
    meta.podSandboxId = meta.labels['io.kubernetes.sandbox.id'];
  return meta;
}
