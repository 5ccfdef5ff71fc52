/* Parameter layouts of the e5c53d64 events the probe fills from a table: for each event code
 * the ordered params, each one an operation (where the value comes from), the syscall
 * argument it reads and an extra (flag table, second argument, ...). execve/clone exits have
 * their own code (proc.h); every syscall missing here is written as a generic event. */
#ifndef FT_PARAMS_H
#define FT_PARAMS_H

enum ft_op {
	FTOP_NONE = 0,  /* empty param */
	FTOP_FD,        /* (int)arg as i64 (PT_FD, AT_FDCWD = -100) */
	FTOP_PID,       /* (int)arg as i64 */
	FTOP_I64,       /* arg as i64 */
	FTOP_U64,       /* arg as u64 */
	FTOP_U32,       /* arg as u32 (also UID/GID/MODE) */
	FTOP_I32,       /* arg as i32 */
	FTOP_U8,        /* arg as u8 (SIGTYPE) */
	FTOP_FLAGS32,   /* translated with table aux */
	FTOP_FLAGS16,
	FTOP_FLAGS8,
	FTOP_STR,       /* NUL-terminated user string */
	FTOP_RET,       /* return value as i64 (ERRNO, FD, PID) */
	FTOP_DEV_RETFD, /* dev of the file opened as fd = ret */
	FTOP_DATA_RET,  /* user buffer arg, min(ret, snaplen) bytes */
	FTOP_IOV_DATA,  /* iovec array arg, count arg aux, min(ret, snaplen) bytes */
	FTOP_IOV_SIZE,  /* sum of iov_len: iovec arg, count arg aux */
	FTOP_MSG_DATA,  /* msghdr arg: its iovecs, min(ret, snaplen) bytes */
	FTOP_MSG_SIZE,  /* msghdr arg: sum of its iov_len */
	FTOP_SOCKADDR,  /* user sockaddr arg, length arg aux */
	FTOP_TUPLE,     /* socket of fd arg; aux: bit0 inbound, bits 4-7 = 1 + user sockaddr arg (len = next arg) */
	FTOP_TUPLE_RET, /* socket of fd = ret, inbound */
	FTOP_MSG_TUPLE, /* socket of fd arg0, msghdr arg's msg_name; aux bit0 inbound */
	FTOP_QUEUE,     /* listening socket of fd arg: aux 0 pct (u8), 1 len, 2 max */
	FTOP_FDPAIR,    /* int[2] at user arg, element aux, as i64 */
	FTOP_PIPE_INO,  /* inode of the first fd of the int[2] at user arg */
	FTOP_SOCKPAIR,  /* int[2] at user arg: aux 0 = first socket's sock, 1 = its peer */
	FTOP_VM,        /* aux 0 vm_size, 1 vm_rss, 2 vm_swap (KiB) */
	FTOP_RELTIME,   /* user timespec at arg, as ns */
	FTOP_UPTR_U64,  /* u64 read from the user pointer arg (0 when NULL) */
	FTOP_PTRACE_DYN,/* PT_DYN index 0 (u64) of arg */
	FTOP_BPF_DYN,   /* PT_DYN: fd (index 0) for map/prog creation, else errno (index 1) */
	FTOP_HOW,       /* struct open_how at user arg: aux 0 flags, 1 mode, 2 resolve */
	FTOP_RET_U64,   /* return value as u64 */
	FTOP_DATA_LEN,  /* user buffer arg, min(arg aux, snaplen) bytes (init_module's image) */
	FTOP__COUNT     /* (not an op) native/kmod checks it implements every op: a new op fails its build */
};

#define FT_MAXP 6
#define FT_DESC_VALID 0x80
#define FT_DESC_PROC 0x40 /* exit written by the process handler */

struct ft_desc {
	__u8 n;             /* param count | FT_DESC_VALID | FT_DESC_PROC */
	__u8 op[FT_MAXP];
	__u8 arg[FT_MAXP];
	__u8 aux[FT_MAXP];
};

/* P(op, arg, aux) packs one param; D(...) makes a descriptor from up to 6 of them */
#define P(o, a, x) ((o) | ((a) << 8) | ((x) << 16))
#define OPOF(p) ((p) & 0xff)
#define ARGOF(p) (((p) >> 8) & 0xff)
#define AUXOF(p) (((p) >> 16) & 0xff)
#define D6(n, p0, p1, p2, p3, p4, p5) { (n) | FT_DESC_VALID, \
	{ OPOF(p0), OPOF(p1), OPOF(p2), OPOF(p3), OPOF(p4), OPOF(p5) }, \
	{ ARGOF(p0), ARGOF(p1), ARGOF(p2), ARGOF(p3), ARGOF(p4), ARGOF(p5) }, \
	{ AUXOF(p0), AUXOF(p1), AUXOF(p2), AUXOF(p3), AUXOF(p4), AUXOF(p5) } }
#define D0() { FT_DESC_VALID }
#define D1(a) D6(1, a, 0, 0, 0, 0, 0)
#define D2(a, b) D6(2, a, b, 0, 0, 0, 0)
#define D3(a, b, c) D6(3, a, b, c, 0, 0, 0)
#define D4(a, b, c, d) D6(4, a, b, c, d, 0, 0)
#define D5(a, b, c, d, e) D6(5, a, b, c, d, e, 0)
#define DPROC() { FT_DESC_VALID | FT_DESC_PROC }

#define FD(i) P(FTOP_FD, i, 0)
#define PID(i) P(FTOP_PID, i, 0)
#define U64(i) P(FTOP_U64, i, 0)
#define U32(i) P(FTOP_U32, i, 0)
#define STR(i) P(FTOP_STR, i, 0)
#define RET P(FTOP_RET, 0, 0)
#define FL32(i, t) P(FTOP_FLAGS32, i, t)
#define DATA(i) P(FTOP_DATA_RET, i, 0)
#define VM(k) P(FTOP_VM, 0, k)

#define FT_NCODES 512 /* power of two: indexes are masked */

static const struct ft_desc g_desc[FT_NCODES] = {
	[2] = D3(STR(0), FL32(1, FT_FL_FILE), U32(2)),                                 /* open */
	[3] = D5(RET, STR(0), FL32(1, FT_FL_FILE), U32(2), P(FTOP_DEV_RETFD, 0, 0)),
	[306] = D4(FD(0), STR(1), FL32(2, FT_FL_FILE), U32(3)),                        /* openat */
	[307] = D6(6, RET, FD(0), STR(1), FL32(2, FT_FL_FILE), U32(3), P(FTOP_DEV_RETFD, 0, 0)),
	[326] = D5(FD(0), STR(1), P(FTOP_HOW, 2, 0), P(FTOP_HOW, 2, 1), P(FTOP_HOW, 2, 2)), /* openat2 */
	[327] = D6(6, RET, FD(0), STR(1), P(FTOP_HOW, 2, 0), P(FTOP_HOW, 2, 1), P(FTOP_HOW, 2, 2)),
	[58] = D2(STR(0), U32(1)),                                                     /* creat */
	[59] = D4(RET, STR(0), U32(1), P(FTOP_DEV_RETFD, 0, 0)),
	[4] = D1(FD(0)), [5] = D1(RET),                                                /* close */
	[6] = D2(FD(0), U32(2)), [7] = D2(RET, DATA(1)),                               /* read */
	[8] = D2(FD(0), U32(2)), [9] = D2(RET, DATA(1)),                               /* write */
	[112] = D3(FD(0), U32(2), U64(3)), [113] = D2(RET, DATA(1)),                   /* pread64 */
	[114] = D3(FD(0), U32(2), U64(3)), [115] = D2(RET, DATA(1)),                   /* pwrite64 */
	[116] = D1(FD(0)), [117] = D3(RET, P(FTOP_IOV_SIZE, 1, 2), P(FTOP_IOV_DATA, 1, 2)), /* readv */
	[118] = D2(FD(0), P(FTOP_IOV_SIZE, 1, 2)), [119] = D2(RET, P(FTOP_IOV_DATA, 1, 2)), /* writev */
	[120] = D2(FD(0), U64(3)), [121] = D3(RET, P(FTOP_IOV_SIZE, 1, 2), P(FTOP_IOV_DATA, 1, 2)), /* preadv */
	[122] = D3(FD(0), P(FTOP_IOV_SIZE, 1, 2), U64(3)), [123] = D2(RET, P(FTOP_IOV_DATA, 1, 2)), /* pwritev */
	[292] = D1(STR(0)), [293] = DPROC(),                                          /* execve */
	[330] = D3(FD(0), STR(1), FL32(4, FT_FL_EXECVEAT)), [331] = DPROC(),          /* execveat */
	[222] = D0(), [223] = DPROC(),                                                 /* clone */
	[334] = D0(), [335] = DPROC(),                                                 /* clone3 */
	[224] = D0(), [225] = DPROC(),                                                 /* fork */
	[226] = D0(), [227] = DPROC(),                                                 /* vfork */
	[22] = D2(FD(0), P(FTOP_SOCKADDR, 1, 2)),                                        /* connect */
	[23] = D2(RET, P(FTOP_TUPLE, 0, 0x20)),
	[246] = D0(), [247] = D5(RET, P(FTOP_TUPLE_RET, 0, 0), P(FTOP_QUEUE, 0, 0), P(FTOP_QUEUE, 0, 1), P(FTOP_QUEUE, 0, 2)),                  /* accept */
	[248] = D1(P(FTOP_I32, 3, 0)), [249] = D5(RET, P(FTOP_TUPLE_RET, 0, 0), P(FTOP_QUEUE, 0, 0), P(FTOP_QUEUE, 0, 1), P(FTOP_QUEUE, 0, 2)),   /* accept4 */
	[18] = D3(FL32(0, 0), U32(1), U32(2)), [19] = D1(RET),                         /* socket */
	[42] = D3(FL32(0, 0), U32(1), U32(2)),                                         /* socketpair */
	[43] = D5(RET, P(FTOP_FDPAIR, 3, 0), P(FTOP_FDPAIR, 3, 1), P(FTOP_SOCKPAIR, 3, 0), P(FTOP_SOCKPAIR, 3, 1)),
	[20] = D1(FD(0)), [21] = D2(RET, P(FTOP_SOCKADDR, 1, 2)),                        /* bind */
	[24] = D2(FD(0), U32(1)), [25] = D1(RET),                                      /* listen */
	[30] = D3(FD(0), U32(2), P(FTOP_TUPLE, 0, 0x50)), [31] = D2(RET, DATA(1)),       /* sendto */
	[34] = D2(FD(0), U32(2)), [35] = D3(RET, DATA(1), P(FTOP_TUPLE, 0, 0x51)),       /* recvfrom */
	[48] = D3(FD(0), P(FTOP_MSG_SIZE, 1, 0), P(FTOP_MSG_TUPLE, 1, 0)),                 /* sendmsg */
	[49] = D2(RET, P(FTOP_MSG_DATA, 1, 0)),
	[52] = D1(FD(0)),                                                              /* recvmsg */
	[53] = D4(RET, P(FTOP_MSG_SIZE, 1, 0), P(FTOP_MSG_DATA, 1, 0), P(FTOP_MSG_TUPLE, 1, 1)),
	[50] = D0(), [51] = D0(), [54] = D0(), [55] = D0(),                            /* send/recvmmsg */
	[36] = D2(FD(0), P(FTOP_FLAGS8, 1, 0)), [37] = D1(RET),                          /* shutdown */
	[300] = D0(), [301] = D2(RET, STR(0)),                                         /* unlink */
	[302] = D0(), [303] = D4(RET, FD(0), STR(1), FL32(2, 0)),                      /* unlinkat */
	[174] = D0(), [175] = D3(RET, STR(0), STR(1)),                                 /* rename */
	[176] = D0(), [177] = D5(RET, FD(0), STR(1), FD(2), STR(3)),                   /* renameat */
	[318] = D0(), [319] = D6(6, RET, FD(0), STR(1), FD(2), STR(3), FL32(4, 0)),   /* renameat2 */
	[276] = D1(U32(1)), [277] = D2(RET, STR(0)),                                   /* mkdir */
	[304] = D0(), [305] = D4(RET, FD(0), STR(1), U32(2)),                          /* mkdirat */
	[278] = D0(), [279] = D2(RET, STR(0)),                                         /* rmdir */
	[308] = D0(), [309] = D3(RET, STR(0), STR(1)),                                 /* link */
	[310] = D0(), [311] = D6(6, RET, FD(0), STR(1), FD(2), STR(3), FL32(4, 0)),   /* linkat */
	[178] = D0(), [179] = D3(RET, STR(0), STR(1)),                                 /* symlink */
	[180] = D0(), [181] = D4(RET, STR(0), FD(1), STR(2)),                          /* symlinkat */
	[314] = D0(), [315] = D3(RET, STR(0), U32(1)),                                 /* chmod */
	[316] = D0(), [317] = D3(RET, FD(0), U32(1)),                                  /* fchmod */
	[312] = D0(), [313] = D4(RET, FD(0), STR(1), U32(2)),                          /* fchmodat */
	[198] = D1(U32(0)), [199] = D1(RET),                                           /* setuid */
	[200] = D1(U32(0)), [201] = D1(RET),                                           /* setgid */
	[192] = D3(U32(0), U32(1), U32(2)), [193] = D1(RET),                           /* setresuid */
	[194] = D3(U32(0), U32(1), U32(2)), [195] = D1(RET),                           /* setresgid */
	[168] = D2(P(FTOP_FLAGS16, 0, FT_FL_PTRACE), PID(1)),                            /* ptrace */
	[169] = D3(RET, P(FTOP_PTRACE_DYN, 2, 0), P(FTOP_PTRACE_DYN, 3, 0)),
	[128] = D2(PID(0), P(FTOP_U8, 1, 0)), [129] = D1(RET),                           /* kill */
	[130] = D2(PID(0), P(FTOP_U8, 1, 0)), [131] = D1(RET),                           /* tkill */
	[132] = D3(PID(0), PID(1), P(FTOP_U8, 2, 0)), [133] = D1(RET),                   /* tgkill */
	[124] = D1(FD(0)), [125] = D1(RET),                                            /* dup, dup2, dup3 */
	[60] = D0(), [61] = D4(RET, P(FTOP_FDPAIR, 0, 0), P(FTOP_FDPAIR, 0, 1), P(FTOP_PIPE_INO, 0, 0)), /* pipe, pipe2 */
	[160] = D6(6, U64(0), U64(1), FL32(2, FT_FL_PROT), FL32(3, FT_FL_MMAP), FD(4), U64(5)), /* mmap */
	[161] = D4(P(FTOP_RET_U64, 0, 0), VM(0), VM(1), VM(2)),
	[328] = D3(U64(0), U64(1), FL32(2, FT_FL_PROT)), [329] = D1(RET),              /* mprotect */
	[164] = D2(U64(0), U64(1)), [165] = D4(RET, VM(0), VM(1), VM(2)),              /* munmap */
	[256] = D1(FL32(3, FT_FL_MOUNT)), [257] = D4(RET, STR(0), STR(1), STR(2)),     /* mount */
	[258] = D1(FL32(1, 0)), [259] = D2(RET, STR(0)),                               /* umount2 */
	[94] = D0(), [95] = D2(RET, STR(0)),                                           /* chdir */
	[96] = D1(FD(0)), [97] = D1(RET),                                              /* fchdir */
	[266] = D0(), [267] = D2(RET, STR(0)),                                         /* chroot */
	[296] = D1(P(FTOP_I64, 0, 0)), [297] = D1(P(FTOP_BPF_DYN, 0, 0)),                  /* bpf */
	[320] = D0(), [321] = D2(RET, FL32(0, FT_FL_FILE)),                            /* userfaultfd */
	[284] = D1(FL32(0, FT_FL_CLONE)), [285] = D1(RET),                             /* unshare */
	[240] = D2(FD(0), FL32(1, FT_FL_CLONE)), [241] = D1(RET),                      /* setns */
	[166] = D4(FD(0), FD(2), U64(4), FL32(5, 0)), [167] = D1(RET),                 /* splice */
	[188] = D4(FD(0), FD(1), P(FTOP_UPTR_U64, 2, 0), U64(3)),                        /* sendfile */
	[189] = D2(RET, P(FTOP_UPTR_U64, 2, 0)),
	[170] = D3(FD(0), U64(1), U64(2)), [171] = D1(RET),                            /* ioctl */
	[150] = D2(FD(0), P(FTOP_FLAGS8, 1, FT_FL_FCNTL)), [151] = D1(RET),              /* fcntl */
	[134] = D1(P(FTOP_RELTIME, 0, 0)), [135] = D1(RET),                              /* nanosleep */
	[298] = D1(U64(0)), [299] = D1(RET),                                           /* seccomp */
	[274] = D0(), [275] = D1(RET),                                                 /* setsid */
	[294] = D2(PID(0), PID(1)), [295] = D1(RET),                                   /* setpgid */
	[264] = D1(FL32(1, 0)), [265] = D2(RET, STR(0)),                               /* access */
	[238] = D1(FD(0)), [239] = D1(RET),                                            /* getdents64 */
	/* later libs events (e5c53d64 wrote these syscalls as generic; sysdig 0.29.3 skips them) */
	[410] = D0(), [411] = D4(RET, P(FTOP_DATA_LEN, 0, 1), U64(1), STR(2)),         /* init_module */
	[412] = D0(), [413] = D4(RET, FD(0), STR(1), FL32(2, 0)),                      /* finit_module */
};

#endif
