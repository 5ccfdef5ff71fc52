/**
 * The k8saudit webhook source (open_params http://host:port/path or https://...): the server
 * the Kubernetes API server's audit webhook backend posts to. As the Go plugin: POST only
 * (405 otherwise), a JSON Content-Type (400 otherwise), bodies up to webhookMaxBatchSize
 * (400 beyond), HTTPS with sslCertificate holding both the certificate and its key. Unlike
 * it, a body is parsed before the answer, so bad JSON (or JSON that holds no audit event) is
 * a 400 the sender sees, counted; and the queue of received events is bounded: what does not
 * fit is dropped, counted, and answered 503 so the sender may retry. The sensor goes on.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SourceBatch, SourceInstance, SourcedEvent } from '../api';
import type { Json } from '../json/json-value';
import { auditEventsOf } from './audit-events';
import type { K8sAuditConfig } from './config';

/** events waiting for next() at most */
export const QUEUE_LIMIT = 65536;
/** how long next() waits for an event before a timeout batch */
const WAIT_MS = 100;
const BATCH = 256;

export interface WebhookStats {
  /** events accepted into the queue */
  received: number;
  /** events dropped because the queue was full */
  dropped: number;
  /** requests refused: method, content type, size, bad JSON, no audit event */
  badRequests: number;
}

export interface WebhookParams {
  tls: boolean;
  host: string;
  port: number;
  path: string;
}

/** http(s)://host:port/path as the Go plugin reads it (an empty host: every interface). */
export function parseWebhookParams(params: string): WebhookParams {
  const m = /^(https?):\/\/(\[[^\]]*\]|[^/:]*)(?::(\d+))?(\/[^?#]*)?$/i.exec(params.trim());
  if (!m) throw new Error(`k8saudit: open_params '${params}': expected http(s)://host:port/path`);
  const port = m[3] === undefined ? (m[1].toLowerCase() === 'https' ? 443 : 80) : Number(m[3]);
  if (port > 65535) throw new Error(`k8saudit: open_params '${params}': bad port ${m[3]}`);
  return { tls: m[1].toLowerCase() === 'https', host: m[2].replace(/^\[|\]$/g, ''), port, path: m[4] ?? '/' };
}

type Server = http.Server | https.Server;

export class AuditWebhookSource implements SourceInstance {
  readonly stats: WebhookStats = { received: 0, dropped: 0, badRequests: 0 };
  private readonly queue: SourcedEvent[] = [];
  private wake: (() => void) | null = null;
  private closed = false;

  private constructor(
    private readonly server: Server,
    private readonly p: WebhookParams,
    private readonly config: K8sAuditConfig,
    private readonly warn: (msg: string) => void,
    private readonly queueLimit: number,
  ) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res));
  }

  /** Starts the server; a failure to listen (port in use, no certificate) is one line. */
  static async open(
    params: string,
    config: K8sAuditConfig,
    warn: (msg: string) => void,
    queueLimit = QUEUE_LIMIT,
  ): Promise<AuditWebhookSource> {
    const p = parseWebhookParams(params);
    let server: Server;
    if (p.tls) {
      let pem: Buffer;
      try {
        pem = fs.readFileSync(config.sslCertificate);
      } catch (e) {
        throw new Error(
          `k8saudit: cannot read sslCertificate ${config.sslCertificate}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
          { cause: e },
        );
      }
      try {
        server = https.createServer({ cert: pem, key: pem });
      } catch (e) {
        throw new Error(`k8saudit: sslCertificate ${config.sslCertificate}: ${(e as Error).message}`, { cause: e });
      }
    } else server = http.createServer();
    const src = new AuditWebhookSource(server, p, config, warn, queueLimit);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`k8saudit: cannot listen on ${params}: ${e.code ?? e.message}`, { cause: e })),
      );
      server.listen(p.port, p.host === '' ? undefined : p.host, () => resolve());
    });
    server.on('error', (e) => warn(`webhook server: ${e.message}`));
    return src;
  }

  /** where the server listens (the port when open_params asked for port 0) */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  private refuse(res: http.ServerResponse, code: number, msg: string): void {
    this.stats.badRequests++;
    res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(msg + '\n');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path !== this.p.path) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    if (req.method !== 'POST') return this.refuse(res, 405, `${req.method} method not allowed`);
    if (!(req.headers['content-type'] ?? '').includes('application/json'))
      return this.refuse(res, 400, 'wrong Content Type');
    const max = this.config.webhookMaxBatchSize;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return this.refuse(res, 400, 'bad request: http: request body too large');
      this.accept(Buffer.concat(chunks).toString('utf8'), res);
    });
    req.on('error', () => res.destroy());
  }

  private accept(body: string, res: http.ServerResponse): void {
    let got;
    try {
      got = auditEventsOf(JSON.parse(body) as Json, this.config.maxEventSize);
    } catch (e) {
      this.warn(`webhook: ${(e as Error).message}`);
      return this.refuse(res, 400, `bad request: ${(e as Error).message}`);
    }
    for (const p of got.problems) this.warn(`webhook: ${p}`);
    const room = Math.max(0, this.queueLimit - this.queue.length);
    const kept = got.events.slice(0, room);
    this.queue.push(...kept);
    this.stats.received += kept.length;
    this.stats.dropped += got.events.length - kept.length;
    if (kept.length > 0 && this.wake) this.wake();
    if (kept.length < got.events.length) {
      this.warn(`webhook: queue full, ${got.events.length - kept.length} event(s) dropped`);
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' }).end('event queue full\n');
      return;
    }
    res.writeHead(200).end();
  }

  next(): SourceBatch | Promise<SourceBatch> {
    if (this.queue.length > 0) return { kind: 'events', events: this.queue.splice(0, BATCH) };
    if (this.closed) return { kind: 'eof' };
    return new Promise<SourceBatch>((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve({ kind: 'timeout' });
      }, WAIT_MS);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve({ kind: 'events', events: this.queue.splice(0, BATCH) });
      };
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
