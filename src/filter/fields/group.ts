/** group.* fields (libsinsp sinsp_filter_check_group, current-libs semantics for unknown groups). */
import { FieldSpec, PF } from './common';

const CLS = 'group';

export const GROUP_FIELDS: FieldSpec[] = [
  {
    name: 'group.gid', ptype: 'UINT32', pf: PF.ID, cls: CLS, desc: 'group ID.',
    make: () => ({ extract: (_ev, st) => (st.cur.thread === null ? null : st.cur.thread.gid >>> 0) }),
  },
  {
    name: 'group.name', ptype: 'CHARBUF', pf: PF.NA, cls: CLS, desc: "group name. '<NA>' for a gid missing from the group table (root for gid 0).",
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
