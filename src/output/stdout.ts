/**
 * `stdout` output (the default): Falco's text line, or its JSON with --json; coloured by
 * priority when stdout is a terminal. Writes are synchronous and buffered; a terminal gets
 * each alert at once. EPIPE (`| head`) ends the output: later alerts count as dropped.
 */
import { Out } from '../util/out';
import { AlertOutput, FalcoAlert, newCounters } from '../alert/alert';
import { alertLineBytes } from '../alert/render';
import { priorityName } from '../alert/priority';
import { colorAlertLine, makeChalk } from '../format/colors';

export interface StdoutOptions {
  json?: boolean;
  color?: boolean;
  /** share the replay's writer so event lines and alerts keep their order */
  out?: Out;
  /** flush after every alert (default: when stdout is a TTY) */
  immediate?: boolean;
}

export class StdoutOutput implements AlertOutput {
  readonly name = 'stdout';
  readonly counters = newCounters();
  private readonly out: Out;
  private readonly chalk;
  private readonly immediate: boolean;

  constructor(private readonly opts: StdoutOptions = {}) {
    this.out = opts.out ?? new Out(1);
    this.chalk = makeChalk(opts.color === true);
    this.immediate = opts.immediate ?? process.stdout.isTTY === true;
  }

  /** the reader closed the pipe (`| head`): the alerts after that are not a loss */
  get endedByReader(): boolean {
    return this.out.closed;
  }

  emit(a: FalcoAlert): void {
    if (this.out.closed) {
      this.counters.dropped++;
      return;
    }
    // Out writes byte strings (latin1): the line's UTF-8
    let line = alertLineBytes(a, this.opts.json === true);
    if (!this.opts.json && this.opts.color) line = colorAlertLine(this.chalk, line, priorityName(a.priority));
    this.out.line(line);
    this.counters.sent++;
    if (this.immediate) this.out.flush();
  }

  pending(): number {
    return 0;
  }

  flush(): void {
    this.out.flush();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async: a failed flush rejects, as close() must
  async close(): Promise<void> {
    this.out.flush();
  }
}
