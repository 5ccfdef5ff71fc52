/**
 * Container metadata in a trace, the way libsinsp records it: a CONTAINER_JSON_2_E event (code
 * 324, tid -1, one u32-length parameter) whose value is sinsp_container_manager::
 * container_to_json() output — jsoncpp's FastWriter, keys sorted, a trailing newline, then NUL.
 * The reading side is the state parser (parse_container_json_evt in src/state/parsers/proc.ts),
 * which calls containerMetaExtras() here for the fields it does not read itself.
 */
import type { ContainerMeta } from './meta';

/** sinsp_container_type numbers */
export const CONTAINER_TYPE_CODES: Record<string, number> = {
  docker: 0,
  lxc: 1,
  'libvirt-lxc': 2,
  mesos: 3,
  rkt: 4,
  custom: 5,
  cri: 6,
  containerd: 7,
  'cri-o': 8,
  bpm: 9,
  static: 10,
  podman: 11,
};
const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(CONTAINER_TYPE_CODES).map(([k, v]) => [v, k]),
);

export const PPME_CONTAINER_JSON_2_E = 324;

/** The 12-character id Falco prints. */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}

function ipString(ip: number | undefined): string {
  const v = ip ?? 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** JSON.stringify with object keys sorted (jsoncpp's std::map order), as FastWriter writes. */
function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + sortedJson(o[k]))
      .join(',') +
    '}'
  );
}

/** container_to_json(): the libs JSON text for one container. */
export function containerToJson(m: ContainerMeta): string {
  const full = m.id;
  const labels = m.labels !== undefined && Object.keys(m.labels).length > 0 ? m.labels : null;
  const c: Record<string, unknown> = {
    id: shortId(full),
    full_id: full,
    type: CONTAINER_TYPE_CODES[m.type ?? 'docker'] ?? 0,
    name: m.name ?? '',
    image: m.image ?? '',
    imageid: m.imageId ?? '',
    imagerepo: m.imageRepo ?? '',
    imagetag: m.imageTag ?? '',
    imagedigest: m.imageDigest ?? '',
    privileged: m.privileged === true,
    is_pod_sandbox: m.isPodSandbox === true,
    lookup_state: 1,
    created_time: m.createdTime ?? 0,
    Mounts: (m.mounts ?? []).map((x) => ({
      Source: x.source,
      Destination: x.dest,
      Mode: x.mode,
      RW: x.rdwr,
      Propagation: x.propagation,
    })),
    ip: ipString(m.ip),
    port_mappings: [],
    labels,
    env: (m.env ?? []).filter((e) => /MESOS|MARATHON|mesos/.test(e)),
    memory_limit: m.memoryLimit ?? 0,
    swap_limit: m.swapLimit ?? 0,
    cpu_shares: m.cpuShares ?? 1024,
    cpu_quota: m.cpuQuota ?? 0,
    cpu_period: m.cpuPeriod ?? 100000,
    cpuset_cpu_count: m.cpusetCpuCount ?? 0,
    metadata_deadline: 0,
  };
  // not in libs' JSON (older readers ignore unknown keys): what Falco's container plugin adds
  if (m.podSandboxId) c.pod_sandbox_id = m.podSandboxId;
  if (m.podSandboxLabels && Object.keys(m.podSandboxLabels).length > 0) c.pod_sandbox_labels = m.podSandboxLabels;
  if (m.hostPid !== undefined) c.host_pid = m.hostPid;
  if (m.hostNetwork !== undefined) c.host_network = m.hostNetwork;
  if (m.hostIpc !== undefined) c.host_ipc = m.hostIpc;
  if (m.user !== undefined) c.User = m.user;
  return sortedJson({ container: c }) + '\n';
}

/**
 * A CONTAINER_JSON_2_E event as raw v2 bytes (ppm_evt_hdr: ts u64, tid i64 = -1, len u32,
 * type u16, nparams u32 = 1; one u32 length; the JSON and its NUL), for ScapWriter.writeEventBytes.
 */
export function containerJsonEvent(m: ContainerMeta, tsNs: bigint): Buffer {
  const json = Buffer.from(containerToJson(m), 'utf8');
  const len = 26 + 4 + json.length + 1;
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(tsNs, 0);
  b.writeBigInt64LE(-1n, 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(PPME_CONTAINER_JSON_2_E, 20);
  b.writeUInt32LE(1, 22);
  b.writeUInt32LE(json.length + 1, 26);
  json.copy(b, 30);
  return b;
}

function strRecord(v: unknown): Record<string, string> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) o[k] = typeof x === 'string' ? x : String(x);
  return o;
}

/**
 * What parse_container_json_evt reads beyond the basic fields (labels, sandbox flag, the
 * podman/static type codes) plus the container plugin's extra keys, for the state parser.
 */
export function containerMetaExtras(c: Record<string, unknown>): Partial<ContainerMeta> {
  const m: Partial<ContainerMeta> = {};
  const labels = strRecord(c.labels);
  if (labels !== undefined) m.labels = labels;
  if (typeof c.is_pod_sandbox === 'boolean') m.isPodSandbox = c.is_pod_sandbox;
  if (typeof c.type === 'number' && TYPE_NAMES[c.type] !== undefined) m.type = TYPE_NAMES[c.type];
  if (typeof c.pod_sandbox_id === 'string') m.podSandboxId = c.pod_sandbox_id;
  const psl = strRecord(c.pod_sandbox_labels);
  if (psl !== undefined) m.podSandboxLabels = psl;
  if (typeof c.host_pid === 'boolean') m.hostPid = c.host_pid;
  if (typeof c.host_network === 'boolean') m.hostNetwork = c.host_network;
  if (typeof c.host_ipc === 'boolean') m.hostIpc = c.host_ipc;
  if (typeof c.User === 'string') m.user = c.User;
  for (const [k, f] of [
    ['memory_limit', 'memoryLimit'],
    ['swap_limit', 'swapLimit'],
    ['cpu_shares', 'cpuShares'],
    ['cpu_quota', 'cpuQuota'],
    ['cpu_period', 'cpuPeriod'],
    ['cpuset_cpu_count', 'cpusetCpuCount'],
  ] as const) {
    if (typeof c[k] === 'number') m[f] = c[k];
  }
  return m;
}

/** Parses a container JSON text (as recorded) into metadata; null when it is not one. */
export function containerFromJson(text: string): ContainerMeta | null {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return null;
  }
  const c = (root as { container?: unknown } | null)?.container;
  if (c === null || typeof c !== 'object') return null;
  const o = c as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const id = str(o.full_id) || str(o.id) || '';
  const m: ContainerMeta = {
    id,
    name: str(o.name),
    image: str(o.image),
    imageId: str(o.imageid),
    imageRepo: str(o.imagerepo),
    imageTag: str(o.imagetag),
    imageDigest: str(o.imagedigest),
    ...containerMetaExtras(o),
  };
  if (typeof o.privileged === 'boolean') m.privileged = o.privileged;
  if (typeof o.created_time === 'number') m.createdTime = o.created_time;
  return m;
}
