/**
 * Process and host figures from /proc, read when a metrics snapshot is taken (never per
 * event): what libsinsp's resource-utilization metrics read.
 */
import * as fs from 'node:fs';

const read = (p: string): string | null => {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
};

/** /proc/stat's btime (seconds since the epoch), or null */
export function hostBootSeconds(): number | null {
  const m = /^btime (\d+)$/m.exec(read('/proc/stat') ?? '');
  return m === null ? null : Number(m[1]);
}

/** /proc/stat's procs_running */
export function hostProcsRunning(): number | null {
  const m = /^procs_running (\d+)$/m.exec(read('/proc/stat') ?? '');
  return m === null ? null : Number(m[1]);
}

/** allocated file handles, the first field of /proc/sys/fs/file-nr */
export function hostOpenFds(): number | null {
  const m = /^(\d+)/.exec(read('/proc/sys/fs/file-nr') ?? '');
  return m === null ? null : Number(m[1]);
}

/** /proc/meminfo: MemTotal - MemFree - Buffers - Cached, in bytes (libsinsp's host memory used) */
export function hostMemoryUsedBytes(): number | null {
  const t = read('/proc/meminfo');
  if (t === null) return null;
  const kb = (k: string): number | null => {
    const m = new RegExp(`^${k}:\\s+(\\d+) kB$`, 'm').exec(t);
    return m === null ? null : Number(m[1]);
  };
  const [total, free, buffers, cached] = [kb('MemTotal'), kb('MemFree'), kb('Buffers'), kb('Cached')];
  if (total === null || free === null || buffers === null || cached === null) return null;
  return (total - free - buffers - cached) * 1024;
}

export interface ProcessMemory {
  rssBytes: number;
  vszBytes: number;
  /** null where smaps_rollup is not readable */
  pssBytes: number | null;
}

export function processMemory(): ProcessMemory {
  const st = read('/proc/self/status') ?? '';
  const kb = (re: RegExp, t: string): number | null => {
    const m = re.exec(t);
    return m === null ? null : Number(m[1]) * 1024;
  };
  return {
    rssBytes: kb(/^VmRSS:\s+(\d+) kB$/m, st) ?? process.memoryUsage().rss,
    vszBytes: kb(/^VmSize:\s+(\d+) kB$/m, st) ?? 0,
    pssBytes: kb(/^Pss:\s+(\d+) kB$/m, read('/proc/self/smaps_rollup') ?? ''),
  };
}

/** CPU time of this process over its wall-clock life: a fraction of one CPU, as `ps` shows %CPU */
export function processCpuRatio(): number {
  const u = process.cpuUsage();
  const wallUs = process.uptime() * 1e6;
  return wallUs > 0 ? (u.user + u.system) / wallUs : 0;
}
