/** fs.path.* fields (libsinsp sinsp_filter_check_fspath, current libs). */
import type { EventView } from '../../event/view';
import type { State } from '../../state/state';
import { FdType } from '../../scap/metadata';
import { concatenatePaths } from '../../util/paths';
import { FieldSpec, paramIndex, peekFd } from './common';
import { code } from '../../event/codes';
import { PF } from '../../event/types';

const CLS = 'fs.path';
const AT_FDCWD = -100;

/** a parameter name, or 'fd.name' for the event's fd */
type Src = string;
interface Entry {
  success: 'res' | 'fd';
  path?: Src;
  source?: Src;
  target?: Src;
}

const TABLE = new Map<number, Entry>();
function add(enumName: string, e: Entry): void {
  const c = code(enumName);
  if (c >= 0) TABLE.set(c, e);
}
add('PPME_SYSCALL_MKDIR_2_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_MKDIRAT_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_RMDIR_2_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_UNLINK_2_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_UNLINKAT_2_X', { success: 'res', path: 'name' });
add('PPME_SYSCALL_OPEN_X', { success: 'fd', path: 'name' });
add('PPME_SYSCALL_OPENAT_2_X', { success: 'fd', path: 'name' });
add('PPME_SYSCALL_OPENAT2_X', { success: 'fd', path: 'name' });
add('PPME_SYSCALL_FCHMODAT_X', { success: 'res', path: 'filename' });
add('PPME_SYSCALL_CHMOD_X', { success: 'res', path: 'filename' });
add('PPME_SYSCALL_FCHMOD_X', { success: 'res', path: 'fd.name' });
add('PPME_SYSCALL_CHOWN_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_LCHOWN_X', { success: 'res', path: 'path' });
add('PPME_SYSCALL_FCHOWN_X', { success: 'res', path: 'fd.name' });
add('PPME_SYSCALL_FCHOWNAT_X', { success: 'res', path: 'pathname' });
add('PPME_SYSCALL_QUOTACTL_X', { success: 'res', path: 'special' });
add('PPME_SYSCALL_RENAME_X', { success: 'res', source: 'oldpath', target: 'newpath' });
add('PPME_SYSCALL_RENAMEAT_X', { success: 'res', source: 'oldpath', target: 'newpath' });
add('PPME_SYSCALL_RENAMEAT2_X', { success: 'res', source: 'oldpath', target: 'newpath' });
add('PPME_SYSCALL_LINK_2_X', { success: 'res', source: 'newpath', target: 'oldpath' });
add('PPME_SYSCALL_LINKAT_2_X', { success: 'res', source: 'newpath', target: 'oldpath' });
add('PPME_SYSCALL_SYMLINK_X', { success: 'res', source: 'linkpath', target: 'target' });
add('PPME_SYSCALL_SYMLINKAT_X', { success: 'res', source: 'linkpath', target: 'target' });
add('PPME_SYSCALL_MOUNT_X', { success: 'res', source: 'dev', target: 'dir' });
add('PPME_SYSCALL_UMOUNT_1_X', { success: 'res', path: 'name' });
add('PPME_SYSCALL_UMOUNT2_X', { success: 'res', path: 'name' });

const OPENAT_2_X = code('PPME_SYSCALL_OPENAT_2_X'),
  OPENAT2_X = code('PPME_SYSCALL_OPENAT2_X');
const DIRFD_EVENTS = new Set(
  [
    'PPME_SYSCALL_NEWFSTATAT_X',
    'PPME_SYSCALL_FCHOWNAT_X',
    'PPME_SYSCALL_FCHMODAT_X',
    'PPME_SYSCALL_MKDIRAT_X',
    'PPME_SYSCALL_UNLINKAT_2_X',
    'PPME_SYSCALL_MKNODAT_X',
  ].map(code),
);
const SYMLINKAT_X = code('PPME_SYSCALL_SYMLINKAT_X');
const RENAMEAT2_X = code('PPME_SYSCALL_RENAMEAT2_X');

type Which = 'path' | 'source' | 'target';

function succeeded(ev: EventView, e: Entry): boolean {
  const i = paramIndex(ev, e.success);
  if (i < 0) return false;
  const v = ev.i64(i);
  return e.success === 'res' ? v === 0 : v !== -1;
}

function rawValue(ev: EventView, st: State, src: Src): string | null {
  if (src === 'fd.name') return st.cur.fd !== null ? st.cur.fd.name : null;
  const i = paramIndex(ev, src);
  return i < 0 ? null : ev.str(i);
}

/** format_dirfd: the directory fd's name with a trailing '/', or <UNKNOWN> */
function dirfdDir(ev: EventView, st: State, dirParam: string): string {
  const t = st.cur.thread;
  const i = paramIndex(ev, dirParam);
  if (t === null || i < 0) return '<UNKNOWN>';
  const fd = ev.i64(i);
  if (fd === AT_FDCWD) return t.getCwd();
  const f = peekFd(t, fd);
  if (f === null || f.type !== FdType.DIRECTORY) return '<UNKNOWN>';
  return f.name === '' || f.name.endsWith('/') ? f.name : f.name + '/';
}

function resolve(ev: EventView, st: State, which: Which, p: string): string | null {
  const t = st.cur.thread;
  if (t === null) return null;
  if (p.charCodeAt(0) === 0x2f) return concatenatePaths('', p);
  const et = ev.type;
  let sdir: string;
  if (et === OPENAT_2_X || et === OPENAT2_X) {
    return concatenatePaths('', st.cur.fd !== null ? st.cur.fd.name : '<UNKNOWN>');
  } else if (DIRFD_EVENTS.has(et)) {
    sdir = dirfdDir(ev, st, 'dirfd');
  } else if (et === SYMLINKAT_X) {
    sdir = which === 'source' ? dirfdDir(ev, st, 'linkdirfd') : '<UNKNOWN>';
  } else if (et === RENAMEAT2_X) {
    if (which === 'path') sdir = '<UNKNOWN>';
    else {
      const i = which === 'target' ? 3 : 1;
      const fd = ev.has(i) ? ev.i64(i) : AT_FDCWD;
      if (fd === AT_FDCWD) sdir = t.getCwd();
      else {
        const f = peekFd(t, fd);
        sdir = f === null ? '<UNKNOWN>' : f.name + '/';
      }
    }
  } else {
    sdir = t.getCwd();
  }
  return concatenatePaths(sdir, p);
}

function spec(name: string, which: Which, raw: boolean, desc: string): FieldSpec {
  return {
    name,
    ptype: 'CHARBUF',
    pf: PF.NA,
    desc,
    cls: CLS,
    make: () => ({
      extract: (ev, st) => {
        const e = TABLE.get(ev.type);
        if (e === undefined || !succeeded(ev, e)) return null;
        const src = e[which];
        if (src === undefined) return null;
        const v = rawValue(ev, st, src);
        if (v === null) return null;
        return raw ? v : resolve(ev, st, which, v);
      },
    }),
  };
}

export const FSPATH_FIELDS: FieldSpec[] = [
  spec(
    'fs.path.name',
    'path',
    false,
    'For any event type that deals with a filesystem path, the path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.',
  ),
  spec(
    'fs.path.nameraw',
    'path',
    true,
    'For any event type that deals with a filesystem path, the path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.',
  ),
  spec(
    'fs.path.source',
    'source',
    false,
    'For any event type that deals with a filesystem path, and specifically for a source and target like mv, cp, etc, the source path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.',
  ),
  spec(
    'fs.path.sourceraw',
    'source',
    true,
    'For any event type that deals with a filesystem path, and specifically for a source and target like mv, cp, etc, the source path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.',
  ),
  spec(
    'fs.path.target',
    'target',
    false,
    'For any event type that deals with a filesystem path, and specifically for a target and target like mv, cp, etc, the target path the file syscall is operating on. This path is always fully resolved, prepending the thread cwd when needed.',
  ),
  spec(
    'fs.path.targetraw',
    'target',
    true,
    'For any event type that deals with a filesystem path, and specifically for a target and target like mv, cp, etc, the target path the file syscall is operating on. This path is always the path provided to the syscall and may not be fully resolved.',
  ),
];
