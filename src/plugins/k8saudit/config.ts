/**
 * The k8saudit plugin's init_config (a JSON object; empty means defaults, as libsinsp passes
 * "{}" to a plugin with a schema), with the plugin's defaults. Unknown keys are allowed.
 */
export interface K8sAuditConfig {
  /** the HTTPS webhook's certificate (and key) file */
  sslCertificate: string;
  /** the Go SDK's async extraction: accepted, nothing to tune here */
  useAsync: boolean;
  /** bytes; a larger event is dropped */
  maxEventSize: number;
  /** bytes; a larger webhook POST body is refused */
  webhookMaxBatchSize: number;
}

export const DEFAULT_CONFIG: Readonly<K8sAuditConfig> = {
  sslCertificate: '/etc/falco/falco.pem',
  useAsync: true,
  // the plugin SDK's default event size: 256 KiB
  maxEventSize: 262144,
  // the API server's --audit-webhook-truncate-max-batch-size default (10 MiB) plus ~20%
  webhookMaxBatchSize: 12 * 1024 * 1024,
};

export const INIT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  properties: {
    sslCertificate: {
      type: 'string',
      title: 'SSL certificate',
      description: 'The SSL Certificate to be used with the HTTPS Webhook endpoint (Default: /etc/falco/falco.pem)',
      default: DEFAULT_CONFIG.sslCertificate,
    },
    useAsync: {
      type: 'boolean',
      title: 'Use async extraction',
      description: 'If true then async extraction optimization is enabled (Default: true)',
      default: true,
    },
    maxEventSize: {
      type: 'integer',
      title: 'Maximum event size',
      description: 'Maximum size of single audit event (Default: 262144)',
      default: DEFAULT_CONFIG.maxEventSize,
    },
    webhookMaxBatchSize: {
      type: 'integer',
      title: 'Maximum webhook request size',
      description: 'Maximum size of incoming webhook POST request bodies (Default: 12582912)',
      default: DEFAULT_CONFIG.webhookMaxBatchSize,
    },
  },
  additionalProperties: true,
};

const KINDS: Record<keyof K8sAuditConfig, 'string' | 'boolean' | 'size'> = {
  sslCertificate: 'string',
  useAsync: 'boolean',
  maxEventSize: 'size',
  webhookMaxBatchSize: 'size',
};

/** Parses init_config; throws a one-line error naming the bad key. */
export function parseConfig(text: string): K8sAuditConfig {
  const c: K8sAuditConfig = { ...DEFAULT_CONFIG };
  if (text.trim() === '') return c;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new Error(`k8saudit: init_config is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o))
    throw new Error('k8saudit: init_config must be an object');
  const rec = o as Record<string, unknown>;
  for (const [k, kind] of Object.entries(KINDS) as [keyof K8sAuditConfig, string][]) {
    if (!(k in rec)) continue;
    const v = rec[k];
    const ok = kind === 'size' ? typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 : typeof v === kind;
    if (!ok)
      throw new Error(
        `k8saudit: init_config ${k}: expected ${kind === 'size' ? 'a non-negative integer' : `a ${kind}`}`,
      );
    (c as unknown as Record<string, unknown>)[k] = v;
  }
  return c;
}
