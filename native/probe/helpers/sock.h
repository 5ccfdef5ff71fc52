/* Socket addresses (PT_SOCKADDR) from user memory and tuples (PT_SOCKTUPLE) from the kernel's
 * socket (../shared/docs/scap-format.md §12). Ports are host order, addresses network order. */
#ifndef FT_SOCK_H
#define FT_SOCK_H

#define FT_AF_UNIX 1
#define FT_AF_INET 2
#define FT_AF_INET6 10
#define FT_UNIX_PATH 108

static __always_inline __u16 ft_ntohs(__u16 v) { return (v >> 8) | (v << 8); }

/* The socket behind fd, or NULL when fd is not a socket. */
static __always_inline struct socket *ft_fd_socket(__s64 fd)
{
	struct file *f = ft_fd_file(fd);
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & 0170000) != 0140000)
		return NULL;
	return (struct socket *)BPF_CORE_READ(f, private_data);
}

/* Copies a unix path (sun_path of n bytes, abstract names as '@name') NUL-terminated at dst;
 * returns the bytes written including the NUL. */
static __always_inline __u32 ft_unix_path(__u8 *dst, const char *src, int user, long n)
{
	long r;
	if (n <= 0) {
		dst[0] = 0;
		return 1;
	}
	char c0 = 0;
	if (user)
		bpf_probe_read_user(&c0, 1, src);
	else
		bpf_probe_read_kernel(&c0, 1, src);
	if (c0 == 0) { /* abstract */
		dst[0] = '@';
		r = user ? bpf_probe_read_user_str(dst + 1, FT_UNIX_PATH - 1, src + 1)
			 : bpf_probe_read_kernel_str(dst + 1, FT_UNIX_PATH - 1, src + 1);
		return r > 0 ? r + 1 : 2;
	}
	r = user ? bpf_probe_read_user_str(dst, FT_UNIX_PATH, src) : bpf_probe_read_kernel_str(dst, FT_UNIX_PATH, src);
	if (r <= 0) {
		dst[0] = 0;
		return 1;
	}
	return r;
}

/* PT_SOCKADDR from a user sockaddr; returns its length (0 = unknown family / unreadable). */
static __always_inline __u32 ft_user_sockaddr(__u8 *dst, const void *uaddr, __u64 ulen)
{
	__u16 fam = 0;
	if (!uaddr || ulen < 2 || bpf_probe_read_user(&fam, 2, uaddr) < 0)
		return 0;
	if (fam == FT_AF_INET) {
		struct sockaddr_in in = {};
		if (bpf_probe_read_user(&in, sizeof(in), uaddr) < 0)
			return 0;
		dst[0] = FT_AF_INET;
		__builtin_memcpy(dst + 1, &in.sin_addr.s_addr, 4);
		*(__u16 *)(dst + 5) = ft_ntohs(in.sin_port);
		return 7;
	}
	if (fam == FT_AF_INET6) {
		struct sockaddr_in6 in6 = {};
		if (bpf_probe_read_user(&in6, sizeof(in6), uaddr) < 0)
			return 0;
		dst[0] = FT_AF_INET6;
		__builtin_memcpy(dst + 1, &in6.sin6_addr, 16);
		*(__u16 *)(dst + 17) = ft_ntohs(in6.sin6_port);
		return 19;
	}
	if (fam == FT_AF_UNIX) {
		dst[0] = FT_AF_UNIX;
		return 1 + ft_unix_path(dst + 1, (const char *)uaddr + 2, 1, ulen - 2);
	}
	return 0;
}

/* PT_SOCKTUPLE for the socket of fd. inbound: remote -> local (accept, recv*), otherwise
 * local -> remote. A user address (sendto/recvfrom/connect) fills in the remote end when the
 * socket has none. Returns its length (0 = not a socket / unknown family). */
static __always_inline __u32 ft_socktuple(__u8 *dst, __s64 fd, int inbound, const void *uaddr, __u64 ulen)
{
	struct socket *sock = ft_fd_socket(fd);
	if (!sock)
		return 0;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == FT_AF_INET) {
		__u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rport = ft_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (raddr == 0 && rport == 0 && uaddr && ulen >= sizeof(struct sockaddr_in)) {
			struct sockaddr_in in = {};
			if (bpf_probe_read_user(&in, sizeof(in), uaddr) == 0 && in.sin_family == FT_AF_INET) {
				raddr = in.sin_addr.s_addr;
				rport = ft_ntohs(in.sin_port);
			}
		}
		dst[0] = FT_AF_INET;
		if (inbound) {
			*(__u32 *)(dst + 1) = raddr;
			*(__u16 *)(dst + 5) = rport;
			*(__u32 *)(dst + 7) = laddr;
			*(__u16 *)(dst + 11) = lport;
		} else {
			*(__u32 *)(dst + 1) = laddr;
			*(__u16 *)(dst + 5) = lport;
			*(__u32 *)(dst + 7) = raddr;
			*(__u16 *)(dst + 11) = rport;
		}
		return 13;
	}
	if (fam == FT_AF_INET6) {
		struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr r = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
		__u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		__u16 rport = ft_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && uaddr && ulen >= sizeof(struct sockaddr_in6)) {
			struct sockaddr_in6 in6 = {};
			if (bpf_probe_read_user(&in6, sizeof(in6), uaddr) == 0 && in6.sin6_family == FT_AF_INET6) {
				__builtin_memcpy(&r, &in6.sin6_addr, 16);
				rport = ft_ntohs(in6.sin6_port);
			}
		}
		dst[0] = FT_AF_INET6;
		if (inbound) {
			__builtin_memcpy(dst + 1, &r, 16);
			*(__u16 *)(dst + 17) = rport;
			__builtin_memcpy(dst + 19, &l, 16);
			*(__u16 *)(dst + 35) = lport;
		} else {
			__builtin_memcpy(dst + 1, &l, 16);
			*(__u16 *)(dst + 17) = lport;
			__builtin_memcpy(dst + 19, &r, 16);
			*(__u16 *)(dst + 35) = rport;
		}
		return 37;
	}
	if (fam == FT_AF_UNIX) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		__u64 self_p = (__u64)sk, peer_p = (__u64)peer;
		dst[0] = FT_AF_UNIX;
		if (inbound) {
			*(__u64 *)(dst + 1) = self_p;
			*(__u64 *)(dst + 9) = peer_p;
		} else {
			*(__u64 *)(dst + 1) = peer_p;
			*(__u64 *)(dst + 9) = self_p;
		}
		struct unix_address *addr = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) : NULL;
		if (!addr)
			addr = BPF_CORE_READ(us, addr);
		if (addr) {
			int len = BPF_CORE_READ(addr, len);
			const char *path = (const char *)addr + bpf_core_field_offset(struct unix_address, name) + 2;
			return 17 + ft_unix_path(dst + 17, path, 0, len - 2);
		}
		if (uaddr && ulen > 2)
			return 17 + ft_unix_path(dst + 17, (const char *)uaddr + 2, 1, ulen - 2);
		dst[17] = 0;
		return 18;
	}
	return 0;
}

#endif
