/* The falco_ts kernel module's userspace interface (module and addon both include it):
 * a misc character device, one reader at a time, with per-CPU ring buffers mapped by mmap and
 * a few ioctls. Ring records are the same complete EV_V2 blocks the BPF probe writes
 * (../probe/shared.h), so the addon copies them into batches verbatim.
 *
 * Protocol: open(FT_KMOD_DEV) → FT_IOC_INFO (check api) → FT_IOC_CONFIG (allocates the rings)
 * → mmap each CPU's ring (offset cpu * stride, length stride; stride = page + ring_bytes)
 * → FT_IOC_SELECT → FT_IOC_START (tracepoints attached) ... FT_IOC_STOP → close.
 * Each ring: a header page {head (producer), tail (consumer)}, then ring_bytes of data. */
#ifndef FT_KMOD_H
#define FT_KMOD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* bumped whenever this interface or the event layouts change: the addon refuses a mismatch
 * (tests build a module with -DFT_KMOD_API=99 to see the refusal) */
#ifndef FT_KMOD_API
#define FT_KMOD_API 1
#endif
#define FT_KMOD_NAME "falco_ts"
#define FT_KMOD_DEV "/dev/falco_ts"
#define FT_KMOD_SEL_BYTES 512 /* SYSCALL_NR_MAX */
#define FT_KMOD_IGNORE 8      /* FT_MAX_IGNORE */

struct ft_kring_hdr {
	__u64 head;     /* bytes ever written (producer; the ring offset is head % ring_bytes) */
	__u64 pad0[7];
	__u64 tail;     /* bytes ever consumed (consumer) */
	__u64 pad1[7];
};

struct ft_kmod_info {
	__u32 api;        /* FT_KMOD_API of the loaded module */
	__u32 ncpus;      /* rings: one per possible CPU id 0..ncpus-1 */
	__u32 page_size;  /* header size: data starts at this offset in each mapping */
	__u32 max_block;  /* largest record */
	char version[32]; /* module version string */
};

struct ft_kmod_config {
	__u32 ring_bytes;    /* per CPU, power of two (64 KiB .. 256 MiB) */
	__u32 snaplen;
	__u32 want_procexit;
	__u32 n_ignore;
	__u32 ignore_tgid[FT_KMOD_IGNORE];
};

struct ft_kmod_select {
	__u8 sel[FT_KMOD_SEL_BYTES]; /* FT_SEL_ON per x86_64 syscall nr */
	__u8 sel_ia32;               /* ia32 (compat) syscalls written as generic events */
	__u8 pad[7];
};

struct ft_kmod_stats {
	__u64 seen;       /* events the module tried to write */
	__u64 drop_ring;  /* ring full */
	__u64 drop_other; /* too big */
	__u64 running;    /* tracepoints attached */
	__u64 ia32;       /* ia32 (compat) syscall events skipped or written as generic */
};

#define FT_IOC_INFO _IOR('F', 1, struct ft_kmod_info)
#define FT_IOC_CONFIG _IOW('F', 2, struct ft_kmod_config)
#define FT_IOC_SELECT _IOW('F', 3, struct ft_kmod_select)
#define FT_IOC_START _IO('F', 4)
#define FT_IOC_STOP _IO('F', 5)
#define FT_IOC_STATS _IOR('F', 6, struct ft_kmod_stats)

#endif
