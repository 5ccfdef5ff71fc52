/** group.* fields (libsinsp sinsp_filter_check_group, current-libs semantics for unknown groups). */
import { FieldSpec } from './common';
import { PF } from '../../event/types';

const CLS = 'group';

export const GROUP_FIELDS: FieldSpec[] = [
  {
    // libsinsp 0.29.3 declares group.gid PT_UINT64 but extracts the 4-byte m_gid: the value
    // shown also holds the next 4 bytes of sinsp_threadinfo, the low half of m_nchilds.
    name: 'group.gid',
    ptype: 'UINT64',
    pf: PF.ID,
    cls: CLS,
    desc: 'group ID.',
    make: () => ({
      extract: (_ev, st) => {
        const t = st.cur.thread;
        return t === null ? null : (t.gid >>> 0) + (t.nchilds >>> 0) * 4294967296;
      },
    }),
  },
  {
    name: 'group.name',
    ptype: 'CHARBUF',
    pf: PF.NA,
    cls: CLS,
    desc: "group name. '<NA>' for a gid missing from the group table (root for gid 0).",
    make: () => ({
      extract: (_ev, st) => {
        const t = st.cur.thread;
        if (t === null) return null;
        const gid = t.gid >>> 0;
        const g = gid === 0xffffffff ? undefined : st.groups.get(gid);
        return g !== undefined ? g.name : gid === 0 ? 'root' : '<NA>';
      },
    }),
  },
];
