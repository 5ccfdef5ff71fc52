/**
 * Falco's -V FILE... (actions/validate_rules_files.cpp): each file loaded in order into one
 * engine; stdout gets, per file, `FILE: Ok`, `FILE: Ok, with warnings` (the warnings go to
 * stderr) or `FILE: Invalid` with its errors; with json_output one
 * `{"falco_load_results": [...]}`. With -L or -l, the described rules follow a valid load.
 * Any invalid file makes the run fail with the same summary (Falco's `Error: ...`, exit 1).
 */
import { fieldRegistry } from '../../filter/fields/registry';
import type { RulesLoader } from '../../rules';
import { FalcoError } from './errors';
import type { PluginSet } from '../../plugins/registry';
import { ruleSources } from '../../rules/sources';
import { falcoJson } from './json';
import { describeJson, describeText } from './describe';

export interface ValidateOptions {
  files: string[];
  json: boolean;
  /** -L (null) or -l RULE to describe after a successful load; undefined for neither */
  describe?: string | null;
  /** the loaded plugins: their sources and fields, their versions */
  plugins?: PluginSet;
}

/** Prints the validation report; throws FalcoError with the summary when a file is invalid. */
export function validateRulesFiles(o: ValidateOptions): void {
  const R = require('../../rules') as typeof import('../../rules');
  const src = ruleSources(fieldRegistry, o.plugins);
  const loader: RulesLoader = new R.RulesLoader({
    registry: src.base,
    registryFor: src.registryFor,
    sources: src.sources,
  });
  const summary: string[] = [];
  const results: object[] = [];
  let ok = true;
  for (const f of o.files) {
    for (const r of loader.loadPath(f)) {
      ok &&= r.ok;
      if (o.json) results.push(R.resultJson(r));
      if (!r.ok || r.warnings.length === 0) summary.push(R.formatResult(r, true));
      else {
        summary.push(`${r.name}: Ok, with warnings`);
        process.stderr.write(R.formatResult(r, true) + '\n');
      }
    }
  }
  // (Falco checks the plugin requirements after each file: a file needing an absent plugin fails)
  const req = loader.pluginRequirementErrors(o.plugins?.versions());
  if (req.length > 0) throw new FalcoError(req.join('\n'));
  const described = ok && o.describe !== undefined ? describeJson(loader, o.describe) : null;
  if (o.json) {
    const res: Record<string, unknown> = { falco_load_results: results };
    if (described !== null) res.falco_describe_results = described;
    process.stdout.write(falcoJson(res) + '\n');
  } else {
    process.stdout.write(summary.join('\n') + '\n');
    if (described !== null) process.stdout.write('\n' + describeText(described));
  }
  if (!ok) throw new FalcoError(summary.join('\n'));
}
