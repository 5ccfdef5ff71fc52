/**
 * Falco's embedded web server: GET <k8s_healthz_endpoint>, /versions and (when both
 * webserver.prometheus_metrics_enabled and metrics.enabled) /metrics. HTTPS when
 * webserver.ssl_enabled, the key and certificate read from the one PEM file, as Falco does.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { WebserverConfig } from '../config/webserver-config';
import { InputError } from '../util/errors';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus';

export interface Routes {
  versionsJson: string;
  /** the /metrics body, or null when /metrics is not served */
  metricsText: (() => string) | null;
}

export class FalcoWebServer {
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  /** Listens; a bad certificate or a busy port is an InputError. */
  static async start(cfg: WebserverConfig, routes: Routes): Promise<FalcoWebServer> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = (req.url ?? '/').split('?')[0];
      const send = (code: number, type: string, body: string) => {
        res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'Method Not Allowed\n');
      if (url === cfg.healthzEndpoint) return send(200, 'application/json', '{"status": "ok"}');
      if (url === '/versions') return send(200, 'application/json', routes.versionsJson);
      if (url === '/metrics' && routes.metricsText !== null)
        return send(200, PROMETHEUS_CONTENT_TYPE, routes.metricsText());
      send(404, 'text/plain', 'Not Found\n');
    };
    let server: http.Server;
    if (cfg.sslEnabled) {
      let pem: Buffer;
      try {
        pem = fs.readFileSync(cfg.sslCertificate);
      } catch (e) {
        throw new InputError(`webserver.ssl_certificate ${cfg.sslCertificate}: ${(e as Error).message}`);
      }
      try {
        server = https.createServer({ key: pem, cert: pem }, handler);
      } catch (e) {
        throw new InputError(
          `webserver.ssl_certificate ${cfg.sslCertificate}: not a PEM file with a private key and a certificate (${(e as Error).message})`,
        );
      }
    } else server = http.createServer(handler);
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new InputError(
            `webserver: cannot listen on ${cfg.listenAddress}:${cfg.listenPort}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`,
          ),
        ),
      );
      server.listen(cfg.listenPort, cfg.listenAddress, () => resolve());
    });
    // the loop must not stay alive for the server alone: the run's end ends the process
    server.unref();
    const addr = server.address();
    return new FalcoWebServer(server, typeof addr === 'object' && addr !== null ? addr.port : cfg.listenPort);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
