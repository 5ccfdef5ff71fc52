/**
 * Terminal colours. Colour is on only when the stream is a TTY, and never with NO_COLOR
 * (any non-empty value, no-color.org) or --no-color. FORCE_COLOR=1..3 forces it on (tests).
 *
 * The event line uses sysdig's own TTY escapes byte for byte (sysdig-cli.md §3); alerts are
 * coloured by priority with chalk.
 */
import type { ChalkInstance } from 'chalk';
import { lazy } from '../util/lazy';
import type { EventView } from '../event/view';
import type { State } from '../state/state';
import type { ParamRenderer } from '../params/evtinfo';
import { timeOfDay } from '../params/time';
import { eventTypeName } from '../params/event-names';
import type { PriorityName } from '../alert/priority';
import type { Out } from '../util/out';

export interface ColorChoice {
  /** --no-color given */
  noColor?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Whether to colour output written to `stream`. */
export function colorEnabled(stream: { isTTY?: boolean }, choice: ColorChoice = {}): boolean {
  const env = choice.env ?? process.env;
  if (choice.noColor) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (force === '0' || force === 'false') return false;
  return stream.isTTY === true;
}

const chalkModule = lazy(() => require('chalk') as typeof import('chalk'));

/** A chalk instance that colours iff `enabled` (independent of chalk's own detection). */
export function makeChalk(enabled: boolean): ChalkInstance {
  return new (chalkModule().Chalk)({ level: enabled ? 1 : 0 });
}

/** Colour of each priority word. */
export function paintPriority(c: ChalkInstance, p: PriorityName, text: string = p): string {
  switch (p) {
    case 'Emergency':
    case 'Alert':
      return c.bold.white.bgRed(text);
    case 'Critical':
      return c.bold.red(text);
    case 'Error':
      return c.red(text);
    case 'Warning':
      return c.yellow(text);
    case 'Notice':
      return c.cyan(text);
    case 'Informational':
      return c.green(text);
    case 'Debug':
      return c.gray(text);
    default:
      return text;
  }
}

/**
 * Falco's text alert "<time>: <Priority> <message>" with the priority word coloured and the
 * time dimmed. Lines not in that shape are returned unchanged.
 */
export function colorAlertLine(c: ChalkInstance, line: string, p: PriorityName): string {
  if (c.level === 0) return line;
  const marker = ': ' + p + ' ';
  const i = line.indexOf(marker);
  if (i < 0) return line;
  return c.dim(line.slice(0, i)) + ': ' + paintPriority(c, p) + ' ' + line.slice(i + marker.length);
}

// sysdig's escapes (\e[01;32m ... \e[00m), kept byte-exact
export const SYSDIG_GREEN = '\x1b[01;32m';
export const SYSDIG_CYAN = '\x1b[01;36m';
export const SYSDIG_BLUE = '\x1b[01;34m';
export const SYSDIG_RESET = '\x1b[00m';

/**
 * sysdig's default line as printed to a terminal:
 *   *%evt.num %evt.outputtime %evt.cpu \e[01;32m%proc.name\e[00m (\e[01;36m%proc.pid\e[00m.%thread.tid) %evt.dir \e[01;34m%evt.type\e[00m %evt.info
 * Print SYSDIG_RESET once at exit, as sysdig does.
 */
export class ColorLineFormatter {
  constructor(
    private readonly state: State,
    private readonly params: ParamRenderer,
  ) {}

  format(ev: EventView): string {
    const t = this.state.cur.thread;
    return (
      ev.num +
      ' ' +
      timeOfDay(ev.tsSeconds(), ev.tsNanos()) +
      ' ' +
      ev.cpu +
      ' ' +
      SYSDIG_GREEN +
      (t !== null ? t.comm : '<NA>') +
      SYSDIG_RESET +
      ' (' +
      SYSDIG_CYAN +
      (t !== null ? String(t.pid) : '<NA>') +
      SYSDIG_RESET +
      '.' +
      ev.tid +
      ') ' +
      ((ev.type & 1) === 0 ? '>' : '<') +
      ' ' +
      SYSDIG_BLUE +
      eventTypeName(ev) +
      SYSDIG_RESET +
      ' ' +
      this.params.info(ev)
    );
  }

  /** Same interface as DefaultLineFormatter.writeLine (terminal output is not the hot path). */
  writeLine(ev: EventView, out: Out): void {
    out.line(this.format(ev));
  }
}
