// SPDX-License-Identifier: GPL-2.0
/* falco_ts kernel module: the kernel-module twin of the CO-RE BPF probe (../probe).
 *
 * Tracepoint probes on sys_enter, sys_exit and sched_process_exit write the same scap events
 * (libs e5c53d64 codes and layouts) as complete EV_V2 blocks into per-CPU ring buffers that the
 * reader maps through the misc device /dev/falco_ts (interface: ft_kmod.h).
 *
 * What each event carries comes from the probe's own tables, compiled here unchanged:
 * ../probe/params.h (parameter descriptions: op, argument, extra), ../probe/flags.h (flag
 * translation), ../probe/syscall_table.h (nr -> event codes, PPM_SC ids) and ../probe/shared.h
 * (block framing, limits). This file only implements the ops with kernel APIs instead of BPF
 * helpers, mirroring ../probe/probe.bpf.c, proc.h and helpers/ byte for byte.
 *
 * Context: tracepoint probes run with preemption disabled, so each CPU's ring and scratch area
 * has one writer; user memory is read with copy_from_user_nofault (a fault gives an empty
 * param, as bpf_probe_read_user does). One reader at a time; the device's owner reference keeps
 * the module loaded while it is open or mapped (rmmod gets EBUSY), and release detaches the
 * tracepoints and waits for running probes before the rings are freed.
 */
#include <linux/module.h>
#include <linux/version.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/time64.h>
#include <linux/fs_struct.h>
#include <linux/dcache.h>
#include <linux/cred.h>
#include <linux/timekeeping.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/string.h>
#include <linux/compat.h>
#include <net/sock.h>
#include <net/af_unix.h>
#if __has_include(<linux/unaligned.h>)
#include <linux/unaligned.h> /* 6.12+ */
#else
#include <asm/unaligned.h>
#endif

#include "ft_kmod.h"
#include "shared.h"
#include "syscall_table.h"
#include "helpers/flags.h"
#include "params.h"

#define FT_KMOD_VERSION "0.1.0"

#if FT_KMOD_IGNORE != FT_MAX_IGNORE || FT_KMOD_SEL_BYTES != SYSCALL_NR_MAX
#error "ft_kmod.h and ../probe/shared.h disagree"
#endif
/* ft_param() below implements every op of ../probe/params.h: an op added there must be added
 * here too (then bump this number), or the two probes would drift */
_Static_assert(FTOP__COUNT == 35, "new parameter op in ../probe/params.h: implement it in ft_param()");

/* ---- state (one reader) ---- */

struct ft_kcounters {
	u64 seen;       /* events the module tried to write */
	u64 drop_ring;  /* ring full */
	u64 drop_other; /* too big */
	u64 ia32;       /* ia32 (compat) syscall events skipped or written as generic */
};

struct ft_cpu {
	struct ft_kring_hdr *hdr; /* vmalloc_user: header page + ring data */
	u8 *data;
	u8 *scratch;              /* FT_AUX_SIZE: the event being built */
	struct ft_kcounters cnt;
};

static DEFINE_MUTEX(g_lock);
static atomic_t g_open = ATOMIC_INIT(0);
static struct ft_cpu *g_cpus;   /* nr_cpu_ids entries once configured */
static u32 g_ring_bytes;
static u32 g_snaplen = 80;
static u32 g_procexit = 1;
static u32 g_n_ignore;
static u32 g_ignore[FT_MAX_IGNORE];
static u8 g_sel[SYSCALL_NR_MAX];
static u8 g_sel_ia32;
static u64 g_boot_offset;
static bool g_running;

static struct tracepoint *tp_sys_enter, *tp_sys_exit, *tp_proc_exit;

/* ---- the event being built ---- */

struct ft_ev {
	u8 *d;
	u32 pos;   /* next payload byte */
	u32 lens;  /* next length slot */
	bool over; /* out of scratch: the event is dropped */
	u64 args[6];
	s64 ret;
	u32 code;
	struct ft_cpu *c;
};

#define LENS_OFF (FT_BLOCK_PREFIX + FT_EVT_HDR)

static __always_inline u64 ft_now(void)
{
	return ktime_get_boottime_ns() + g_boot_offset;
}

/* room for n bytes at pos, or NULL (the event is marked over and dropped at submit) */
static __always_inline u8 *ev_at(struct ft_ev *e, u32 n)
{
	if (e->over || e->pos + n > FT_AUX_SIZE - 8) {
		e->over = true;
		return NULL;
	}
	return e->d + e->pos;
}

static __always_inline void ev_len(struct ft_ev *e, u32 n)
{
	if (e->lens + 2 <= FT_AUX_SIZE)
		put_unaligned((u16)n, (u16 *)(e->d + e->lens));
	e->lens += 2;
	e->pos += n;
}

static void ev_begin(struct ft_ev *e, u32 code, u32 nparams, u32 tid)
{
	u8 *d = e->d;
	put_unaligned((u32)FT_BLOCK_EV_V2, (u32 *)d);
	put_unaligned((u16)smp_processor_id(), (u16 *)(d + 8));
	put_unaligned(ft_now(), (u64 *)(d + 10));
	put_unaligned((u64)tid, (u64 *)(d + 18));
	put_unaligned((u16)code, (u16 *)(d + 30));
	put_unaligned(nparams, (u32 *)(d + 32));
	e->code = code;
	e->lens = LENS_OFF;
	e->pos = LENS_OFF + nparams * 2;
	e->over = false;
}

static void ev_u8(struct ft_ev *e, u8 v) { u8 *p = ev_at(e, 1); if (p) *p = v; ev_len(e, 1); }
static void ev_u16(struct ft_ev *e, u16 v) { u8 *p = ev_at(e, 2); if (p) put_unaligned(v, (u16 *)p); ev_len(e, 2); }
static void ev_u32(struct ft_ev *e, u32 v) { u8 *p = ev_at(e, 4); if (p) put_unaligned(v, (u32 *)p); ev_len(e, 4); }
static void ev_u64(struct ft_ev *e, u64 v) { u8 *p = ev_at(e, 8); if (p) put_unaligned(v, (u64 *)p); ev_len(e, 8); }
static void ev_empty(struct ft_ev *e) { ev_len(e, 0); }

/* bpf_probe_read_user_str semantics (strncpy_from_user_nofault, which modules cannot call):
 * copies up to count-1 bytes and a NUL; returns the bytes written including the NUL, or
 * -EFAULT when the string runs into unreadable memory before its end. */
static long ft_ustr_copy(u8 *dst, const void __user *src, long count)
{
	unsigned long a = (unsigned long)src;
	long done = 0;
	if (count <= 0)
		return 0;
	while (done < count) {
		long chunk = min_t(long, count - done, 128);
		long page_left = PAGE_SIZE - ((a + done) & (PAGE_SIZE - 1));
		u8 *z;
		if (chunk > page_left)
			chunk = page_left;
		if (copy_from_user_nofault(dst + done, (const void __user *)(a + done), chunk))
			return -EFAULT;
		z = memchr(dst + done, 0, chunk);
		if (z)
			return z - dst + 1;
		done += chunk;
	}
	dst[count - 1] = 0;
	return count;
}

/* bpf_probe_read_kernel_str semantics on kernel memory we may read */
static long ft_kstr_copy(u8 *dst, const char *src, long count)
{
	long n;
	if (!src || count <= 0)
		return 0;
	n = strnlen(src, count - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
	return n + 1;
}

static void ev_ustr(struct ft_ev *e, const void __user *p, u32 max)
{
	long n = 0;
	u8 *d = ev_at(e, max);
	if (d && p)
		n = ft_ustr_copy(d, p, max);
	if (n < 0)
		n = 0;
	ev_len(e, (u32)n);
}

static void ev_kstr(struct ft_ev *e, const char *p, u32 max)
{
	long n = 0;
	u8 *d = ev_at(e, max);
	if (d && p)
		n = ft_kstr_copy(d, p, max);
	ev_len(e, (u32)n);
}

static void ev_ubytes(struct ft_ev *e, const void __user *p, u64 n)
{
	u8 *d;
	if (!p || n == 0) {
		ev_len(e, 0);
		return;
	}
	n &= (FT_MAX_BLOCK - 1);
	d = ev_at(e, n);
	if (!d || copy_from_user_nofault(d, p, n))
		n = 0;
	ev_len(e, (u32)n);
}

/* ---- rings ---- */

static void ft_ring_write(struct ft_cpu *c, const u8 *src, u32 total)
{
	struct ft_kring_hdr *h = c->hdr;
	u64 head = h->head;
	u64 tail = smp_load_acquire(&h->tail);
	u32 mask = g_ring_bytes - 1, off, first;
	if (head - tail > g_ring_bytes || g_ring_bytes - (head - tail) < total) {
		c->cnt.drop_ring++;
		return;
	}
	off = head & mask;
	first = min_t(u32, total, g_ring_bytes - off);
	memcpy(c->data + off, src, first);
	if (first < total)
		memcpy(c->data, src + first, total - first);
	smp_store_release(&h->head, head + total);
}

/* pads, writes the trailer and the lengths, copies the block into this CPU's ring */
static void ev_submit(struct ft_ev *e)
{
	struct ft_cpu *c = e->c;
	u32 pos = e->pos;
	u32 total = (pos + 3 + 4) & ~3u;
	c->cnt.seen++;
	if (e->over || total > FT_MAX_BLOCK) {
		c->cnt.drop_other++;
		return;
	}
	put_unaligned(0u, (u32 *)(e->d + pos));
	put_unaligned(total, (u32 *)(e->d + total - 4));
	put_unaligned(total, (u32 *)(e->d + 4));
	put_unaligned(pos - FT_BLOCK_PREFIX, (u32 *)(e->d + 26));
	ft_ring_write(c, e->d, total);
}

/* ---- task, file and socket readers (helpers/task.h, helpers/sock.h) ---- */

/* the current task's file at fd (RCU: the caller holds rcu_read_lock) */
static struct file *ft_fd_file(s64 fd)
{
	struct files_struct *files = current->files;
	struct fdtable *fdt;
	if (!files || fd < 0)
		return NULL;
	fdt = rcu_dereference_raw(files->fdt);
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
	return rcu_dereference_raw(fdt->fd[fd]);
}

static u32 ft_encode_dev(u32 dev)
{
	u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static u32 ft_file_dev(struct file *f)
{
	if (!f || !f->f_inode || !f->f_inode->i_sb)
		return 0;
	return ft_encode_dev(f->f_inode->i_sb->s_dev);
}

/* rss counters: atomics before 6.2; percpu_counters since, summed with their per-CPU deltas
 * as the BPF probe does (a fresh process has all its pages there) */
static s64 ft_mm_counter(struct mm_struct *mm, int i)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	s64 v = percpu_counter_sum(&mm->rss_stat[i]);
#else
	s64 v = get_mm_counter(mm, i);
#endif
	return v < 0 ? 0 : v;
}

static u32 ft_vm(int which)
{
	struct mm_struct *mm = current->mm;
	if (!mm)
		return 0;
	switch (which) {
	case 0: return (u32)(mm->total_vm << 2);
	case 1: return (u32)((ft_mm_counter(mm, MM_FILEPAGES) + ft_mm_counter(mm, MM_ANONPAGES) +
			      ft_mm_counter(mm, MM_SHMEMPAGES)) << 2);
	default: return (u32)(ft_mm_counter(mm, MM_SWAPENTS) << 2);
	}
}

static s64 ft_pid_at(struct pid *p, unsigned int level)
{
	if (!p || level > p->level)
		return 0;
	return p->numbers[level].nr;
}

static s64 ft_vnr(struct pid *p)
{
	return p ? ft_pid_at(p, p->level) : 0;
}

static u32 ft_tty(struct task_struct *t)
{
	struct tty_struct *tty = t->signal ? t->signal->tty : NULL;
	if (!tty || !tty->driver)
		return 0;
	return ft_encode_dev(((u32)tty->driver->major << 20) |
			     (((u32)tty->driver->minor_start + tty->index) & 0xfffff));
}

static struct socket *ft_fd_socket(s64 fd)
{
	struct file *f = ft_fd_file(fd);
	if (!f || !f->f_inode || !S_ISSOCK(f->f_inode->i_mode))
		return NULL;
	return (struct socket *)f->private_data;
}

static u32 ft_unix_path(u8 *dst, const char *src, int user, long n)
{
	long r;
	char c0 = 0;
	if (n <= 0) {
		dst[0] = 0;
		return 1;
	}
	if (user) {
		if (copy_from_user_nofault(&c0, (const void __user *)src, 1))
			c0 = 0;
	} else {
		c0 = src[0];
	}
	if (c0 == 0) { /* abstract */
		dst[0] = '@';
		r = user ? ft_ustr_copy(dst + 1, (const void __user *)(src + 1), UNIX_PATH_MAX - 1)
			 : ft_kstr_copy(dst + 1, src + 1, UNIX_PATH_MAX - 1);
		return r > 0 ? r + 1 : 2;
	}
	r = user ? ft_ustr_copy(dst, (const void __user *)src, UNIX_PATH_MAX) : ft_kstr_copy(dst, src, UNIX_PATH_MAX);
	if (r <= 0) {
		dst[0] = 0;
		return 1;
	}
	return r;
}

static u32 ft_user_sockaddr(u8 *dst, const void __user *uaddr, u64 ulen)
{
	u16 fam = 0;
	if (!uaddr || ulen < 2 || copy_from_user_nofault(&fam, uaddr, 2))
		return 0;
	if (fam == AF_INET) {
		struct sockaddr_in in;
		if (copy_from_user_nofault(&in, uaddr, sizeof(in)))
			return 0;
		dst[0] = AF_INET;
		memcpy(dst + 1, &in.sin_addr.s_addr, 4);
		put_unaligned(ntohs(in.sin_port), (u16 *)(dst + 5));
		return 7;
	}
	if (fam == AF_INET6) {
		struct sockaddr_in6 in6;
		if (copy_from_user_nofault(&in6, uaddr, sizeof(in6)))
			return 0;
		dst[0] = AF_INET6;
		memcpy(dst + 1, &in6.sin6_addr, 16);
		put_unaligned(ntohs(in6.sin6_port), (u16 *)(dst + 17));
		return 19;
	}
	if (fam == AF_UNIX) {
		dst[0] = AF_UNIX;
		return 1 + ft_unix_path(dst + 1, (const char *)uaddr + 2, 1, ulen - 2);
	}
	return 0;
}

static u32 ft_socktuple(u8 *dst, s64 fd, int inbound, const void __user *uaddr, u64 ulen)
{
	struct socket *sock = ft_fd_socket(fd);
	struct sock *sk = sock ? READ_ONCE(sock->sk) : NULL;
	u16 fam;
	if (!sk)
		return 0;
	fam = sk->__sk_common.skc_family;
	if (fam == AF_INET) {
		u32 laddr = sk->__sk_common.skc_rcv_saddr;
		u32 raddr = sk->__sk_common.skc_daddr;
		u16 lport = sk->__sk_common.skc_num;
		u16 rport = ntohs(sk->__sk_common.skc_dport);
		if (raddr == 0 && rport == 0 && uaddr && ulen >= sizeof(struct sockaddr_in)) {
			struct sockaddr_in in;
			if (!copy_from_user_nofault(&in, uaddr, sizeof(in)) && in.sin_family == AF_INET) {
				raddr = in.sin_addr.s_addr;
				rport = ntohs(in.sin_port);
			}
		}
		dst[0] = AF_INET;
		if (inbound) {
			put_unaligned(raddr, (u32 *)(dst + 1));
			put_unaligned(rport, (u16 *)(dst + 5));
			put_unaligned(laddr, (u32 *)(dst + 7));
			put_unaligned(lport, (u16 *)(dst + 11));
		} else {
			put_unaligned(laddr, (u32 *)(dst + 1));
			put_unaligned(lport, (u16 *)(dst + 5));
			put_unaligned(raddr, (u32 *)(dst + 7));
			put_unaligned(rport, (u16 *)(dst + 11));
		}
		return 13;
	}
#if IS_ENABLED(CONFIG_IPV6)
	if (fam == AF_INET6) {
		struct in6_addr l = sk->__sk_common.skc_v6_rcv_saddr;
		struct in6_addr r = sk->__sk_common.skc_v6_daddr;
		u16 lport = sk->__sk_common.skc_num;
		u16 rport = ntohs(sk->__sk_common.skc_dport);
		if (rport == 0 && uaddr && ulen >= sizeof(struct sockaddr_in6)) {
			struct sockaddr_in6 in6;
			if (!copy_from_user_nofault(&in6, uaddr, sizeof(in6)) && in6.sin6_family == AF_INET6) {
				memcpy(&r, &in6.sin6_addr, 16);
				rport = ntohs(in6.sin6_port);
			}
		}
		dst[0] = AF_INET6;
		if (inbound) {
			memcpy(dst + 1, &r, 16);
			put_unaligned(rport, (u16 *)(dst + 17));
			memcpy(dst + 19, &l, 16);
			put_unaligned(lport, (u16 *)(dst + 35));
		} else {
			memcpy(dst + 1, &l, 16);
			put_unaligned(lport, (u16 *)(dst + 17));
			memcpy(dst + 19, &r, 16);
			put_unaligned(rport, (u16 *)(dst + 35));
		}
		return 37;
	}
#endif
	if (fam == AF_UNIX) {
		struct unix_sock *us = unix_sk(sk);
		struct sock *peer = READ_ONCE(us->peer);
		struct unix_address *addr;
		dst[0] = AF_UNIX;
		if (inbound) {
			put_unaligned((u64)(unsigned long)sk, (u64 *)(dst + 1));
			put_unaligned((u64)(unsigned long)peer, (u64 *)(dst + 9));
		} else {
			put_unaligned((u64)(unsigned long)peer, (u64 *)(dst + 1));
			put_unaligned((u64)(unsigned long)sk, (u64 *)(dst + 9));
		}
		addr = peer ? READ_ONCE(unix_sk(peer)->addr) : NULL;
		if (!addr)
			addr = READ_ONCE(us->addr);
		if (addr)
			return 17 + ft_unix_path(dst + 17, (const char *)addr->name + 2, 0, addr->len - 2);
		if (uaddr && ulen > 2)
			return 17 + ft_unix_path(dst + 17, (const char *)uaddr + 2, 1, ulen - 2);
		dst[17] = 0;
		return 18;
	}
	return 0;
}

/* ---- parameter filler (ft_param / ft_param_fd / ft_iov of probe.bpf.c) ---- */

struct ft_iovec {
	u64 base;
	u64 len;
};
#define FT_MAX_IOV 16
/* a sockaddr/tuple param: at most 1 + 108 + 1 (unix path) + 17 */
#define FT_SOCK_ROOM 160

static u64 ft_arg(struct ft_ev *e, u32 i)
{
	return i < 6 ? e->args[i] : 0;
}

static u64 ft_min_snap(s64 ret)
{
	if (ret <= 0)
		return 0;
	return (u64)ret < g_snaplen ? (u64)ret : g_snaplen;
}

static void ft_iov(struct ft_ev *e, u64 uiov_addr, u64 cnt, u64 want, int size_only)
{
	const struct ft_iovec __user *uiov = (const struct ft_iovec __user *)uiov_addr;
	struct ft_iovec v;
	u32 got = 0;
	u64 sum = 0;
	u8 *d = size_only ? NULL : ev_at(e, want);
	int i;
	if (cnt > FT_MAX_IOV)
		cnt = FT_MAX_IOV;
	for (i = 0; i < FT_MAX_IOV; i++) {
		u64 n;
		if (i >= cnt || !uiov)
			break;
		if (copy_from_user_nofault(&v, &uiov[i], sizeof(v)))
			break;
		sum += v.len;
		if (size_only)
			continue;
		if (got >= want || !d)
			break;
		n = v.len < want - got ? v.len : want - got;
		n &= 0xffff;
		if (n && !copy_from_user_nofault(d + got, (const void __user *)v.base, n))
			got += n;
	}
	if (size_only)
		ev_u32(e, (u32)sum);
	else
		ev_len(e, got & 0xffff);
}

static void ft_param_fd(struct ft_ev *e, u32 op, u32 arg, u32 x)
{
	u64 v = ft_arg(e, arg);
	u8 *d;
	switch (op) {
	case FTOP_SOCKADDR:
		d = ev_at(e, FT_SOCK_ROOM);
		ev_len(e, d ? ft_user_sockaddr(d, (const void __user *)v, ft_arg(e, x)) : 0);
		break;
	case FTOP_TUPLE: {
		u32 ua = (x >> 4) & 0xf;
		const void __user *uaddr = ua ? (const void __user *)ft_arg(e, ua - 1) : NULL;
		u64 ulen = ua ? ((x & 1) ? 28 : ft_arg(e, ua)) : 0;
		d = ev_at(e, FT_SOCK_ROOM);
		ev_len(e, d ? ft_socktuple(d, (int)v, x & 1, uaddr, ulen) : 0);
		break;
	}
	case FTOP_TUPLE_RET:
		d = ev_at(e, FT_SOCK_ROOM);
		ev_len(e, d && e->ret >= 0 ? ft_socktuple(d, e->ret, 1, NULL, 0) : 0);
		break;
	case FTOP_MSG_TUPLE: {
		struct user_msghdr m = {};
		if (v && copy_from_user_nofault(&m, (const void __user *)v, sizeof(m)))
			memset(&m, 0, sizeof(m));
		d = ev_at(e, FT_SOCK_ROOM);
		ev_len(e, d ? ft_socktuple(d, (int)e->args[0], x & 1, m.msg_name, m.msg_namelen) : 0);
		break;
	}
	case FTOP_QUEUE: {
		struct socket *s = ft_fd_socket((int)v);
		struct sock *sk = s ? READ_ONCE(s->sk) : NULL;
		u32 len = sk ? READ_ONCE(sk->sk_ack_backlog) : 0;
		u32 max = sk ? READ_ONCE(sk->sk_max_ack_backlog) : 0;
		if (x == 0)
			ev_u8(e, max ? (u8)(len * 100 / max) : 0);
		else
			ev_u32(e, x == 1 ? len : max);
		break;
	}
	case FTOP_FDPAIR:
	case FTOP_PIPE_INO:
	case FTOP_SOCKPAIR: {
		int fds[2] = {};
		if (e->ret >= 0 && v && copy_from_user_nofault(fds, (const void __user *)v, sizeof(fds)))
			fds[0] = fds[1] = 0;
		if (op == FTOP_FDPAIR) {
			ev_u64(e, (s64)(x ? fds[1] : fds[0]));
		} else if (op == FTOP_PIPE_INO) {
			struct file *f = e->ret >= 0 ? ft_fd_file(fds[0]) : NULL;
			ev_u64(e, f && f->f_inode ? f->f_inode->i_ino : 0);
		} else {
			struct socket *s = e->ret >= 0 ? ft_fd_socket(fds[0]) : NULL;
			struct sock *sk = s ? READ_ONCE(s->sk) : NULL;
			if (x && sk)
				sk = READ_ONCE(unix_sk(sk)->peer);
			ev_u64(e, (u64)(unsigned long)sk);
		}
		break;
	}
	}
}

static void ft_param(struct ft_ev *e, u32 op, u32 arg, u32 x)
{
	u64 v = ft_arg(e, arg);
	u8 *d;
	switch (op) {
	case FTOP_NONE: ev_empty(e); break;
	case FTOP_FD:
	case FTOP_PID: ev_u64(e, (s64)(int)v); break;
	case FTOP_I64:
	case FTOP_U64: ev_u64(e, v); break;
	case FTOP_U32:
	case FTOP_I32: ev_u32(e, (u32)v); break;
	case FTOP_U8: ev_u8(e, (u8)v); break;
	case FTOP_FLAGS32: ev_u32(e, ft_translate(x, v)); break;
	case FTOP_FLAGS16: ev_u16(e, (u16)ft_translate(x, v)); break;
	case FTOP_FLAGS8: ev_u8(e, (u8)ft_translate(x, v)); break;
	case FTOP_STR: ev_ustr(e, (const void __user *)v, 4096); break;
	case FTOP_RET: ev_u64(e, e->ret); break;
	case FTOP_RET_U64: ev_u64(e, e->ret); break;
	case FTOP_DEV_RETFD: ev_u32(e, e->ret >= 0 ? ft_file_dev(ft_fd_file(e->ret)) : 0); break;
	case FTOP_DATA_RET: ev_ubytes(e, (const void __user *)v, ft_min_snap(e->ret)); break;
	case FTOP_DATA_LEN: ev_ubytes(e, (const void __user *)v, ft_min_snap(ft_arg(e, x))); break;
	case FTOP_IOV_DATA: ft_iov(e, v, ft_arg(e, x), ft_min_snap(e->ret), 0); break;
	case FTOP_IOV_SIZE: ft_iov(e, v, ft_arg(e, x), 0, 1); break;
	case FTOP_MSG_DATA:
	case FTOP_MSG_SIZE: {
		struct user_msghdr m = {};
		if (v && copy_from_user_nofault(&m, (const void __user *)v, sizeof(m)))
			memset(&m, 0, sizeof(m));
		ft_iov(e, (u64)(unsigned long)m.msg_iov, m.msg_iovlen, ft_min_snap(e->ret), op == FTOP_MSG_SIZE);
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
		ft_param_fd(e, op, arg, x);
		break;
	case FTOP_VM: ev_u32(e, ft_vm(x)); break;
	case FTOP_RELTIME: {
		struct __kernel_timespec ts = {};
		if (v && copy_from_user_nofault(&ts, (const void __user *)v, sizeof(ts)))
			memset(&ts, 0, sizeof(ts));
		ev_u64(e, (u64)ts.tv_sec * 1000000000ull + ts.tv_nsec);
		break;
	}
	case FTOP_UPTR_U64: {
		u64 o = 0;
		if (v && copy_from_user_nofault(&o, (const void __user *)v, sizeof(o)))
			o = 0;
		ev_u64(e, o);
		break;
	}
	case FTOP_PTRACE_DYN:
		d = ev_at(e, 9);
		if (d) {
			d[0] = 0;
			put_unaligned(v, (u64 *)(d + 1));
		}
		ev_len(e, 9);
		break;
	case FTOP_BPF_DYN: {
		/* BPF_MAP_CREATE (0) and BPF_PROG_LOAD (5) return fds */
		int fd = e->ret >= 0 && (e->args[0] == 0 || e->args[0] == 5);
		d = ev_at(e, 9);
		if (d) {
			d[0] = fd ? 0 : 1;
			put_unaligned((u64)e->ret, (u64 *)(d + 1));
		}
		ev_len(e, 9);
		break;
	}
	case FTOP_HOW: {
		u64 how[3] = {};
		if (v && copy_from_user_nofault(how, (const void __user *)v, sizeof(how)))
			memset(how, 0, sizeof(how));
		if (x == 0)
			ev_u32(e, ft_file_flags((u32)how[0]));
		else
			ev_u32(e, (u32)how[x == 1 ? 1 : 2]);
		break;
	}
	default: ev_empty(e); break;
	}
}

/* ---- execve/clone exits (proc.h) ---- */

#define FT_ARGS_MAX 4096
#define FT_ENV_MAX 4096

static void ft_exe_args(struct ft_ev *e, struct mm_struct *mm)
{
	unsigned long start = mm ? mm->arg_start : 0;
	unsigned long end = mm ? mm->arg_end : 0;
	u64 total = end > start ? end - start : 0;
	long n = 0;
	u64 rest;
	u8 *d = ev_at(e, FT_ARGS_MAX);
	if (total > FT_ARGS_MAX)
		total = FT_ARGS_MAX;
	if (total && d)
		n = ft_ustr_copy(d, (const void __user *)start, FT_ARGS_MAX);
	if (n < 0)
		n = 0;
	ev_len(e, (u32)n);
	rest = total > (u64)n ? total - n : 0;
	ev_ubytes(e, (const void __user *)(start + n), rest);
}

static void ft_env(struct ft_ev *e, struct mm_struct *mm)
{
	unsigned long start = mm ? mm->env_start : 0;
	unsigned long end = mm ? mm->env_end : 0;
	u64 total = end > start ? end - start : 0;
	if (total > FT_ENV_MAX)
		total = FT_ENV_MAX;
	ev_ubytes(e, (const void __user *)start, total);
}

/* Appends "subsys=/path\0" for one cgroup subsystem of t (ft_cgroup_append in
 * ../probe/helpers/task.h): the path of the cgroup whose css t uses for it. */
static void ft_cgroup_append(u8 *d, u32 *p, u32 room, struct task_struct *t, int ssid)
{
	struct cgroup_subsys_state *css = task_css(t, ssid);
	const char *name;
	long k;
	int n;
	if (!css || !css->ss || !css->cgroup || !css->cgroup->kn)
		return;
	name = css->ss->name;
	if (*p + 64 + 2 > room)
		return;
	k = ft_kstr_copy(d + *p, name, 64);
	if (k <= 1)
		return;
	*p += k - 1;
	d[(*p)++] = '=';
	n = kernfs_path_from_node(css->cgroup->kn, NULL, (char *)d + *p, room - *p);
	if (n <= 0 || *p + n + 1 > room) {
		d[(*p)++] = '/';
		n = 0;
	}
	*p += n;
	d[(*p)++] = 0;
}

/* cgroups: one entry per subsystem, in the order libs' drivers write them (cpuset, cpu,
 * cpuacct, io, memory; those the kernel lacks are left out), as the BPF probe */
static void ft_cgroups(struct ft_ev *e, struct task_struct *t)
{
	const u32 room = 5 * (64 + PATH_MAX);
	u8 *d = ev_at(e, room);
	u32 p = 0;
	if (!d) {
		ev_len(e, 0);
		return;
	}
#if IS_ENABLED(CONFIG_CPUSETS)
	ft_cgroup_append(d, &p, room, t, cpuset_cgrp_id);
#endif
#if IS_ENABLED(CONFIG_CGROUP_SCHED)
	ft_cgroup_append(d, &p, room, t, cpu_cgrp_id);
#endif
#if IS_ENABLED(CONFIG_CGROUP_CPUACCT)
	ft_cgroup_append(d, &p, room, t, cpuacct_cgrp_id);
#endif
#if IS_ENABLED(CONFIG_BLK_CGROUP)
	ft_cgroup_append(d, &p, room, t, io_cgrp_id);
#endif
#if IS_ENABLED(CONFIG_MEMCG)
	ft_cgroup_append(d, &p, room, t, memory_cgrp_id);
#endif
	ev_len(e, p);
}

/* the working directory, as d_path() prints it ("/" when unknown) */
static void ft_cwd(struct ft_ev *e, struct task_struct *t)
{
	u8 *d = ev_at(e, PATH_MAX);
	struct fs_struct *fs = t->fs;
	char *path = NULL;
	size_t n;
	if (!d) {
		ev_len(e, 0);
		return;
	}
	if (fs) {
		/* fs->lock keeps pwd (set_fs_pwd swaps it under the lock, and drops the old one after) */
		spin_lock(&fs->lock);
		path = d_path(&fs->pwd, (char *)d, PATH_MAX);
		spin_unlock(&fs->lock);
	}
	if (IS_ERR_OR_NULL(path)) {
		d[0] = '/';
		d[1] = 0;
		ev_len(e, 2);
		return;
	}
	n = strlen(path);
	memmove(d, path, n + 1);
	ev_len(e, n + 1);
}

/* PPM_EXE_WRITABLE: the executable is writable by the task (ft_exe_writable of the BPF probe) */
static int ft_exe_writable(struct task_struct *t, struct mm_struct *mm, const struct cred *c)
{
	struct file *f = mm ? rcu_dereference(mm->exe_file) : NULL;
	struct inode *ino = f ? f->f_inode : NULL;
	u32 mode, fmt, iuid, igid, fsuid, fsgid;
	int in_group, i;
	u64 cap = 0;
	if (!ino || !c)
		return 0;
	mode = ino->i_mode;
	fmt = mode & 0170000;
	if (ino->i_sb && (ino->i_sb->s_flags & SB_RDONLY) && (fmt == 0100000 || fmt == 0040000 || fmt == 0120000))
		return 0;
	if (ino->i_flags & S_IMMUTABLE)
		return 0;
	iuid = __kuid_val(ino->i_uid);
	igid = __kgid_val(ino->i_gid);
	if (iuid == (u32)-1 || igid == (u32)-1)
		return 0;
	fsuid = __kuid_val(c->fsuid);
	fsgid = __kgid_val(c->fsgid);
	if (fsuid == iuid)
		return 1;
	in_group = igid == fsgid;
	if (!in_group && c->group_info) {
		for (i = 0; i < 32 && i < c->group_info->ngroups; i++) {
			if (__kgid_val(c->group_info->gid[i]) == igid) {
				in_group = 1;
				break;
			}
		}
	}
	if (((in_group ? mode >> 3 : mode) & 2) != 0)
		return 1;
	memcpy(&cap, &c->cap_effective, min(sizeof(cap), sizeof(c->cap_effective)));
	return (cap & ((1ull << 1) | (1ull << 3))) != 0; /* CAP_DAC_OVERRIDE, CAP_FOWNER */
}

static void ft_proc_exit(struct ft_ev *e, u32 code)
{
	struct task_struct *t = current;
	struct mm_struct *mm = t->mm;
	int is_execve = code == 293 || code == 331;
	struct task_struct *parent = rcu_dereference(t->real_parent);
	const struct cred *cred = rcu_dereference(t->cred);

	ev_u64(e, e->ret);                                         /* res */
	ft_exe_args(e, mm);                                        /* exe, args */
	ev_u64(e, t->pid);                                         /* tid */
	ev_u64(e, t->tgid);                                        /* pid */
	ev_u64(e, parent ? parent->pid : 0);                       /* ptid */
	ft_cwd(e, t);                                              /* cwd */
	ev_u64(e, t->signal ? READ_ONCE(t->signal->rlim[RLIMIT_NOFILE].rlim_cur) : 0); /* fdlimit */
	ev_u64(e, t->maj_flt);                                     /* pgft_maj */
	ev_u64(e, t->min_flt);                                     /* pgft_min */
	ev_u32(e, ft_vm(0));
	ev_u32(e, ft_vm(1));
	ev_u32(e, ft_vm(2));
	ev_kstr(e, t->comm, 16);                                   /* comm */
	ft_cgroups(e, t);                                          /* cgroups */
	if (is_execve) {
		u64 cap = 0;
		ft_env(e, mm);                                     /* env */
		ev_u32(e, ft_tty(t));                              /* tty */
		ev_u64(e, t->signal ? ft_pid_at(t->signal->pids[PIDTYPE_PGID], 0) : 0); /* pgid */
#ifdef CONFIG_AUDIT
		ev_u32(e, __kuid_val(t->loginuid));                /* loginuid */
#else
		ev_u32(e, (u32)-1);
#endif
		ev_u32(e, ft_exe_writable(t, mm, cred) ? 1 : 0);  /* flags: PPM_EXE_WRITABLE */
		memcpy(&cap, &cred->cap_inheritable, min(sizeof(cap), sizeof(cred->cap_inheritable)));
		ev_u64(e, cap);
		memcpy(&cap, &cred->cap_permitted, min(sizeof(cap), sizeof(cred->cap_permitted)));
		ev_u64(e, cap);
		memcpy(&cap, &cred->cap_effective, min(sizeof(cap), sizeof(cred->cap_effective)));
		ev_u64(e, cap);
	} else {
		u64 fl = 0;
		if (code == 223)
			fl = ft_clone_flags(e->args[0]);
		else if (code == 227)
			fl = ft_clone_flags(0x4000 | 0x100); /* vfork = CLONE_VFORK | CLONE_VM */
		else if (code == 335) {
			u64 f3 = 0;
			if (copy_from_user_nofault(&f3, (const void __user *)e->args[0], 8))
				f3 = 0;
			fl = ft_clone_flags(f3);
		}
		ev_u32(e, fl);                                     /* flags */
		ev_u32(e, __kuid_val(cred->euid));                 /* uid */
		ev_u32(e, __kgid_val(cred->egid));                 /* gid */
		ev_u64(e, ft_vnr(task_pid(t)));                    /* vtid */
		ev_u64(e, ft_vnr(task_pid(t->group_leader)));      /* vpid */
	}
}

/* ---- dispatchers ---- */

static bool ft_ignored(u32 tgid)
{
	u32 i;
	for (i = 0; i < g_n_ignore && i < FT_MAX_IGNORE; i++)
		if (g_ignore[i] == tgid)
			return true;
	return false;
}

static struct ft_cpu *ft_this_cpu(void)
{
	int cpu = smp_processor_id();
	if (!g_cpus || cpu >= nr_cpu_ids || !g_cpus[cpu].hdr)
		return NULL;
	return &g_cpus[cpu];
}

static void ft_generic(struct ft_cpu *c, u32 nr, u16 id, u32 tid, int enter)
{
	struct ft_ev e = { .d = c->scratch, .c = c };
	if (enter) {
		ev_begin(&e, 0, 2, tid);
		ev_u16(&e, id);
		ev_u16(&e, (u16)nr);
	} else {
		ev_begin(&e, 1, 1, tid);
		ev_u16(&e, id);
	}
	ev_submit(&e);
}

static void ft_table_event(struct ft_cpu *c, struct pt_regs *regs, u32 code, u32 tid, s64 ret)
{
	const struct ft_desc *dsc = &g_desc[code & (FT_NCODES - 1)];
	struct ft_ev e = { .d = c->scratch, .c = c };
	e.args[0] = regs->di;
	e.args[1] = regs->si;
	e.args[2] = regs->dx;
	e.args[3] = regs->r10;
	e.args[4] = regs->r8;
	e.args[5] = regs->r9;
	e.ret = ret;
	rcu_read_lock();
	if (dsc->n & FT_DESC_PROC) {
		ev_begin(&e, code, code == 293 || code == 331 ? 23 : 20, tid);
		ft_proc_exit(&e, code);
	} else {
		u32 n = dsc->n & 7, i;
		ev_begin(&e, code, n, tid);
		for (i = 0; i < n && i < FT_MAXP; i++)
			ft_param(&e, dsc->op[i], dsc->arg[i], dsc->aux[i]);
	}
	rcu_read_unlock();
	ev_submit(&e);
}

#ifdef FT_FAULT_INJECT
/* test builds only (scripts/guest/run.sh --fault): 1 = oops, 2 = spin forever, in a probe */
static void ft_fault(void)
{
	int *volatile null = NULL;
	if (FT_FAULT_INJECT == 1)
		*null = 1;
	else
		for (;;)
			cpu_relax();
}
#endif

/* ia32 (compat) syscalls: nr and the argument registers follow the i386 ABI; written as
 * generic events with their PPM_SC code when generic events are selected (as the BPF probe) */
static void ft_ia32(u32 nr, int enter)
{
	struct ft_cpu *c;
	if (ft_ignored(current->tgid))
		return;
	c = ft_this_cpu();
	if (!c)
		return;
	c->cnt.ia32++;
	if (!READ_ONCE(g_sel_ia32) || nr >= SYSCALL_NR_MAX)
		return;
	ft_generic(c, nr, g_ia32_ppm_sc[nr], current->pid, enter);
}

static void ft_sys_enter(void *data, struct pt_regs *regs, long id)
{
	u32 nr = (u32)id, code;
	struct ft_cpu *c;
#ifdef FT_FAULT_INJECT
	ft_fault();
#endif
	if (in_ia32_syscall()) {
		ft_ia32(nr, 1);
		return;
	}
	if (nr >= SYSCALL_NR_MAX || !(READ_ONCE(g_sel[nr]) & FT_SEL_ON) || ft_ignored(current->tgid))
		return;
	c = ft_this_cpu();
	if (!c)
		return;
	code = g_enter_event[nr];
	if (code == 0 || !(g_desc[code & (FT_NCODES - 1)].n & FT_DESC_VALID))
		ft_generic(c, nr, g_ppm_sc[nr], current->pid, 1);
	else
		ft_table_event(c, regs, code, current->pid, 0);
}

static void ft_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	u32 nr = (u32)regs->orig_ax, code;
	struct ft_cpu *c;
	if (in_ia32_syscall()) {
		ft_ia32(nr, 0);
		return;
	}
	if (nr >= SYSCALL_NR_MAX || !(READ_ONCE(g_sel[nr]) & FT_SEL_ON) || ft_ignored(current->tgid))
		return;
	c = ft_this_cpu();
	if (!c)
		return;
	code = g_enter_event[nr];
	if (code == 0 || !(g_desc[code & (FT_NCODES - 1)].n & FT_DESC_VALID))
		ft_generic(c, nr, g_ppm_sc[nr], current->pid, 0);
	else
		ft_table_event(c, regs, g_exit_event[nr], current->pid, ret);
}

/* PPME_PROCEXIT_1_E: status, ret, sig, core */
static void ft_sched_process_exit(void *data, struct task_struct *p)
{
	struct ft_cpu *c;
	struct ft_ev e;
	int code;
	if (!g_procexit || ft_ignored(current->tgid))
		return;
	c = ft_this_cpu();
	if (!c)
		return;
	e = (struct ft_ev){ .d = c->scratch, .c = c };
	code = p->exit_code;
	ev_begin(&e, 186, 4, current->pid);
	ev_u64(&e, code);
	ev_u64(&e, (code >> 8) & 0xff);
	ev_u8(&e, code & 0x7f);
	ev_u8(&e, (code & 0x80) ? 1 : 0);
	ev_submit(&e);
}

/* ---- lifecycle ---- */

static void ft_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sys_enter"))
		tp_sys_enter = tp;
	else if (!strcmp(tp->name, "sys_exit"))
		tp_sys_exit = tp;
	else if (!strcmp(tp->name, "sched_process_exit"))
		tp_proc_exit = tp;
}

static int ft_start(void)
{
	int err;
	if (g_running)
		return 0;
	if (!g_cpus)
		return -EINVAL;
	g_boot_offset = ktime_get_real_ns() - ktime_get_boottime_ns();
	err = tracepoint_probe_register(tp_sys_enter, ft_sys_enter, NULL);
	if (err)
		return err;
	err = tracepoint_probe_register(tp_sys_exit, ft_sys_exit, NULL);
	if (err)
		goto out_enter;
	err = tracepoint_probe_register(tp_proc_exit, ft_sched_process_exit, NULL);
	if (err)
		goto out_exit;
	g_running = true;
	return 0;
out_exit:
	tracepoint_probe_unregister(tp_sys_exit, ft_sys_exit, NULL);
out_enter:
	tracepoint_probe_unregister(tp_sys_enter, ft_sys_enter, NULL);
	tracepoint_synchronize_unregister();
	return err;
}

/* detaches and waits until no probe is running anywhere */
static void ft_stop(void)
{
	if (!g_running)
		return;
	tracepoint_probe_unregister(tp_proc_exit, ft_sched_process_exit, NULL);
	tracepoint_probe_unregister(tp_sys_exit, ft_sys_exit, NULL);
	tracepoint_probe_unregister(tp_sys_enter, ft_sys_enter, NULL);
	tracepoint_synchronize_unregister();
	g_running = false;
}

static void ft_free_rings(void)
{
	int cpu;
	if (!g_cpus)
		return;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		vfree(g_cpus[cpu].hdr);
		vfree(g_cpus[cpu].scratch);
	}
	kvfree(g_cpus);
	g_cpus = NULL;
	g_ring_bytes = 0;
}

static int ft_alloc_rings(u32 ring_bytes)
{
	int cpu;
	struct ft_cpu *cpus = kvcalloc(nr_cpu_ids, sizeof(*cpus), GFP_KERNEL);
	if (!cpus)
		return -ENOMEM;
	g_cpus = cpus;
	g_ring_bytes = ring_bytes;
	for_each_possible_cpu(cpu) {
		void *mem = vmalloc_user(PAGE_SIZE + ring_bytes);
		if (!mem)
			goto nomem;
		cpus[cpu].hdr = mem;
		cpus[cpu].data = (u8 *)mem + PAGE_SIZE;
		cpus[cpu].scratch = vzalloc(FT_AUX_SIZE);
		if (!cpus[cpu].scratch)
			goto nomem;
	}
	return 0;
nomem:
	ft_free_rings();
	return -ENOMEM;
}

static int ft_open(struct inode *inode, struct file *f)
{
	if (atomic_cmpxchg(&g_open, 0, 1) != 0)
		return -EBUSY;
	return 0;
}

static int ft_release(struct inode *inode, struct file *f)
{
	mutex_lock(&g_lock);
	ft_stop();
	ft_free_rings();
	memset(g_sel, 0, sizeof(g_sel));
	g_sel_ia32 = 0;
	mutex_unlock(&g_lock);
	atomic_set(&g_open, 0);
	return 0;
}

static long ft_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *ua = (void __user *)arg;
	long ret = 0;
	mutex_lock(&g_lock);
	switch (cmd) {
	case FT_IOC_INFO: {
		struct ft_kmod_info info = {
			.api = FT_KMOD_API, .ncpus = nr_cpu_ids, .page_size = PAGE_SIZE, .max_block = FT_MAX_BLOCK,
		};
		strscpy(info.version, FT_KMOD_VERSION, sizeof(info.version));
		if (copy_to_user(ua, &info, sizeof(info)))
			ret = -EFAULT;
		break;
	}
	case FT_IOC_CONFIG: {
		struct ft_kmod_config cfg;
		u32 i;
		if (copy_from_user(&cfg, ua, sizeof(cfg))) {
			ret = -EFAULT;
			break;
		}
		if (g_running || g_cpus) {
			ret = -EBUSY; /* configure once per open, before the rings are mapped */
			break;
		}
		if (cfg.ring_bytes < (64u << 10) || cfg.ring_bytes > (256u << 20) ||
		    (cfg.ring_bytes & (cfg.ring_bytes - 1)) || cfg.n_ignore > FT_MAX_IGNORE) {
			ret = -EINVAL;
			break;
		}
		g_snaplen = cfg.snaplen > 65000 ? 65000 : cfg.snaplen;
		g_procexit = cfg.want_procexit ? 1 : 0;
		g_n_ignore = cfg.n_ignore;
		for (i = 0; i < FT_MAX_IGNORE; i++)
			g_ignore[i] = cfg.ignore_tgid[i];
		ret = ft_alloc_rings(cfg.ring_bytes);
		break;
	}
	case FT_IOC_SELECT: {
		struct ft_kmod_select s;
		int i;
		if (copy_from_user(&s, ua, sizeof(s))) {
			ret = -EFAULT;
			break;
		}
		for (i = 0; i < SYSCALL_NR_MAX; i++)
			WRITE_ONCE(g_sel[i], s.sel[i]);
		WRITE_ONCE(g_sel_ia32, s.sel_ia32);
		break;
	}
	case FT_IOC_START:
		ret = ft_start();
		break;
	case FT_IOC_STOP:
		ft_stop();
		break;
	case FT_IOC_STATS: {
		struct ft_kmod_stats st = { .running = g_running };
		int cpu;
		if (g_cpus)
			for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
				st.seen += READ_ONCE(g_cpus[cpu].cnt.seen);
				st.drop_ring += READ_ONCE(g_cpus[cpu].cnt.drop_ring);
				st.drop_other += READ_ONCE(g_cpus[cpu].cnt.drop_other);
				st.ia32 += READ_ONCE(g_cpus[cpu].cnt.ia32);
			}
		if (copy_to_user(ua, &st, sizeof(st)))
			ret = -EFAULT;
		break;
	}
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&g_lock);
	return ret;
}

/* one CPU's ring per mapping: offset cpu * stride, length stride (header page + data) */
static int ft_mmap(struct file *f, struct vm_area_struct *vma)
{
	unsigned long stride_pages, cpu;
	int ret;
	mutex_lock(&g_lock);
	ret = -EINVAL;
	if (!g_cpus)
		goto out;
	stride_pages = (PAGE_SIZE + g_ring_bytes) >> PAGE_SHIFT;
	cpu = vma->vm_pgoff / stride_pages;
	if (vma->vm_pgoff % stride_pages || cpu >= nr_cpu_ids || !g_cpus[cpu].hdr ||
	    vma->vm_end - vma->vm_start != (stride_pages << PAGE_SHIFT))
		goto out;
	ret = remap_vmalloc_range(vma, g_cpus[cpu].hdr, 0);
out:
	mutex_unlock(&g_lock);
	return ret;
}

static const struct file_operations ft_fops = {
	.owner = THIS_MODULE,
	.open = ft_open,
	.release = ft_release,
	.unlocked_ioctl = ft_ioctl,
	.mmap = ft_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice ft_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = FT_KMOD_NAME,
	.fops = &ft_fops,
	.mode = 0600,
};

static int __init ft_init(void)
{
	for_each_kernel_tracepoint(ft_find_tp, NULL);
	if (!tp_sys_enter || !tp_sys_exit || !tp_proc_exit) {
		pr_err("falco_ts: tracepoints sys_enter/sys_exit/sched_process_exit not found\n");
		return -ENOENT;
	}
	return misc_register(&ft_misc);
}

static void __exit ft_exit(void)
{
	misc_deregister(&ft_misc);
	/* the device cannot be open here (its owner reference pins the module) */
	mutex_lock(&g_lock);
	ft_stop();
	ft_free_rings();
	mutex_unlock(&g_lock);
}

module_init(ft_init);
module_exit(ft_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("falco-ts syscall capture: scap events into per-CPU rings mapped by /dev/falco_ts");
MODULE_VERSION(FT_KMOD_VERSION);
