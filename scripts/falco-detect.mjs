// How a Falco regression test's detection keys (detect, detect_level, detect_counts) read as
// a spec's `expect` (total, all_priorities, alerts): one home for gen-falco-specs.mjs and
// gen-k8s-audit-specs.mjs.
const list = (v) => (v === undefined ? [] : [].concat(v));

/** Adds the test's detection expectations to `expect`. */
export function addDetectExpectations(t, expect) {
  if (t.detect === false) expect.total = 0;
  if (t.detect === true) {
    expect.total = { at_least: 1 };
    // Falco's harness wants a count for each level in its summary
    if (list(t.detect_level).length) expect.all_priorities = list(t.detect_level);
  }
  const counts = {};
  for (const dc of list(t.detect_counts)) Object.assign(counts, dc);
  if (Object.keys(counts).length) expect.alerts = counts;
}
