/* kernels.c: every SHA-256 kernel this CPU can run, bit-exact against
 * Nettle and against the portable kernel.
 *
 * The reference is built here from Nettle alone: the candidate's 52 bytes
 * come from the template's words and the lane's four characters, Nettle
 * hashes them, and the first digest word goes through the filter.  A
 * kernel passes when its hits bitmap and its count equal that, bit for
 * bit, over random templates, ranges that start and end on and around
 * every lane boundary (7/8/9, 15/16/17), the end of a template, and
 * filters for prefixes of every length from 1 to 64 digits.
 *
 * A kernel whose instructions this CPU lacks is not run and is listed as
 * such; it is never counted as passed.  FIND_HASH_KERNEL=NAME tests NAME
 * alone.  FH_TEST_SEED=N repeats a run (the seed is printed). */
#include <config.h>

#include <check.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "search.h"
#include "unit.h"

#define GROUPS (FH_TEMPLATE_SIZE / FH_GROUP)

static uint64_t rng_state;

/* xorshift64*: reproducible from the printed seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t w)
{
	p[0] = (uint8_t)(w >> 24);
	p[1] = (uint8_t)(w >> 16);
	p[2] = (uint8_t)(w >> 8);
	p[3] = (uint8_t)w;
}

/* A template as the engine makes them: 36 random [A-Za-z0-9], 12 counter
 * characters 'A'..'P', the padding.  Word 12 is garbage on purpose: the
 * kernels must replace it with the lane word, never read it. */
static void random_template(struct fh_template *t)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t text[48];
	unsigned i;

	for (i = 0; i < FH_BASE_LEN; i++)
		text[i] = (uint8_t)alnum[rnd_below(sizeof alnum - 1)];
	for (; i < 48; i++)
		text[i] = (uint8_t)('A' + rnd_below(16));
	for (i = 0; i < FH_LANE_WORD; i++)
		t->w[i] = be32(text + 4 * i);
	t->w[FH_LANE_WORD] = (uint32_t)rnd();
	t->w[13] = 0x80000000u;
	t->w[14] = 0;
	t->w[15] = FH_CAND_LEN * 8;
}

/* Candidate j of t, as bytes: the template's words, then the low counter
 * bits as four 'A' + nibble characters, most significant first. */
static void candidate(const struct fh_template *t, uint32_t j,
		      uint8_t out[FH_CAND_LEN])
{
	unsigned i;

	for (i = 0; i < FH_LANE_WORD; i++)
		put_be32(out + 4 * i, t->w[i]);
	for (i = 0; i < FH_LO_CHARS; i++)
		out[48 + i] = (uint8_t)('A' + (j >> (12 - 4 * i) & 0xf));
}

/* First digest words by Nettle, for candidates [first, first + count). */
static void nettle_h0(const struct fh_template *t, uint32_t first,
		      uint32_t count, uint32_t *h0)
{
	uint8_t text[FH_CAND_LEN], digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	uint32_t j;

	for (j = 0; j < count; j++) {
		candidate(t, first + j, text);
		sha256_init(&ctx);
		sha256_update(&ctx, sizeof text, text);
		sha256_digest(&ctx, sizeof digest, digest);
		h0[j] = be32(digest);
	}
}

static int filter_passes(const struct fh_filter *f, uint32_t h0)
{
	unsigned k;

	for (k = 0; k < f->n; k++)
		if ((h0 & f->mask[k]) == f->value[k])
			return 1;
	/* the bitmap: bit (top 24 bits of h0), bit 0 the lowest of word 0 */
	return f->bitmap && (f->bitmap[h0 >> 13] >> (h0 >> 8 & 31) & 1);
}

/* The kernels under test: FIND_HASH_KERNEL's, or every one the CPU has. */
static const struct fh_kernel *tested[8];
static unsigned n_tested;

/* Runs kernel k on [first, first + count) of t with filter f and checks
 * the result against h0 (Nettle's words for that range): the bitmap,
 * seeded with random bits outside the range, must come back with exactly
 * the passing lanes added and nothing else changed. */
static void check_range(const struct fh_kernel *k, const struct fh_template *t,
			const struct fh_filter *f, uint32_t first,
			uint32_t count, const uint32_t *h0)
{
	static uint16_t hits[GROUPS], want[GROUPS], seed[GROUPS];
	unsigned expect = 0, got, i;
	uint32_t j;

	for (i = 0; i < GROUPS; i++)
		seed[i] = (uint16_t)rnd();
	for (j = first; j < first + count; j++)
		seed[j / FH_GROUP] &= (uint16_t)~(1u << (j % FH_GROUP));
	memcpy(want, seed, sizeof want);
	for (j = 0; j < count; j++) {
		if (filter_passes(f, h0[j])) {
			want[(first + j) / FH_GROUP] |=
				(uint16_t)(1u << ((first + j) % FH_GROUP));
			expect++;
		}
	}
	memcpy(hits, seed, sizeof hits);
	if (f->h0)
		memset(f->h0, 0, FH_TEMPLATE_SIZE * sizeof *f->h0);
	got = k->run(t, f, first, count, hits);
	/* the words kept for the lanes reported, when asked for */
	for (j = 0; f->h0 && j < count; j++)
		if (filter_passes(f, h0[j]) && f->h0[first + j] != h0[j])
			ck_abort_msg("kernel %s: h0[%u] = %08x, Nettle says "
				     "%08x", k->name, first + j,
				     f->h0[first + j], h0[j]);
	/* Compare first and assert only on a difference: each passing
	 * ck_assert is a write to Check's pipe, 4096 a call here. */
	for (i = 0; i < GROUPS && hits[i] == want[i]; i++)
		;
	if (i < GROUPS)
		ck_assert_msg(hits[i] == want[i],
			      "kernel %s, first %u count %u, %u filters: "
			      "hits[%u] = %04x, Nettle says %04x",
			      k->name, first, count, f->n, i, hits[i], want[i]);
	ck_assert_msg(got == expect,
		      "kernel %s, first %u count %u: returned %u, %u pass",
		      k->name, first, count, got, expect);
}

/* A filter set that passes often enough to test bitmaps densely: one
 * random 1-digit prefix (1 lane in 16) plus the d-digit prefix of a lane
 * that is in range, so there is always a hit to find. */
static void dense_filter(struct fh_filter *f, const uint32_t *h0,
			 uint32_t count)
{
	uint32_t pick = count ? h0[rnd_below(count)] : (uint32_t)rnd();
	unsigned d = 1 + rnd_below(8);
	uint32_t mask = d == 8 ? 0xffffffffu : ~(0xffffffffu >> (4 * d));

	f->n = 2;
	f->mask[0] = 0xf0000000u;
	f->value[0] = (uint32_t)rnd() & 0xf0000000u;
	f->mask[1] = mask;
	f->value[1] = pick & mask;
}

/* FIPS 180-4 examples (and the NIST one-million-'a' test): Nettle and the
 * full compression function that the kernels' shortcuts derive from. */
static const struct {
	const char *text;
	unsigned repeat;
	const char *hex;
} fips[] = {
	{ "abc", 1,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "a", 1000000,
	  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
};

/* SHA-256 of text repeated n times with fh_sha256_compress_portable and
 * padding done here. */
static void portable_sha256(const char *text, unsigned n, uint8_t out[32])
{
	size_t len = strlen(text), total = len * n, fed = 0, i;
	uint32_t state[8], w[16];
	uint8_t block[64];
	unsigned used = 0, k;
	int done = 0, padded = 0;

	memcpy(state, (uint32_t[8]){ 0x6a09e667, 0xbb67ae85, 0x3c6ef372,
				     0xa54ff53a, 0x510e527f, 0x9b05688c,
				     0x1f83d9ab, 0x5be0cd19 },
	       sizeof state);
	while (!done) {
		while (used < 64 && fed < total)
			block[used++] = (uint8_t)text[fed++ % len];
		if (used < 64 && !padded) {
			block[used++] = 0x80;
			padded = 1;
		}
		if (used <= 56 && padded) {
			uint64_t bits = (uint64_t)total * 8;

			memset(block + used, 0, 56 - used);
			for (k = 0; k < 8; k++)
				block[56 + k] = (uint8_t)(bits >> (56 - 8 * k));
			used = 64;
			done = 1;
		} else if (used < 64) {
			memset(block + used, 0, 64 - used);
			used = 64;
		}
		for (i = 0; i < 16; i++)
			w[i] = be32(block + 4 * i);
		fh_sha256_compress_portable(state, w);
		used = 0;
	}
	for (k = 0; k < 8; k++)
		put_be32(out + 4 * k, state[k]);
}

START_TEST(test_fips_vectors)
{
	unsigned i, k;

	for (i = 0; i < sizeof fips / sizeof fips[0]; i++) {
		uint8_t a[32], b[32];
		char hex_a[65], hex_b[65];
		struct sha256_ctx ctx;

		sha256_init(&ctx);
		for (k = 0; k < fips[i].repeat; k++)
			sha256_update(&ctx, strlen(fips[i].text),
				      (const uint8_t *)fips[i].text);
		sha256_digest(&ctx, sizeof a, a);
		portable_sha256(fips[i].text, fips[i].repeat, b);
		fh_hex(a, hex_a);
		fh_hex(b, hex_b);
		ck_assert_str_eq(hex_a, fips[i].hex);
		ck_assert_str_eq(hex_b, fips[i].hex);
	}
}
END_TEST

/* The template layout here agrees with the engine's: fh_template_init's
 * words and fh_lane_word give fh_candidate's bytes, which is what the
 * engine hands to Nettle to confirm a hit. */
START_TEST(test_layout_matches_engine)
{
	struct fh_base b;
	struct fh_template t;
	char text[FH_CAND_LEN + 1];
	uint8_t mine[FH_CAND_LEN];
	unsigned i;

	ck_assert_int_eq(fh_base_init(&b, 1, rnd()), 0);
	for (i = 0; i < 64; i++) {
		uint64_t hi = rnd() >> 17;
		uint32_t j = i < 2 ? i * 0xffffu : rnd_below(FH_TEMPLATE_SIZE);

		fh_template_init(&t, &b, hi);
		fh_candidate(&b, hi << 16 | j, text);
		candidate(&t, j, mine);
		ck_assert_mem_eq(mine, text, FH_CAND_LEN);
		ck_assert_uint_eq(fh_lane_word(j), be32(mine + 48));
	}
}
END_TEST

/* Every range shape on a few random templates: empty, single, around the
 * 8- and 16-lane boundaries, the template's end, and random ones. */
START_TEST(test_kernel_ranges)
{
	static const uint32_t edges[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 32,
					  33, 47, 48, 49, 64, 65 };
	static uint32_t h0[FH_TEMPLATE_SIZE];
	const struct fh_kernel *k = tested[_i];
	struct fh_template t;
	struct fh_filter f = { .n = 0 };
	unsigned rep, a, b;

	for (rep = 0; rep < 4; rep++) {
		random_template(&t);
		nettle_h0(&t, 0, FH_TEMPLATE_SIZE, h0);
		/* first and count both on and off the boundaries */
		for (a = 0; a < sizeof edges / sizeof edges[0]; a++) {
			for (b = 0; b < sizeof edges / sizeof edges[0]; b++) {
				uint32_t first = edges[a], count = edges[b];

				dense_filter(&f, h0 + first, count);
				check_range(k, &t, &f, first, count,
					    h0 + first);
				/* the same shape against the template's end */
				first = FH_TEMPLATE_SIZE - count - edges[a];
				check_range(k, &t, &f, first, count,
					    h0 + first);
			}
		}
		for (a = 0; a < 200; a++) {
			uint32_t first = rnd_below(FH_TEMPLATE_SIZE + 1);
			uint32_t room = FH_TEMPLATE_SIZE - first;
			uint32_t count = rnd_below(a < 100 ? 100 : room + 1);

			if (count > FH_TEMPLATE_SIZE - first)
				count = FH_TEMPLATE_SIZE - first;
			dense_filter(&f, h0 + first, count);
			check_range(k, &t, &f, first, count, h0 + first);
		}
		dense_filter(&f, h0, FH_TEMPLATE_SIZE);
		check_range(k, &t, &f, 0, FH_TEMPLATE_SIZE, h0);
	}
}
END_TEST

/* Prefixes of every length 1..64, parsed as the command line parses them,
 * each taken from a lane in range so that the kernel must find it; and
 * the same lengths against a lane outside the range, which it must not
 * report. */
START_TEST(test_kernel_prefix_lengths)
{
	static uint32_t h0[FH_TEMPLATE_SIZE];
	const struct fh_kernel *k = tested[_i];
	struct fh_template t;
	unsigned d;

	random_template(&t);
	nettle_h0(&t, 0, FH_TEMPLATE_SIZE, h0);
	for (d = 1; d <= FH_PREFIX_MAX_DIGITS; d++) {
		uint32_t first = rnd_below(FH_TEMPLATE_SIZE - 4096);
		uint32_t count = 1 + rnd_below(4095);
		uint32_t j = first + rnd_below(count);
		uint32_t mask = d >= 8 ? 0xffffffffu
				       : ~(0xffffffffu >> (4 * d));
		uint8_t text[FH_CAND_LEN], digest[32];
		char hex[65];
		struct sha256_ctx ctx;
		struct fh_prefix p;
		struct fh_filter f = { .n = 0 };
		const char *why;

		candidate(&t, j, text);
		sha256_init(&ctx);
		sha256_update(&ctx, sizeof text, text);
		sha256_digest(&ctx, sizeof digest, digest);
		fh_hex(digest, hex);
		ck_assert_int_eq(fh_prefix_parse(hex, d, &p, &why), 0);
		/* The kernel contract's filter for d digits. */
		ck_assert_uint_eq(p.mask[0], mask);
		f.n = 1;
		f.mask[0] = p.mask[0];
		f.value[0] = p.value[0];
		check_range(k, &t, &f, first, count, h0 + first);
		/* lane j is in the bitmap: the kernel found the prefix */
		ck_assert_uint_eq((h0[j] & f.mask[0]) == f.value[0], 1);
		/* a range that stops just before j */
		check_range(k, &t, &f, first, j - first, h0 + first);
		check_range(k, &t, &f, j + 1, first + count - j - 1,
			    h0 + j + 1);
	}
}
END_TEST

/* Up to FH_MAX_FILTERS filters of mixed lengths at once: a lane passes
 * when any one does. */
START_TEST(test_kernel_many_filters)
{
	static uint32_t h0[4096];
	const struct fh_kernel *k = tested[_i];
	struct fh_template t;
	struct fh_filter f = { .n = 0 };
	unsigned n, i;

	random_template(&t);
	for (n = 1; n <= FH_MAX_FILTERS; n += n < 8 ? 1 : 7) {
		uint32_t first = rnd_below(FH_TEMPLATE_SIZE - 4096);
		uint32_t count = rnd_below(4097);

		nettle_h0(&t, first, count, h0);
		f.n = n;
		for (i = 0; i < n; i++) {
			unsigned d = 2 + rnd_below(7);

			f.mask[i] = d == 8 ? 0xffffffffu
					   : ~(0xffffffffu >> (4 * d));
			f.value[i] = (count && i % 2 ? h0[rnd_below(count)]
						     : (uint32_t)rnd()) &
				     f.mask[i];
		}
		check_range(k, &t, &f, first, count, h0);
	}
}
END_TEST

/* Many prefixes: the bitmap over the first 24 digest bits, alone and
 * beside a compare, with the first words of the lanes reported kept. */
START_TEST(test_kernel_bitmap)
{
	static uint32_t h0[4096], bitmap[1u << (FH_BITMAP_BITS - 5)];
	static uint32_t coarse[1u << (FH_COARSE_BITS - 5)];
	static uint32_t rank[1u << (FH_COARSE_BITS - 5)];
	static uint16_t fine[(1u << FH_COARSE_BITS) + 1];
	static uint32_t kept[FH_TEMPLATE_SIZE];
	const struct fh_kernel *k = tested[_i];
	struct fh_template t;
	struct fh_filter f = { .n = 0 };
	unsigned rep, i;

	random_template(&t);
	f.bitmap = bitmap;
	f.coarse = coarse;
	f.rank = rank;
	f.fine = fine;
	f.h0 = kept;
	for (rep = 0; rep < 8; rep++) {
		uint32_t first = rnd_below(FH_TEMPLATE_SIZE - 4096);
		uint32_t count = rnd_below(4097);

		nettle_h0(&t, first, count, h0);
		memset(bitmap, 0, sizeof bitmap);
		/* about one lane in 2^(rep % 4 + 1) ... plus random bits */
		for (i = 0; i < count; i++)
			if (rnd_below(1u << (rep % 4 + 1)) == 0)
				bitmap[h0[i] >> 13] |= 1u << (h0[i] >> 8 & 31);
		for (i = 0; i < 100000; i++)
			bitmap[rnd_below(1u << (FH_BITMAP_BITS - 5))] |=
				1u << rnd_below(32);
		/* the coarse copy, by the definition in kernel.h */
		memset(coarse, 0, sizeof coarse);
		for (i = 0; i < 1u << FH_COARSE_BITS; i++)
			if (bitmap[i / 2] >> (16 * (i % 2)) & 0xffffu)
				coarse[i / 32] |= 1u << (i % 32);
		fh_bitmap_fine(bitmap, coarse, rank, fine);
		f.n = rep & 1;
		f.mask[0] = 0xf0000000u;
		f.value[0] = (uint32_t)rnd() & f.mask[0];
		check_range(k, &t, &f, first, count, h0);
	}
	/* the h0 output alone, no bitmap: every compare hit is kept */
	f.bitmap = NULL;
	f.coarse = NULL;
	f.rank = NULL;
	f.fine = NULL;
	f.n = 1;
	f.mask[0] = 0xf0000000u;
	f.value[0] = 0x50000000u;
	nettle_h0(&t, 1000, 3000, h0);
	check_range(k, &t, &f, 1000, 3000, h0);
}
END_TEST

/* Any 16 words, not only printable candidates with padding: the
 * kernel's first word must equal the full compression's. */
START_TEST(test_kernel_any_block)
{
	const struct fh_kernel *k = tested[_i];
	static uint16_t hits[GROUPS];
	struct fh_template t;
	struct fh_filter f = { .n = 0 };
	unsigned rep, i;

	for (rep = 0; rep < 200; rep++) {
		uint32_t j = rnd_below(FH_TEMPLATE_SIZE), state[8], w[16];

		for (i = 0; i < 16; i++)
			t.w[i] = w[i] = (uint32_t)rnd();
		w[FH_LANE_WORD] = fh_lane_word(j);
		for (i = 0; i < 8; i++)
			state[i] = (uint32_t[8]){ 0x6a09e667, 0xbb67ae85,
						  0x3c6ef372, 0xa54ff53a,
						  0x510e527f, 0x9b05688c,
						  0x1f83d9ab, 0x5be0cd19 }[i];
		fh_sha256_compress_portable(state, w);
		f.n = 1;
		f.mask[0] = 0xffffffffu;
		f.value[0] = state[0];
		memset(hits, 0, sizeof hits);
		ck_assert_uint_ge(k->run(&t, &f, j, 1, hits), 1);
		ck_assert_uint_eq(hits[j / FH_GROUP], 1u << (j % FH_GROUP));
		f.value[0] = state[0] ^ 1;
		memset(hits, 0, sizeof hits);
		ck_assert_uint_eq(k->run(&t, &f, j, 1, hits), 0);
	}
}
END_TEST

/* The table is best first and ends with portable; the default is the
 * first entry this CPU runs; FIND_HASH_KERNEL picks by name and yields
 * NULL for a name that is unknown or that this CPU cannot run. */
START_TEST(test_dispatch)
{
	const struct fh_kernel *all, *first = NULL;
	const char *env = getenv("FIND_HASH_KERNEL");
	char *saved = env ? strdup(env) : NULL;
	size_t n, i, j;

	all = fh_kernel_list(&n);
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(all[n - 1].name, "portable");
	for (i = 0; i < n; i++) {
		ck_assert_ptr_eq(fh_kernel_find(all[i].name), &all[i]);
		for (j = i + 1; j < n; j++)
			ck_assert_str_ne(all[i].name, all[j].name);
		if (!first && all[i].cpu_has())
			first = &all[i];
	}
	ck_assert_ptr_null(fh_kernel_find("no-such-kernel"));

	unsetenv("FIND_HASH_KERNEL");
	ck_assert_ptr_eq(fh_kernel_default(), first);
	for (i = 0; i < n; i++) {
		setenv("FIND_HASH_KERNEL", all[i].name, 1);
		ck_assert_ptr_eq(fh_kernel_default(),
				 all[i].cpu_has() ? &all[i] : NULL);
	}
	setenv("FIND_HASH_KERNEL", "no-such-kernel", 1);
	ck_assert_ptr_null(fh_kernel_default());
	/* as it was, for CK_FORK=no runs */
	if (saved)
		setenv("FIND_HASH_KERNEL", saved, 1);
	else
		unsetenv("FIND_HASH_KERNEL");
	free(saved);
}
END_TEST

/* The kernels to test, and a line for each one that will not run. */
static void choose_kernels(void)
{
	const char *forced = getenv("FIND_HASH_KERNEL");
	const struct fh_kernel *all;
	size_t n, i;

	all = fh_kernel_list(&n);
	for (i = 0; i < n; i++) {
		if (forced && *forced && strcmp(forced, all[i].name) != 0)
			continue;
		if (!all[i].cpu_has()) {
			printf("kernel %s: not run, CPU lacks it\n",
			       all[i].name);
			continue;
		}
		if (n_tested < sizeof tested / sizeof tested[0])
			tested[n_tested++] = &all[i];
	}
	if (forced && *forced && !fh_kernel_find(forced))
		printf("kernel %s: not in this build\n", forced);
}

static Suite *kernels_suite(void)
{
	Suite *s = suite_create("kernels");
	TCase *tc = tcase_create("reference");
	unsigned i;

	tcase_add_test(tc, test_fips_vectors);
	tcase_add_test(tc, test_layout_matches_engine);
	tcase_add_test(tc, test_dispatch);
	suite_add_tcase(s, tc);
	for (i = 0; i < n_tested; i++) {
		tc = tcase_create(tested[i]->name);
		tcase_set_timeout(tc, 600);
		tcase_add_loop_test(tc, test_kernel_ranges, (int)i, (int)i + 1);
		tcase_add_loop_test(tc, test_kernel_prefix_lengths, (int)i,
				    (int)i + 1);
		tcase_add_loop_test(tc, test_kernel_many_filters, (int)i,
				    (int)i + 1);
		tcase_add_loop_test(tc, test_kernel_any_block, (int)i,
				    (int)i + 1);
		tcase_add_loop_test(tc, test_kernel_bitmap, (int)i,
				    (int)i + 1);
		suite_add_tcase(s, tc);
	}
	return s;
}

/* The suite, once the seed is set and the kernels chosen; NULL (exit 77)
 * when none of them will run. */
static Suite *seeded_kernels_suite(void)
{
	const char *seed = getenv("FH_TEST_SEED");

	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);
	if (!rng_state)
		rng_state = 1;
	printf("FH_TEST_SEED=%llu\n", (unsigned long long)rng_state);
	choose_kernels();
	if (!n_tested) {
		printf("no kernel to test\n");
		return NULL;
	}
	return kernels_suite();
}

/* One verdict a kernel: its test case is named after it. */
static void report_kernels(SRunner *r)
{
	int failed = srunner_ntests_failed(r);
	unsigned i;

	for (i = 0; i < n_tested; i++) {
		TestResult **res = srunner_failures(r);
		int j, bad = 0;

		for (j = 0; j < failed; j++)
			bad += strcmp(tr_tcname(res[j]), tested[i]->name) == 0;
		free(res);
		printf("kernel %s: %s\n", tested[i]->name,
		       bad ? "FAILED" : "passed");
	}
}

const struct unit_test unit_test = { seeded_kernels_suite, report_kernels };
