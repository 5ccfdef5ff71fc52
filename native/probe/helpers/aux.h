/* Event writer: builds one scap event block in this CPU's scratch area, then copies it to the
 * ring with bpf_ringbuf_output (no wakeup). Offsets are masked to FT_MAX_BLOCK-1 and sizes are
 * at most FT_MAX_BLOCK, so every access stays inside the FT_AUX_SIZE area; an event that grows
 * past FT_MAX_BLOCK is dropped at submit (counted as "other"). */
#ifndef FT_AUX_H
#define FT_AUX_H

#define SAFE(x) ((x) & (FT_MAX_BLOCK - 1))
#define LENS_OFF (FT_BLOCK_PREFIX + FT_EVT_HDR)

struct ft_aux {
	__u8 data[FT_AUX_SIZE];
	__u64 args[6];
	__s64 ret;
	__u32 pos;   /* next payload byte */
	__u32 lens;  /* next length slot */
	__u32 code;  /* event code being written */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* resized to the number of CPUs by the addon */
	__type(key, __u32);
	__type(value, struct ft_aux);
} aux_maps SEC(".maps");

static __always_inline struct ft_aux *aux_get(void)
{
	__u32 cpu = bpf_get_smp_processor_id();
	return bpf_map_lookup_elem(&aux_maps, &cpu);
}

static __always_inline struct ft_counters *counters(void)
{
	return &g_cnt[bpf_get_smp_processor_id() & (FT_MAX_CPUS - 1)];
}

static __always_inline __u64 ft_now(void)
{
	return bpf_ktime_get_boot_ns() + boot_offset_ns;
}

/* Block prefix + ppm_evt_hdr (len is patched at submit). */
static __always_inline void aux_begin(struct ft_aux *a, __u32 code, __u32 nparams, __u32 tid)
{
	*(__u32 *)&a->data[0] = FT_BLOCK_EV_V2;
	*(__u16 *)&a->data[8] = (__u16)bpf_get_smp_processor_id();
	*(__u64 *)&a->data[10] = ft_now();
	*(__u64 *)&a->data[18] = tid;
	*(__u16 *)&a->data[30] = (__u16)code;
	*(__u32 *)&a->data[32] = nparams;
	a->code = code;
	a->lens = LENS_OFF;
	a->pos = LENS_OFF + nparams * 2;
}

static __always_inline void aux_len(struct ft_aux *a, __u32 n)
{
	*(__u16 *)&a->data[SAFE(a->lens)] = (__u16)n;
	a->lens += 2;
	a->pos += n;
}

static __always_inline void aux_u8(struct ft_aux *a, __u8 v) { a->data[SAFE(a->pos)] = v; aux_len(a, 1); }
static __always_inline void aux_u16(struct ft_aux *a, __u16 v) { *(__u16 *)&a->data[SAFE(a->pos)] = v; aux_len(a, 2); }
static __always_inline void aux_u32(struct ft_aux *a, __u32 v) { *(__u32 *)&a->data[SAFE(a->pos)] = v; aux_len(a, 4); }
static __always_inline void aux_u64(struct ft_aux *a, __u64 v) { *(__u64 *)&a->data[SAFE(a->pos)] = v; aux_len(a, 8); }
static __always_inline void aux_empty(struct ft_aux *a) { aux_len(a, 0); }

/* NUL-terminated user string (length includes the NUL); a failed read gives an empty param. */
static __always_inline void aux_ustr(struct ft_aux *a, const void *p, __u32 max)
{
	long n = 0;
	if (p)
		n = bpf_probe_read_user_str(&a->data[SAFE(a->pos)], max & (FT_MAX_BLOCK - 1), p);
	if (n < 0)
		n = 0;
	aux_len(a, (__u32)n & (FT_MAX_BLOCK - 1));
}

static __always_inline void aux_kstr(struct ft_aux *a, const void *p, __u32 max)
{
	long n = 0;
	if (p)
		n = bpf_probe_read_kernel_str(&a->data[SAFE(a->pos)], max & (FT_MAX_BLOCK - 1), p);
	if (n < 0)
		n = 0;
	aux_len(a, (__u32)n & (FT_MAX_BLOCK - 1));
}

/* Raw user bytes (BYTEBUF). */
static __always_inline void aux_ubytes(struct ft_aux *a, const void *p, __u64 n)
{
	if (!p || n == 0) {
		aux_len(a, 0);
		return;
	}
	n &= (FT_MAX_BLOCK - 1);
	if (bpf_probe_read_user(&a->data[SAFE(a->pos)], n, p) < 0)
		n = 0;
	aux_len(a, (__u32)n);
}

/* Pads, writes the trailer and the lengths, copies the block into the ring. */
static __always_inline void aux_submit(struct ft_aux *a)
{
	struct ft_counters *c = counters();
	__u32 pos = a->pos;
	__u32 total = (pos + 3 + 4) & ~3u;
	c->seen++;
	if (total > FT_MAX_BLOCK) {
		c->drop_other++;
		return;
	}
	*(__u32 *)&a->data[SAFE(pos)] = 0; /* zero padding (at most 3 bytes used) */
	*(__u32 *)&a->data[SAFE(total - 4)] = total;
	*(__u32 *)&a->data[4] = total;
	*(__u32 *)&a->data[26] = pos - FT_BLOCK_PREFIX;
	if (bpf_ringbuf_output(&rb, a->data, total & (FT_MAX_BLOCK * 2 - 1), BPF_RB_NO_WAKEUP) != 0)
		c->drop_ring++;
}

#endif
