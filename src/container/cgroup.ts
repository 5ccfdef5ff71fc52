/**
 * Container ids from cgroup paths, for the layouts container runtimes create:
 *
 *   docker      /docker/<64hex>, /system.slice/docker-<64hex>.scope
 *   containerd  /<namespace>/<id> (ctr: cgroupfs driver, e.g. /default/<id>, /k8s.io/<id>),
 *               .../cri-containerd-<64hex>.scope, ...:cri-containerd:<64hex>
 *   cri-o       .../crio-<64hex>.scope, .../crio-<64hex>
 *   kubepods    /kubepods/<qos>/pod<uid>/<64hex>, /kubepods.slice/.../<runtime>-<64hex>.scope
 *   podman      .../libpod-<64hex>.scope[/container], /libpod_parent/libpod-<64hex>
 *
 * Each thread's cgroups come as "subsys=/path" (v1, one per hierarchy; hybrid and v2 hosts
 * add the unified "=/path" line): the first path that names a container wins. Anything else
 * is the host. Like libsinsp's runc matchers, ids are 64 hex characters, except under a
 * containerd namespace (ctr accepts any identifier), which must be one we know of.
 */

export interface CgroupMatch {
  /** the whole id as the runtime knows it */
  fullId: string;
  /** the 12-character id Falco prints (the whole id when shorter) */
  id: string;
  /** docker, containerd, cri, cri-o, podman */
  type: string;
  /** the containerd namespace, for the /<namespace>/<id> layout */
  namespace?: string;
}

const HEX64 = /^[0-9a-f]{64}$/i;
const PREFIXED = /^(docker|crio|cri-containerd|libpod)-([0-9a-f]{64})(\.scope)?$/i;
const COLON_CRI = /:(cri-containerd|crio|docker):([0-9a-f]{64})$/i;
/** containerd's identifier rule (namespaces and container ids) */
const IDENT = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const PREFIX_TYPE: Record<string, string> = {
  docker: 'docker',
  crio: 'cri-o',
  'cri-containerd': 'containerd',
  libpod: 'podman',
};

/** containerd namespaces whose /<namespace>/<id> cgroups are containers */
const namespaces = new Set<string>(['default', 'k8s.io', 'moby', 'buildkit']);
/** listeners to call when a namespace is added (caches keyed on the set's contents) */
let nsGeneration = 0;

/** Adds a containerd namespace (learned from the runtime) to the /<namespace>/<id> layout. */
export function addContainerdNamespace(ns: string): void {
  if (!namespaces.has(ns) && IDENT.test(ns)) {
    namespaces.add(ns);
    nsGeneration++;
    pathCache.clear();
  }
}

export function containerdNamespaces(): string[] {
  return [...namespaces];
}
export function namespaceGeneration(): number {
  return nsGeneration;
}

function short(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

/** The container a cgroup path belongs to, or null for the host. */
export function matchCgroupPath(path: string): CgroupMatch | null {
  if (path.length === 0 || path === '/') return null;
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.length === 0) return null;
  // containerd, cgroupfs driver: exactly /<namespace>/<id>
  if (parts.length === 2 && namespaces.has(parts[0]) && IDENT.test(parts[1]) && parts[1].length <= 76) {
    const fullId = parts[1];
    const type = parts[0] === 'moby' ? 'docker' : 'containerd';
    return { fullId, id: short(fullId), type, namespace: parts[0] };
  }
  let i = parts.length - 1;
  // podman (systemd driver) puts the container's processes one level down
  if (i > 0 && (parts[i] === 'container' || parts[i] === 'init.scope' || parts[i] === 'supervisor')) i--;
  const last = parts[i];
  let m = PREFIXED.exec(last);
  if (m !== null) {
    const fullId = m[2].toLowerCase();
    return { fullId, id: short(fullId), type: PREFIX_TYPE[m[1].toLowerCase()] };
  }
  m = COLON_CRI.exec(last);
  if (m !== null) {
    const fullId = m[2].toLowerCase();
    const t = m[1].toLowerCase();
    return { fullId, id: short(fullId), type: t === 'crio' ? 'cri-o' : t === 'docker' ? 'docker' : 'containerd' };
  }
  if (HEX64.test(last)) {
    const fullId = last.toLowerCase();
    const up = parts.slice(0, i);
    let type = 'docker';
    if (up.some((p) => p.startsWith('kubepods'))) type = 'cri';
    else if (up.some((p) => p.startsWith('libpod'))) type = 'podman';
    else if (up.length === 1 && namespaces.has(up[0]) && up[0] !== 'docker' && up[0] !== 'moby') type = 'containerd';
    return { fullId, id: short(fullId), type, namespace: type === 'containerd' ? up[0] : undefined };
  }
  return null;
}

/**
 * matchCgroupPath's answers by cgroup entry: every new thread asks again (a trace's threads come
 * and go by the thousand, with the same few cgroups). Bounded; cleared when a namespace is added.
 */
const pathCache = new Map<string, CgroupMatch | null>();
const PATH_CACHE_MAX = 4096;

/** The first container named by a thread's cgroups ("subsys=/path" entries or bare paths). */
export function matchCgroups(cgroups: readonly string[]): CgroupMatch | null {
  for (const e of cgroups) {
    let m = pathCache.get(e);
    if (m === undefined) {
      // "name=systemd=/path": the path starts at the first "=/"
      let eq = e.indexOf('=/');
      if (eq < 0) eq = e.indexOf('=');
      m = matchCgroupPath(eq < 0 ? e : e.slice(eq + 1));
      if (pathCache.size >= PATH_CACHE_MAX) pathCache.clear();
      pathCache.set(e, m);
    }
    if (m !== null) return m;
  }
  return null;
}

/** Parses /proc/<pid>/cgroup text ("N:subsys:/path" lines) into "subsys=/path" entries. */
export function parseProcCgroup(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    out.push(`${line.slice(a + 1, b)}=${line.slice(b + 1)}`);
  }
  return out;
}
