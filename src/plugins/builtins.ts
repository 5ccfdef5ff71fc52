/**
 * The plugins falco-ts carries, written in TypeScript on the plugin API: what a falco.yaml
 * `plugins:` entry named k8saudit or json selects when its library_path is not found, and
 * what `required_plugin_versions` is checked against. Each call makes a fresh instance (a
 * plugin keeps its init config and caches).
 */
import type { FalcoPlugin } from './api';
import { createJsonPlugin } from './json/json-plugin';
import { createK8sAuditPlugin } from './k8saudit/k8saudit-plugin';

export const BUILTIN_TS_PLUGINS: Readonly<Record<string, () => FalcoPlugin>> = {
  k8saudit: () => createK8sAuditPlugin(),
  json: () => createJsonPlugin(),
};
