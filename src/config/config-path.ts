/**
 * Falco's configuration key paths (yaml_helper::get_node): `a.b.c`, `list[2].name`,
 * `matrix[1][3]`, `rules[].disable.rule` (an empty index appends, when setting), and
 * backslash escapes for literal `.`, `[`, `]`, `\` in a key name (`annotations.kubernetes\.io/role`).
 * Setting a path creates the maps and list entries it goes through, as yaml-cpp's operator[].
 */

export type Step = { key: string } | { index: number } | { append: true };

/** Falco's "Config error at key ..." */
export class ConfigPathError extends Error {}

/** The steps of a key path; throws ConfigPathError with Falco's wording. */
export function parseConfigPath(key: string): Step[] {
  const fail = (msg: string): never => {
    throw new ConfigPathError(`Config error at key "${key}": Parsing error: ${msg}`);
  };
  const steps: Step[] = [];
  let name = '';
  const shift = (i: number): void => {
    if (name === '') fail(`unexpected character at pos ${i}`);
    steps.push({ key: name });
    name = '';
  };
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '\\') {
      const next = key[i + 1];
      if (next === undefined) fail(`trailing backslash at pos ${i}`);
      if (!'.[]\\'.includes(next)) fail(`invalid escape sequence '\\${next}' at pos ${i}`);
      name += next;
      i++;
      if (i === key.length - 1) shift(i);
      continue;
    }
    if (c !== '.' && c !== '[') {
      if (i > 0 && name === '' && key[i - 1] !== '.') fail(`expected '.' character at pos ${i - 1}`);
      name += c;
    }
    if (c === '.' || c === '[' || i === key.length - 1) shift(i);
    if (c === '[') {
      // (as Falco: a missing ']' takes the rest as the index; `a[0][1]` is refused at the second '[')
      const close = key.indexOf(']', i) < 0 ? key.length : key.indexOf(']', i);
      const idx = key.slice(i + 1, close);
      if (idx === '') steps.push({ append: true });
      else if (/^\s*[+-]?\d/.test(idx)) steps.push({ index: parseInt(idx, 10) });
      else fail(`expected a numeric index, found '${idx}'`);
      i = close;
      if (i < key.length - 1 && key[i + 1] === '.') i++;
    }
  }
  return steps;
}

type Container = Record<string, unknown> | unknown[];

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Sets the node at `key` in `root` to `value`, creating what is missing on the way. */
export function setConfigPath(root: Record<string, unknown>, key: string, value: unknown): void {
  const steps = parseConfigPath(key);
  const fail = (msg: string): never => {
    throw new ConfigPathError(`Config error at key "${key}": ${msg}`);
  };
  let node: Container = root;
  for (let s = 0; s < steps.length; s++) {
    const st = steps[s];
    const last = s === steps.length - 1;
    const nextIsList = !last && !('key' in steps[s + 1]);
    // what the step leads to, made the kind the next step needs (a null or missing node is either)
    const descend = (cur: unknown): Container => {
      if (cur === undefined || cur === null) return nextIsList ? [] : {};
      if (nextIsList ? Array.isArray(cur) : isMap(cur)) return cur as Container;
      return fail(`the node is ${Array.isArray(cur) ? 'a sequence' : isMap(cur) ? 'a map' : 'a scalar'}`);
    };
    if ('key' in st) {
      if (!isMap(node)) return fail(`'${st.key}' names a key of a node that is not a map`);
      if (last) node[st.key] = value;
      else node = node[st.key] = descend(node[st.key]);
    } else {
      if (!Array.isArray(node)) return fail('an index into a node that is not a sequence');
      const i: number = 'append' in st ? node.length : st.index;
      if (i < 0 || i > node.length) fail(`index ${i} is out of the sequence's range (0-${node.length})`);
      if (last) node[i] = value;
      else node = node[i] = descend(node[i]);
    }
  }
}
