/* kernel_shani.c: the SHA-NI kernel, two candidates in flight at a time.
 *
 * Built with -msha -msse4.1 in its own library; dispatch.c calls it only
 * when cpuid reports SHA, SSSE3 and SSE4.1.  sha256rnds2 does two rounds
 * of one message and its result is the next one's input, so a single
 * stream waits out the instruction's whole latency each time; two
 * independent candidates interleaved keep the unit busy (more than two
 * would need more than the 16 xmm registers: each stream holds two state
 * and four message registers).
 *
 * SHA-NI computes the whole state, so the template saving here is rounds
 * 0..11, done once in C, and the constant message words 0..11 and 13..15. */
#include <config.h>

#include <immintrin.h>

#include "kernel.h"
#include "sha256-consts.h"

/* Per template: the state after round 11 in the instruction's ABEF/CDGH
 * layout, and the message in four-word groups. */
struct shani_pre {
	__m128i abef, cdgh;
	/* w[0..15] four at a time; m3's lane 0 is replaced by the lane word */
	__m128i m0, m1, m2, m3;
};

static void shani_pre_init(struct shani_pre *p, const struct fh_template *t)
{
	uint32_t s[8];

	fh_template_rounds(t, s);
	/* _mm_set_epi32 lists the highest lane first: A is lane 3. */
	p->abef = _mm_set_epi32((int)s[0], (int)s[1], (int)s[4], (int)s[5]);
	p->cdgh = _mm_set_epi32((int)s[2], (int)s[3], (int)s[6], (int)s[7]);
	p->m0 = _mm_loadu_si128((const __m128i *)&t->w[0]);
	p->m1 = _mm_loadu_si128((const __m128i *)&t->w[4]);
	p->m2 = _mm_loadu_si128((const __m128i *)&t->w[8]);
	p->m3 = _mm_loadu_si128((const __m128i *)&t->w[12]);
}

/* Four rounds of stream x with message group m (K added here). */
#define QROUNDS(x, m, i)                                                    \
	do {                                                                \
		__m128i k_ = _mm_add_epi32(                                 \
			(m), _mm_loadu_si128(                               \
				     (const __m128i *)&fh_sha256_k[i]));    \
		cdgh##x = _mm_sha256rnds2_epu32(cdgh##x, abef##x, k_);      \
		k_ = _mm_shuffle_epi32(k_, 0x0e);                           \
		abef##x = _mm_sha256rnds2_epu32(abef##x, cdgh##x, k_);      \
	} while (0)
/* The next message group: g[i] from g[i-4], g[i-3], g[i-2], g[i-1]
 * (FIPS 180-4 6.2.2 step 1, four words at a time). */
#define NEXT(g4, g3, g2, g1)                                                \
	_mm_sha256msg2_epu32(                                               \
		_mm_add_epi32(_mm_sha256msg1_epu32((g4), (g3)),             \
			      _mm_alignr_epi8((g1), (g2), 4)),              \
		(g1))

/* Groups 3 (words 12..15) to 15 for both streams, in the order that
 * keeps each stream's four groups in four registers. */
#define STEP(i, w0, w1, w2, w3)                                             \
	do {                                                                \
		w0##a = NEXT(w0##a, w1##a, w2##a, w3##a);                   \
		w0##b = NEXT(w0##b, w1##b, w2##b, w3##b);                   \
		QROUNDS(a, w0##a, i);                                       \
		QROUNDS(b, w0##b, i);                                       \
	} while (0)

/* The plain C test of kernel.h, and the word kept when asked for. */
static inline int passes(const struct fh_filter *f, uint32_t h0, uint32_t j)
{
	if (!fh_filter_passes(f, h0))
		return 0;
	if (f->h0)
		f->h0[j] = h0;
	return 1;
}

unsigned fh_kernel_shani(const struct fh_template *t,
			 const struct fh_filter *f, uint32_t first,
			 uint32_t count, uint16_t *hits)
{
	uint32_t end = first + count, j;
	struct shani_pre p;
	unsigned set = 0;

	if (count == 0)
		return 0;
	shani_pre_init(&p, t);
	for (j = first; j < end; j += 2) {
		/* An odd count's last pass hashes j twice, and counts it
		 * once. */
		uint32_t jb = j + 1 < end ? j + 1 : j;
		__m128i abefa = p.abef, cdgha = p.cdgh;
		__m128i abefb = p.abef, cdghb = p.cdgh;
		__m128i g0a = p.m0, g1a = p.m1, g2a = p.m2;
		__m128i g0b = p.m0, g1b = p.m1, g2b = p.m2;
		__m128i g3a = _mm_insert_epi32(p.m3, (int)fh_lane_word(j), 0);
		__m128i g3b = _mm_insert_epi32(p.m3, (int)fh_lane_word(jb), 0);
		uint32_t ha, hb;

		QROUNDS(a, g3a, 12);
		QROUNDS(b, g3b, 12);
		STEP(16, g0, g1, g2, g3);
		STEP(20, g1, g2, g3, g0);
		STEP(24, g2, g3, g0, g1);
		STEP(28, g3, g0, g1, g2);
		STEP(32, g0, g1, g2, g3);
		STEP(36, g1, g2, g3, g0);
		STEP(40, g2, g3, g0, g1);
		STEP(44, g3, g0, g1, g2);
		STEP(48, g0, g1, g2, g3);
		STEP(52, g1, g2, g3, g0);
		STEP(56, g2, g3, g0, g1);
		STEP(60, g3, g0, g1, g2);
		ha = (uint32_t)_mm_extract_epi32(abefa, 3) + fh_sha256_h0[0];
		hb = (uint32_t)_mm_extract_epi32(abefb, 3) + fh_sha256_h0[0];
		if (passes(f, ha, j)) {
			hits[j / FH_GROUP] |= (uint16_t)(1u << (j % FH_GROUP));
			set++;
		}
		if (jb != j && passes(f, hb, jb)) {
			hits[jb / FH_GROUP] |=
				(uint16_t)(1u << (jb % FH_GROUP));
			set++;
		}
	}
	return set;
}
