/**
 * `http://…` / `https://…` output: one Falco JSON alert per POST, as falcosidekick accepts it
 * (`output priority rule time output_fields source tags hostname`). emit() only enqueues
 * (bounded); requests go out asynchronously over a keep-alive agent, a few at a time.
 *
 * Retries: network errors, timeouts, 408, 429 and 5xx are retried with exponential backoff
 * (the whole output pauses, since the server is the problem, not the alert); other 4xx count
 * as failed at once. TLS is verified unless `insecure` (falco.yaml's http_output.insecure):
 * trust a private CA with `ca` (or Node's NODE_EXTRA_CA_CERTS); `cert`/`key` for mTLS. Logs
 * never show credentials: user:pass@ and the query are redacted, and the Authorization
 * header built from them is never printed.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import { AlertOutput, FalcoAlert, newCounters } from '../alert/alert';
import { alertLineBuffer } from '../alert/render';
import { BoundedQueue } from './queue';
import { waitFor } from './wait';
import { InputError } from '../util/errors';

export interface HttpOutputOptions {
  /** alerts waiting to be sent (default 10000); beyond it alerts are dropped and counted */
  queueCapacity?: number;
  /** requests in flight at once (default 4) */
  concurrency?: number;
  /** per-request timeout (default 5000 ms) */
  timeoutMs?: number;
  /** retries per alert after the first attempt (default 5) */
  maxRetries?: number;
  /** first backoff (default 200 ms), doubled per consecutive failure up to maxBackoffMs (10 s) */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** extra CA certificate(s) (PEM) to trust */
  ca?: string | Buffer;
  /** falco.yaml's http_output.insecure: do not verify the server's certificate (Falco allows it) */
  insecure?: boolean;
  /** a client certificate and key (PEM), for mTLS */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** User-Agent header (default falco-ts/VERSION) */
  userAgent?: string;
  /** gzip each body (Content-Encoding: gzip), as http_output.compress_uploads */
  compress?: boolean;
  log?: (msg: string) => void;
}

interface Item {
  body: Buffer;
  attempts: number;
}

/** A URL as it may appear in logs: no user:pass, no query. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const cred = u.username !== '' || u.password !== '' ? '***@' : '';
    return `${u.protocol}//${cred}${u.host}${u.pathname}${u.search !== '' ? '?…' : ''}`;
  } catch {
    return raw.replace(/\/\/[^/@]*@/, '//***@').replace(/\?.*$/, '?…');
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/;

export class HttpOutput implements AlertOutput {
  readonly name: string;
  readonly counters = newCounters();
  private readonly url: URL;
  private readonly lib: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly queue: BoundedQueue<Item>;
  private readonly concurrency: number;
  private readonly maxRetries: number;
  private inFlight = new Set<http.ClientRequest>();
  private consecutiveFailures = 0;
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private aborting = false;
  private warned = new Set<string>();

  constructor(
    rawUrl: string,
    private readonly opts: HttpOutputOptions = {},
  ) {
    this.name = redactUrl(rawUrl);
    let u: URL;
    try {
      u = new URL(rawUrl);
    } catch {
      throw new InputError(`--output ${this.name}: not a valid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new InputError(`--output ${this.name}: expected http:// or https://`);
    this.url = u;
    this.lib = u.protocol === 'https:' ? https : http;
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.maxRetries = Math.max(0, opts.maxRetries ?? 5);
    this.agent =
      u.protocol === 'https:'
        ? new https.Agent({
            keepAlive: true,
            maxSockets: this.concurrency,
            rejectUnauthorized: opts.insecure !== true,
            ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
            ...(opts.cert !== undefined ? { cert: opts.cert, key: opts.key } : {}),
          })
        : new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.headers = {
      'Content-Type': 'application/json',
      'User-Agent': opts.userAgent ?? 'falco-ts/0.1.0',
      Accept: '*/*',
    };
    if (opts.compress) this.headers['Content-Encoding'] = 'gzip';
    if (u.username !== '' || u.password !== '') {
      const user = decodeURIComponent(u.username),
        pass = decodeURIComponent(u.password);
      this.headers.Authorization = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
    }
    this.queue = new BoundedQueue(opts.queueCapacity ?? 10000);
  }

  emit(a: FalcoAlert): void {
    if (this.closing) {
      this.counters.dropped++;
      return;
    }
    const json = alertLineBuffer(a, true).subarray(0, -1);
    if (!this.queue.push({ body: this.opts.compress ? zlib.gzipSync(json) : json, attempts: 0 })) {
      this.counters.dropped++;
      this.warnOnce(
        'full',
        `${this.name}: queue full (${this.queue.capacity} alerts waiting); dropping alerts (counted in the summary)`,
      );
      return;
    }
    this.pump();
  }

  pending(): number {
    return this.queue.length + this.inFlight.size;
  }

  /** largest number of alerts that waited at once */
  get queueHighWater(): number {
    return this.queue.highWater;
  }

  flush(): void {
    /* asynchronous: see close() */
  }

  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    const deadline = Date.now() + timeoutMs;
    this.pump();
    await waitFor(() => this.pending() === 0, deadline);
    if (this.pauseTimer !== null) {
      clearTimeout(this.pauseTimer);
      this.pauseTimer = null;
    }
    this.counters.dropped += this.queue.drain().length;
    if (this.inFlight.size > 0) {
      this.aborting = true;
      for (const req of this.inFlight) req.destroy(new Error('flush timeout'));
      await waitFor(() => this.inFlight.size === 0, Date.now() + 1000);
    }
    this.agent.destroy();
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.log?.(msg);
  }

  private pump(): void {
    if (this.aborting) return;
    const now = Date.now();
    if (now < this.pausedUntil) {
      if (this.pauseTimer === null) {
        this.pauseTimer = setTimeout(() => {
          this.pauseTimer = null;
          this.pump();
        }, this.pausedUntil - now);
      }
      return;
    }
    while (this.inFlight.size < this.concurrency && this.queue.length > 0) {
      this.send(this.queue.shift()!);
      // after a failure, probe with one request at a time until the server answers
      if (this.consecutiveFailures > 0) break;
    }
  }

  private send(item: Item): void {
    item.attempts++;
    let settled = false;
    const req = this.lib.request({
      protocol: this.url.protocol,
      hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
      port: this.url.port !== '' ? Number(this.url.port) : undefined,
      path: this.url.pathname + this.url.search,
      method: 'POST',
      agent: this.agent,
      headers: { ...this.headers, 'Content-Length': String(item.body.length) },
      timeout: this.opts.timeoutMs ?? 5000,
    });
    this.inFlight.add(req);
    const done = (status: number, err: NodeJS.ErrnoException | null) => {
      if (settled) return;
      settled = true;
      this.inFlight.delete(req);
      this.settle(item, status, err);
    };
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0, null));
      res.on('error', (e) => done(0, e));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e) => done(0, e));
    req.end(item.body);
  }

  private settle(item: Item, status: number, err: NodeJS.ErrnoException | null): void {
    if (err === null && status >= 200 && status < 300) {
      this.counters.sent++;
      if (this.consecutiveFailures > 0) {
        this.opts.log?.(`${this.name}: delivering again after ${this.consecutiveFailures} failed attempts`);
        this.warned.delete('retry');
      }
      this.consecutiveFailures = 0;
      this.pump();
      return;
    }
    const what = err !== null ? (err.code ?? 'error') : `HTTP ${status}`;
    if (this.aborting) {
      this.counters.failed++;
      return;
    }
    const tls = err !== null && TLS_CODES.test(err.code ?? '');
    const retryable = !tls && (err !== null || status === 408 || status === 429 || status >= 500);
    if (!retryable) {
      this.counters.failed++;
      if (tls)
        this.warnOnce(
          'tls',
          `${this.name}: TLS verification failed (${what}); trust the server's CA with NODE_EXTRA_CA_CERTS`,
        );
      else
        this.warnOnce(`status${status}`, `${this.name}: alert rejected with ${what}; rejected alerts count as failed`);
      this.pump();
      return;
    }
    this.consecutiveFailures++;
    if (item.attempts > this.maxRetries) {
      this.counters.failed++;
      this.warnOnce(
        'giveup',
        `${this.name}: giving up on alerts after ${this.maxRetries} retries (${what}); counted as failed`,
      );
    } else {
      this.counters.retried++;
      this.queue.unshift(item);
    }
    this.warnOnce('retry', `${this.name}: ${what}; retrying with backoff`);
    const base = this.opts.backoffMs ?? 200;
    const max = this.opts.maxBackoffMs ?? 10000;
    const exp = Math.min(max, base * 2 ** Math.min(this.consecutiveFailures - 1, 30));
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + exp);
    this.pump();
  }
}
