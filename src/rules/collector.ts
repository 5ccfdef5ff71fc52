/**
 * Stage 2 of rule loading (Falco's rule_loader::collector): stores lists, macros and rules in
 * definition order and applies redefinition, `append`, `override` (append/replace) and the
 * deprecated enable-only items. Nothing is parsed here; the compiler does that.
 *
 * Ordering (rules-format.md §2.4): a redefinition keeps the item's first slot (`index`);
 * `visibility` is the position of its latest define/append, which bounds which lists and
 * macros it may reference.
 */
import { Context, LoadResult, RuleLoadError } from './types';
import type { Priority } from '../alert/priority';

/** One exception `fields` / `comps` / values entry: a scalar or a (nested) list. */
export interface ExEntry {
  isList: boolean;
  item: string;
  items: ExEntry[];
}

export const exValid = (e: ExEntry | undefined): boolean =>
  e !== undefined && (e.isList ? e.items.length > 0 : e.item !== '');

export interface ExceptionInfo {
  name: string;
  ctx: Context;
  fields: ExEntry;
  comps: ExEntry;
  values: ExEntry[];
}

export interface ListInfo {
  name: string;
  ctx: Context;
  items: string[];
  index: number;
  visibility: number;
}

export interface MacroInfo {
  name: string;
  ctx: Context;
  cond: string;
  condCtx: Context;
  index: number;
  visibility: number;
}

export interface RuleInfo {
  name: string;
  ctx: Context;
  cond: string;
  condCtx: Context;
  output: string;
  outputCtx: Context;
  desc: string;
  priority: Priority;
  source: string;
  enabled: boolean;
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  capture: boolean;
  captureDuration: number;
  tags: Set<string>;
  exceptions: ExceptionInfo[];
  unknownSource: boolean;
  index: number;
  visibility: number;
}

/** An append or selective replace of an existing rule. */
export interface RuleUpdate {
  name: string;
  ctx: Context;
  source: string;
  cond?: string;
  condCtx?: Context;
  output?: string;
  desc?: string;
  tags?: Set<string>;
  exceptions?: ExceptionInfo[];
  priority?: Priority;
  enabled?: boolean;
  warnEvttypes?: boolean;
  skipIfUnknownFilter?: boolean;
  capture?: boolean;
  captureDuration?: number;
  /** true for the deprecated `append: true` form (older error wording) */
  legacy: boolean;
}

export interface PluginRequirement {
  name: string;
  version: string;
}

/** What the loader needs to know about fields/operators/sources while collecting. */
export interface CollectorEnv {
  sources: ReadonlySet<string>;
  isValidField(name: string): boolean;
  isValidOperator(op: string): boolean;
  isStrOperatorWithModifier(op: string): boolean;
}

/** Falco's engine version (0.44.1 / master); rules requiring a newer one are refused. */
export const ENGINE_VERSION: [number, number, number] = [0, 57, 0];

/** Insertion-ordered store keyed by name. */
class Indexed<T extends { name: string }> {
  readonly items: T[] = [];
  private readonly byName = new Map<string, number>();
  get(name: string): T | undefined {
    const i = this.byName.get(name);
    return i === undefined ? undefined : this.items[i];
  }
  /** Defines or redefines `info` (keeps the old slot and index). */
  define(info: T & { index: number; visibility: number }, id: number): void {
    const i = this.byName.get(info.name);
    if (i !== undefined) {
      const prev = this.items[i] as T & { index: number };
      info.index = prev.index;
      info.visibility = id;
      this.items[i] = info;
    } else {
      info.index = id;
      info.visibility = id;
      this.byName.set(info.name, this.items.length);
      this.items.push(info);
    }
  }
}

export class Collector {
  readonly lists = new Indexed<ListInfo>();
  readonly macros = new Indexed<MacroInfo>();
  readonly rules = new Indexed<RuleInfo>();
  readonly requiredPlugins: PluginRequirement[][] = [];
  requiredEngineVersion: [number, number, number] | null = null;
  private curIndex = 0;

  constructor(readonly env: CollectorEnv) {}

  defineEngineVersion(v: [number, number, number], raw: string, ctx: Context): void {
    const e = ENGINE_VERSION;
    const compatible = v[0] === e[0] && (v[1] < e[1] || (v[1] === e[1] && v[2] <= e[2]));
    if (!compatible) {
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        `Rules require engine version ${v.join('.')}, but engine version is ${e.join('.')}`,
        ctx,
      );
    }
    void raw;
    const cur = this.requiredEngineVersion;
    if (cur === null || cmpVer(cur, v) < 0) this.requiredEngineVersion = v;
  }

  definePlugins(alts: PluginRequirement[], ctx: Context): void {
    const names = new Set<string>();
    for (const r of alts) {
      if (parseSemver(r.version) === null) {
        throw new RuleLoadError(
          'LOAD_ERR_VALIDATE',
          `Invalid required version '${r.version}' for plugin '${r.name}'`,
          ctx,
        );
      }
      if (names.has(r.name)) {
        throw new RuleLoadError(
          'LOAD_ERR_VALIDATE',
          `Defined multiple alternative version requirements for plugin '${r.name}'`,
          ctx,
        );
      }
      names.add(r.name);
    }
    this.requiredPlugins.push(alts);
  }

  defineList(info: ListInfo): void {
    this.lists.define(info, this.curIndex++);
  }

  appendList(info: ListInfo, legacy: boolean): void {
    const prev = this.lists.get(info.name);
    if (!prev) {
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        legacy
          ? "List has 'append' key but no list by that name already exists"
          : "List uses 'append' or 'override.items: append' but no list by that name already exists",
        info.ctx,
      );
    }
    prev.items.push(...info.items);
    prev.visibility = this.curIndex++;
  }

  defineMacro(info: MacroInfo): void {
    this.macros.define(info, this.curIndex++);
  }

  appendMacro(info: MacroInfo, legacy: boolean): void {
    const prev = this.macros.get(info.name);
    if (!prev) {
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        legacy
          ? "Macro has 'append' key but no macro by that name already exists"
          : "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
        info.ctx,
      );
    }
    prev.cond += ' ' + info.cond;
    prev.visibility = this.curIndex++;
  }

  private findPrevRule(name: string, source: string, ctx: Context): RuleInfo | undefined {
    const r = this.rules.get(name);
    if (r && r.source !== '' && source !== '' && r.source !== source) {
      throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Rule has been re-defined with a different source', ctx);
    }
    return r;
  }

  defineRule(info: RuleInfo, res: LoadResult): void {
    this.findPrevRule(info.name, info.source, info.ctx);
    const known = this.env.sources.has(info.source);
    if (!known) {
      info.unknownSource = true;
      res.addWarning('LOAD_UNKNOWN_SOURCE', `Unknown source ${info.source}, skipping`, info.ctx);
    }
    for (const ex of info.exceptions) {
      if (!exValid(ex.fields)) {
        throw new RuleLoadError(
          'LOAD_ERR_VALIDATE',
          'Rule exception item must have fields property with a list of fields',
          ex.ctx,
        );
      }
      this.validateException(ex, known);
    }
    this.rules.define(info, this.curIndex++);
  }

  appendRule(u: RuleUpdate): void {
    const prev = this.findPrevRule(u.name, u.source, u.ctx);
    if (!prev) {
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        u.legacy
          ? "Rule has 'append' key but no rule by that name already exists"
          : "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
        u.ctx,
      );
    }
    if (!hasAnyValue(u))
      throw new RuleLoadError('LOAD_ERR_VALIDATE', 'Appended rule must have exceptions or condition property', u.ctx);
    if (u.cond !== undefined && u.cond !== '') prev.cond += ' ' + u.cond;
    if (u.output !== undefined && u.output !== '') prev.output += ' ' + u.output;
    if (u.desc !== undefined && u.desc !== '') prev.desc += ' ' + u.desc;
    if (u.tags) for (const t of u.tags) prev.tags.add(t);
    if (u.exceptions) {
      for (const ex of u.exceptions) {
        const pe = prev.exceptions.find((e) => e.name === ex.name);
        if (!pe) {
          if (!exValid(ex.fields)) {
            throw new RuleLoadError(
              'LOAD_ERR_VALIDATE',
              'Rule exception must have fields property with a list of fields',
              ex.ctx,
            );
          }
          if (ex.values.length === 0) {
            throw new RuleLoadError(
              'LOAD_ERR_VALIDATE',
              'Rule exception must have values property with a list of values',
              ex.ctx,
            );
          }
          this.validateException(ex, !prev.unknownSource);
          prev.exceptions.push(ex);
        } else {
          if (exValid(ex.fields)) {
            throw new RuleLoadError(
              'LOAD_ERR_VALIDATE',
              'Can not append exception fields to existing exception, only values',
              ex.ctx,
            );
          }
          if (exValid(ex.comps)) {
            throw new RuleLoadError(
              'LOAD_ERR_VALIDATE',
              'Can not append exception comps to existing exception, only values',
              ex.ctx,
            );
          }
          pe.values.push(...ex.values);
        }
      }
    }
    prev.visibility = this.curIndex++;
  }

  replaceRule(u: RuleUpdate): void {
    const prev = this.findPrevRule(u.name, u.source, u.ctx);
    if (!prev) {
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
        u.ctx,
      );
    }
    if (!hasAnyValue(u))
      throw new RuleLoadError('LOAD_ERR_VALIDATE', 'The rule must have at least one field that can be replaced', u.ctx);
    if (u.cond !== undefined) {
      prev.cond = u.cond;
      if (u.condCtx) prev.condCtx = u.condCtx;
    }
    if (u.output !== undefined) prev.output = u.output;
    if (u.desc !== undefined) prev.desc = u.desc;
    if (u.tags !== undefined) prev.tags = u.tags;
    if (u.exceptions !== undefined) {
      for (const ex of u.exceptions) {
        if (!exValid(ex.fields)) {
          throw new RuleLoadError(
            'LOAD_ERR_VALIDATE',
            'Rule exception item must have fields property with a list of fields',
            ex.ctx,
          );
        }
        this.validateException(ex, !prev.unknownSource);
      }
      prev.exceptions = u.exceptions;
    }
    if (u.priority !== undefined) prev.priority = u.priority;
    if (u.capture !== undefined) prev.capture = u.capture;
    if (u.captureDuration !== undefined) prev.captureDuration = u.captureDuration;
    if (u.enabled !== undefined) prev.enabled = u.enabled;
    if (u.warnEvttypes !== undefined) prev.warnEvttypes = u.warnEvttypes;
    if (u.skipIfUnknownFilter !== undefined) prev.skipIfUnknownFilter = u.skipIfUnknownFilter;
    prev.visibility = this.curIndex++;
  }

  enableRule(name: string, enabled: boolean, ctx: Context): void {
    const prev = this.rules.get(name);
    if (!prev)
      throw new RuleLoadError(
        'LOAD_ERR_VALIDATE',
        "Rule has 'enabled' key but no rule by that name already exists",
        ctx,
      );
    prev.enabled = enabled;
  }

  /** Falco's validate_exception_info: default comps, operator and field checks. */
  private validateException(ex: ExceptionInfo, checkFields: boolean): void {
    const fail = (m: string): never => {
      throw new RuleLoadError('LOAD_ERR_VALIDATE', m, ex.ctx);
    };
    const env = this.env;
    if (ex.fields.isList) {
      if (!exValid(ex.comps)) {
        ex.comps = {
          isList: true,
          item: '',
          items: ex.fields.items.map(() => ({ isList: false, item: '=', items: [] })),
        };
      }
      if (ex.fields.items.length !== ex.comps.items.length) fail('Fields and comps lists must have equal length');
      for (const c of ex.comps.items) {
        c.item = c.item.trim();
        if (!env.isValidOperator(c.item) && !env.isStrOperatorWithModifier(c.item))
          fail(`'${c.item}' is not a supported comparison operator`);
      }
      if (checkFields)
        for (const f of ex.fields.items)
          if (!env.isValidField(f.item)) fail(`'${f.item}' is not a supported filter field`);
    } else {
      if (!exValid(ex.comps)) ex.comps = { isList: false, item: 'in', items: [] };
      if (ex.comps.isList) fail('Fields and comps must both be strings');
      ex.comps.item = ex.comps.item.trim();
      const c = ex.comps.item;
      if (c !== 'in' && c !== 'pmatch' && c !== 'intersects' && !env.isStrOperatorWithModifier(c)) {
        fail(
          'When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)',
        );
      }
      if (checkFields && !env.isValidField(ex.fields.item)) fail(`'${ex.fields.item}' is not a supported filter field`);
    }
  }
}

function hasAnyValue(u: RuleUpdate): boolean {
  return (
    u.cond !== undefined ||
    u.output !== undefined ||
    u.desc !== undefined ||
    u.tags !== undefined ||
    u.exceptions !== undefined ||
    u.priority !== undefined ||
    u.enabled !== undefined ||
    u.warnEvttypes !== undefined ||
    u.skipIfUnknownFilter !== undefined ||
    u.capture !== undefined ||
    u.captureDuration !== undefined
  );
}

export function parseSemver(s: string): [number, number, number] | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(s.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function cmpVer(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
