/**
 * The alert outputs of a falco run: the configuration's channels (stdout, file, program,
 * http, syslog) through the output manager, or undefined for the commands' own stdout path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OutputManager, OutputManagerOptions } from '../../output/manager';
import type { HttpConfig } from '../../config/falco-config';
import { FalcoError } from './errors';

/** a PEM file http_output names (ca_cert, ca_bundle, client_cert, client_key) */
function readPem(key: string, f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch (e) {
    throw new FalcoError(`http_output.${key}: cannot read ${f}: ${(e as Error).message}`);
  }
}

/** The HTTP output's options from http_output: the PEM files read now, so a bad path fails at start. */
function httpOptions(h: HttpConfig): OutputManagerOptions['http'] {
  const ca = h.caFiles.map((f) => readPem('ca_cert', f));
  if (h.caDir !== null) {
    let names: string[];
    try {
      names = fs.readdirSync(h.caDir).sort();
    } catch (e) {
      throw new FalcoError(`http_output.ca_path: cannot read ${h.caDir}: ${(e as Error).message}`);
    }
    // (curl's CAPATH holds hashed links to certificates: any file with a PEM certificate counts)
    for (const n of names) {
      const f = path.join(h.caDir, n);
      if (!fs.statSync(f).isFile()) continue;
      const pem = fs.readFileSync(f, 'utf8');
      if (pem.includes('-----BEGIN CERTIFICATE-----')) ca.push(pem);
    }
  }
  return {
    userAgent: h.userAgent,
    insecure: h.insecure,
    compress: h.compress,
    ...(ca.length > 0 ? { ca: ca.join('\n') } : {}),
    ...(h.clientCert !== null
      ? { cert: readPem('client_cert', h.clientCert), key: readPem('client_key', h.clientKey!) }
      : {}),
  };
}

export interface OutputsSetup {
  setup: string;
  create: () => OutputManager;
}

export function alertOutputsFor(o: Record<string, unknown>, json: boolean): OutputsSetup | undefined {
  const specs = o.output as string[] | undefined;
  if (specs === undefined) return undefined;
  const M = (require('../../output/manager') as typeof import('../../output/manager')).OutputManager;
  const oo = o.outputOptions as { queueCapacity: number; immediate: boolean; http: HttpConfig } | undefined;
  const mo: OutputManagerOptions = {
    json,
    color: false,
    queueCapacity: oo?.queueCapacity,
    immediate: oo?.immediate,
    http: oo !== undefined && specs.some((x) => /^https?:/i.test(x)) ? httpOptions(oo.http) : undefined,
  };
  return { setup: M.setupKey(specs, mo), create: () => M.create(specs, mo) };
}
