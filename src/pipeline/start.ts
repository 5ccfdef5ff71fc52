/**
 * What every command's step starts from: the state with its parameter renderer (-v, buffer
 * format, -t), the compiled filter and the rules session (-r), either of them null.
 */
import { State } from '../state/state';
import { ParamRenderer, type BufferFormat } from '../params/evtinfo';
import { fieldRegistry, setParamRenderer, setOutputTimeFormat } from '../filter/fields/registry';
import { compileFilter, type CompiledFilter } from '../filter';
import { FilterError } from '../filter/errors';
import { formatFilterError } from '../filter/error-text';
import { InputError } from '../util/errors';
import { lazy } from '../util/lazy';
import type { SessionOptions } from '../rules';
import type { FieldRegistry } from '../filter/field-api';

/** rules (and YAML) load only with -r */
const rulesModule = lazy(() => require('../rules') as typeof import('../rules'));

export interface StartOptions {
  /** the filter text as typed (UTF-8), '' for none */
  filter: string;
  rules?: SessionOptions;
  /** -v: buffers printed whole */
  verbose?: boolean;
  bufferFormat: BufferFormat;
  /** -t h|a|r|d|D */
  timeFormat?: string;
  /** the fields of the filter (and templates): with plugins, their source's; default the catalog */
  registry?: FieldRegistry;
}

/** Compiles a command-line filter; a bad one is an InputError with the column and a caret. */
export function buildFilter(text: string, registry: FieldRegistry = fieldRegistry): CompiledFilter | null {
  if (text.trim() === '') return null;
  const bytes = Buffer.from(text, 'utf8').toString('latin1');
  try {
    return compileFilter(bytes, registry, { bytes: true }); // already UTF-8 bytes: not twice
  } catch (e) {
    if (e instanceof FilterError) throw new InputError(formatFilterError(e, bytes));
    throw e;
  }
}

export function startPipeline(opts: StartOptions) {
  const state = new State();
  const params = new ParamRenderer(state, { maxBufLen: opts.verbose ? 0 : 80, bufferFormat: opts.bufferFormat });
  setParamRenderer(state, params);
  if (opts.timeFormat) setOutputTimeFormat(state, opts.timeFormat);
  const filter = buildFilter(opts.filter, opts.registry);
  const rulesSession = opts.rules ? rulesModule().RulesSession.load(opts.rules) : null;
  return { state, params, filter, rulesSession };
}
