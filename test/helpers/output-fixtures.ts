/**
 * Shared by the output tests: alerts from a real replay (events of a capture matching a
 * filter, shaped as Falco alerts), and a local HTTP server that answers like falcosidekick.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import { readTraceFile } from '../../src/scap/file-source';
import { State } from '../../src/state/state';
import '../../src/state/parsers';
import { ParamRenderer } from '../../src/params/evtinfo';
import { fieldRegistry, setParamRenderer, observeEvent } from '../../src/filter/fields/registry';
import { compileFilter } from '../../src/filter';
import { EVENTS } from '../../src/event/generated/events';
import type { EventView } from '../../src/event/view';
import { type FalcoAlert, StaticAlert } from '../../src/alert/alert';
import { textFromBytes } from '../../src/util/bytes';
import { PRIORITY_NAMES, type Priority, type PriorityName } from '../../src/alert/priority';
import type { OutputManager } from '../../src/output/manager';

const INTERNAL = new Set(EVENTS.filter((e) => e && e.category.includes('EC_INTERNAL')).map((e) => e!.code));

/**
 * Replays `file`; every non-internal event matching `filter` becomes one alert, emitted into
 * `sink` during the replay (yielding between chunks like the replay command). Returns the
 * evt.num of every alert, in order.
 */
export async function replayAlerts(
  file: string,
  filter: string,
  sink: Pick<OutputManager, 'emit'> & Partial<Pick<OutputManager, 'yieldIfPending'>>,
): Promise<number[]> {
  const state = new State();
  setParamRenderer(state, new ParamRenderer(state, { maxBufLen: 80, bufferFormat: 'normal' }));
  const flt = compileFilter(filter, fieldRegistry);
  const proc = fieldRegistry.bind('proc.name', null);
  const type = fieldRegistry.bind('evt.type', null);
  const time = fieldRegistry.bind('evt.time', null);
  const nums: number[] = [];
  await readTraceFile(
    file,
    {
      onSection: (m) => state.loadSection(m),
      onEvent: (ev: EventView) => {
        observeEvent(state, ev);
        state.processEvent(ev);
        if (state.cur.hidden || INTERNAL.has(ev.type) || !flt.match(ev, state)) return;
        const p = (ev.num % PRIORITY_NAMES.length) as Priority;
        const pn = textFromBytes(proc.format(ev, state) ?? '<NA>');
        const et = type.format(ev, state) ?? '<NA>';
        const a = new StaticAlert({
          hostname: 'test-host',
          text: `${time.format(ev, state)}: ${PRIORITY_NAMES[p]} ${et} by ${pn} (evt.num=${ev.num})`,
          fields: { 'evt.num': ev.num, 'evt.type': et, 'proc.name': pn },
          priority: p,
          rule: `Saw ${et}`,
          source: 'syscall',
          tags: ['test', 'replay'],
          timeNs: ev.tsBig(),
        });
        nums.push(ev.num);
        sink.emit(a);
      },
    },
    sink.yieldIfPending ? { onProgress: () => sink.yieldIfPending!() } : undefined,
  );
  return nums;
}

export interface AlertChanges {
  text?: string;
  fields?: Record<string, string | number | bigint | boolean | null>;
  priority?: PriorityName;
  rule?: string;
  tags?: string[];
}

/** A test alert: Warning, rule 'Test rule', time 2016-08-04T16:17:57.881759471Z. */
export function makeAlert(i: number, over: AlertChanges = {}): FalcoAlert {
  return new StaticAlert({
    hostname: 'test-host',
    text: over.text ?? `12:00:00.000000000: Warning alert ${i}`,
    fields: over.fields ?? { 'evt.num': i, 'proc.name': 'cat' },
    priority: PRIORITY_NAMES.indexOf(over.priority ?? 'Warning') as Priority,
    rule: over.rule ?? 'Test rule',
    source: 'syscall',
    tags: over.tags ?? ['test'],
    timeNs: 1470327477881759471n,
  });
}

export interface Sidekick {
  port: number;
  url: string;
  /** evt.num of each accepted alert → times received */
  received: Map<number, number>;
  accepted: number;
  rejected: number;
  /** request headers of the last request */
  lastHeaders: http.IncomingHttpHeaders | null;
  /** with `hold`: requests received and not answered yet */
  held: number;
  /** with `hold`: answers the held requests, and every later one at once */
  release(): void;
  close(): Promise<void>;
}

/**
 * A falcosidekick stand-in on 127.0.0.1: 400 unless `priority`, `rule`, `time` and a
 * non-empty `output_fields` are present, 200 otherwise. `silent`: accept and never answer;
 * `hold`: answer only after release(); `reset`: close each connection without an answer.
 */
export function startSidekick(
  opts: { port?: number; silent?: boolean; hold?: boolean; reset?: boolean } = {},
): Promise<Sidekick> {
  let waiting: (() => void)[] | null = opts.hold ? [] : null;
  const sk: Sidekick = {
    port: 0,
    url: '',
    received: new Map(),
    accepted: 0,
    rejected: 0,
    lastHeaders: null,
    held: 0,
    release: () => {
      const w = waiting ?? [];
      waiting = null;
      sk.held = 0;
      for (const answer of w) answer();
    },
    close: () => Promise.resolve(),
  };
  const server = http.createServer((req, res) => {
    sk.lastHeaders = req.headers;
    if (opts.silent) return; // never answers
    if (opts.reset) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let ok = false;
      let body: Record<string, unknown> | null;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> | null;
      } catch {
        body = null;
      }
      if (req.method === 'POST' && body !== null && typeof body === 'object') {
        const of = body.output_fields as Record<string, unknown> | undefined;
        ok =
          typeof body.priority === 'string' &&
          body.priority !== '' &&
          typeof body.rule === 'string' &&
          body.rule !== '' &&
          typeof body.time === 'string' &&
          body.time !== '' &&
          of !== undefined &&
          of !== null &&
          typeof of === 'object' &&
          Object.keys(of).length > 0;
      }
      if (!ok) {
        sk.rejected++;
        res.writeHead(400);
        res.end('Please send a valid request body');
        return;
      }
      const answer = () => {
        sk.accepted++;
        const n = Number((body!.output_fields as Record<string, unknown>)['evt.num']);
        sk.received.set(n, (sk.received.get(n) ?? 0) + 1);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('');
      };
      if (waiting !== null) {
        waiting.push(answer);
        sk.held++;
      } else answer();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      sk.port = (server.address() as net.AddressInfo).port;
      sk.url = `http://127.0.0.1:${sk.port}/`;
      sk.close = () =>
        new Promise((r) => {
          server.closeAllConnections();
          server.close(() => r());
        });
      resolve(sk);
    });
  });
}

/** A loopback port that nothing listens on (just released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls cond until true or timeout (ms); returns whether it held. */
export async function until(cond: () => boolean, timeoutMs = 20000, stepMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}
