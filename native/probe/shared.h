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

/* Selection bits per syscall nr (g_sel): the enter+exit pair is written when set. */
#define FT_SEL_ON 1

#endif
