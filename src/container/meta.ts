/** Container metadata as the container engines report it and the state keeps it. */

export interface ContainerMeta {
  id: string;
  name?: string;
  image?: string;
  imageId?: string;
  imageRepo?: string;
  imageTag?: string;
  imageDigest?: string;
  /** docker, cri-o, containerd, podman, lxc, ... */
  type?: string;
  privileged?: boolean;
  mounts?: { source: string; dest: string; mode: string; rdwr: boolean; propagation: string }[];
  healthProbes?: { type: 'healthcheck' | 'liveness' | 'readiness'; exe: string; args: string[] }[];
  ip?: number;
  /** seconds since the epoch (libs' m_created_time) */
  createdTime?: number;
  /** runtime labels (CRI containers carry io.kubernetes.* here) */
  labels?: Record<string, string>;
  isPodSandbox?: boolean;
  podSandboxId?: string;
  podSandboxLabels?: Record<string, string>;
  hostPid?: boolean;
  hostNetwork?: boolean;
  hostIpc?: boolean;
  user?: string;
  env?: string[];
  memoryLimit?: number;
  swapLimit?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpuCount?: number;
  /** the runtime namespace (containerd) the container lives in */
  namespace?: string;
}
