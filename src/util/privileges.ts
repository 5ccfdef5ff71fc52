/**
 * `-Z USER`: after the probe is attached and /proc has been read, the capture switches to an
 * unprivileged user before it opens any output file, as tcpdump -Z does. Groups are reset to
 * the user's primary group; the change cannot be undone by the process.
 */
import * as fs from 'node:fs';
import { InputError } from './errors';

export interface UserIds {
  name: string;
  uid: number;
  gid: number;
}

/** Looks USER up in /etc/passwd (a name, or a numeric uid). */
export function lookupUser(user: string, passwd = '/etc/passwd'): UserIds {
  let text = '';
  try {
    text = fs.readFileSync(passwd, 'utf8');
  } catch {
    /* no passwd: numeric only */
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    if (f[0] === user || (/^\d+$/.test(user) && f[2] === user)) {
      return { name: f[0], uid: Number(f[2]), gid: Number(f[3]) };
    }
  }
  if (/^\d+$/.test(user)) return { name: user, uid: Number(user), gid: Number(user) };
  throw new InputError(`-Z: unknown user '${user}'`);
}

/** Drops to USER; returns the ids. Throws InputError if that is impossible. */
export function dropPrivileges(user: string): UserIds {
  const ids = lookupUser(user);
  try {
    if (typeof process.setgroups === 'function') process.setgroups([ids.gid]);
    process.setgid!(ids.gid);
    process.setuid!(ids.uid);
  } catch (e) {
    throw new InputError(`-Z ${user}: cannot switch to uid ${ids.uid}: ${(e as Error).message}`, 1);
  }
  if (process.getuid!() !== ids.uid || process.geteuid!() !== ids.uid) {
    throw new InputError(`-Z ${user}: still running as uid ${process.geteuid!()}`, 1);
  }
  return ids;
}
