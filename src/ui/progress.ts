/**
 * A one-line progress bar for long replays, drawn on stderr (only when stderr is a TTY; the
 * caller decides): bytes read of the file, events/s and ETA. Redraws at most every
 * intervalMs; finish() erases it so the summary or the shell prompt start on a clean line.
 */
export interface ProgressStream {
  write(s: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  /** total bytes (file size); 0 = unknown (no percentage, no ETA) */
  total: number;
  label?: string;
  intervalMs?: number;
  /** draw nothing before this much time has passed (default 300 ms: short runs stay quiet) */
  delayMs?: number;
  now?: () => number;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024,
    i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return (n / 1e3).toFixed(n < 1e4 ? 1 : 0) + 'k';
  return (n / 1e6).toFixed(n < 1e7 ? 1 : 0) + 'M';
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '--:--';
  const s = Math.round(sec);
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    r = s % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0') + ':' + String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}` : mm;
}

export class ProgressBar {
  private readonly start: number;
  private last = -Infinity;
  private drawn = false;
  private readonly now: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly opts: ProgressOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  /** Current position; redraws if the interval has passed (or force). */
  update(bytes: number, events: number, force = false): void {
    const t = this.now();
    if (t - this.start < (this.opts.delayMs ?? 300)) return;
    if (!force && t - this.last < (this.opts.intervalMs ?? 200)) return;
    this.last = t;
    this.stream.write('\r' + this.render(bytes, events, t) + '\x1b[K');
    this.drawn = true;
  }

  /** The bar text (no control characters), for a given time. */
  render(bytes: number, events: number, t = this.now()): string {
    const total = this.opts.total;
    const elapsed = Math.max(1e-3, (t - this.start) / 1000);
    const rate = events / elapsed;
    const frac = total > 0 ? Math.min(1, bytes / total) : 0;
    const eta = total > 0 && bytes > 0 ? (elapsed * (total - bytes)) / bytes : NaN;
    const pct = total > 0 ? `${String(Math.floor(frac * 100)).padStart(3)}%` : '';
    const info = [
      pct,
      total > 0 ? `${formatBytes(bytes)}/${formatBytes(total)}` : formatBytes(bytes),
      `${formatCount(rate)} ev/s`,
      total > 0 ? `ETA ${formatDuration(eta)}` : `${formatDuration(elapsed)}`,
    ]
      .filter((s) => s !== '')
      .join('  ');
    const label = this.opts.label !== undefined ? this.opts.label + ' ' : '';
    const cols = Math.max(40, (this.stream.columns || 80) - 1);
    const width = Math.max(10, Math.min(40, cols - label.length - info.length - 3));
    if (total <= 0) return (label + info).slice(0, cols);
    const fill = Math.round(frac * width);
    const bar =
      '[' +
      '='.repeat(Math.max(0, fill - 1)) +
      (fill > 0 ? (fill === width ? '=' : '>') : '') +
      ' '.repeat(width - fill) +
      ']';
    return (label + bar + ' ' + info).slice(0, cols);
  }

  /** Erases the bar. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
