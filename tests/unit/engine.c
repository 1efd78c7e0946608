/* engine.c: the engine with fixed seeds against a brute-force search
 * written here with Nettle alone: the answer is the lowest matching
 * counter, for any thread count; bounds, ranges, shards and stop behave. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "search.h"
#include "unit.h"

static struct fh_prefix prefix(const char *text)
{
	struct fh_prefix p;
	const char *why;

	ck_assert_msg(fh_prefix_parse(text, strlen(text), &p, &why) == 0,
		      "%s: %s", text, why);
	return p;
}

/* The lowest counter in [lo, hi) whose candidate matches p, or UINT64_MAX:
 * the obvious loop, with nothing of the engine but the candidate layout. */
static uint64_t brute_force(const struct fh_base *b, const struct fh_prefix *p,
			    uint64_t lo, uint64_t hi)
{
	char text[FH_CAND_LEN + 1];
	uint64_t c;

	for (c = lo; c < hi; c++) {
		fh_candidate(b, c, text);
		if (fh_verify(text, FH_CAND_LEN, p))
			return c;
	}
	return UINT64_MAX;
}

static struct fh_search *run(const struct fh_search_opts *o)
{
	struct fh_search *s = fh_search_start(o);

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fh_search_wait(s, 600000), 1);
	return s;
}

static void opts(struct fh_search_opts *o, const struct fh_prefix *p,
		 size_t n, const struct fh_base *b, unsigned threads)
{
	memset(o, 0, sizeof *o);
	o->prefixes = p;
	o->n_prefixes = n;
	o->base = b;
	o->lo = 0;
	o->hi = FH_SPACE;
	o->threads = threads;
	o->kernel = fh_kernel_find("portable");
}

START_TEST(fips_vectors_through_the_reference)
{
	static const struct {
		const char *msg, *hex;
	} v[] = {
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	uint8_t d[32];
	char hex[65];
	size_t i;

	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		fh_sha256(v[i].msg, strlen(v[i].msg), d);
		fh_hex(d, hex);
		ck_assert_str_eq(hex, v[i].hex);
	}
}
END_TEST

START_TEST(candidates_are_printable_and_match_their_template)
{
	struct fh_base b;
	struct fh_template t;
	char text[FH_CAND_LEN + 1];
	uint64_t counters[] = { 0, 1, 15, 16, 65535, 65536, 0x123456789abcULL,
				FH_SPACE - 1 };
	size_t i, k;

	ck_assert_int_eq(fh_base_init(&b, 0, 0), 0);
	for (i = 0; i < sizeof counters / sizeof counters[0]; i++) {
		uint64_t c = counters[i];

		fh_candidate(&b, c, text);
		ck_assert_uint_eq(strlen(text), FH_CAND_LEN);
		for (k = 0; k < FH_CAND_LEN; k++)
			ck_assert_msg(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
					     text[k]) && text[k],
				      "byte %zu of %s", k, text);
		fh_template_init(&t, &b, c >> 16);
		t.w[FH_LANE_WORD] = fh_lane_word((uint32_t)(c & 0xffff));
		for (k = 0; k < 13; k++) {
			uint32_t w = (uint32_t)(unsigned char)text[4 * k] << 24 |
				     (uint32_t)(unsigned char)text[4 * k + 1] << 16 |
				     (uint32_t)(unsigned char)text[4 * k + 2] << 8 |
				     (uint32_t)(unsigned char)text[4 * k + 3];
			ck_assert_uint_eq(t.w[k], w);
		}
		ck_assert_uint_eq(t.w[13], 0x80000000u);
		ck_assert_uint_eq(t.w[15], 416);
	}
	/* distinct counters, distinct strings */
	{
		char a[FH_CAND_LEN + 1], z[FH_CAND_LEN + 1];
		fh_candidate(&b, 0x10000, a);
		fh_candidate(&b, 0x1, z);
		ck_assert_str_ne(a, z);
	}
}
END_TEST

START_TEST(seed_makes_the_base)
{
	struct fh_base a, b, c;

	fh_base_init(&a, 1, 42);
	fh_base_init(&b, 1, 42);
	fh_base_init(&c, 1, 43);
	ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
	ck_assert_int_ne(memcmp(&a, &c, sizeof a), 0);
	fh_base_init(&b, 0, 0);
	fh_base_init(&c, 0, 0);
	ck_assert_int_ne(memcmp(&b, &c, sizeof b), 0);
}
END_TEST

START_TEST(answer_is_the_lowest_match_on_any_thread_count)
{
	struct fh_prefix p = prefix("0ce");
	struct fh_search_opts o;
	struct fh_base b;
	unsigned threads[] = { 1, 2, 3, 7 };
	uint64_t want;
	size_t i;

	fh_base_init(&b, 1, 7);
	want = brute_force(&b, &p, 0, 1 << 22);
	ck_assert_uint_ne(want, UINT64_MAX);
	for (i = 0; i < sizeof threads / sizeof threads[0]; i++) {
		struct fh_answer a;
		struct fh_search *s;

		opts(&o, &p, 1, &b, threads[i]);
		s = run(&o);
		ck_assert_int_eq(fh_search_end(s), FH_END_SOLVED);
		fh_search_answer(s, 0, &a);
		ck_assert_int_eq(a.found, 1);
		ck_assert_uint_eq(a.counter, want);
		ck_assert_uint_eq(a.tries, want + 1);
		ck_assert(fh_verify(a.string, strlen(a.string), &p));
		fh_search_free(s);
	}
}
END_TEST

START_TEST(several_prefixes_in_one_pass)
{
	struct fh_prefix p[4] = { prefix("0ce"), prefix("a"), prefix("ffff"),
				  prefix("0CE") };
	struct fh_search_opts o;
	struct fh_base b;
	struct fh_search *s;
	size_t i;

	fh_base_init(&b, 1, 11);
	opts(&o, p, 4, &b, 2);
	s = run(&o);
	ck_assert_int_eq(fh_search_end(s), FH_END_SOLVED);
	for (i = 0; i < 4; i++) {
		struct fh_answer a;

		fh_search_answer(s, i, &a);
		ck_assert_int_eq(a.found, 1);
		ck_assert_uint_eq(a.counter, brute_force(&b, &p[i], 0, 1 << 22));
	}
	fh_search_free(s);
}
END_TEST

START_TEST(long_prefixes_are_confirmed_past_the_first_word)
{
	/* 9 digits: the kernels filter on 8; the 9th must be checked too.
	 * The range is chosen so the first 8 digits match at a known counter
	 * whose 9th digit differs: take the digest of counter 5 and change
	 * its 9th digit. */
	struct fh_base b;
	struct fh_search_opts o;
	struct fh_search *s;
	char text[FH_CAND_LEN + 1], hex[65];
	uint8_t d[32];
	struct fh_prefix p, good;

	fh_base_init(&b, 1, 3);
	fh_candidate(&b, 5, text);
	fh_sha256(text, FH_CAND_LEN, d);
	fh_hex(d, hex);
	hex[9] = '\0';
	good = prefix(hex);
	hex[8] = hex[8] == '0' ? '1' : '0';
	p = prefix(hex);

	opts(&o, &p, 1, &b, 2);
	o.hi = 1000;
	s = run(&o);
	ck_assert_int_eq(fh_search_end(s), FH_END_EXHAUSTED);
	fh_search_free(s);

	opts(&o, &good, 1, &b, 2);
	o.hi = 1000;
	s = run(&o);
	ck_assert_int_eq(fh_search_end(s), FH_END_SOLVED);
	{
		struct fh_answer a;
		fh_search_answer(s, 0, &a);
		ck_assert_uint_eq(a.counter, 5);
	}
	fh_search_free(s);
}
END_TEST

START_TEST(max_tries_is_exact_and_gives_up)
{
	struct fh_prefix p = prefix("0000000000");
	struct fh_search_opts o;
	struct fh_base b;
	struct fh_search *s;
	struct fh_answer a;
	uint64_t bounds[] = { 1, 17, 65536, 65537, 300001 };
	size_t i;

	fh_base_init(&b, 1, 5);
	for (i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		opts(&o, &p, 1, &b, 3);
		o.max_tries = bounds[i];
		s = run(&o);
		ck_assert_int_eq(fh_search_end(s), FH_END_BOUND);
		ck_assert_uint_eq(fh_search_tries(s), bounds[i]);
		fh_search_answer(s, 0, &a);
		ck_assert_int_eq(a.found, 0);
		fh_search_free(s);
	}
}
END_TEST

START_TEST(a_bound_after_the_answer_still_finds_it)
{
	struct fh_prefix p = prefix("00");
	struct fh_search_opts o;
	struct fh_base b;
	struct fh_search *s;
	struct fh_answer a;
	uint64_t want;

	fh_base_init(&b, 1, 9);
	want = brute_force(&b, &p, 0, 100000);
	opts(&o, &p, 1, &b, 2);
	o.max_tries = want + 1; /* exactly enough */
	s = run(&o);
	ck_assert_int_eq(fh_search_end(s), FH_END_SOLVED);
	fh_search_answer(s, 0, &a);
	ck_assert_uint_eq(a.counter, want);
	fh_search_free(s);

	opts(&o, &p, 1, &b, 2);
	o.max_tries = want; /* one short */
	s = run(&o);
	ck_assert_int_eq(fh_search_end(s), FH_END_BOUND);
	fh_search_free(s);
}
END_TEST

START_TEST(ranges_start_and_end_anywhere)
{
	struct fh_prefix p = prefix("00");
	struct fh_search_opts o;
	struct fh_base b;
	uint64_t lo[] = { 1, 65535, 65536, 200003 }, len[] = { 1, 100, 70000 };
	size_t i, j;

	fh_base_init(&b, 1, 21);
	for (i = 0; i < sizeof lo / sizeof lo[0]; i++) {
		for (j = 0; j < sizeof len / sizeof len[0]; j++) {
			uint64_t want = brute_force(&b, &p, lo[i], lo[i] + len[j]);
			struct fh_search *s;
			struct fh_answer a;

			opts(&o, &p, 1, &b, 2);
			o.lo = lo[i];
			o.hi = lo[i] + len[j];
			s = run(&o);
			fh_search_answer(s, 0, &a);
			if (want == UINT64_MAX) {
				ck_assert_int_eq(a.found, 0);
				ck_assert_int_eq(fh_search_end(s), FH_END_EXHAUSTED);
				ck_assert_uint_eq(fh_search_tries(s), len[j]);
			} else {
				ck_assert_int_eq(a.found, 1);
				ck_assert_uint_eq(a.counter, want);
				ck_assert_uint_eq(a.tries, want - lo[i] + 1);
			}
			fh_search_free(s);
		}
	}
}
END_TEST

/* --- shards: a partition ---------------------------------------------- */

struct matches {
	uint64_t *c;
	size_t n, cap;
};

static void collect(void *arg, size_t prefix, uint64_t counter)
{
	struct matches *m = arg;

	(void)prefix;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->c = realloc(m->c, m->cap * sizeof *m->c);
		ck_assert_ptr_nonnull(m->c);
	}
	m->c[m->n++] = counter;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

START_TEST(shards_partition_the_space)
{
	const uint64_t space = 300007; /* five templates and a ragged end */
	struct fh_prefix p = prefix("00");
	struct fh_search_opts o;
	struct fh_base b;
	struct matches all = { 0 };
	uint64_t shard_counts[] = { 1, 2, 3, 7, 10, 64 };
	size_t i;

	fh_base_init(&b, 1, 99);
	opts(&o, &p, 1, &b, 2);
	o.hi = space;
	o.on_match = collect;
	o.on_match_arg = &all;
	fh_search_free(run(&o));
	qsort(all.c, all.n, sizeof *all.c, cmp_u64);
	/* about space/256 matches: enough to notice a lost or doubled one */
	ck_assert_uint_gt(all.n, 900);

	for (i = 0; i < sizeof shard_counts / sizeof shard_counts[0]; i++) {
		uint64_t n = shard_counts[i], s, covered = 0;
		struct matches got = { 0 };

		for (s = 0; s < n; s++) {
			fh_shard_range(s, n, space, &o.lo, &o.hi);
			ck_assert_uint_eq(o.lo, covered);
			covered = o.hi;
			o.on_match_arg = &got;
			fh_search_free(run(&o));
		}
		ck_assert_uint_eq(covered, space);
		qsort(got.c, got.n, sizeof *got.c, cmp_u64);
		ck_assert_uint_eq(got.n, all.n);
		ck_assert_int_eq(memcmp(got.c, all.c, all.n * sizeof *all.c), 0);
		free(got.c);
	}
	free(all.c);
}
END_TEST

/* Many prefixes (beyond FH_MAX_FILTERS, so through the bitmap and the
 * index): a small range hashed once by Nettle, and prefixes cut from its
 * digests (1 to 12 digits, so some cover many index buckets and some go
 * past the first word), repeated ones, and random ones that mostly match
 * nothing. */
#define MANY_LO (5 * 65536 + 12345)
#define MANY_N 150000
#define MANY_P 700

struct pair_list {
	size_t n, cap;
	uint64_t *v; /* prefix << 40 | counter - MANY_LO */
};

static void collect_pair(void *arg, size_t prefix, uint64_t counter)
{
	struct pair_list *m = arg;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 4096;
		m->v = realloc(m->v, m->cap * sizeof *m->v);
		ck_assert_ptr_nonnull(m->v);
	}
	m->v[m->n++] = (uint64_t)prefix << 40 | (counter - MANY_LO);
}

static void many_prefixes(struct fh_base *b, struct fh_prefix *p,
			  char (*hex)[65])
{
	static const char digits[] = "0123456789abcdef";
	char text[FH_CAND_LEN + 1], cut[13];
	uint64_t x = 0x9e3779b97f4a7c15u;
	uint8_t d[32];
	size_t i;

	fh_base_init(b, 1, 99);
	for (i = 0; i < MANY_N; i++) {
		fh_candidate(b, MANY_LO + i, text);
		fh_sha256(text, FH_CAND_LEN, d);
		fh_hex(d, hex[i]);
	}
	for (i = 0; i < MANY_P; i++) {
		size_t len, k;

		x = x * 6364136223846793005u + 1442695040888963407u;
		len = 1 + (x >> 33) % (i < 40 ? 3 : 12);
		if (i % 7 == 6 && i > 40) {
			p[i] = p[i - 5]; /* the same prefix again */
			continue;
		}
		if (i % 3 == 0) {
			for (k = 0; k < len; k++)
				cut[k] = digits[(x >> (4 * k + 3)) & 15];
		} else {
			memcpy(cut, hex[(x >> 20) % MANY_N], len);
		}
		cut[len] = '\0';
		p[i] = prefix(cut);
	}
}

/* Each of the n prefixes' answer in s is the lowest counter of the range
 * whose digest (hex, hashed by Nettle) starts with it, or none. */
static void check_lowest_answers(struct fh_search *s,
				 const struct fh_prefix *p, size_t n,
				 char (*hex)[65], const char *kernel,
				 unsigned threads)
{
	size_t i, c;

	for (i = 0; i < n; i++) {
		struct fh_answer a;

		for (c = 0; c < MANY_N; c++)
			if (!strncmp(hex[c], p[i].hex, p[i].digits))
				break;
		fh_search_answer(s, i, &a);
		ck_assert_msg(a.found == (c < MANY_N), "%s: found %d, Nettle %d",
			      p[i].hex, a.found, c < MANY_N);
		if (a.found)
			ck_assert_msg(a.counter == MANY_LO + c,
				      "%s (%s, %u threads): %llu, Nettle %llu",
				      p[i].hex, kernel, threads,
				      (unsigned long long)a.counter,
				      (unsigned long long)(MANY_LO + c));
	}
}

START_TEST(many_prefixes_get_their_lowest_answers)
{
	static char hex[MANY_N][65];
	static struct fh_prefix p[MANY_P];
	const char *kernels[] = { "portable", NULL };
	unsigned threads[] = { 1, 3 };
	struct fh_search_opts o;
	struct fh_base b;
	size_t t, k;

	ck_assert_uint_gt(MANY_P, FH_MAX_FILTERS);
	many_prefixes(&b, p, hex);
	kernels[1] = fh_kernel_default()->name;
	for (k = 0; k < 2; k++)
		for (t = 0; t < 2; t++) {
			struct fh_search *s;

			opts(&o, p, MANY_P, &b, threads[t]);
			o.kernel = fh_kernel_find(kernels[k]);
			o.lo = MANY_LO;
			o.hi = MANY_LO + MANY_N;
			s = run(&o);
			check_lowest_answers(s, p, MANY_P, hex, kernels[k],
					     threads[t]);
			fh_search_free(s);
		}
}
END_TEST

/* Prefixes that share their first 10 digits, the most the engine sorts
 * by before it compares texts: a digest's first 12 digits, 11 and 10 of
 * them, the 12 with the 11th changed, each twice, and runs of zeros.
 * Each must keep its own answer, not a neighbour's. */
START_TEST(prefixes_alike_in_their_first_ten_digits_keep_their_answers)
{
	static char hex[MANY_N][65];
	static struct fh_prefix p[MANY_P];
	static const char *zeros[] = { "0", "00", "0000000000", "00000000000",
				       "000000000000", "0000000000a" };
	struct fh_search_opts o;
	struct fh_search *s;
	struct fh_base b;
	size_t i, n = 0;

	many_prefixes(&b, p, hex); /* for hex */
	for (i = 0; n + 10 <= MANY_P - 6; i += 997) {
		char cut[13];
		size_t len;

		for (len = 10; len <= 12; len++) {
			memcpy(cut, hex[i], len);
			cut[len] = '\0';
			p[n++] = prefix(cut);
			p[n++] = prefix(cut);
		}
		cut[10] = "0123456789abcdef"[(strchr("0123456789abcdef",
						      hex[i][10]) -
					      "0123456789abcdef" + 1) % 16];
		p[n++] = prefix(cut);
		p[n] = p[n - 1];
		n++;
	}
	for (i = 0; i < sizeof zeros / sizeof *zeros; i++)
		p[n++] = prefix(zeros[i]);
	ck_assert_uint_gt(n, FH_MAX_FILTERS);
	opts(&o, p, n, &b, 2);
	o.kernel = fh_kernel_default();
	o.lo = MANY_LO;
	o.hi = MANY_LO + MANY_N;
	s = run(&o);
	check_lowest_answers(s, p, n, hex, o.kernel->name, 2);
	fh_search_free(s);
}
END_TEST

START_TEST(many_prefixes_report_every_match)
{
	static char hex[MANY_N][65];
	static struct fh_prefix p[MANY_P];
	struct pair_list got = { 0, 0, NULL }, want = { 0, 0, NULL };
	struct fh_search_opts o;
	struct fh_search *s;
	struct fh_base b;
	size_t i, c;

	many_prefixes(&b, p, hex);
	for (c = 0; c < MANY_N; c++)
		for (i = 0; i < MANY_P; i++)
			if (!strncmp(hex[c], p[i].hex, p[i].digits))
				collect_pair(&want, i, MANY_LO + c);
	opts(&o, p, MANY_P, &b, 2);
	o.kernel = fh_kernel_default();
	o.lo = MANY_LO;
	o.hi = MANY_LO + MANY_N;
	o.on_match = collect_pair;
	o.on_match_arg = &got;
	s = run(&o);
	fh_search_free(s);
	qsort(got.v, got.n, sizeof *got.v, cmp_u64);
	qsort(want.v, want.n, sizeof *want.v, cmp_u64);
	ck_assert_uint_gt(want.n, 1000);
	ck_assert_uint_eq(got.n, want.n);
	for (i = 0; i < want.n; i++)
		ck_assert_uint_eq(got.v[i], want.v[i]);
	free(got.v);
	free(want.v);
}
END_TEST

START_TEST(shard_ranges_cover_the_full_space)
{
	uint64_t n[] = { 1, 3, 1000, 1ULL << 40 };
	size_t i;

	for (i = 0; i < sizeof n / sizeof n[0]; i++) {
		uint64_t lo, hi, prev_hi;

		fh_shard_range(0, n[i], FH_SPACE, &lo, &prev_hi);
		ck_assert_uint_eq(lo, 0);
		fh_shard_range(n[i] / 2, n[i], FH_SPACE, &lo, &hi);
		ck_assert_uint_le(lo, hi);
		fh_shard_range(n[i] - 1, n[i], FH_SPACE, &lo, &hi);
		ck_assert_uint_eq(hi, FH_SPACE);
		if (n[i] > 1) {
			uint64_t lo1, hi1;
			fh_shard_range(1, n[i], FH_SPACE, &lo1, &hi1);
			ck_assert_uint_eq(lo1, prev_hi);
		}
	}
}
END_TEST

START_TEST(stop_ends_the_search)
{
	struct fh_prefix p = prefix("0123456789abcdef");
	struct fh_search_opts o;
	struct fh_base b;
	struct fh_search *s;

	fh_base_init(&b, 1, 1);
	opts(&o, &p, 1, &b, 2);
	s = fh_search_start(&o);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(fh_search_wait(s, 50), 0);
	fh_search_stop(s);
	ck_assert_int_eq(fh_search_wait(s, 60000), 1);
	ck_assert_int_eq(fh_search_end(s), FH_END_STOPPED);
	ck_assert_uint_gt(fh_search_tries(s), 0);
	fh_search_free(s);
}
END_TEST

/* While a hard prefix keeps the threads busy, each easy one becomes
 * settled, and a settled answer is already the lowest counter: what the
 * command prints at once is what it would print at the end. */
START_TEST(settled_answers_are_final_while_the_search_runs)
{
	struct fh_prefix p[4] = { prefix("0"), prefix("a"), prefix("0ce"),
				  prefix("0123456789abcdef") };
	uint64_t seen[4] = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
	struct fh_search_opts o;
	struct fh_base b;
	struct fh_search *s;
	unsigned waited = 0;
	size_t i, open = 3;

	fh_base_init(&b, 1, 5);
	opts(&o, p, 4, &b, 3);
	s = fh_search_start(&o);
	ck_assert_ptr_nonnull(s);
	while (open > 0 && waited < 60000) {
		ck_assert_int_eq(fh_search_wait(s, 1), 0);
		waited++;
		for (i = 0; i < 4; i++) {
			struct fh_answer a;

			if (seen[i] != UINT64_MAX || !fh_search_settled(s, i))
				continue;
			ck_assert_uint_lt(i, 3);
			fh_search_answer(s, i, &a);
			ck_assert_int_eq(a.found, 1);
			seen[i] = a.counter;
			open--;
		}
	}
	ck_assert_uint_eq(open, 0);
	ck_assert_int_eq(fh_search_settled(s, 3), 0);
	fh_search_stop(s);
	ck_assert_int_eq(fh_search_wait(s, 60000), 1);
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(seen[i], brute_force(&b, &p[i], 0, 1 << 22));
	fh_search_free(s);
}
END_TEST

/* --- CPUs ------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(cgroup_quota_caps_the_cpus)
{
	char dir[] = "/tmp/fh-cgroup-XXXXXX", path[256], self[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(self, sizeof self, "%s/self", dir);
	snprintf(path, sizeof path, "%s/kubepods", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/kubepods/pod1", dir);
	mkdir(path, 0700);

	write_file(self, "0::/kubepods/pod1\n");
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 0);

	snprintf(path, sizeof path, "%s/kubepods/pod1/cpu.max", dir);
	write_file(path, "max 100000\n");
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 0);
	write_file(path, "200000 100000\n");
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 2);
	write_file(path, "150000 100000\n"); /* 1.5 CPUs: rounded up */
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 2);

	/* an ancestor's tighter quota binds */
	snprintf(path, sizeof path, "%s/kubepods/cpu.max", dir);
	write_file(path, "100000 100000\n");
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 1);

	/* cgroup v1 only: no "0::" line, no limit read */
	write_file(self, "4:cpu,cpuacct:/kubepods/pod1\n");
	ck_assert_uint_eq(fh_cgroup_cpu_limit(self, dir), 0);
	ck_assert_uint_ge(fh_usable_cpus(), 1);

	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("search");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, fips_vectors_through_the_reference);
	tcase_add_test(tc, candidates_are_printable_and_match_their_template);
	tcase_add_test(tc, seed_makes_the_base);
	tcase_add_test(tc, answer_is_the_lowest_match_on_any_thread_count);
	tcase_add_test(tc, several_prefixes_in_one_pass);
	tcase_add_test(tc, long_prefixes_are_confirmed_past_the_first_word);
	tcase_add_test(tc, max_tries_is_exact_and_gives_up);
	tcase_add_test(tc, a_bound_after_the_answer_still_finds_it);
	tcase_add_test(tc, ranges_start_and_end_anywhere);
	tcase_add_test(tc, shards_partition_the_space);
	tcase_add_test(tc, shard_ranges_cover_the_full_space);
	tcase_add_test(tc, many_prefixes_get_their_lowest_answers);
	tcase_add_test(tc, prefixes_alike_in_their_first_ten_digits_keep_their_answers);
	tcase_add_test(tc, many_prefixes_report_every_match);
	tcase_add_test(tc, stop_ends_the_search);
	tcase_add_test(tc, settled_answers_are_final_while_the_search_runs);
	tcase_add_test(tc, cgroup_quota_caps_the_cpus);
	suite_add_tcase(s, tc);
	return s;
}

const struct unit_test unit_test = { engine_suite, NULL };
