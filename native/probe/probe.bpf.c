// SPDX-License-Identifier: GPL-2.0
/* falco-ts probe: BTF tracepoints on syscall enter/exit and process exit, writing scap events
 * (libs e5c53d64 codes and parameter layouts) as complete EV_V2 blocks into per-CPU rings
 * (shared.h: mmapable array segments, published with one store; no lock, no atomics, no
 * wakeups). Generic events are written straight into the ring; events with parameters are
 * built in a per-CPU scratch area and copied. Userspace (native/addon) polls on a timer and
 * merges the CPUs' rings by timestamp. ia32 (compat) syscalls are written as generic events
 * with their PPM_SC code (their arguments follow another ABI). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "shared.h"
#include "syscall_table.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- configuration, set by the addon before load ---- */
const volatile __u32 snaplen = 80;
const volatile __u32 n_ignore = 0;
const volatile __u32 ignore_tgid[FT_MAX_IGNORE] = {};
const volatile __u32 count_only = 0;          /* benchmark mode: count, write nothing */
const volatile __u32 want_procexit = 1;
const volatile __u32 n_cpus = 1;              /* possible CPUs */
const volatile __u32 nseg_shift = 0;          /* log2 of the ring segments per CPU */
const volatile __u32 kf_comm_on = 0;          /* kernel name filter (pushdown) on */

/* Event time = CLOCK_MONOTONIC + g_clock_offset (realtime - boottime at load, plus boottime -
 * monotonic: the addon adds the time spent suspended when the machine resumes), so timestamps
 * read as boottime-based ones (kmod: ktime_get_boottime_ns) for the price of bpf_ktime_get_ns,
 * which is cheaper than bpf_ktime_get_boot_ns. */
__u64 g_clock_offset = 0;
/* syscall selection (FT_SEL_ON per nr), filled by the addon after load */
__u8 g_sel[SYSCALL_NR_MAX] = {};
__u8 g_sel_ia32 = 0; /* ia32 syscalls written (as generic events) */
struct ft_ctl g_ctl[FT_MAX_CPUS] = {};

struct ft_seg {
	__u8 data[FT_SEG_VALUE];
};

/* per-CPU offsets (helpers/task.h: vm_rss) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* CPUs x segments, set by the addon */
	__type(key, __u32);
	__type(value, struct ft_seg);
} rings SEC(".maps");

/* ---- kernel name filter (src/filter/pushdown, docs/pushdown.md) ----
 * proc.name is the name the state recorded at a task's clone or exec, not the live comm (a
 * prctl or /proc/PID/comm write renames without an event), so the probe keeps those names:
 * kf_tasks, written at the exit of clone/fork/vfork/clone3 in the child and of a successful
 * exec, seeded by the addon from the /proc snapshot. A task without a record passes. */
struct ft_comm {
	char c[FT_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct ft_comm);
	__type(value, __u8);
} kf_names SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ft_comm);
} kf_tasks SEC(".maps");

#include "helpers/aux.h"
#include "helpers/flags.h"
#include "helpers/task.h"
#include "helpers/sock.h"
#include "params.h"
#include "proc.h"

static __always_inline int ft_ignored(__u32 tgid)
{
#pragma unroll
	for (int i = 0; i < FT_MAX_IGNORE; i++)
		if (i < n_ignore && ignore_tgid[i] == tgid)
			return 1;
	return 0;
}

/* ---- parameter filler (one verified subprogram for every table-driven param) ---- */

static __always_inline __u64 ft_arg(struct ft_aux *a, __u32 i)
{
	return i < 6 ? a->args[i] : 0;
}

static __always_inline __u32 ft_valid(__u32 code)
{
	return g_desc[code & (FT_NCODES - 1)].n;
}

static __always_inline __u64 ft_min_snap(__s64 ret)
{
	if (ret <= 0)
		return 0;
	return (__u64)ret < snaplen ? (__u64)ret : snaplen;
}

struct ft_iovec {
	__u64 base;
	__u64 len;
};
#define FT_MAX_IOV 16

/* iovec data (up to `want` bytes) or, with want == ~0, the sum of the lengths */
__noinline int ft_iov(__u64 uiov_addr, __u64 cnt, __u64 want, int size_only)
{
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	const struct ft_iovec *uiov = (const struct ft_iovec *)uiov_addr;
	struct ft_iovec v;
	__u32 got = 0;
	__u32 start = a->pos;
	__u64 sum = 0;
	if (cnt > FT_MAX_IOV)
		cnt = FT_MAX_IOV;
	for (int i = 0; i < FT_MAX_IOV; i++) {
		if (i >= cnt || !uiov)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &uiov[i]) < 0)
			break;
		sum += v.len;
		if (size_only)
			continue;
		if (got >= want)
			break;
		__u64 n = v.len < want - got ? v.len : want - got;
		n &= 0xffff;
		if (n && bpf_probe_read_user(&a->data[SAFE(start + got)], n, (void *)v.base) == 0)
			got += n;
	}
	if (size_only)
		aux_u32(a, (__u32)sum);
	else
		aux_len(a, got & 0xffff);
	return 0;
}

/* params that look at sockets and fds */
__noinline int ft_param_fd(__u32 op, __u32 arg, __u32 x)
{
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	__u64 v = ft_arg(a, arg);
	switch (op) {
	case FTOP_SOCKADDR:
		aux_len(a, ft_user_sockaddr(&a->data[SAFE(a->pos)], (void *)v, ft_arg(a, x)));
		break;
	case FTOP_TUPLE: {
		__u32 ua = (x >> 4) & 0xf;
		void *uaddr = ua ? (void *)ft_arg(a, ua - 1) : NULL;
		__u64 ulen = ua ? ((x & 1) ? 28 : ft_arg(a, ua)) : 0;
		aux_len(a, ft_socktuple(&a->data[SAFE(a->pos)], (int)v, x & 1, uaddr, ulen));
		break;
	}
	case FTOP_TUPLE_RET:
		aux_len(a, a->ret >= 0 ? ft_socktuple(&a->data[SAFE(a->pos)], a->ret, 1, NULL, 0) : 0);
		break;
	case FTOP_MSG_TUPLE: {
		struct user_msghdr m = {};
		if (v)
			bpf_probe_read_user(&m, sizeof(m), (void *)v);
		aux_len(a, ft_socktuple(&a->data[SAFE(a->pos)], (int)a->args[0], x & 1, m.msg_name, m.msg_namelen));
		break;
	}
	case FTOP_QUEUE: {
		struct socket *s = ft_fd_socket((int)v);
		struct sock *sk = s ? BPF_CORE_READ(s, sk) : NULL;
		__u32 len = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
		__u32 max = sk ? BPF_CORE_READ(sk, sk_max_ack_backlog) : 0;
		if (x == 0)
			aux_u8(a, max ? (__u8)(len * 100 / max) : 0);
		else
			aux_u32(a, x == 1 ? len : max);
		break;
	}
	case FTOP_FDPAIR:
	case FTOP_PIPE_INO:
	case FTOP_SOCKPAIR: {
		int fds[2] = {};
		if (a->ret >= 0 && v)
			bpf_probe_read_user(fds, sizeof(fds), (void *)v);
		if (op == FTOP_FDPAIR) {
			aux_u64(a, (__s64)(x ? fds[1] : fds[0]));
		} else if (op == FTOP_PIPE_INO) {
			struct file *f = a->ret >= 0 ? ft_fd_file(fds[0]) : NULL;
			aux_u64(a, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
		} else {
			struct socket *s = a->ret >= 0 ? ft_fd_socket(fds[0]) : NULL;
			struct sock *sk = s ? BPF_CORE_READ(s, sk) : NULL;
			if (x && sk)
				sk = BPF_CORE_READ((struct unix_sock *)sk, peer);
			aux_u64(a, (__u64)sk);
		}
		break;
	}
	}
	return 0;
}

__noinline int ft_param(__u32 op, __u32 arg, __u32 x)
{
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	__u64 v = ft_arg(a, arg);
	switch (op) {
	case FTOP_NONE: aux_empty(a); break;
	case FTOP_FD:
	case FTOP_PID: aux_u64(a, (__s64)(int)v); break;
	case FTOP_I64:
	case FTOP_U64: aux_u64(a, v); break;
	case FTOP_U32:
	case FTOP_I32: aux_u32(a, (__u32)v); break;
	case FTOP_U8: aux_u8(a, (__u8)v); break;
	case FTOP_FLAGS32: aux_u32(a, ft_translate(x, v)); break;
	case FTOP_FLAGS16: aux_u16(a, (__u16)ft_translate(x, v)); break;
	case FTOP_FLAGS8: aux_u8(a, (__u8)ft_translate(x, v)); break;
	case FTOP_STR: aux_ustr(a, (void *)v, 4096); break;
	case FTOP_RET: aux_u64(a, a->ret); break;
	case FTOP_RET_U64: aux_u64(a, a->ret); break;
	case FTOP_DEV_RETFD: aux_u32(a, a->ret >= 0 ? ft_file_dev(ft_fd_file(a->ret)) : 0); break;
	case FTOP_DATA_RET: aux_ubytes(a, (void *)v, ft_min_snap(a->ret)); break;
	case FTOP_DATA_LEN: aux_ubytes(a, (void *)v, ft_min_snap(ft_arg(a, x))); break;
	case FTOP_IOV_DATA: ft_iov(v, ft_arg(a, x), ft_min_snap(a->ret), 0); break;
	case FTOP_IOV_SIZE: ft_iov(v, ft_arg(a, x), 0, 1); break;
	case FTOP_MSG_DATA:
	case FTOP_MSG_SIZE: {
		struct user_msghdr m = {};
		if (v)
			bpf_probe_read_user(&m, sizeof(m), (void *)v);
		ft_iov((__u64)m.msg_iov, m.msg_iovlen, ft_min_snap(a->ret), op == FTOP_MSG_SIZE);
		break;
	}
	case FTOP_SOCKADDR:
	case FTOP_TUPLE:
	case FTOP_TUPLE_RET:
	case FTOP_MSG_TUPLE:
	case FTOP_QUEUE:
	case FTOP_FDPAIR:
	case FTOP_PIPE_INO:
	case FTOP_SOCKPAIR:
		ft_param_fd(op, arg, x);
		break;
	case FTOP_VM: aux_u32(a, ft_vm(x)); break;
	case FTOP_RELTIME: {
		struct __kernel_timespec ts = {};
		if (v)
			bpf_probe_read_user(&ts, sizeof(ts), (void *)v);
		aux_u64(a, (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec);
		break;
	}
	case FTOP_UPTR_U64: {
		__u64 o = 0;
		if (v)
			bpf_probe_read_user(&o, sizeof(o), (void *)v);
		aux_u64(a, o);
		break;
	}
	case FTOP_PTRACE_DYN:
		a->data[SAFE(a->pos)] = 0;
		*(__u64 *)&a->data[SAFE(a->pos + 1)] = v;
		aux_len(a, 9);
		break;
	case FTOP_BPF_DYN: {
		/* BPF_MAP_CREATE (0) and BPF_PROG_LOAD (5) return fds */
		int fd = a->ret >= 0 && (a->args[0] == 0 || a->args[0] == 5);
		a->data[SAFE(a->pos)] = fd ? 0 : 1;
		*(__u64 *)&a->data[SAFE(a->pos + 1)] = a->ret;
		aux_len(a, 9);
		break;
	}
	case FTOP_HOW: {
		__u64 how[3] = {};
		if (v)
			bpf_probe_read_user(how, sizeof(how), (void *)v);
		if (x == 0)
			aux_u32(a, ft_file_flags((__u32)how[0]));
		else
			aux_u32(a, (__u32)how[x == 1 ? 1 : 2]);
		break;
	}
	default: aux_empty(a); break;
	}
	return 0;
}

/* ---- dispatchers ---- */

/* Generic syscall events (PPME_GENERIC_E: ID, NATIVE_ID; PPME_GENERIC_X: ID), written straight
 * into the ring as whole blocks. The layouts are packed (odd offsets), so every field is stored
 * with one ft_st* (a packed struct would make clang store each one byte by byte). */
struct ft_generic_e {
	__u32 btype, btotal;
	__u16 cpu;
	__u64 ts, tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
	__u16 l0, l1;
	__u16 id, native_id;
	__u32 trailer;
} __attribute__((packed));

struct ft_generic_x {
	__u32 btype, btotal;
	__u16 cpu;
	__u64 ts, tid;
	__u32 len;
	__u16 type;
	__u32 nparams;
	__u16 l0;
	__u16 id;
	__u32 trailer;
} __attribute__((packed));

#define FT_GEN(s, f) offsetof(struct s, f)

static __always_inline int ft_generic(__u32 nr, __u16 id, __u32 tid, int enter)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct ft_ctl *c = ft_ctl_of(cpu);
	const __u32 size = enter ? sizeof(struct ft_generic_e) : sizeof(struct ft_generic_x);
	__u8 *e = ft_ring_at(c, cpu, size);
	if (!e)
		return 0;
	/* block prefix and ppm_evt_hdr: the same offsets in both layouts (as in aux_begin) */
	ft_st64(e, (__u64)FT_BLOCK_EV_V2 | (__u64)size << 32); /* btype, btotal */
	ft_st16(e + 8, cpu);
	ft_st64(e + 10, ft_now());
	ft_st64(e + 18, tid);
	ft_st32(e + 26, size - FT_BLOCK_PREFIX - 4); /* len: the block without prefix and trailer */
	if (enter) {
		ft_st16(e + FT_GEN(ft_generic_e, type), 0);
		ft_st32(e + FT_GEN(ft_generic_e, nparams), 2);
		ft_st32(e + FT_GEN(ft_generic_e, l0), 2 | 2 << 16);   /* l0, l1 */
		ft_st32(e + FT_GEN(ft_generic_e, id), id | nr << 16); /* id, native_id */
		ft_st32(e + FT_GEN(ft_generic_e, trailer), size);
	} else {
		ft_st16(e + FT_GEN(ft_generic_x, type), 1);
		ft_st32(e + FT_GEN(ft_generic_x, nparams), 1);
		ft_st32(e + FT_GEN(ft_generic_x, l0), 2 | (__u32)id << 16); /* l0, id */
		ft_st32(e + FT_GEN(ft_generic_x, trailer), size);
	}
	ft_ring_publish(c, cpu, size);
	return 0;
}

static __always_inline int ft_table_event(struct pt_regs *regs, __u32 code, __u32 tid, __s64 ret)
{
	const struct ft_desc *d = &g_desc[code & (FT_NCODES - 1)];
	struct ft_aux *a = aux_get();
	if (!a) {
		counters()->drop_other++;
		return 0;
	}
	a->args[0] = regs->di;
	a->args[1] = regs->si;
	a->args[2] = regs->dx;
	a->args[3] = regs->r10;
	a->args[4] = regs->r8;
	a->args[5] = regs->r9;
	a->ret = ret;
	if (d->n & FT_DESC_PROC) {
		aux_begin(a, code, code == 293 || code == 331 ? 23 : 20, tid);
		ft_proc_exit(code);
	} else {
		__u32 n = d->n & 7;
		aux_begin(a, code, n, tid);
		for (int i = 0; i < FT_MAXP; i++) {
			if (i >= n)
				break;
			ft_param(d->op[i], d->arg[i], d->aux[i]);
		}
	}
	aux_submit(a);
	return 0;
}

static __always_inline int ft_count(void)
{
	counters()->events++;
	return 0;
}

/* x86_64 syscall numbers that give a task its recorded name (clone, fork, vfork, execve,
 * execveat, clone3) */
static __always_inline int ft_names_task(__u32 nr)
{
	return nr == 56 || nr == 57 || nr == 58 || nr == 59 || nr == 322 || nr == 435;
}

static __always_inline void ft_kf_record(__u32 tid)
{
	struct ft_comm v = {};
	bpf_get_current_comm(v.c, sizeof(v.c));
	bpf_map_update_elem(&kf_tasks, &tid, &v, BPF_ANY);
}

/* 1 when the kernel name filter drops this syscall event: not kept for the state, not I/O on
 * a socket, and the task's recorded name is not one of kf_names (the addon puts there the
 * names, and the 15-byte heads of longer names, the filter's kernel part requires). */
static __always_inline int ft_kf_drop(__u32 nr, __u32 tid, struct pt_regs *regs)
{
	if (!kf_comm_on)
		return 0;
	__u8 sel = g_sel[nr & (SYSCALL_NR_MAX - 1)];
	if (sel & FT_SEL_KEEP)
		return 0;
	if ((sel & FT_SEL_SOCKIO) && ft_fd_socket((__s64)regs->di))
		return 0;
	struct ft_comm *rec = bpf_map_lookup_elem(&kf_tasks, &tid);
	if (!rec)
		return 0;
	if (bpf_map_lookup_elem(&kf_names, rec))
		return 0;
	counters()->kf_dropped++;
	return 1;
}

/* TS_COMPAT: the task is in an ia32 syscall (int 0x80, sysenter, compat syscall), where nr
 * and the argument registers follow the i386 ABI. */
static __always_inline int ft_in_ia32(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	return (t->thread_info.status & 0x0002) != 0;
}

static __noinline int ft_ia32(__u32 nr, __u32 tid, int enter)
{
	counters()->ia32++;
	if (!g_sel_ia32 || nr >= SYSCALL_NR_MAX)
		return 0;
	if (count_only)
		return ft_count();
	__u32 i = nr;
	asm volatile("" : "+r"(i)); /* hide the bound from clang: the verifier needs the mask */
	i &= SYSCALL_NR_MAX - 1;
	return ft_generic(nr, g_ia32_ppm_sc[i], tid, enter);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(ft_sys_enter, struct pt_regs *regs, long id)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 nr = (__u32)id;
	if (ft_in_ia32())
		return ft_ignored(pt >> 32) ? 0 : ft_ia32(nr, (__u32)pt, 1);
	if (nr >= SYSCALL_NR_MAX || !(g_sel[nr] & FT_SEL_ON) || ft_ignored(pt >> 32))
		return 0;
	if (count_only)
		return ft_count();
	if (ft_kf_drop(nr, (__u32)pt, regs))
		return 0;
	__u32 code = g_enter_event[nr];
	if (code == 0 || !(ft_valid(code) & FT_DESC_VALID))
		return ft_generic(nr, g_ppm_sc[nr], (__u32)pt, 1);
	return ft_table_event(regs, code, (__u32)pt, 0);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ft_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 nr = (__u32)regs->orig_ax;
	if (ft_in_ia32())
		return ft_ignored(pt >> 32) ? 0 : ft_ia32(nr, (__u32)pt, 0);
	/* before the selection: the names must be right whatever syscalls are written */
	if (kf_comm_on && ret == 0 && ft_names_task(nr))
		ft_kf_record((__u32)pt);
	if (nr >= SYSCALL_NR_MAX || !(g_sel[nr] & FT_SEL_ON) || ft_ignored(pt >> 32))
		return 0;
	if (count_only)
		return ft_count();
	if (ft_kf_drop(nr, (__u32)pt, regs))
		return 0;
	__u32 ecode = g_enter_event[nr];
	if (ecode == 0 || !(ft_valid(ecode) & FT_DESC_VALID))
		return ft_generic(nr, g_ppm_sc[nr], (__u32)pt, 0);
	return ft_table_event(regs, g_exit_event[nr], (__u32)pt, ret);
}

/* PPME_PROCEXIT_1_E: status, ret, sig, core */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(ft_proc_exit_tp, struct task_struct *p)
{
	__u64 pt = bpf_get_current_pid_tgid();
	if (!want_procexit || ft_ignored(pt >> 32))
		return 0;
	if (count_only)
		return ft_count();
	struct ft_aux *a = aux_get();
	if (!a)
		return 0;
	int code = BPF_CORE_READ(p, exit_code);
	aux_begin(a, 186, 4, (__u32)pt);
	aux_u64(a, code);
	aux_u64(a, (code >> 8) & 0xff);
	aux_u8(a, code & 0x7f);
	aux_u8(a, (code & 0x80) ? 1 : 0);
	aux_submit(a);
	return 0;
}
