/**
 * container.* fields. The container id comes from the thread's cgroups exactly as libsinsp's
 * runc-style engines detect it (docker, cri-o, containerd, podman layouts); other metadata
 * (name, image, ...) comes from an optional container table on the State (`st.containers`,
 * filled from container JSON/async events when the state code provides it), else is missing.
 */
import type { State } from '../../state/state';
import type { ThreadInfo } from '../../state/threadinfo';
import { FieldError, FieldValue } from '../field-api';
import { FieldSpec, isIntArg, parseIntArg } from './common';
import { PF } from '../../event/types';
import type { ContainerMeta } from '../../container/meta';
import { containerId, containerType, threadCgroupMatch } from '../../state/thread-container';

const CLS = 'container';

function meta(st: State, id: string): ContainerMeta | null {
  return st.containers.get(id) ?? null;
}

type CFn = (m: ContainerMeta | null, id: string, t: ThreadInfo) => FieldValue;

/** The metadata of the event's container: null for host threads, or when none is known. */
function eventMeta(st: State): ContainerMeta | null {
  const t = st.cur.thread;
  if (t === null) return null;
  const id = containerId(t);
  return id === '' ? null : meta(st, id);
}

/**
 * A `name.KEY` label field (container.label.foo, k8s.pod.label.foo): the value of label KEY
 * in the labels `pick` finds for the event's container; null without one, or when empty.
 */
function labelField(
  name: string,
  cls: string,
  desc: string,
  missingArg: string,
  pick: (st: State, m: ContainerMeta | null) => Record<string, string> | undefined,
): FieldSpec {
  return {
    name,
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls,
    arg: 'required',
    desc,
    dotted: (rest) => {
      const m = /^[^\s[\]]+/.exec(rest);
      return m ? m[0].length : 0;
    },
    make: (arg) => {
      if (arg === '' || arg === null) throw new FieldError(missingArg);
      const key = arg;
      return {
        extract: (_ev, st) => {
          const v = pick(st, eventMeta(st))?.[key];
          return v === undefined || v === '' ? null : v;
        },
      };
    },
  };
}

/** A container field: host processes get `host` (or null), containers their metadata. */
function cf(
  name: string,
  ptype: string,
  desc: string,
  host: FieldValue,
  fn: CFn,
  more: Partial<FieldSpec> = {},
): FieldSpec {
  return {
    name,
    ptype,
    pf: PF.NA,
    desc,
    cls: CLS,
    ...more,
    make: () => ({
      extract: (_ev, st) => {
        const t = st.cur.thread;
        if (t === null) return null;
        const id = containerId(t);
        if (id === '') return host;
        return fn(meta(st, id), id, t);
      },
    }),
  };
}

function nonEmpty(s: string | undefined): string | null {
  return s === undefined || s === '' ? null : s;
}

function mountString(m: NonNullable<ContainerMeta['mounts']>[number]): string {
  return `${m.source}:${m.dest}:${m.mode}:${m.rdwr ? 'true' : 'false'}:${m.propagation}`;
}

/** fnmatch(pattern, s, 0) for mount globs */
function globMatch(pattern: string, s: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        re +=
          '[' +
          pattern
            .slice(i + 1, j)
            .replace(/^!/, '^')
            .replace(/\\/g, '\\\\') +
          ']';
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$', 's').test(s);
}

type MountPart = 'all' | 'source' | 'dest' | 'mode' | 'rdwr' | 'propagation';

function mountSpec(name: string, part: MountPart, desc: string): FieldSpec {
  return {
    name,
    ptype: 'CHARBUF',
    pf: PF.NA,
    desc,
    cls: CLS,
    arg: 'required',
    make: (arg) => {
      const a = arg as string;
      const idx = isIntArg(a) ? parseIntArg(name, a) : -1;
      return {
        extract: (_ev, st) => {
          const m = eventMeta(st);
          if (m === null) return null;
          const mounts = m.mounts ?? [];
          let mi: (typeof mounts)[number] | undefined;
          if (idx >= 0) mi = mounts[idx];
          else if (part === 'source') mi = mounts.find((x) => globMatch(a, x.dest));
          else mi = mounts.find((x) => globMatch(a, x.source));
          if (mi === undefined) return part === 'all' ? 'none' : null;
          switch (part) {
            case 'all':
              return mountString(mi);
            case 'source':
              return mi.source;
            case 'dest':
              return mi.dest;
            case 'mode':
              return mi.mode;
            case 'rdwr':
              return mi.rdwr ? 'true' : 'false';
            case 'propagation':
              return mi.propagation;
          }
        },
      };
    },
  };
}

function probe(kind: 'healthcheck' | 'liveness' | 'readiness'): CFn {
  return (m) => {
    if (m === null) return null;
    for (const p of m.healthProbes ?? []) {
      if (p.type === kind) return [p.exe, ...p.args].join(' ');
    }
    return 'NONE';
  };
}

export const CONTAINER_FIELDS: FieldSpec[] = [
  cf(
    'container.id',
    'CHARBUF',
    "the container id (the first 12 characters), or 'host' for host processes.",
    'host',
    (_m, id) => id,
  ),
  cf(
    'container.full_id',
    'CHARBUF',
    "the full container id, or 'host' for host processes (only the 12-char id is known from cgroups).",
    'host',
    (m, id, t) => m?.id || threadCgroupMatch(t)?.fullId || id,
  ),
  cf('container.name', 'CHARBUF', 'the container name.', 'host', (m) => nonEmpty(m?.name)),
  cf(
    'container.image',
    'CHARBUF',
    'the container image name (e.g. falcosecurity/falco:latest for docker).',
    null,
    (m) => nonEmpty(m?.image),
  ),
  cf('container.image.id', 'CHARBUF', 'the container image id (e.g. 6f7e2741b66b).', null, (m) => nonEmpty(m?.imageId)),
  cf(
    'container.type',
    'CHARBUF',
    'the container type, eg: docker or rkt',
    'host',
    (m, _id, t) => m?.type ?? containerType(t),
  ),
  cf('container.privileged', 'BOOL', 'true for containers running as privileged, false otherwise', null, (m) =>
    m === null || m.privileged === undefined ? null : m.privileged,
  ),
  cf(
    'container.mounts',
    'CHARBUF',
    'A space-separated list of mount information. Each item in the list has the format <source>:<dest>:<mode>:<rdrw>:<propagation>',
    null,
    (m) => (m === null ? null : (m.mounts ?? []).map(mountString).join(',')),
  ),
  mountSpec(
    'container.mount',
    'all',
    'Information about a single mount, specified by number (e.g. container.mount[0]) or mount source (container.mount[/usr/local]). The pathname can be a glob. The information has the format <source>:<dest>:<mode>:<rdrw>:<propagation>. Returns "none" if there is no such mount.',
  ),
  mountSpec(
    'container.mount.source',
    'source',
    'the mount source, specified by number (e.g. container.mount.source[0]) or mount destination (container.mount.source[/host/lib/modules]). The pathname can be a glob.',
  ),
  mountSpec(
    'container.mount.dest',
    'dest',
    'the mount destination, specified by number (e.g. container.mount.dest[0]) or mount source (container.mount.dest[/lib/modules]). The pathname can be a glob.',
  ),
  mountSpec(
    'container.mount.mode',
    'mode',
    'the mount mode, specified by number (e.g. container.mount.mode[0]) or mount source (container.mount.mode[/usr/local]). The pathname can be a glob.',
  ),
  mountSpec(
    'container.mount.rdwr',
    'rdwr',
    'the mount rdwr value, specified by number (e.g. container.mount.rdwr[0]) or mount source (container.mount.rdwr[/usr/local]). The pathname can be a glob.',
  ),
  mountSpec(
    'container.mount.propagation',
    'propagation',
    'the mount propagation value, specified by number (e.g. container.mount.propagation[0]) or mount source (container.mount.propagation[/usr/local]). The pathname can be a glob.',
  ),
  cf('container.image.repository', 'CHARBUF', 'the container image repository (e.g. falcosecurity/falco).', null, (m) =>
    nonEmpty(m?.imageRepo),
  ),
  cf('container.image.tag', 'CHARBUF', 'the container image tag (e.g. stable, latest).', null, (m) =>
    nonEmpty(m?.imageTag),
  ),
  cf(
    'container.image.digest',
    'CHARBUF',
    'the container image registry digest (e.g. sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27).',
    null,
    (m) => nonEmpty(m?.imageDigest),
  ),
  cf(
    'container.healthcheck',
    'CHARBUF',
    'The container\'s health check. Will be the null value ("N/A") if no healthcheck configured, "NONE" if configured but explicitly not created, and the healthcheck command line otherwise',
    null,
    probe('healthcheck'),
  ),
  cf(
    'container.liveness_probe',
    'CHARBUF',
    'The container\'s liveness probe. Will be the null value ("N/A") if no liveness probe configured, the liveness probe command line otherwise',
    null,
    probe('liveness'),
  ),
  cf(
    'container.readiness_probe',
    'CHARBUF',
    'The container\'s readiness probe. Will be the null value ("N/A") if no readiness probe configured, the readiness probe command line otherwise',
    null,
    probe('readiness'),
  ),
  cf('container.start_ts', 'ABSTIME', 'Container start as epoch timestamp in nanoseconds.', null, (m) =>
    m?.createdTime ? BigInt(m.createdTime) * 1000000000n : null,
  ),
  {
    name: 'container.duration',
    ptype: 'RELTIME',
    pf: PF.NA,
    cls: CLS,
    desc: 'Number of nanoseconds since the container started.',
    make: () => ({
      extract: (ev, st) => {
        const t = st.cur.thread;
        if (t === null) return null;
        const id = containerId(t);
        if (id === '') return null;
        const m = meta(st, id);
        if (!m?.createdTime) return null;
        const d = ev.tsBig() - BigInt(m.createdTime) * 1000000000n;
        return d < 0n ? 0n : d;
      },
    }),
  },
  cf('container.ip', 'CHARBUF', "The container's / pod's primary ip address.", null, (m) =>
    m?.ip ? `${m.ip >>> 24}.${(m.ip >>> 16) & 255}.${(m.ip >>> 8) & 255}.${m.ip & 255}` : null,
  ),
  cf(
    'container.cni.json',
    'CHARBUF',
    "The container's / pod's CNI result field from the respective pod status info.",
    null,
    () => null,
  ),
  cf(
    'container.host_pid',
    'BOOL',
    'true if the container is running in the host PID namespace.',
    null,
    (m) => m?.hostPid ?? null,
  ),
  cf(
    'container.host_network',
    'BOOL',
    'true if the container is running in the host network namespace.',
    null,
    (m) => m?.hostNetwork ?? null,
  ),
  cf(
    'container.host_ipc',
    'BOOL',
    'true if the container is running in the host IPC namespace.',
    null,
    (m) => m?.hostIpc ?? null,
  ),
  labelField(
    'container.label',
    CLS,
    "Container label. E.g. 'container.label.foo'.",
    'container.label requires a label name',
    (_st, m) => m?.labels,
  ),
  cf(
    'container.labels',
    'CHARBUF',
    "Container comma-separated key/value labels (e.g. 'foo1:bar1,foo2:bar2').",
    null,
    (m) => labelList(m?.labels),
  ),
];

/** "k1:v1,k2:v2" in key order, or null when there are none. */
function labelList(labels: Record<string, string> | undefined): string | null {
  if (labels === undefined) return null;
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? null : keys.map((k) => `${k}:${labels[k]}`).join(',');
}

// ---------------------------------------------------------------------------------------------
// k8s.* from the CRI labels the runtime keeps on each container (as Falco's container plugin)

const K8S_CLS = 'k8s';

function label(m: ContainerMeta | null, key: string): string | null {
  const v = m?.labels?.[key];
  return v === undefined || v === '' ? null : v;
}

function sandboxId(m: ContainerMeta | null): string | null {
  return nonEmpty(m?.podSandboxId) ?? label(m, 'io.kubernetes.sandbox.id') ?? (m?.isPodSandbox ? m.id : null);
}

/** The pod's labels: recorded sandbox labels, else the sandbox container's, else the container's own minus CRI keys. */
function podLabels(st: State, m: ContainerMeta | null): Record<string, string> | undefined {
  if (m === null) return undefined;
  if (m.podSandboxLabels !== undefined) return m.podSandboxLabels;
  const sb = sandboxId(m);
  const sbm = sb !== null && sb !== m.id ? meta(st, sb.slice(0, 12)) : null;
  const src = sbm?.labels ?? m.labels;
  if (src === undefined || label(m, 'io.kubernetes.pod.name') === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(src)) {
    if (k.startsWith('annotation.') || k.startsWith('io.kubernetes.') || k.startsWith('io.cri-containerd.')) continue;
    out[k] = v;
  }
  return out;
}

type KFn = (m: ContainerMeta | null, st: State) => FieldValue;

function kf(name: string, desc: string, fn: KFn): FieldSpec {
  return {
    name,
    ptype: 'CHARBUF',
    pf: PF.NA,
    desc,
    cls: K8S_CLS,
    make: () => ({
      extract: (_ev, st) => {
        const t = st.cur.thread;
        if (t === null) return null;
        const id = containerId(t);
        if (id === '') return null;
        return fn(meta(st, id), st);
      },
    }),
  };
}

/** k8s fields that read the container's labels; they replace the placeholders of other.ts by name. */
export const K8S_CONTAINER_FIELDS: FieldSpec[] = [
  kf('k8s.pod.name', 'Kubernetes pod name.', (m) => label(m, 'io.kubernetes.pod.name')),
  kf('k8s.pod.id', 'Kubernetes pod id.', (m) => label(m, 'io.kubernetes.pod.uid')),
  kf('k8s.pod.uid', 'Kubernetes pod UID.', (m) => label(m, 'io.kubernetes.pod.uid')),
  kf('k8s.ns.name', 'Kubernetes namespace name.', (m) => label(m, 'io.kubernetes.pod.namespace')),
  kf('k8s.pod.sandbox_id', 'Kubernetes pod sandbox id (first 12 characters).', (m) => {
    const s = sandboxId(m);
    return s === null ? null : s.slice(0, 12);
  }),
  kf('k8s.pod.full_sandbox_id', 'Kubernetes pod sandbox id.', (m) => sandboxId(m)),
  kf('k8s.pod.labels', "Kubernetes pod comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'.", (m, st) =>
    labelList(podLabels(st, m)),
  ),
  labelField(
    'k8s.pod.label',
    K8S_CLS,
    "Kubernetes pod label. E.g. 'k8s.pod.label.foo'.",
    'k8s.pod.label requires an argument',
    (st, m) => podLabels(st, m),
  ),
];
