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

/* mm_struct.rss_stat: an array of percpu_counter since 6.2, of atomic_long_t before. */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

static __always_inline __s64 ft_mm_counter(struct mm_struct *mm, int i)
{
	__s64 v = 0;
	{
		if (bpf_core_field_size(((struct mm_struct *)0)->rss_stat) > 64)
			v = BPF_CORE_READ(mm, rss_stat[i & 3].count);
		else
			v = BPF_CORE_READ((struct mm_struct___old *)mm, rss_stat.count[i & 3].counter);
	}
	return v < 0 ? 0 : v;
}

/* vm_size, vm_rss, vm_swap in KiB (pages are 4 KiB on x86_64) */
static __always_inline __u32 ft_vm(int which)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (!mm)
		return 0;
	switch (which) {
	case 0: return (__u32)(BPF_CORE_READ(mm, total_vm) << 2);
	case 1: return (__u32)((ft_mm_counter(mm, 0) + ft_mm_counter(mm, 1) + ft_mm_counter(mm, 3)) << 2);
	default: return (__u32)(ft_mm_counter(mm, 2) << 2);
	}
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

#endif
