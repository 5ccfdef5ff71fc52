/**
 * Loading rules files (Falco's falco_engine::load_rules): every file goes through the reader
 * into one shared collector, then everything collected so far is recompiled. Directories
 * load their *.yml / *.yaml files in name order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileFilter, supportedOperators } from '../filter';
import type { FieldRegistry } from '../filter/field-api';
import { Collector, CollectorEnv, cmpVer, parseSemver } from './collector';
import { CompiledRuleset, compileCollected, type CompilerOptions } from './compiler';
import { readRules } from './reader';
import { Context, LoadResult, RuleLoadError } from './types';

/** Plugins whose fields falco-ts provides natively (the container plugin's container.* / k8s.*). */
export const BUILTIN_PLUGINS: Record<string, string> = { container: '0.4.0' };

const MODIFIER_OP =
  /^(=|==|!=|<=|<|>=|>|glob|iglob|contains|icontains|startswith|endswith|bcontains|bstartswith|regex|pmatch) (oneof|anyof|allof)$/;

export function isStrOperatorWithModifier(op: string): boolean {
  return MODIFIER_OP.test(op);
}

/** Hostile-input bound: real rules files are ~100 KB; YAML parsing costs ~200 bytes of memory per byte. */
const MAX_RULES_BYTES = 4 * 1024 * 1024;
const tooLarge = (n: number): string =>
  `Rules file too large: ${n} bytes (at most ${MAX_RULES_BYTES}); refusing to parse it`;

export interface LoaderOptions {
  registry: FieldRegistry;
  /** the fields of a plugin source (rules with `source: X`); absent: `registry` */
  registryFor?: (source: string) => FieldRegistry | undefined;
  /** event sources rules may use (default: syscall) */
  sources?: string[];
  /**
   * text appended to every rule output (Falco's append_output); a function is asked at each
   * compile (everything collected so far is recompiled after each file, so the last file's
   * answer is the one that stays)
   */
  extraOutput?: string | ((loader: RulesLoader) => string | undefined);
  ruleExtraOutput?: CompilerOptions['ruleExtraOutput'];
}

export class RulesLoader {
  readonly collector: Collector;
  readonly results: LoadResult[] = [];
  ruleset: CompiledRuleset = { rules: [], macros: [], lists: [] };
  private readonly validFields = new Map<string, boolean>();

  constructor(readonly opts: LoaderOptions) {
    const ops = new Set(supportedOperators(false));
    const env: CollectorEnv = {
      sources: new Set(opts.sources ?? ['syscall']),
      isValidField: (f) => this.isValidField(f),
      isValidOperator: (op) => ops.has(op),
      isStrOperatorWithModifier,
    };
    this.collector = new Collector(env);
  }

  private isValidField(f: string): boolean {
    let ok = this.validFields.get(f);
    if (ok === undefined) {
      try {
        compileFilter(`${f} exists`, this.opts.registry);
        ok = true;
      } catch {
        ok = false;
      }
      this.validFields.set(f, ok);
    }
    return ok;
  }

  /** Loads one rules text (name is used in messages). Returns its result. */
  loadContent(name: string, content: string): LoadResult {
    const res = new LoadResult(name, content);
    this.results.push(res);
    if (content.length > MAX_RULES_BYTES) {
      res.addError('LOAD_ERR_FILE_READ', tooLarge(content.length), Context.file(name));
      return res;
    }
    if (!readRules(res, this.collector)) return res;
    try {
      this.ruleset = compileCollected(this.collector, res, {
        registry: this.opts.registry,
        registryFor: this.opts.registryFor,
        isModifierOp: isStrOperatorWithModifier,
        extraOutput: typeof this.opts.extraOutput === 'function' ? this.opts.extraOutput(this) : this.opts.extraOutput,
        ruleExtraOutput: this.opts.ruleExtraOutput,
      });
    } catch (e) {
      if (e instanceof RuleLoadError) res.addError(e.code, e.message, e.ctx);
      else throw e;
    }
    return res;
  }

  /** Loads a file or every *.yml/*.yaml file of a directory (sorted). */
  loadPath(p: string): LoadResult[] {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      const res = new LoadResult(p, '');
      res.addError('LOAD_ERR_FILE_READ', `Could not read rules file ${p}: ${(e as Error).message}`, Context.file(p));
      this.results.push(res);
      return [res];
    }
    if (st.isDirectory()) {
      const files = fs
        .readdirSync(p)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
      const out: LoadResult[] = [];
      for (const f of files) {
        const r = this.loadPath(path.join(p, f));
        out.push(...r);
        if (r.some((x) => !x.ok)) break;
      }
      return out;
    }
    if (st.size > MAX_RULES_BYTES) {
      // refused before reading it: parsing YAML takes ~200 bytes of memory per byte
      const res = new LoadResult(p, '');
      res.addError('LOAD_ERR_FILE_READ', tooLarge(st.size), Context.file(p));
      this.results.push(res);
      return [res];
    }
    return [this.loadContent(p, fs.readFileSync(p, 'utf8'))];
  }

  /**
   * Falco's check_plugin_requirements: each requirement must be met by a built-in plugin
   * (or one of its alternatives); returns the error messages.
   */
  pluginRequirementErrors(loaded: ReadonlyMap<string, string> = new Map()): string[] {
    const errs: string[] = [];
    for (const alts of this.collector.requiredPlugins) {
      // a loaded plugin of a required name decides (too old: Falco names it and its version)
      const req = alts.find((a) => loaded.has(a.name));
      if (req !== undefined) {
        const have = loaded.get(req.name)!;
        const hv = parseSemver(have);
        const rv = parseSemver(req.version);
        if (hv === null) errs.push(`Plugin '${req.name}' has invalid version string '${have}'`);
        else if (rv === null || hv[0] !== rv[0] || cmpVer(hv, rv) < 0)
          errs.push(
            `Plugin '${req.name}' version '${have}' is not compatible with required plugin version '${req.version}'`,
          );
        continue;
      }
      const ok = alts.some((a) => {
        const have = BUILTIN_PLUGINS[a.name];
        const hv = have ? parseSemver(have) : null;
        const rv = parseSemver(a.version);
        return hv !== null && rv !== null && hv[0] === rv[0] && cmpVer(hv, rv) >= 0;
      });
      if (!ok) {
        errs.push(
          'Plugin requirement not satisfied, must load one of: ' +
            alts.map((a) => `${a.name} (>= ${a.version})`).join(', '),
        );
      }
    }
    return errs;
  }

  /** True when some loaded file requires the container plugin (so Falco would have it loaded). */
  requiresContainerPlugin(): boolean {
    return this.collector.requiredPlugins.some((alts) => alts.some((a) => a.name === 'container'));
  }
}
