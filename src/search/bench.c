/* bench.c: hash rates for --benchmark and bench/: a kernel over whole
 * templates, and the plain Nettle loop every figure is compared with. */
#include <config.h>

#include <nettle/sha2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

struct bench_thread {
	_Alignas(64) uint64_t hashes;
	const struct fh_kernel *kernel; /* NULL: the Nettle loop */
	int (*stop)(void);              /* NULL, or non-zero: end now */
	double seconds;
	unsigned index;
	pthread_t thread;
};

static void *bench_kernel_thread(void *arg)
{
	struct bench_thread *b = arg;
	static uint16_t zero_hits[FH_TEMPLATE_SIZE / FH_GROUP];
	uint16_t *hits = calloc(FH_TEMPLATE_SIZE / FH_GROUP, sizeof *hits);
	struct fh_base base;
	struct fh_template t;
	/* A full first-word filter: it almost never passes, as in a search
	 * for a long prefix, so the figure is the kernel's alone. */
	struct fh_filter f = { .n = 1, .mask = { 0xffffffffu },
				.value = { 0x00c0ffeeu } };
	double end = fh_now() + b->seconds;
	uint64_t k = (uint64_t)b->index << 32;

	if (!hits)
		return NULL;
	fh_base_init(&base, 1, b->index);
	do {
		fh_template_init(&t, &base, k++);
		if (b->kernel->run(&t, &f, 0, FH_TEMPLATE_SIZE, hits))
			memcpy(hits, zero_hits, sizeof zero_hits);
		b->hashes += FH_TEMPLATE_SIZE;
	} while (fh_now() < end && !(b->stop && b->stop()));
	free(hits);
	return NULL;
}

/* The starting point of the performance work: Nettle's update and digest
 * on each 52-byte candidate, as a straightforward program would do it. */
static void *bench_nettle_thread(void *arg)
{
	struct bench_thread *b = arg;
	struct fh_base base;
	char text[FH_CAND_LEN + 1];
	uint8_t digest[32];
	uint64_t counter = (uint64_t)b->index << 40, sink = 0;
	double end = fh_now() + b->seconds;

	fh_base_init(&base, 1, b->index);
	fh_candidate(&base, counter, text);
	do {
		unsigned i;

		for (i = 0; i < 4096; i++) {
			struct sha256_ctx ctx;

			text[FH_CAND_LEN - 1] = (char)('A' + (i & 15));
			text[FH_CAND_LEN - 2] = (char)('A' + (i >> 4 & 15));
			text[FH_CAND_LEN - 3] = (char)('A' + (i >> 8 & 15));
			sha256_init(&ctx);
			sha256_update(&ctx, FH_CAND_LEN, (const uint8_t *)text);
			sha256_digest(&ctx, sizeof digest, digest);
			sink += digest[0];
		}
		b->hashes += 4096;
	} while (fh_now() < end && !(b->stop && b->stop()));
	/* Keep the digests live so the loop cannot be optimised away. */
	if (sink == UINT64_MAX)
		b->hashes++;
	return NULL;
}

static double bench(const struct fh_kernel *k, unsigned threads,
		    double seconds, int (*stop)(void))
{
	struct bench_thread *b = aligned_alloc(64, threads * sizeof *b);
	double start, total = 0;
	unsigned i, started = 0;

	if (!b)
		return -1;
	memset(b, 0, threads * sizeof *b);
	start = fh_now();
	for (i = 0; i < threads; i++) {
		b[i].kernel = k;
		b[i].seconds = seconds;
		b[i].stop = stop;
		b[i].index = i;
		if (pthread_create(&b[i].thread, NULL,
				   k ? bench_kernel_thread : bench_nettle_thread,
				   &b[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(b[i].thread, NULL);
	for (i = 0; i < started; i++)
		total += (double)b[i].hashes;
	total /= fh_now() - start;
	free(b);
	return started == threads ? total : -1;
}

double fh_bench_kernel(const struct fh_kernel *k, unsigned threads,
		       double seconds, int (*stop)(void))
{
	return bench(k, threads, seconds, stop);
}

double fh_bench_nettle(unsigned threads, double seconds)
{
	return bench(NULL, threads, seconds, NULL);
}
