/**
 * Matching Falco's expected load errors and warnings (../shared/falco-tests) against ours:
 * the codes and wordings Falco changed since those tests were written (2023) map to the
 * current ones, which falco-ts follows.
 */
export interface Msg {
  item_type: string;
  item_name: string;
  code: string;
  message?: string;
  message_contains?: string;
}

/**
 * Wording changes between the Falco of these tests (0.35, 2023) and current Falco, which we
 * follow: old expected message → current message.
 */
export const REWORDED: Record<string, string> = {
  "Macro has 'append' key but no macro by that name already exists":
    "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
  "List has 'append' key but no list by that name already exists":
    "List uses 'append' or 'override.items: append' but no list by that name already exists",
  "Rule has 'append' key but no rule by that name already exists":
    "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
  "Can't decode YAML scalar value":
    'Unable to parse engine version \'not-a-number\' as a semver string. Expected "x.y.z" semver format.',
  'Rule exception must have fields property with a list of fields':
    'Rule exception item must have fields property with a list of fields',
};

/** Renamed codes: LOAD_UNKNOWN_FIELD became LOAD_UNKNOWN_FILTER. */
export const RENAMED_CODES: Record<string, string> = { LOAD_UNKNOWN_FIELD: 'LOAD_UNKNOWN_FILTER' };
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
