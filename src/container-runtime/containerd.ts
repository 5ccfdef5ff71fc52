/**
 * containerd's API over its gRPC socket (default /run/containerd/containerd.sock), the few
 * calls container enrichment needs, hand-encoded:
 *
 *   namespaces.v1.Namespaces/List       every namespace (containers live in one each)
 *   containers.v1.Containers/List|Get   id, labels, image, runtime, spec (OCI JSON in an Any), created_at
 *   images.v1.Images/Get                the image's target digest
 *   events.v1.Events/Subscribe          /containers/create, /tasks/start, ... as they happen
 *
 * The namespace goes in the `containerd-namespace` header. toMeta() turns a container into
 * the metadata Falco's container plugin derives from the same calls.
 */
import { Enc, Msg } from './protobuf';
import { GrpcClient, GrpcError, GRPC_NOT_FOUND, StreamHandle } from './grpc';
import type { ContainerMeta } from '../container/meta';
import { shortId } from '../container/json';

export const DEFAULT_CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

const NS_LIST = '/containerd.services.namespaces.v1.Namespaces/List';
const C_LIST = '/containerd.services.containers.v1.Containers/List';
const C_GET = '/containerd.services.containers.v1.Containers/Get';
const I_GET = '/containerd.services.images.v1.Images/Get';
const EV_SUB = '/containerd.services.events.v1.Events/Subscribe';

export interface ContainerdContainer {
  namespace: string;
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: string;
  /** the OCI runtime spec (parsed JSON), or null */
  spec: Record<string, unknown> | null;
  snapshotter: string;
  /** seconds since the epoch */
  createdAt: number;
  sandbox: string;
}

export interface ContainerdImage {
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  labels: Record<string, string>;
}

export interface ContainerdEvent {
  namespace: string;
  topic: string;
  /** the container id the event is about ('' if none) */ id: string;
}

function timestampSeconds(m: Msg | null): number {
  return m === null ? 0 : m.num(1);
}

function parseContainer(ns: string, m: Msg): ContainerdContainer {
  let spec: Record<string, unknown> | null = null;
  const any = m.msg(5);
  if (any !== null) {
    const v = any.bytes(2);
    if (v !== null && v.length > 0) {
      try {
        spec = JSON.parse(v.toString('utf8')) as Record<string, unknown>;
      } catch {
        spec = null;
      }
    }
  }
  return {
    namespace: ns,
    id: m.str(1),
    labels: m.strMap(2),
    image: m.str(3),
    runtime: m.msg(4)?.str(1) ?? '',
    spec,
    snapshotter: m.str(6),
    createdAt: timestampSeconds(m.msg(8)),
    sandbox: m.str(11),
  };
}

export class ContainerdClient {
  readonly grpc: GrpcClient;

  constructor(
    readonly socketPath = DEFAULT_CONTAINERD_SOCKET,
    timeoutMs = 3000,
  ) {
    this.grpc = new GrpcClient(socketPath, timeoutMs);
  }

  async namespaces(): Promise<string[]> {
    const r = new Msg(await this.grpc.unary(NS_LIST, Buffer.alloc(0)));
    return r
      .msgs(1)
      .map((n) => n.str(1))
      .filter((n) => n !== '');
  }

  async listContainers(ns: string, filters: string[] = []): Promise<ContainerdContainer[]> {
    const req = new Enc();
    for (const f of filters) req.str(1, f);
    const r = new Msg(await this.grpc.unary(C_LIST, req.finish(), { 'containerd-namespace': ns }));
    return r.msgs(1).map((c) => parseContainer(ns, c));
  }

  /** The container, or null when the namespace has none with this id. */
  async getContainer(ns: string, id: string): Promise<ContainerdContainer | null> {
    try {
      const r = new Msg(await this.grpc.unary(C_GET, new Enc().str(1, id).finish(), { 'containerd-namespace': ns }));
      const c = r.msg(1);
      return c === null ? null : parseContainer(ns, c);
    } catch (e) {
      if (e instanceof GrpcError && e.code === GRPC_NOT_FOUND) return null;
      throw e;
    }
  }

  async getImage(ns: string, name: string): Promise<ContainerdImage | null> {
    try {
      const r = new Msg(await this.grpc.unary(I_GET, new Enc().str(1, name).finish(), { 'containerd-namespace': ns }));
      const img = r.msg(1);
      if (img === null) return null;
      const t = img.msg(3);
      return {
        name: img.str(1),
        labels: img.strMap(2),
        mediaType: t?.str(1) ?? '',
        digest: t?.str(2) ?? '',
        size: t?.num(3) ?? 0,
      };
    } catch (e) {
      if (e instanceof GrpcError && e.code === GRPC_NOT_FOUND) return null;
      throw e;
    }
  }

  /** Events of every namespace matching the filters (e.g. 'topic~="/containers/"'). */
  subscribe(
    filters: string[],
    onEvent: (e: ContainerdEvent) => void,
    onEnd: (err: Error | null) => void,
  ): StreamHandle {
    const req = new Enc();
    for (const f of filters) req.str(1, f);
    return this.grpc.stream(
      EV_SUB,
      req.finish(),
      {},
      (b) => {
        let env: Msg;
        try {
          env = new Msg(b);
        } catch {
          return;
        }
        const any = env.msg(4);
        let id = '';
        const v = any?.bytes(2);
        // ContainerCreate/Update/Delete.id, TaskCreate/Start/Exit/Delete.container_id: field 1
        if (v) {
          try {
            id = new Msg(v).str(1);
          } catch {
            id = '';
          }
        }
        onEvent({ namespace: env.str(2), topic: env.str(3), id });
      },
      onEnd,
    );
  }

  close(): void {
    this.grpc.close();
  }
}

/** Splits an image reference into repository and tag (digest references have no tag). */
export function parseImageRef(ref: string): { repo: string; tag: string; digest: string } {
  let s = ref;
  let digest = '';
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
  }
  const slash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = s.slice(colon + 1);
    s = s.slice(0, colon);
  }
  return { repo: s, tag, digest };
}

type Spec = {
  process?: { user?: { uid?: number }; env?: string[]; selinuxLabel?: string; apparmorProfile?: string };
  mounts?: { destination?: string; type?: string; source?: string; options?: string[] }[];
  annotations?: Record<string, string>;
  linux?: {
    namespaces?: { type?: string }[];
    maskedPaths?: unknown;
    readonlyPaths?: unknown;
    seccomp?: unknown;
    rootfsPropagation?: string;
    resources?: {
      memory?: { limit?: number; swap?: number };
      cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
    };
  };
};

function cpusetCount(s: string | undefined): number {
  if (!s) return 0;
  let n = 0;
  for (const part of s.split(',')) {
    const [a, b] = part.split('-').map((x) => Number(x.trim()));
    if (Number.isInteger(a)) n += Number.isInteger(b) && b >= a ? b - a + 1 : 1;
  }
  return n;
}

/** The metadata Falco's container plugin derives from a containerd container (and its image). */
export function containerdToMeta(c: ContainerdContainer, image: ContainerdImage | null): ContainerMeta {
  const spec = (c.spec ?? {}) as Spec;
  const linux = spec.linux;
  const proc = spec.process;
  const { repo, tag, digest } = parseImageRef(c.image);
  const nsTypes = new Set((linux?.namespaces ?? []).map((n) => n.type));
  // oci.WithPrivileged leaves no masked/readonly paths, no seccomp, no LSM label, rw sysfs/cgroup
  let privileged = false;
  if (
    linux !== undefined &&
    proc !== undefined &&
    linux.maskedPaths == null &&
    linux.readonlyPaths == null &&
    !proc.selinuxLabel &&
    (!proc.apparmorProfile || proc.apparmorProfile === 'unconfined') &&
    linux.seccomp == null
  ) {
    privileged = true;
    for (const m of spec.mounts ?? []) {
      if ((m.type === 'sysfs' || m.type === 'cgroup') && (m.options ?? []).includes('ro')) {
        privileged = false;
        break;
      }
    }
  }
  const labels = c.labels;
  const cri = labels['io.kubernetes.pod.name'] !== undefined || labels['io.cri-containerd.kind'] !== undefined;
  const sandbox =
    c.sandbox || spec.annotations?.['io.kubernetes.cri.sandbox-id'] || labels['io.kubernetes.sandbox.id'] || '';
  const name = labels['io.kubernetes.container.name'] || labels['nerdctl/name'] || shortId(c.id);
  const mounts = (spec.mounts ?? []).map((m) => {
    const opts = m.options ?? [];
    const mode = opts.find((o) => o.startsWith('mode='));
    return {
      source: m.source ?? '',
      dest: m.destination ?? '',
      mode: mode !== undefined ? mode.slice(5) : '',
      rdwr: !opts.includes('ro'),
      propagation: linux?.rootfsPropagation ?? '',
    };
  });
  const res = linux?.resources;
  return {
    id: c.id,
    name,
    image: c.image,
    imageRepo: repo,
    imageTag: tag,
    imageDigest: image?.digest || digest,
    imageId: '',
    type: c.namespace === 'moby' ? 'docker' : cri ? 'cri' : 'containerd',
    privileged,
    mounts,
    createdTime: c.createdAt,
    labels: { ...labels },
    isPodSandbox: labels['io.cri-containerd.kind'] === 'sandbox',
    podSandboxId: sandbox || undefined,
    hostPid: !nsTypes.has('pid'),
    hostNetwork: !nsTypes.has('network'),
    hostIpc: !nsTypes.has('ipc'),
    user: String(proc?.user?.uid ?? 0),
    env: proc?.env ?? [],
    memoryLimit: res?.memory?.limit ?? 0,
    swapLimit: res?.memory?.swap ?? 0,
    cpuShares: res?.cpu?.shares || 1024,
    cpuQuota: res?.cpu?.quota ?? 0,
    cpuPeriod: res?.cpu?.period || 100000,
    cpusetCpuCount: cpusetCount(res?.cpu?.cpus),
    namespace: c.namespace,
  };
}
