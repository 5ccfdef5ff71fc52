/* execve/execveat and clone/fork/vfork/clone3 exit events: the process fields of
 * PPME_SYSCALL_EXECVE_19_X (+ cap_* appended by libs 0.7.0) and PPME_SYSCALL_CLONE_20_X. */
#ifndef FT_PROC_H
#define FT_PROC_H

#define FT_ARGS_MAX 4096
#define FT_ENV_MAX 4096

/* exe (argv[0]) and args (argv[1..] NUL-separated) from the user argument area */
static __always_inline void ft_exe_args(struct ft_aux *a, struct mm_struct *mm)
{
	unsigned long start = mm ? BPF_CORE_READ(mm, arg_start) : 0;
	unsigned long end = mm ? BPF_CORE_READ(mm, arg_end) : 0;
	__u64 total = end > start ? end - start : 0;
	if (total > FT_ARGS_MAX)
		total = FT_ARGS_MAX;
	long n = 0;
	if (total)
		n = bpf_probe_read_user_str(&a->data[SAFE(a->pos)], FT_ARGS_MAX, (void *)start);
	if (n < 0)
		n = 0;
	aux_len(a, (__u32)n & (FT_MAX_BLOCK - 1));
	__u64 rest = total > (__u64)n ? total - n : 0;
	aux_ubytes(a, (void *)(start + n), rest & (FT_ARGS_MAX * 2 - 1));
}

static __always_inline void ft_env(struct ft_aux *a, struct mm_struct *mm)
{
	unsigned long start = mm ? BPF_CORE_READ(mm, env_start) : 0;
	unsigned long end = mm ? BPF_CORE_READ(mm, env_end) : 0;
	__u64 total = end > start ? end - start : 0;
	if (total > FT_ENV_MAX)
		total = FT_ENV_MAX;
	aux_ubytes(a, (void *)start, total);
}

/* cgroups: one "subsys=/path" entry per subsystem, in the order libs' drivers write them
 * (cpuset, cpu, cpuacct, io, memory; those the kernel lacks are left out). */
static __always_inline void ft_cgroups(struct ft_aux *a)
{
	__u32 start = a->pos;
	a->cur = start;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		ft_cgroup_append(bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		ft_cgroup_append(bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		ft_cgroup_append(bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		ft_cgroup_append(bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		ft_cgroup_append(bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	aux_len(a, (a->cur - start) & (FT_MAX_BLOCK - 1));
}

__noinline int ft_proc_exit(__u32 code)
{
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	int is_execve = code == 293 || code == 331;

	aux_u64(a, a->ret);                                           /* res */
	ft_exe_args(a, mm);                                           /* exe, args */
	aux_u64(a, BPF_CORE_READ(t, pid));                            /* tid */
	aux_u64(a, BPF_CORE_READ(t, tgid));                           /* pid */
	aux_u64(a, BPF_CORE_READ(t, real_parent, pid));               /* ptid */
	ft_cwd_param();                                               /* cwd */
	aux_u64(a, BPF_CORE_READ(t, signal, rlim[7].rlim_cur));       /* fdlimit (RLIMIT_NOFILE) */
	aux_u64(a, BPF_CORE_READ(t, maj_flt));                        /* pgft_maj */
	aux_u64(a, BPF_CORE_READ(t, min_flt));                        /* pgft_min */
	aux_u32(a, ft_vm(0));
	aux_u32(a, ft_vm(1));
	aux_u32(a, ft_vm(2));
	aux_kstr(a, BPF_CORE_READ(t, comm), 16);                      /* comm */
	ft_cgroups(a);                                                /* cgroups */
	if (is_execve) {
		ft_env(a, mm);                                        /* env */
		aux_u32(a, ft_tty(t));                                /* tty */
		aux_u64(a, ft_pid_nr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]), 0)); /* pgid */
		aux_u32(a, BPF_CORE_READ(t, loginuid.val));           /* loginuid */
		aux_u32(a, ft_exe_writable(t, mm) ? 1 : 0);           /* flags: PPM_EXE_WRITABLE */
		__u64 cap = 0;
		const struct cred *cred = BPF_CORE_READ(t, cred);
		bpf_probe_read_kernel(&cap, 8, &cred->cap_inheritable);
		aux_u64(a, cap);
		bpf_probe_read_kernel(&cap, 8, &cred->cap_permitted);
		aux_u64(a, cap);
		bpf_probe_read_kernel(&cap, 8, &cred->cap_effective);
		aux_u64(a, cap);
	} else {
		__u64 fl = 0;
		if (code == 223)
			fl = ft_clone_flags(a->args[0]);
		else if (code == 227)
			fl = ft_clone_flags(0x4000 | 0x100); /* vfork = CLONE_VFORK | CLONE_VM */
		else if (code == 335) {
			__u64 f3 = 0;
			bpf_probe_read_user(&f3, 8, (void *)a->args[0]);
			fl = ft_clone_flags(f3);
		}
		aux_u32(a, fl);                                       /* flags */
		aux_u32(a, BPF_CORE_READ(t, cred, euid.val));         /* uid */
		aux_u32(a, BPF_CORE_READ(t, cred, egid.val));         /* gid */
		aux_u64(a, ft_vnr(BPF_CORE_READ(t, thread_pid)));     /* vtid */
		aux_u64(a, ft_vnr(BPF_CORE_READ(t, group_leader, thread_pid))); /* vpid */
	}
	return 0;
}

#endif
