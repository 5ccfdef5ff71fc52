/**
 * Loads a module on first use. A replay of a short trace spends as long loading code as reading
 * events, so what only some runs need (rules and YAML, alert outputs, container clients, tables,
 * chalk, the native addon) is required when used, not at startup.
 *
 *   const rules = lazy(() => require('../some/module') as typeof import('../some/module'));
 *   rules().RulesSession.load(...)
 */
export function lazy<T>(load: () => T): () => T {
  let mod: T | undefined;
  return () => (mod === undefined ? (mod = load()) : mod);
}
