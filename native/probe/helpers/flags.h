/* Kernel flag values -> PPM_* encodings (../shared/docs/flags-table.json). Tables whose PPM
 * values equal the Linux ones (socket families, mount, umount, access, splice, unlinkat,
 * linkat, renameat2, openat2 resolve, shutdown, chmod mode) are passed through. */
#ifndef FT_FLAGS_H
#define FT_FLAGS_H

enum ft_flag_table {
	FT_FL_NONE = 0,
	FT_FL_FILE,
	FT_FL_CLONE,
	FT_FL_MMAP,
	FT_FL_PROT,
	FT_FL_FCNTL,
	FT_FL_PTRACE,
	FT_FL_EXECVEAT,
	FT_FL_MOUNT,
};

#define LX_O_ACCMODE 3
#define LX_O_CREAT 0100
#define LX_O_EXCL 0200
#define LX_O_TRUNC 01000
#define LX_O_APPEND 02000
#define LX_O_NONBLOCK 04000
#define LX_O_DSYNC 010000
#define LX_O_DIRECT 040000
#define LX_O_LARGEFILE 0100000
#define LX_O_DIRECTORY 0200000
#define LX_O_CLOEXEC 02000000
#define LX___O_SYNC 04000000
#define LX___O_TMPFILE 020000000

static __always_inline __u32 ft_file_flags(__u32 f)
{
	__u32 r = 0;
	switch (f & LX_O_ACCMODE) {
	case 0: r = 1; break;
	case 1: r = 2; break;
	case 2: r = 3; break;
	}
	if (f & LX_O_CREAT) r |= 1 << 2;
	if (f & LX_O_APPEND) r |= 1 << 3;
	if (f & LX_O_DSYNC) r |= 1 << 4;
	if (f & LX_O_EXCL) r |= 1 << 5;
	if (f & LX_O_NONBLOCK) r |= 1 << 6;
	if (f & LX___O_SYNC) r |= 1 << 7;
	if (f & LX_O_TRUNC) r |= 1 << 8;
	if (f & LX_O_DIRECT) r |= 1 << 9;
	if (f & LX_O_DIRECTORY) r |= 1 << 10;
	if (f & LX_O_LARGEFILE) r |= 1 << 11;
	if (f & LX_O_CLOEXEC) r |= 1 << 12;
	if (f & LX___O_TMPFILE) r |= 1 << 13;
	return r;
}

static __always_inline __u32 ft_clone_flags(__u64 f)
{
	__u32 r = 0;
	if (f & 0x00000400) r |= 0x1;        /* FILES */
	if (f & 0x00000200) r |= 0x2;        /* FS */
	if (f & 0x80000000) r |= 0x4;        /* IO */
	if (f & 0x08000000) r |= 0x8;        /* NEWIPC */
	if (f & 0x40000000) r |= 0x10;       /* NEWNET */
	if (f & 0x00020000) r |= 0x20;       /* NEWNS */
	if (f & 0x20000000) r |= 0x40;       /* NEWPID */
	if (f & 0x04000000) r |= 0x80;       /* NEWUTS */
	if (f & 0x00008000) r |= 0x100;      /* PARENT */
	if (f & 0x00100000) r |= 0x200;      /* PARENT_SETTID */
	if (f & 0x00002000) r |= 0x400;      /* PTRACE */
	if (f & 0x00000800) r |= 0x800;      /* SIGHAND */
	if (f & 0x00040000) r |= 0x1000;     /* SYSVSEM */
	if (f & 0x00010000) r |= 0x2000;     /* THREAD */
	if (f & 0x00800000) r |= 0x4000;     /* UNTRACED */
	if (f & 0x00000100) r |= 0x8000;     /* VM */
	if (f & 0x10000000) r |= 0x100000;   /* NEWUSER */
	if (f & 0x00200000) r |= 0x800000;   /* CHILD_CLEARTID */
	if (f & 0x01000000) r |= 0x1000000;  /* CHILD_SETTID */
	if (f & 0x00080000) r |= 0x2000000;  /* SETTLS */
	if (f & 0x00004000) r |= 0x8000000;  /* VFORK */
	if (f & 0x02000000) r |= 0x10000000; /* NEWCGROUP */
	return r;
}

static __always_inline __u32 ft_mmap_flags(__u32 f)
{
	__u32 r = 0;
	if (f & 0x01) r |= 0x1;      /* SHARED */
	if (f & 0x02) r |= 0x2;      /* PRIVATE */
	if (f & 0x10) r |= 0x4;      /* FIXED */
	if (f & 0x20) r |= 0x8;      /* ANONYMOUS */
	if (f & 0x40) r |= 0x10;     /* 32BIT */
	if (f & 0x4000) r |= 0x40;   /* NORESERVE */
	if (f & 0x8000) r |= 0x80;   /* POPULATE */
	if (f & 0x10000) r |= 0x100; /* NONBLOCK */
	if (f & 0x0100) r |= 0x200;  /* GROWSDOWN */
	if (f & 0x0800) r |= 0x400;  /* DENYWRITE */
	if (f & 0x1000) r |= 0x800;  /* EXECUTABLE */
	if (f & 0x2000) r |= 0x4000; /* LOCKED */
	return r;
}

static __always_inline __u32 ft_prot_flags(__u32 f)
{
	__u32 r = f & 0xf; /* READ WRITE EXEC SEM */
	if (f & 0x01000000) r |= 0x10; /* GROWSDOWN */
	if (f & 0x02000000) r |= 0x20; /* GROWSUP */
	return r;
}

static __always_inline __u32 ft_fcntl_cmd(__u32 c)
{
	switch (c) {
	case 0: return 1;     /* F_DUPFD */
	case 1: return 2;     /* F_GETFD */
	case 2: return 3;     /* F_SETFD */
	case 3: return 4;     /* F_GETFL */
	case 4: return 5;     /* F_SETFL */
	case 5: return 6;     /* F_GETLK */
	case 6: return 8;     /* F_SETLK */
	case 7: return 9;     /* F_SETLKW */
	case 8: return 10;    /* F_SETOWN */
	case 9: return 12;    /* F_GETOWN */
	case 10: return 13;   /* F_SETSIG */
	case 11: return 15;   /* F_GETSIG */
	case 15: return 21;   /* F_SETOWN_EX */
	case 16: return 22;   /* F_GETOWN_EX */
	case 36: return 30;   /* F_OFD_GETLK */
	case 37: return 31;   /* F_OFD_SETLK */
	case 38: return 32;   /* F_OFD_SETLKW */
	case 1024: return 23; /* F_SETLEASE */
	case 1025: return 24; /* F_GETLEASE */
	case 1026: return 27; /* F_NOTIFY */
	case 1029: return 25; /* F_CANCELLK */
	case 1030: return 26; /* F_DUPFD_CLOEXEC */
	case 1031: return 28; /* F_SETPIPE_SZ */
	case 1032: return 29; /* F_GETPIPE_SZ */
	}
	return 0;
}

static __always_inline __u32 ft_ptrace_req(__u64 r)
{
	if (r <= 9)
		return (__u32)r + 1; /* TRACEME .. SINGLESTEP */
	switch (r) {
	case 16: return 0xb;      /* ATTACH */
	case 17: return 0xc;      /* DETACH */
	case 24: return 0xd;      /* SYSCALL */
	case 0x4200: return 0xe;  /* SETOPTIONS */
	case 0x4201: return 0xf;  /* GETEVENTMSG */
	case 0x4202: return 0x10; /* GETSIGINFO */
	case 0x4203: return 0x11; /* SETSIGINFO */
	case 0x4204: return 0x12; /* GETREGSET */
	case 0x4205: return 0x13; /* SETREGSET */
	case 0x4206: return 0x14; /* SEIZE */
	case 0x4207: return 0x15; /* INTERRUPT */
	case 0x4208: return 0x16; /* LISTEN */
	case 0x4209: return 0x17; /* PEEKSIGINFO */
	case 0x420a: return 0x18; /* GETSIGMASK */
	case 0x420b: return 0x19; /* SETSIGMASK */
	case 12: return 0x1a;     /* GETREGS */
	case 13: return 0x1b;     /* SETREGS */
	case 14: return 0x1c;     /* GETFPREGS */
	case 15: return 0x1d;     /* SETFPREGS */
	case 18: return 0x1e;     /* GETFPXREGS */
	case 19: return 0x1f;     /* SETFPXREGS */
	case 21: return 0x20;     /* OLDSETOPTIONS */
	case 25: return 0x21;     /* GET_THREAD_AREA */
	case 26: return 0x22;     /* SET_THREAD_AREA */
	case 30: return 0x23;     /* ARCH_PRCTL */
	case 31: return 0x24;     /* SYSEMU */
	case 32: return 0x25;     /* SYSEMU_SINGLESTEP */
	case 33: return 0x26;     /* SINGLEBLOCK */
	}
	return 0;
}

static __always_inline __u32 ft_translate(__u32 table, __u64 v)
{
	switch (table) {
	case FT_FL_FILE: return ft_file_flags((__u32)v);
	case FT_FL_CLONE: return ft_clone_flags(v);
	case FT_FL_MMAP: return ft_mmap_flags((__u32)v);
	case FT_FL_PROT: return ft_prot_flags((__u32)v);
	case FT_FL_FCNTL: return ft_fcntl_cmd((__u32)v);
	case FT_FL_PTRACE: return ft_ptrace_req(v);
	case FT_FL_EXECVEAT: return ((v & 0x1000) ? 1 : 0) | ((v & 0x100) ? 2 : 0);
	case FT_FL_MOUNT:
		if ((v & 0xffff0000) == 0xC0ED0000) /* MS_MGC_VAL */
			v &= 0xffff;
		return (__u32)v;
	}
	return (__u32)v;
}

#endif
