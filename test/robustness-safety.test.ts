/**
 * No secrets in logs (issue 7 §4): an alert output URL with credentials and a token, failing in
 * every way (connection refused, a server that answers errors and echoes the request headers
 * back in its body), never shows the password, the token or the Authorization header on the
 * terminal; the redacted URL is what the messages name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN, SCAP_DIR, sharedSkipReason, tmpDir } from './helpers/env';

const SECRET = 'S3cr3tPassw0rd';
const TOKEN = 'tok3nValue99';

function run(args: string[], ms: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, TZ: 'UTC' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '',
      err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    const timer = setTimeout(() => p.kill('SIGTERM'), ms);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

test('alert outputs: credentials and tokens of the URL never reach the logs', { timeout: 180_000 }, async (t) => {
  const skip = sharedSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const dir = tmpDir();
  const rules = path.join(dir, 'r.yaml');
  fs.writeFileSync(
    rules,
    '- rule: exec seen\n  desc: d\n  condition: evt.type=execve and evt.dir=<\n  output: "exec %proc.name"\n  priority: WARNING\n',
  );
  // a server that fails, echoing the request (with its Authorization header) in the body
  let hits = 0;
  let sawAuth = '';
  const server = http.createServer((req, res) => {
    hits++;
    sawAuth = String(req.headers.authorization ?? '');
    res.writeHead(hits % 2 === 0 ? 500 : 401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Basic realm="x"' });
    res.end(`denied: ${req.url} ${JSON.stringify(req.headers)}`);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as import('node:net').AddressInfo).port;
  const b64 = Buffer.from(`alice:${SECRET}`).toString('base64');
  try {
    const cases = [
      ['refused', `http://alice:${SECRET}@127.0.0.1:9/hook?token=${TOKEN}`],
      ['errors', `http://alice:${SECRET}@127.0.0.1:${port}/hook?token=${TOKEN}`],
      ['bad tls', `https://alice:${SECRET}@127.0.0.1:${port}/hook?token=${TOKEN}`],
    ];
    for (const [what, url] of cases) {
      const r = await run(
        ['replay', path.join(SCAP_DIR, 'falco_cat_write.scap'), '-r', rules, '--output', url, '--output', 'stdout'],
        60_000,
      );
      const all = r.out + '\n' + r.err;
      for (const s of [SECRET, TOKEN, b64, encodeURIComponent(SECRET)]) {
        assert.ok(!all.includes(s), `${what}: '${s}' appears in the output:\n${all.slice(0, 2000)}`);
      }
      assert.doesNotMatch(all, /authorization:/i, `${what}: a request header was logged`);
      assert.doesNotMatch(r.err, /internal error|\n\s+at /, `${what}: ${r.err}`);
      assert.match(all, /exec seen|exec /, `${what}: the alert still reaches stdout`);
      t.diagnostic(`${what}: exit ${r.code}; stderr: ${r.err.trim().split('\n').slice(0, 2).join(' / ')}`);
    }
    if (hits > 0) assert.equal(sawAuth, `Basic ${b64}`, 'the credentials reach the server, as Basic auth');
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
