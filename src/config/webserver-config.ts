/**
 * falco.yaml's `webserver` section: defaults and checks as falco_configuration::load_yaml
 * (the code defaults, not the shipped file's: `enabled` is false unless the file says so).
 */
import * as net from 'node:net';
import type { ConfigReader } from './config-reader';

export interface WebserverConfig {
  enabled: boolean;
  /** Falco's HTTP thread pool size; Node serves on its one event loop, so only checked */
  threadiness: number;
  listenPort: number;
  listenAddress: string;
  healthzEndpoint: string;
  prometheusMetricsEnabled: boolean;
  sslEnabled: boolean;
  /** one PEM file holding the private key and the certificate (Falco's falco.pem) */
  sslCertificate: string;
}

export function readWebserverConfig(r: ConfigReader): WebserverConfig {
  const uint = (k: string, dflt: number): number => {
    const n = r.num(k, dflt);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) r.fail(`${k}: expected an unsigned integer, got '${n}'`);
    return n;
  };
  const listenAddress = r.scalar('webserver.listen_address') ?? '0.0.0.0';
  if (net.isIP(listenAddress) === 0) r.fail(`webserver listen address "${listenAddress}" is not a valid IP address`);
  const listenPort = uint('webserver.listen_port', 8765);
  if (listenPort > 65535) r.fail(`webserver.listen_port: ${listenPort} is not a TCP port (0-65535)`);
  const healthzEndpoint = r.scalar('webserver.k8s_healthz_endpoint') ?? '/healthz';
  if (!healthzEndpoint.startsWith('/'))
    r.fail(`webserver.k8s_healthz_endpoint: expected a path starting with '/', got '${healthzEndpoint}'`);
  return {
    enabled: r.bool('webserver.enabled', false),
    threadiness: uint('webserver.threadiness', 0),
    listenPort,
    listenAddress,
    healthzEndpoint,
    prometheusMetricsEnabled: r.bool('webserver.prometheus_metrics_enabled', false),
    sslEnabled: r.bool('webserver.ssl_enabled', false),
    sslCertificate: r.scalar('webserver.ssl_certificate') ?? '/etc/falco/falco.pem',
  };
}
