/**
 * Signal names exactly as libsinsp's sinsp_utils::signal_to_str (libs e5c53d64): only the
 * classic Linux signals 1..31 (SIGIOT/SIGPOLL/SIGUNUSED aliases resolve to their primary name).
 */

const NAMES: readonly string[] = [
  '',
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCHLD',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
  'SIGSYS',
];

/** signal_to_str(code & 0xff): the name, or '' when libsinsp has none (0, realtime signals, ...). */
export function signalToStr(code: number): string {
  const c = code & 0xff;
  return c < NAMES.length ? NAMES[c] : '';
}
