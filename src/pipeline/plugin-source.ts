/**
 * Source plugins as an event source: each open plugin's batches of scap plugin events (code
 * 322: plugin id + payload), one event at a time into the step, so filters, rules, outputs and
 * -w see them as they see syscalls. Several sources take turns batch by batch, as Falco runs
 * one capture per source. A plugin's error stops the run with one line naming it; the events
 * it produced before the error have been processed.
 */
import { EventView } from '../event/view';
import { EVENTS } from '../event/generated/events';
import { InputError } from '../util/errors';
import { PluginError, type OpenedSource, type PluginBatch } from '../plugins/loaded-plugin';
import type { ActivePlugin } from '../plugins/registry';
import { PLUGIN_EVENT_CODE, eventOffsets, eventType } from '../plugins/native/plugin-event';
import type { EventStep } from './event-step';

const HDR = 26;
/** libs' "no timestamp": the framework stamps the event with the time it is read */
const NO_TS = 0xffffffffffffffffn;
/** how long to wait when no source had an event ready */
const IDLE_MS = 10;

interface Open {
  a: ActivePlugin;
  src: OpenedSource;
  view: EventView;
  /** evt.num of the source's events (each source counts its own, as each Falco capture does) */
  num: number;
  done: boolean;
}

/** Opens each source (its open_params) and feeds its events to the step until all end or it stops. */
export async function runPluginSources(step: EventStep, sources: readonly ActivePlugin[]): Promise<boolean> {
  const open: Open[] = [];
  try {
    for (const a of sources)
      open.push({
        a,
        src: await guard(() => a.plugin.open(a.config.openParams)),
        view: new EventView(),
        num: 0,
        done: false,
      });
    while (!step.stopped && open.some((o) => !o.done)) {
      let any = 0;
      for (const o of open) {
        if (o.done || step.stopped) continue;
        let b: PluginBatch;
        try {
          b = await o.src.next();
        } catch (e) {
          // what the plugin read before failing is processed, then the error ends the run
          if (e instanceof PluginError && e.batch !== undefined) feed(step, o, e.batch);
          throw asInput(e);
        }
        any += b.count;
        feed(step, o, b);
        if (b.eof) o.done = true;
      }
      // a turn for the event loop (signals, outputs, timers); a pause when nothing came
      await new Promise<void>((resolve) => (any > 0 ? setImmediate(resolve) : setTimeout(resolve, IDLE_MS)));
    }
  } finally {
    for (const o of open) await guard(() => o.src.close()).catch(() => undefined);
  }
  return !step.stopped;
}

function feed(step: EventStep, o: Open, b: PluginBatch): void {
  const buf = b.data;
  const id = o.a.plugin.info.id!;
  const view = o.view;
  for (const off of eventOffsets(buf)) {
    if (step.stopped) return;
    const type = eventType(buf, off);
    const info = EVENTS[type];
    if (type !== PLUGIN_EVENT_CODE || !info)
      throw new InputError(
        `plugin '${o.a.plugin.info.name}': produced an event of type ${type}, not a plugin event`,
        1,
      );
    // (a plugin may leave its id to the framework: 0)
    if (buf.readUInt32LE(off + HDR + 8) === 0) buf.writeUInt32LE(id, off + HDR + 8);
    if (buf.readBigUInt64LE(off) === NO_TS) buf.writeBigUInt64LE(BigInt(Date.now()) * 1_000_000n, off);
    view.setHot(buf, off, off + HDR, buf.readUInt32LE(off + 16), type, info, buf.readUInt32LE(off + 22), false);
    view.cpu = 0;
    view.tsLo = buf.readUInt32LE(off);
    view.tsHi = buf.readUInt32LE(off + 4);
    view.tid = Number(buf.readBigInt64LE(off + 8));
    view.num = ++o.num;
    view.blockOffset = 0;
    step.event(view);
  }
}

async function guard<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw asInput(e);
  }
}

/** a plugin's error is the run's error: one line naming the plugin, exit status 1 */
function asInput(e: unknown): unknown {
  return e instanceof PluginError ? new InputError(e.message, 1) : e;
}
