/**
 * The k8saudit plugin (falcosecurity/plugins plugins/k8saudit, 0.18.0) in TypeScript on the
 * plugin API: source `k8s_audit` (plugin id 1) and the ka.* fields over its events. The file
 * source is here; open_params with a scheme (the webhook's http(s)://, file:// watching) are
 * refused in one line until they exist.
 */
import type { FalcoPlugin } from '../api';
import { DecodedEventCache, payloadText } from '../json/json-value';
import { DEFAULT_CONFIG, INIT_SCHEMA, type K8sAuditConfig, parseConfig } from './config';
import { extractField } from './extract';
import { K8SAUDIT_FIELDS } from './fields';
import { AuditFileSource } from './file-source';
import { AuditWebhookSource } from './webhook-source';
import { AuditWatchSource } from './watch-source';

/** the upstream release whose fields and semantics these are (rules' required_plugin_versions) */
export const K8SAUDIT_PLUGIN_VERSION = '0.18.0';
export const K8S_AUDIT_SOURCE = 'k8s_audit';

export interface K8sAuditOptions {
  /** where the plugin's log lines go (default: stderr, prefixed "[k8saudit] ") */
  warn?: (msg: string) => void;
}

/** Go's url.Parse scheme: letters, digits, '+', '-', '.' before the first ':' */
function schemeOf(params: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(params);
  return m ? m[1].toLowerCase() : '';
}

/** A new instance of the k8saudit plugin (each keeps its config and parsed-event cache). */
export function createK8sAuditPlugin(opts: K8sAuditOptions = {}): FalcoPlugin {
  const warn = opts.warn ?? ((m: string) => void process.stderr.write(`[k8saudit] ${m}\n`));
  const cache = new DecodedEventCache('k8saudit', 'broken JSON data');
  let config: K8sAuditConfig = { ...DEFAULT_CONFIG };
  return {
    name: 'k8saudit',
    version: K8SAUDIT_PLUGIN_VERSION,
    requiredApiVersion: '3.0.0',
    description: 'Read Kubernetes Audit Events and monitor Kubernetes Clusters',
    contact: 'github.com/falcosecurity/plugins',
    initSchema: INIT_SCHEMA,
    init(text) {
      config = parseConfig(text);
    },
    id: 1,
    eventSource: K8S_AUDIT_SOURCE,
    openParams: () => [
      { value: 'http://:9765/k8s-audit', desc: 'the webhook backend of the API server (HTTP)' },
      { value: '/var/log/kube-apiserver/audit.log', desc: 'a file of audit events, one JSON document a line' },
    ],
    open(params) {
      const scheme = schemeOf(params);
      if (scheme === 'http' || scheme === 'https') return AuditWebhookSource.open(params, config, warn);
      if (scheme === 'file') return new AuditWatchSource(params, config.maxEventSize, warn);
      if (scheme !== '') throw new Error(`k8saudit: scheme "${scheme}" is not supported`);
      return new AuditFileSource(params, config.maxEventSize, warn);
    },
    eventToString: (evt) => payloadText(evt.data),
    fields: K8SAUDIT_FIELDS,
    extract(evt, reqs) {
      const doc = cache.decode(evt);
      return reqs.map((r) => extractField(doc, r));
    },
  };
}

/** The built-in k8saudit plugin. */
export const k8sauditPlugin: FalcoPlugin = createK8sAuditPlugin();
