/**
 * What a replay shows around its events, on stderr only: the progress bar (per file) and the
 * end-of-run summary; and the alert outputs' lifecycle (yield between chunks so asynchronous
 * outputs progress, close with a timeout at the end). The replay command calls:
 *   ui.countFrom(() => step.events); readTraceFile(f, h, ui.progressFor(f)); ui.fileDone(stats);
 *   await ui.finish(matched, source) once at the end.
 */
import * as fs from 'node:fs';
import type { ReadProgress } from '../scap/file-source';
import type { ReaderStats } from '../scap/reader';
import { ProgressBar } from './progress';
import { lazy } from '../util/lazy';
import { colorEnabled } from '../format/colors';
import { RunStats } from './summary';

/** the table code (cli-table3) loads only when a summary is printed */
const summaryTable = lazy(() => require('./summary-table') as typeof import('./summary-table'));
import type { OutputManager, OutputReport } from '../output/manager';

export interface ReplayUiOptions {
  /** draw the progress bar (the caller checked that stderr is a TTY) */
  progress?: boolean;
  /** print the summary at the end */
  summary?: boolean;
  outputs?: OutputManager;
  /** time given to outputs to deliver what is pending at the end (default 5000 ms) */
  outputTimeoutMs?: number;
  /** --no-color */
  noColor?: boolean;
  /** where the bar and summary go (default process.stderr) */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export class ReplayUi {
  private readonly run = new RunStats();
  private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private counter: () => number = () => 0;
  private bar: ProgressBar | null = null;
  report: OutputReport | undefined;

  constructor(private readonly opts: ReplayUiOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
  }

  /** where the count of events read comes from (the step counts them) */
  countFrom(counter: () => number): void {
    this.counter = counter;
  }

  get eventsRead(): number {
    return this.counter();
  }

  /** The progress hook for readTraceFile, or undefined when nothing needs it. */
  progressFor(file: string): ReadProgress | undefined {
    const outputs = this.opts.outputs;
    if (!this.opts.progress && outputs === undefined) return undefined;
    let bar: ProgressBar | null = null;
    if (this.opts.progress) {
      let total = 0;
      try {
        total = fs.statSync(file).size;
      } catch {
        /* reader reports it */
      }
      // FALCO_TS_PROGRESS_DELAY_MS: when the bar may first appear (tests set 0)
      const delay = Number(process.env.FALCO_TS_PROGRESS_DELAY_MS);
      bar = new ProgressBar(this.stream, {
        total,
        label: shortName(file),
        delayMs: Number.isFinite(delay) && delay >= 0 ? delay : undefined,
      });
      this.bar = bar;
    }
    return {
      onProgress: (bytes: number, size: number) => {
        if (bar !== null) bar.update(bytes, this.eventsRead, bytes >= size);
        return outputs?.yieldIfPending();
      },
    };
  }

  /** After each file: erase the bar, note what the reader skipped. */
  fileDone(stats: ReaderStats): void {
    this.bar?.finish();
    this.bar = null;
    this.run.addDrops('events of unknown type (skipped)', stats.unknownEvents);
  }

  /** Closes the outputs (bounded by the timeout) and prints the summary if wanted. */
  async finish(eventsMatched: number, source?: string): Promise<OutputReport | undefined> {
    this.bar?.finish();
    this.bar = null;
    if (this.opts.outputs !== undefined) this.report = await this.opts.outputs.close(this.opts.outputTimeoutMs ?? 5000);
    this.run.eventsRead = this.eventsRead;
    this.run.eventsMatched = eventsMatched;
    if (this.opts.summary) {
      const color = colorEnabled(this.stream, { noColor: this.opts.noColor });
      this.stream.write(summaryTable().renderSummary(this.run.finish(source, this.report), { color }));
    }
    return this.report;
  }
}

function shortName(file: string): string {
  const b = file.split('/').pop() ?? file;
  return b.length > 24 ? b.slice(0, 23) + '…' : b;
}
