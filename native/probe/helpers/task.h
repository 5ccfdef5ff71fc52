/* Reading the current task: fds -> struct file, mm sizes, pid numbers, tty, cgroups. */
#ifndef FT_TASK_H
#define FT_TASK_H

static __always_inline struct file *ft_fd_file(__s64 fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xffffff]);
	return f;
}

/* new_encode_dev() of the kernel's dev_t (major << 20 | minor) */
static __always_inline __u32 ft_encode_dev(__u32 dev)
{
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline __u32 ft_file_dev(struct file *f)
{
	if (!f)
		return 0;
	return ft_encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev));
}

/* mm_struct.rss_stat: an array of percpu_counter since 6.2, of atomic_long_t before. A
 * percpu_counter's value is its shared count plus the per-CPU deltas not yet folded into it
 * (up to the batch size, 64+ pages per CPU): a fresh process has all of its pages there, so
 * the deltas are summed as the kernel's get_mm_counter_sum() / percpu_counter_sum() do. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* Per-CPU offsets without kallsyms data symbols (this kernel has none): the per-CPU array
 * `pcpu_probe`'s element is the __percpu pointer Q kept in its struct bpf_array;
 * bpf_map_lookup_percpu_elem(cpu) returns Q + __per_cpu_offset[cpu]. Pointers become numbers
 * through a map slot (root only: the probe needs root anyway). */
#define FT_RSS_MAX_CPUS 128

static __always_inline __u64 ft_as_u64(struct ft_aux *a, const void *p)
{
	*(const void *volatile *)&a->ptrs[FT_PTRS - 1] = p;
	return *(volatile __u64 *)&a->ptrs[FT_PTRS - 1];
}

/* sum of the rss_stat counters in `mask` (bit i = counter i), in pages */
static __always_inline __s64 ft_mm_counters(struct mm_struct *mm, __u32 mask)
{
	__s64 v = 0;
	/* (a field_size relocation on the new array type cannot resolve on a kernel where
	 * rss_stat is a struct, e.g. 6.1: test for the old layout instead) */
	if (!bpf_core_field_exists(((struct mm_struct___old *)0)->rss_stat)) {
		__u64 pc[4] = {};
#pragma unroll
		for (int i = 0; i < 4; i++) {
			if (!(mask & (1u << i)))
				continue;
			v += BPF_CORE_READ(mm, rss_stat[i].count);
			pc[i] = (__u64)BPF_CORE_READ(mm, rss_stat[i].counters);
		}
		struct ft_aux *a = aux_get();
		if (!a)
			return v < 0 ? 0 : v;
		/* Q: struct bpf_array's pptrs[0] of pcpu_probe */
		__u32 qoff = bpf_core_field_offset(struct bpf_array, pptrs);
		if (qoff > 2048 || bpf_probe_read_kernel(&a->data[FT_MAX_BLOCK], (qoff + 8) & 4095, &pcpu_probe) != 0)
			return v < 0 ? 0 : v;
		__u64 q = *(__u64 *)&a->data[FT_MAX_BLOCK + (qoff & 2047)];
		__u32 zero = 0;
		for (__u32 cpu = 0; cpu < FT_RSS_MAX_CPUS; cpu++) {
			if (cpu >= n_cpus)
				break;
			void *pp = bpf_map_lookup_percpu_elem(&pcpu_probe, &zero, cpu);
			if (!pp)
				continue;
			__u64 off = ft_as_u64(a, pp) - q;
#pragma unroll
			for (int i = 0; i < 4; i++) {
				__s32 d = 0;
				if (pc[i] && bpf_probe_read_kernel(&d, sizeof(d), (void *)(pc[i] + off)) == 0)
					v += d;
			}
		}
	} else {
#pragma unroll
		for (int i = 0; i < 4; i++)
			if (mask & (1u << i))
				v += BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[i].counter);
	}
	return v < 0 ? 0 : v;
}

/* vm_size, vm_rss (file + anon + shmem), vm_swap in KiB (pages are 4 KiB on x86_64) */
__noinline __u32 ft_vm(__u32 which)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm)
		return 0;
	if (which == 0)
		return (__u32)(BPF_CORE_READ(mm, total_vm) << 2);
	return (__u32)(ft_mm_counters(mm, which == 1 ? 0xb : 0x4) << 2);
}

/* pid number of a struct pid at a namespace level */
static __always_inline __s64 ft_pid_nr(struct pid *p, unsigned int level)
{
	int nr = 0;
	if (!p)
		return 0;
	void *at = (void *)p + bpf_core_field_offset(struct pid, numbers) + (level & 31) * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(&nr, sizeof(nr), at + bpf_core_field_offset(struct upid, nr));
	return nr;
}

static __always_inline __s64 ft_vnr(struct pid *p)
{
	if (!p)
		return 0;
	return ft_pid_nr(p, BPF_CORE_READ(p, level));
}

static __always_inline __u32 ft_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	int index = BPF_CORE_READ(tty, index);
	int major = BPF_CORE_READ(tty, driver, major);
	int minor = BPF_CORE_READ(tty, driver, minor_start);
	return ft_encode_dev(((__u32)major << 20) | (((__u32)minor + index) & 0xfffff));
}

/* ---- paths of kernel objects (need struct ft_aux: included after aux.h) ---- */

/* Writes the components collected in a->ptrs[0..n) (leaf first) as "/c1/c2/.../leaf" at
 * a->cur ("/" when n == 0); no NUL. */
/* (The loops keep their counters and cursors in the map, not in registers, so that the
 * verifier sees unknown scalars and its states converge instead of multiplying.) */
static __always_inline void ft_write_path(struct ft_aux *a)
{
	volatile __u32 *cur = &a->cur, *cnt = &a->cnt;
	if (*cnt == 0) {
		a->data[SAFE(*cur)] = '/';
		*cur += 1;
	}
	for (int i = FT_PTRS - 1; i >= 0; i--) {
		if (i >= *cnt)
			continue;
		__u32 p = *cur;
		a->data[SAFE(p)] = '/';
		p++;
		long k = bpf_probe_read_kernel_str(&a->data[SAFE(p)], 256, (void *)a->ptrs[i]);
		*cur = p + (k > 1 ? k - 1 : 0);
	}
}

/* The current task's working directory (as d_path() of fs->pwd relative to fs->root would
 * print it, crossing mount points), written as a NUL-terminated CHARBUF param. */
__noinline int ft_cwd_param(void)
{
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	a->cnt = 0;
	if (fs) {
		struct dentry *d = BPF_CORE_READ(fs, pwd.dentry);
		struct vfsmount *vm = BPF_CORE_READ(fs, pwd.mnt);
		struct dentry *rd = BPF_CORE_READ(fs, root.dentry);
		struct vfsmount *rm = BPF_CORE_READ(fs, root.mnt);
		__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
		struct mount *m = (struct mount *)((__u64)vm - mnt_off);
		for (int i = 0; i < FT_PTRS * 2; i++) {
			if (!d || (d == rd && vm == rm))
				break;
			struct dentry *mroot = BPF_CORE_READ(vm, mnt_root);
			if (d == mroot) {
				/* top of this mount: continue at its mount point in the parent mount */
				struct mount *pm = BPF_CORE_READ(m, mnt_parent);
				if (!pm || pm == m)
					break;
				d = BPF_CORE_READ(m, mnt_mountpoint);
				m = pm;
				vm = (struct vfsmount *)((__u64)pm + mnt_off);
				continue;
			}
			struct dentry *parent = BPF_CORE_READ(d, d_parent);
			__u32 n = *(volatile __u32 *)&a->cnt;
			if (!parent || parent == d || n >= FT_PTRS)
				break;
			a->ptrs[n & (FT_PTRS - 1)] = (__u64)BPF_CORE_READ(d, d_name.name);
			*(volatile __u32 *)&a->cnt = n + 1;
			d = parent;
		}
	}
	__u32 start = a->pos;
	a->cur = start;
	ft_write_path(a);
	a->data[SAFE(a->cur)] = 0;
	aux_len(a, (a->cur + 1 - start) & (FT_MAX_BLOCK - 1));
	return 0;
}

/* kernfs_node.parent was renamed __parent in 6.15 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *ft_kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node *)0)->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Appends "subsys=/path\0" for one cgroup subsystem of the current task at a->cur (nothing
 * when the kernel lacks it): the path of the cgroup whose css the task uses for that
 * subsystem, as libs' drivers write it (on a v2 host: the nearest cgroup with the
 * controller enabled). */
__noinline int ft_cgroup_append(__u32 ssid)
{
	struct ft_aux *a = aux_get();
	if (!a || ssid >= CGROUP_SUBSYS_COUNT)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css = BPF_CORE_READ(t, cgroups, subsys[ssid]);
	if (!css)
		return 0;
	const char *name = BPF_CORE_READ(css, ss, name);
	struct kernfs_node *kn = BPF_CORE_READ(css, cgroup, kn);
	a->cnt = 0;
	for (int i = 0; i < FT_PTRS; i++) {
		if (!kn)
			break;
		struct kernfs_node *parent = ft_kn_parent(kn);
		if (!parent)
			break; /* the root's name is not part of the path */
		a->ptrs[i & (FT_PTRS - 1)] = (__u64)BPF_CORE_READ(kn, name);
		*(volatile __u32 *)&a->cnt = i + 1;
		kn = parent;
	}
	__u32 p = a->cur;
	long k = bpf_probe_read_kernel_str(&a->data[SAFE(p)], 64, name);
	if (k <= 1)
		return 0;
	p += k - 1;
	a->data[SAFE(p)] = '=';
	a->cur = p + 1;
	ft_write_path(a);
	a->data[SAFE(a->cur)] = 0;
	a->cur++;
	return 0;
}

/* PPM_EXE_WRITABLE: libs' approximation of inode_permission(exe, MAY_WRITE) for the task's
 * fsuid/fsgid/groups/capabilities (id mappings of user namespaces are not checked). */
static __always_inline int ft_exe_writable(struct task_struct *t, struct mm_struct *mm)
{
	struct file *f = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
	if (!f)
		return 0;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if (!ino)
		return 0;
	__u32 mode = BPF_CORE_READ(ino, i_mode);
	__u32 iflags = BPF_CORE_READ(ino, i_flags);
	__u64 sflags = BPF_CORE_READ(ino, i_sb, s_flags);
	__u32 iuid = BPF_CORE_READ(ino, i_uid.val);
	__u32 igid = BPF_CORE_READ(ino, i_gid.val);
	const struct cred *c = BPF_CORE_READ(t, cred);
	__u32 fsuid = BPF_CORE_READ(c, fsuid.val);
	__u32 fsgid = BPF_CORE_READ(c, fsgid.val);
	__u32 fmt = mode & 0170000;
	if ((sflags & 1 /* SB_RDONLY */) && (fmt == 0100000 || fmt == 0040000 || fmt == 0120000))
		return 0;
	if (iflags & (1 << 3) /* S_IMMUTABLE */)
		return 0;
	if (iuid == (__u32)-1 || igid == (__u32)-1)
		return 0;
	if (fsuid == iuid)
		return 1;
	int in_group = igid == fsgid;
	if (!in_group) {
		struct group_info *gi = BPF_CORE_READ(c, group_info);
		int ng = gi ? BPF_CORE_READ(gi, ngroups) : 0;
		for (int i = 0; i < 32; i++) {
			if (i >= ng)
				break;
			__u32 g = 0;
			bpf_probe_read_kernel(&g, sizeof(g), (void *)gi + bpf_core_field_offset(struct group_info, gid) + i * 4);
			if (g == igid) {
				in_group = 1;
				break;
			}
		}
	}
	if (((in_group ? mode >> 3 : mode) & 2) != 0) /* MAY_WRITE */
		return 1;
	__u64 cap = 0;
	bpf_probe_read_kernel(&cap, 8, &c->cap_effective);
	return (cap & ((1ull << 1) | (1ull << 3))) != 0; /* CAP_DAC_OVERRIDE, CAP_FOWNER */
}

#endif
