/**
 * falco.yaml's `engine` section (falco_configuration::load_engine_config): which event source
 * runs. kmod, modern_ebpf and nodriver are live (falco-ts has one probe, eBPF or its kernel
 * module; nodriver opens none), replay reads engine.replay.capture_file. The code default is
 * kmod, as Falco's.
 */
import type { ConfigReader } from './config-reader';

export type EngineKind = 'kmod' | 'modern_ebpf' | 'ebpf' | 'replay' | 'nodriver';

export interface EngineConfig {
  kind: EngineKind;
  /** engine.replay.capture_file, with kind replay */
  captureFile: string | null;
  /** whether the configuration named a kind (else the default) */
  explicit: boolean;
}

// (Falco 0.44 dropped the legacy `ebpf` probe; it is accepted here as our eBPF probe)
const KINDS: readonly EngineKind[] = ['kmod', 'modern_ebpf', 'ebpf', 'replay', 'nodriver'];

export function readEngineConfig(r: ConfigReader): EngineConfig {
  const k = r.scalar('engine.kind');
  const kind = (k ?? 'kmod') as EngineKind;
  if (!KINDS.includes(kind)) r.fail(`engine.kind '${kind}' is not a valid kind.`);
  let captureFile: string | null = null;
  if (kind === 'replay') {
    captureFile = r.scalar('engine.replay.capture_file') ?? '';
    if (captureFile === '') r.fail(`engine.kind is 'replay' but no engine.replay.capture_file specified.`);
  }
  return { kind, captureFile, explicit: k !== undefined };
}
