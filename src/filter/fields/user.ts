/** user.* fields (libsinsp sinsp_filter_check_user, current-libs semantics for unknown users). */
import type { State } from '../../state/state';
import type { ThreadInfo } from '../../state/threadinfo';
import type { FieldValue } from '../field-api';
import { FieldSpec } from './common';
import { PF } from '../../event/types';

const CLS = 'user';
const NO_ID = 0xffffffff;

function userOf(st: State, uid: number) {
  return uid === NO_ID ? undefined : st.users.get(uid);
}

function uf(
  name: string,
  ptype: string,
  pf: PF,
  desc: string,
  fn: (t: ThreadInfo, st: State) => FieldValue,
): FieldSpec {
  return {
    name,
    ptype,
    pf,
    desc,
    cls: CLS,
    make: () => ({
      extract: (_ev, st) => {
        const t = st.cur.thread;
        return t === null ? null : fn(t, st);
      },
    }),
  };
}

export const USER_FIELDS: FieldSpec[] = [
  uf('user.uid', 'UINT32', PF.ID, 'user ID.', (t) => t.uid >>> 0),
  uf(
    'user.name',
    'CHARBUF',
    PF.NA,
    "user name. '<NA>' for a uid missing from the user table (root for uid 0).",
    (t, st) => {
      const u = userOf(st, t.uid);
      return u !== undefined ? u.name : t.uid === 0 ? 'root' : '<NA>';
    },
  ),
  uf('user.homedir', 'CHARBUF', PF.NA, 'home directory of the user.', (t, st) => {
    const u = userOf(st, t.uid);
    return u !== undefined ? u.homedir : t.uid === 0 ? '/root' : '<NA>';
  }),
  uf('user.shell', 'CHARBUF', PF.NA, "user's shell.", (t, st) => {
    const u = userOf(st, t.uid);
    return u !== undefined ? u.shell : '<NA>';
  }),
  uf('user.loginuid', 'INT64', PF.ID, 'audit user id (auid), -1 if unset.', (t) => {
    const l = t.loginuid >>> 0;
    return l < NO_ID ? l : -1;
  }),
  uf('user.loginname', 'CHARBUF', PF.NA, 'audit user name (auid).', (t, st) => {
    const l = t.loginuid >>> 0;
    const u = userOf(st, l);
    return u !== undefined ? u.name : l === 0 ? 'root' : '<NA>';
  }),
];
