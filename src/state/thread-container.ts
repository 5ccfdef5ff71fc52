/**
 * The container a thread runs in, from its cgroups exactly as libsinsp's runc-style engines
 * detect it (docker, cri-o, containerd, podman layouts), cached per thread.
 */
import type { ThreadInfo } from './threadinfo';
import { CgroupMatch, matchCgroupPath, matchCgroups, namespaceGeneration } from '../container/cgroup';

/** The 12-char container id of a cgroup path, or null for host cgroups. */
export function containerIdFromCgroup(path: string): { id: string; type: string } | null {
  const m = matchCgroupPath(path);
  return m === null ? null : { id: m.id, type: m.type };
}

interface IdCache {
  cg: string[];
  n: number;
  gen: number;
  m: CgroupMatch | null;
  id: string;
  type: string;
}
const idCache = new WeakMap<ThreadInfo, IdCache>();

function detect(t: ThreadInfo): IdCache {
  let c = idCache.get(t);
  const gen = namespaceGeneration();
  if (c !== undefined && c.cg === t.cgroups && c.n === t.cgroups.length && c.gen === gen) return c;
  const m = matchCgroups(t.cgroups);
  c = { cg: t.cgroups, n: t.cgroups.length, gen, m, id: m?.id ?? '', type: m?.type ?? '' };
  idCache.set(t, c);
  return c;
}

/** The thread's container as its cgroups name it (cached per thread), or null for the host. */
export function threadCgroupMatch(t: ThreadInfo): CgroupMatch | null {
  return detect(t).m;
}

/** The thread's container id ('' for the host), preferring what the state code recorded. */
export function containerId(t: ThreadInfo): string {
  if (t.containerId !== '') return t.containerId;
  return detect(t).id;
}

/** The engine that made the thread's container ('' for the host), from its cgroups. */
export function containerType(t: ThreadInfo): string {
  return detect(t).type;
}
