/* Load generator for the capture benchmark: tight raw-syscall loops on N threads for S seconds.
 *   loadgen <getppid|close|openclose> <threads> <secs>
 * Prints one JSON line: {"mode":..,"threads":N,"secs":S,"syscalls":total,"rate":per_second,
 * "cpu_ns":ns} where cpu_ns is the CPU time (user + system, probes included) per syscall: unlike
 * the rate, it does not depend on how much CPU other work leaves to the loops.
 * getppid: 1 syscall per iteration; close: close(-1) (EBADF), 1 per iteration; openclose:
 * openat("/dev/null") + close, 2 per iteration. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop;
static int mode; /* 0 getppid, 1 close, 2 openclose */

struct worker {
	pthread_t th;
	unsigned long long calls;
};

static void *run(void *arg)
{
	struct worker *w = arg;
	unsigned long long n = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		for (int i = 0; i < 256; i++) {
			if (mode == 0) {
				syscall(SYS_getppid);
				n++;
			} else if (mode == 1) {
				syscall(SYS_close, -1);
				n++;
			} else {
				long fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
				syscall(SYS_close, fd);
				n += 2;
			}
		}
	}
	w->calls = n;
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: loadgen <getppid|close|openclose> <threads> <secs>\n");
		return 2;
	}
	mode = !strcmp(argv[1], "getppid") ? 0 : !strcmp(argv[1], "close") ? 1 : !strcmp(argv[1], "openclose") ? 2 : -1;
	int threads = atoi(argv[2]);
	double secs = atof(argv[3]);
	if (mode < 0 || threads < 1 || threads > 256 || secs <= 0) {
		fprintf(stderr, "loadgen: bad arguments\n");
		return 2;
	}
	struct worker *w = calloc(threads, sizeof(*w));
	double t0 = now();
	for (int i = 0; i < threads; i++)
		pthread_create(&w[i].th, NULL, run, &w[i]);
	struct timespec d = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	nanosleep(&d, NULL);
	atomic_store(&stop, 1);
	unsigned long long total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].th, NULL);
		total += w[i].calls;
	}
	double el = now() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	printf("{\"mode\":\"%s\",\"threads\":%d,\"secs\":%.3f,\"syscalls\":%llu,\"rate\":%.0f,\"cpu_ns\":%.1f}\n", argv[1], threads,
	       el, total, total / el, total ? cpu * 1e9 / total : 0.0);
	return 0;
}
