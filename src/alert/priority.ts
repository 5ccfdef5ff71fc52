/**
 * Falco's priorities (falco_common::priority_type): one type for the rules (minimum priority,
 * rule priorities), the alerts and the outputs. The number is the syslog severity.
 */

/** Most to least severe; the index is the Priority and the syslog severity (0 = emerg … 7 = debug). */
export const PRIORITY_NAMES = [
  'Emergency',
  'Alert',
  'Critical',
  'Error',
  'Warning',
  'Notice',
  'Informational',
  'Debug',
] as const;

export type PriorityName = (typeof PRIORITY_NAMES)[number];

/** 0 (Emergency) … 7 (Debug); smaller is more severe. */
export type Priority = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

export const PRIORITY_DEBUG: Priority = 7;

/**
 * Falco's falco_common::parse_priority: a priority name, case-insensitive, or "info" for
 * Informational (the one legacy spelling Falco accepts); null otherwise.
 */
export function parsePriority(s: string): Priority | null {
  const l = s.toLowerCase();
  if (l === 'info') return 6;
  const i = PRIORITY_NAMES.findIndex((p) => p.toLowerCase() === l);
  return i < 0 ? null : (i as Priority);
}

export function priorityName(p: Priority): PriorityName {
  return PRIORITY_NAMES[p];
}

/** Syslog severity of a priority (Emergency 0 … Debug 7). */
export function syslogSeverity(p: Priority): number {
  return p;
}
