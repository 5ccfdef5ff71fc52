/** A `.so` plugin (NativePlugin) behind the one loaded-plugin interface. */
import type { FalcoLogger } from '../../log/falco-logger';
import type { PluginField, PluginFieldType } from '../api';
import { PluginError, type LoadedPlugin, type OpenedSource, type PluginFieldReader } from '../loaded-plugin';
import { NativePlugin, NativePluginError, type NativeSourceInstance } from './native-plugin';

/** events asked of the plugin per batch (Falco asks next_batch for what the plugin has) */
const BATCH = 1024;

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof NativePluginError)) throw e;
    const err = new PluginError(e.message);
    const b = (e as NativePluginError & { batch?: { data: Buffer; count: number } }).batch;
    if (b !== undefined) err.batch = { data: b.data, count: b.count, eof: false };
    throw err;
  }
}

export function loadNativePlugin(path: string, logger?: FalcoLogger): LoadedPlugin {
  const p = wrap(() => NativePlugin.load(path, { logger }));
  const n = p.info;
  const fields: PluginField[] = n.fields.map((f) => ({
    name: f.name,
    type: f.type as PluginFieldType,
    isList: f.isList,
    arg: f.arg,
    display: f.display,
    desc: f.desc,
    properties: f.properties,
    addOutput: f.addOutput,
  }));
  return {
    info: {
      name: n.name,
      version: n.version,
      description: n.description,
      contact: n.contact,
      requiredApiVersion: n.requiredApiVersion,
      path,
      kind: 'native',
      capabilities: { sourcing: n.capabilities.sourcing, extraction: n.capabilities.extraction, parsing: n.capabilities.parsing },
      id: n.id,
      eventSource: n.eventSource,
      fields,
      extractEventSources: n.extractEventSources,
      initSchema: n.initSchema,
    },
    init: (config) => wrap(() => p.init(config)),
    open: (params) => source(wrap(() => p.open(params))),
    field: (name, arg): PluginFieldReader => {
      const ex = wrap(() => p.extractor([arg === null ? name : `${name}[${arg}]`]));
      return (buf, off, evtnum, src) => wrap(() => ex.extract(buf, off, evtnum, src)[0]);
    },
    destroy: () => wrap(() => p.destroy()),
  };
}

function source(inst: NativeSourceInstance): OpenedSource {
  return {
    next: () => {
      const b = wrap(() => inst.nextBatch(BATCH));
      // (a timeout is an empty batch: the runner asks again)
      return { data: b.data, count: b.count, eof: b.eof };
    },
    close: () => wrap(() => inst.close()),
  };
}
