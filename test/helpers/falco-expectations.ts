/**
 * Matching Falco's expected load errors and warnings (../shared/falco-tests) against ours:
 * the codes and wordings Falco changed since those tests were written (2023) map to the
 * current ones, which falco-ts follows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

export interface Msg {
  item_type: string;
  item_name: string;
  code: string;
  message?: string;
  message_contains?: string;
}

/** Falco's rewordings and renamed codes since these tests (one home: the deliberate differences) */
const CHANGES = YAML.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', '..', 'scripts', 'falco-deliberate-differences.yaml'), 'utf8'),
) as { reworded: Record<string, string>; renamed_codes: Record<string, string> };
export const REWORDED = CHANGES.reworded;
export const RENAMED_CODES = CHANGES.renamed_codes;
export const sameCode = (got: string, exp: string): boolean => got === exp || got === RENAMED_CODES[exp];

export const sameMsg = (got: { message: string }, exp: Msg): boolean => {
  if (exp.message_contains) {
    // an integer engine version N now reads as 0.N.0
    const cur = exp.message_contains.replace(/engine version (\d+),/, 'engine version 0.$1.0,');
    return got.message.includes(exp.message_contains) || got.message.includes(cur);
  }
  const m = exp.message ?? '';
  return got.message === m || got.message === REWORDED[m];
};
