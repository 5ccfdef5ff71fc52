/** Self-signed certificates made by openssl at test time (node:crypto cannot make X.509). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** key.pem and cert.pem in dir for the subjectAltName (e.g. IP:127.0.0.1); null if openssl failed */
export function selfSignedCert(dir: string, cn: string, san: string): { key: string; cert: string } | null {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2'].concat([
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=${san}`,
    ]),
    { stdio: 'ignore' },
  );
  return r.status === 0 ? { key, cert } : null;
}
