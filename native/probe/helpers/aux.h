/* Event writer: builds one scap event block in this CPU's scratch area, then copies it into
 * this CPU's ring (shared.h). Offsets are masked to FT_MAX_BLOCK-1 and sizes are
 * at most FT_MAX_BLOCK, so every access stays inside the FT_AUX_SIZE area; an event that grows
 * past FT_MAX_BLOCK is dropped at submit (counted as "other"). */
#ifndef FT_AUX_H
#define FT_AUX_H

#define SAFE(x) ((x) & (FT_MAX_BLOCK - 1))
#define LENS_OFF (FT_BLOCK_PREFIX + FT_EVT_HDR)
#define FT_PTRS 32 /* deepest path walked (power of two) */

struct ft_aux {
	__u8 data[FT_AUX_SIZE];
	__u64 args[6];
	__s64 ret;
	__u32 pos;   /* next payload byte */
	__u32 lens;  /* next length slot */
	__u32 code;  /* event code being written */
	__u32 cur;   /* write cursor inside a param being assembled (cgroups) */
	__u32 cnt;   /* path components collected in ptrs */
	__u64 ptrs[FT_PTRS]; /* path component names, leaf first (cwd, cgroup walks) */
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

static __always_inline struct ft_ctl *ft_ctl_of(__u32 cpu)
{
	return &g_ctl[cpu & (FT_MAX_CPUS - 1)];
}

static __always_inline struct ft_ctl *counters(void)
{
	return ft_ctl_of(bpf_get_smp_processor_id());
}

/* One store of a field at any byte offset. At `*(T *)&bytes[odd]` or a packed member, clang
 * knows the alignment is below the type's size and splits the store into single bytes; through a
 * plain pointer parameter it assumes natural alignment and emits one store. x86 takes misaligned
 * stores, and the verifier only enforces alignment on architectures without efficient unaligned
 * access. */
static __always_inline void ft_st16(void *p, __u16 v) { *(__u16 *)p = v; }
static __always_inline void ft_st32(void *p, __u32 v) { *(__u32 *)p = v; }
static __always_inline void ft_st64(void *p, __u64 v) { *(__u64 *)p = v; }

/* ---- per-CPU rings (shared.h) ---- */

/* Where the next record of `size` (<= FT_MAX_BLOCK) bytes goes in this CPU's ring, or NULL
 * (counted) when the ring is full. */
static __always_inline __u8 *ft_ring_at(struct ft_ctl *c, __u32 cpu, __u32 size)
{
	__u64 head = c->head;
	__u64 tail = *(volatile __u64 *)&c->tail;
	__u64 cap = (__u64)FT_SEG_SIZE << nseg_shift;
	if (head - tail > cap - size) {
		c->drop_ring++;
		return NULL;
	}
	__u32 key = (cpu << nseg_shift) | ((__u32)(head >> FT_SEG_SHIFT) & ((1u << nseg_shift) - 1));
	struct ft_seg *sg = bpf_map_lookup_elem(&rings, &key);
	if (!sg) {
		c->drop_other++;
		return NULL;
	}
	return &sg->data[head & (FT_SEG_SIZE - 1)];
}

/* A record that ran past its segment's end: copy the overflow to the start of the next one. */
static __noinline int ft_ring_spill(__u32 cpu, __u64 head, __u32 size)
{
	__u32 shift = nseg_shift;
	__u32 mask = (1u << shift) - 1;
	__u32 k0 = (cpu << shift) | ((__u32)(head >> FT_SEG_SHIFT) & mask);
	__u32 k1 = (cpu << shift) | ((__u32)((head >> FT_SEG_SHIFT) + 1) & mask);
	struct ft_seg *s0 = bpf_map_lookup_elem(&rings, &k0);
	struct ft_seg *s1 = bpf_map_lookup_elem(&rings, &k1);
	__u32 n = (__u32)(head & (FT_SEG_SIZE - 1)) + size - FT_SEG_SIZE;
	if (!s0 || !s1)
		return 0;
	n &= FT_MAX_BLOCK - 1;
	bpf_probe_read_kernel(&s1->data[0], n, &s0->data[FT_SEG_SIZE]);
	return 0;
}

/* Publishes the record of `size` bytes written at the head (ft_ring_at). x86 keeps stores in
 * order, so the consumer that sees the new head sees the record. */
static __always_inline void ft_ring_publish(struct ft_ctl *c, __u32 cpu, __u32 size)
{
	__u64 head = c->head;
	if ((__u32)(head & (FT_SEG_SIZE - 1)) + size > FT_SEG_SIZE)
		ft_ring_spill(cpu, head, size);
	asm volatile("" ::: "memory");
	*(volatile __u64 *)&c->head = head + size;
	c->events++;
}

static __always_inline __u64 ft_now(void)
{
	return bpf_ktime_get_ns() + *(volatile __u64 *)&g_clock_offset;
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
	/* barrier: clang drops the mask when it can prove the bound from a comparison between two
	 * registers, which the 6.1 verifier cannot follow ("R2 min value is negative") */
	barrier_var(n);
	n &= (FT_MAX_BLOCK - 1);
	if (bpf_probe_read_user(&a->data[SAFE(a->pos)], n, p) < 0)
		n = 0;
	aux_len(a, (__u32)n);
}

/* Pads, writes the trailer and the lengths, copies the block into the ring. */
static __always_inline void aux_submit(struct ft_aux *a)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct ft_ctl *c = ft_ctl_of(cpu);
	__u32 pos = a->pos;
	__u32 total = (pos + 3 + 4) & ~3u;
	if (total >= FT_MAX_BLOCK) {
		c->drop_other++;
		return;
	}
	*(__u32 *)&a->data[SAFE(pos)] = 0; /* zero padding (at most 3 bytes used) */
	*(__u32 *)&a->data[SAFE(total - 4)] = total;
	*(__u32 *)&a->data[4] = total;
	*(__u32 *)&a->data[26] = pos - FT_BLOCK_PREFIX;
	total &= FT_MAX_BLOCK - 1;
	__u8 *dst = ft_ring_at(c, cpu, total);
	if (!dst)
		return;
	bpf_probe_read_kernel(dst, total, a->data);
	ft_ring_publish(c, cpu, total);
}

#endif
