/* Definitions shared by the BPF probe and the addon (compiled by both clang -target bpf and g++). */
#ifndef FT_SHARED_H
#define FT_SHARED_H

/* Ring records are complete scap EV_V2 blocks: u32 type, u32 total, u16 cpuid, ppm_evt_hdr,
 * u16 param lengths, params, zero padding to 4, u32 total. The consumer copies them verbatim. */
#define FT_BLOCK_EV_V2 0x216
#define FT_BLOCK_PREFIX 10 /* type + total + cpuid */
#define FT_EVT_HDR 26      /* ppm_evt_hdr: ts u64, tid u64, len u32, type u16, nparams u32 */

#define FT_MAX_CPUS 256
/* largest event block the probe builds (sysdig reads non-large blocks up to 64 KiB + 8) */
#define FT_MAX_BLOCK (64 * 1024)
/* per-CPU scratch area: twice the block size so masked offsets plus masked sizes stay inside */
#define FT_AUX_SIZE (2 * FT_MAX_BLOCK)
#define FT_MAX_IGNORE 8

/* Per-CPU counters, one cache line each (in .bss: read by the addon through the skeleton). */
struct ft_counters {
	__u64 seen;          /* events the probe tried to write */
	__u64 unused;        /* submitted = seen - drop_ring - drop_other */
	__u64 drop_ring;     /* ring full */
	__u64 drop_other;    /* too big, scratch map missing, ... */
	__u64 pad[4];
};

/* Selection bits per syscall nr (g_sel): the enter+exit pair is written when FT_SEL_ON is set.
 * With the kernel name filter on (kf_comm_on, src/filter/pushdown), FT_SEL_KEEP syscalls pass
 * it always (the state needs them) and FT_SEL_SOCKIO ones when their fd is a socket. */
#define FT_SEL_ON 1
#define FT_SEL_KEEP 2
#define FT_SEL_SOCKIO 4
#define FT_COMM_LEN 16

/* Per-CPU event rings of the BPF probe (replacing the shared BPF ring buffer: no spinlock, no
 * atomics, one 8-byte store to publish an event). Each CPU owns nseg segments of an mmapable
 * array map (`rings`, key cpu * nseg + segment): a ring of nseg * FT_SEG_SIZE bytes addressed
 * by a monotonic byte position. A record (one complete EV_V2 block) is always written whole at
 * its position's segment offset, running into the segment's FT_MAX_BLOCK slack when it crosses
 * the end; the part past the end is copied to the start of the next segment too, so the bytes
 * read either as records (whole in the segment) or as a plain byte ring. */
#define FT_SEG_SHIFT 20
#define FT_SEG_SIZE (1u << FT_SEG_SHIFT)
#define FT_SEG_VALUE (FT_SEG_SIZE + FT_MAX_BLOCK)

/* Per-CPU ring control (in .bss, mmapped by the addon): the probe writes the first cache
 * line, the addon the second. */
struct ft_ctl {
	__u64 head;       /* bytes published (producer position) */
	__u64 events;     /* events published (count-only mode: syscalls counted) */
	__u64 drop_ring;  /* events lost: ring full */
	__u64 drop_other; /* events lost: too big, no segment */
	__u64 ia32;       /* ia32 (compat) syscall events skipped or written as generic */
	__u64 kf_dropped; /* events the kernel name filter dropped */
	__u64 pad0[2];
	__u64 tail;       /* bytes consumed (consumer position) */
	__u64 pad1[7];
};

#endif
