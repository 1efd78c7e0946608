/* fh-bench.c: the hash rate of every kernel this CPU can run, beside the
 * plain Nettle loop measured in the same run, for 1 thread and for all.
 *
 * Usage: fh-bench [-s SECONDS] [-r ROUNDS] [-t THREADS]
 *
 * The machine this runs on is often shared, so each figure is the best of
 * ROUNDS runs of SECONDS, and the kernel's and Nettle's runs alternate:
 * a burst of load elsewhere then hurts both sides of a ratio alike instead
 * of one.  Cycles per hash are per thread, at the core clock measured here
 * with a chain of dependent multiplications, since neither the nominal
 * clock nor the time-stamp counter follows boost and throttling. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "search.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Cycles per second of this core: a chain of dependent multiplications,
 * three cycles each on every x86-64 core of the last decade (Intel and AMD
 * alike); a chain of additions would do on paper, but recent cores execute
 * dependent add-immediates faster than one a cycle.  The empty asm keeps
 * the compiler from folding the chain.  0 where it cannot be measured this
 * way (then cycles are not printed). */
static double core_hz(void)
{
#if defined(__x86_64__)
	double best = 0;
	int rep;

	/* Many short runs, the fastest kept: a run that another process
	 * interrupted only reads low. */
	for (rep = 0; rep < 25; rep++) {
		unsigned long n = 1ul << 22, i, x = 3;
		double t = now(), hz;

		for (i = 0; i < n; i++)
			__asm__ volatile("imul %0, %0\n\timul %0, %0\n\t"
					 "imul %0, %0\n\timul %0, %0"
					 : "+r"(x));
		hz = (double)(3 * 4 * n) / (now() - t);
		if (hz > best)
			best = hz;
	}
	return best;
#else
	return 0;
#endif
}

/* Ticks per second of the time-stamp counter, which runs at a fixed rate
 * (often the nominal clock) whatever the core's real clock: the unit most
 * published cycle counts use, printed beside the core's cycles so that
 * figures from either kind of source can be compared.  0 off x86-64. */
static double tsc_hz(void)
{
#if defined(__x86_64__)
	unsigned lo, hi;
	uint64_t a, b;
	double t0, t1;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	a = (uint64_t)hi << 32 | lo;
	t0 = now();
	do
		t1 = now();
	while (t1 - t0 < 0.2);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	b = (uint64_t)hi << 32 | lo;
	return (double)(b - a) / (t1 - t0);
#else
	return 0;
#endif
}

struct pair {
	double kernel, nettle; /* hashes per second, best run */
};

static struct pair measure(const struct fh_kernel *k, unsigned threads,
			   double seconds, unsigned rounds)
{
	struct pair p = { 0, 0 };
	unsigned r;

	for (r = 0; r < rounds; r++) {
		double a = fh_bench_kernel(k, threads, seconds, NULL);
		double b = fh_bench_nettle(threads, seconds);

		if (a > p.kernel)
			p.kernel = a;
		if (b > p.nettle)
			p.nettle = b;
	}
	return p;
}

/* The prefixes of the many-prefix figures: xorshift64, from one seed, so
 * that every run measures the same ones. */
#define RANDOM_SEED 0x2545f4914f6cdd1dULL

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A real search (the engine, default kernel, all threads) over a fixed
 * number of candidates, for n random prefixes of the given digits: hashes
 * per second of the search alone (not the set-up of its index).  One
 * prefix of 64 digits, never found, is the reference; a 6-digit prefix
 * matches about one candidate in 16.7 million, so with 100,000 of them
 * about one in 170 candidates matches one, which the engine then looks up
 * and, while that prefix could still get a lower answer, hashes again. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ... and *per_cpu, the same per CPU-second of the process (on a shared
 * machine the wall-clock rate follows the other work, this one less). */
static double search_rate(unsigned n, unsigned digits, unsigned threads,
			  uint64_t tries, double *per_cpu)
{
	struct fh_prefix *p = calloc(n, sizeof *p);
	struct fh_search_opts o;
	struct fh_search *s;
	struct fh_base base;
	uint64_t x = RANDOM_SEED;
	double t0, c0, rate = -1;
	unsigned i, d;

	if (!p)
		return -1;
	for (i = 0; i < n; i++) {
		char hex[65];
		const char *why;

		for (d = 0; d < digits; d++)
			hex[d] = "0123456789abcdef"[next_random(&x) >> 60];
		fh_prefix_parse(hex, digits, &p[i], &why);
	}
	fh_base_init(&base, 1, 1);
	memset(&o, 0, sizeof o);
	o.prefixes = p;
	o.n_prefixes = n;
	o.base = &base;
	o.lo = 0;
	o.hi = tries;
	o.threads = threads;
	o.kernel = fh_kernel_default();
	*per_cpu = -1;
	s = fh_search_start(&o);
	if (s) {
		/* the threads start last in fh_search_start: the index it
		 * builds first is set-up, counted in neither figure */
		t0 = now();
		c0 = cpu_now();
		while (!fh_search_wait(s, 1000))
			;
		rate = (double)fh_search_tries(s) / (now() - t0);
		*per_cpu = (double)fh_search_tries(s) / (cpu_now() - c0);
		fh_search_free(s);
	}
	free(p);
	return rate;
}

/* The many-prefix filter's cost inside the default kernel alone, apart
 * from the engine's work on what it reports: one thread hashes template
 * after template, each time with the plain compare of a 64-digit search
 * or with the first-word tables of n random 6-digit prefixes (as the
 * engine builds them, kernel.h), the two kinds taking turns a template
 * (under a millisecond) at a time.  Taking turns that often, a change of
 * clock or load falls on both alike, which the best of whole runs of each
 * did not achieve on a shared machine: their ratio moved by several per
 * cent from run to run.  Returns the filtered rate over the plain one,
 * or -1 when memory runs out; *plain gets the plain rate. */
static double filter_cost(unsigned n, double seconds, double *plain)
{
	const struct fh_kernel *k = fh_kernel_default();
	size_t words = (size_t)1 << (FH_COARSE_BITS - 5);
	uint32_t *bitmap = calloc((size_t)1 << (FH_BITMAP_BITS - 5), 4);
	uint32_t *coarse = calloc(words, 4), *rank = calloc(words, 4);
	uint32_t *h0 = calloc(FH_TEMPLATE_SIZE, 4);
	uint16_t *hits = calloc(FH_TEMPLATE_SIZE / FH_GROUP, 2);
	uint16_t *fine = NULL;
	struct fh_filter f[2];
	struct fh_template t;
	struct fh_base base;
	uint64_t x = RANDOM_SEED, tpl = 0, hashed[2] = { 0, 0 };
	double spent[2] = { 0, 0 }, ratio = -1, end;
	unsigned i, which;

	if (!bitmap || !coarse || !rank || !h0 || !hits)
		goto out;
	for (i = 0; i < n; i++) {
		uint32_t b =
			(uint32_t)(next_random(&x) >> (64 - FH_BITMAP_BITS));

		bitmap[b / 32] |= 1u << b % 32;
		b >>= FH_BITMAP_BITS - FH_COARSE_BITS;
		coarse[b / 32] |= 1u << b % 32;
	}
	fine = calloc(fh_bitmap_fine(bitmap, coarse, rank, NULL), 2);
	if (!fine)
		goto out;
	fh_bitmap_fine(bitmap, coarse, rank, fine);
	memset(f, 0, sizeof f);
	f[0].n = 1;
	f[0].mask[0] = 0xffffffffu;
	f[0].value[0] = 0x00c0ffeeu;
	f[1].bitmap = bitmap;
	f[1].coarse = coarse;
	f[1].rank = rank;
	f[1].fine = fine;
	f[1].h0 = h0;
	fh_base_init(&base, 1, 2);
	end = now() + 2 * seconds;
	do {
		/* Each kind goes first in every other turn: the kernel that
		 * runs second measured up to 5% faster than the same kernel
		 * run first, on a loaded machine. */
		for (i = 0; i < 2; i++) {
			double t0;

			which = i ^ (unsigned)(tpl / 2 % 2);
			t0 = now();
			fh_template_init(&t, &base, tpl++);
			k->run(&t, &f[which], 0, FH_TEMPLATE_SIZE, hits);
			memset(hits, 0, FH_TEMPLATE_SIZE / FH_GROUP * 2);
			spent[which] += now() - t0;
			hashed[which] += FH_TEMPLATE_SIZE;
		}
	} while (now() < end);
	*plain = (double)hashed[0] / spent[0];
	ratio = (double)hashed[1] / spent[1] / *plain;
out:
	free(bitmap);
	free(coarse);
	free(rank);
	free(fine);
	free(h0);
	free(hits);
	return ratio;
}

/* Other work on the machine lowers every figure, so say how much there
 * was when the run began (Linux; nothing elsewhere). */
static void print_load(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double one;

	if (f && fscanf(f, "%lf", &one) == 1)
		printf("load average before the run: %.2f\n", one);
	if (f)
		fclose(f);
	printf("\n");
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [-s SECONDS] [-r ROUNDS] [-t THREADS]\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	double seconds = 1.0, hz, tsc;
	unsigned rounds = 3, all = fh_usable_cpus(), counts[2], nc, c;
	const struct fh_kernel *list, *def = fh_kernel_default();
	size_t n, i;
	int opt;

	while ((opt = getopt(argc, argv, "s:r:t:")) != -1) {
		if (opt == 's')
			seconds = atof(optarg);
		else if (opt == 'r')
			rounds = (unsigned)atoi(optarg);
		else if (opt == 't')
			all = (unsigned)atoi(optarg);
		else
			usage(argv[0]);
	}
	if (seconds <= 0 || rounds < 1 || all < 1 || optind != argc)
		usage(argv[0]);
	counts[0] = 1;
	counts[1] = all;
	nc = all > 1 ? 2 : 1;

	hz = core_hz();
	tsc = tsc_hz();
	printf("find-hash kernel benchmark: %u usable CPUs, best of %u "
	       "alternating runs of %.1f s\n", fh_usable_cpus(), rounds,
	       seconds);
	if (hz > 0)
		printf("core clock %.2f GHz (dependent imul chain), TSC %.2f "
		       "GHz; cycles a hash = clock / per-thread rate\n",
		       hz / 1e9, tsc / 1e9);
	printf("Nettle = sha256_init/update/digest on each 52-byte candidate, "
	       "same threads\n");
	print_load();
	printf("%-9s %7s %8s %10s %9s %12s %7s\n", "kernel", "threads",
	       "MH/s", "core cyc/h", "TSC cyc/h", "Nettle MH/s", "ratio");

	list = fh_kernel_list(&n);
	for (i = 0; i < n; i++) {
		const struct fh_kernel *k = &list[i];

		if (!k->cpu_has()) {
			printf("%-9s not run: this CPU lacks it\n", k->name);
			continue;
		}
		for (c = 0; c < nc; c++) {
			struct pair p = measure(k, counts[c], seconds, rounds);
			char cyc[32] = "-", tcyc[32] = "-";

			if (p.kernel <= 0 || p.nettle <= 0) {
				printf("%-9s %7u  could not start threads\n",
				       k->name, counts[c]);
				continue;
			}
			if (hz > 0)
				snprintf(cyc, sizeof cyc, "%.1f",
					 hz * counts[c] / p.kernel);
			if (tsc > 0)
				snprintf(tcyc, sizeof tcyc, "%.1f",
					 tsc * counts[c] / p.kernel);
			printf("%-9s %7u %8.1f %10s %9s %12.1f %6.2fx%s\n",
			       k->name, counts[c], p.kernel / 1e6, cyc, tcyc,
			       p.nettle / 1e6, p.kernel / p.nettle,
			       k == def ? "  (default)" : "");
			fflush(stdout);
		}
	}

	{
		double one = 0, many = 0, one_cpu = 0, many_cpu = 0, x;
		/* about as long as a kernel run above */
		uint64_t tries = (uint64_t)(seconds * 1e8);

		for (c = 0; c < rounds; c++) {
			double a = search_rate(1, 64, all, tries, &x);

			if (x > one_cpu)
				one_cpu = x;
			if (a > one)
				one = a;
			a = search_rate(100000, 6, all, tries, &x);
			if (x > many_cpu)
				many_cpu = x;
			if (a > many)
				many = a;
		}
		printf("\nsearch, %u threads, %.0fM candidates, best of %u "
		       "alternating runs (MH/s; per CPU-second of the process):"
		       "\n  1 prefix of 64 digits   %8.1f; %6.1f\n"
		       "  100000 6-digit prefixes %8.1f; %6.1f  (%.0f%%; %.0f%% "
		       "of one)\n",
		       all, (double)tries / 1e6, rounds, one / 1e6,
		       one_cpu / 1e6, many / 1e6, many_cpu / 1e6,
		       100 * many / one, 100 * many_cpu / one_cpu);
		/* the part of the gap above that is the kernel's own */
		x = filter_cost(100000, seconds * rounds, &one);
		if (x > 0)
			printf("kernel alone (%s, 1 thread, the two in turns a "
			       "template at a time):\n"
			       "  1 prefix of 64 digits   %8.1f\n"
			       "  100000 6-digit prefixes %8.1f  (%.0f%% of "
			       "one)\n",
			       def->name, one / 1e6, x * one / 1e6, 100 * x);
	}
	return 0;
}
