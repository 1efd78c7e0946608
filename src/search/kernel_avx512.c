/* kernel_avx512.c: the AVX-512 kernel, two groups of 16 lanes at a time
 * (vprord, vpternlogd).
 *
 * Built with -mavx512f in its own library so the rest of the program stays
 * at the baseline; dispatch.c calls it only when cpuid and xgetbv say the
 * CPU and the OS both handle the zmm state.  The rounds are the shared ones
 * of kernel_simd.h: AVX-512 gives them one-instruction rotates and a
 * three-input logic instruction, so Ch, Maj and the three-way xor of each
 * Sigma cost one vpternlogd apiece.
 *
 * Why two groups.  A group of 16 lanes is about 1,150 vector operations,
 * nearly all on one chain of 51 rounds, each round three dependent
 * operations deep (see FH_RND).  Where a vector operation has a latency of
 * 2 cycles (AMD Zen 5) that chain alone is some 300 cycles, while the
 * four vector pipes could retire the whole group in under 300; and the
 * next group cannot start early, because a group is larger than the
 * out-of-order window.  So the vector type here is a pair of zmm
 * registers, each macro operation is issued for both, and the two
 * independent chains fill each other's latency: on Zen 5 this took one
 * thread from 86 to 147 MH/s.  Two groups do not fit in 32 registers, so
 * gcc 12 spills (bench/spills counts about 240 stack accesses a pair),
 * but loads and stores go to ports the rounds leave idle.  Three groups
 * measured slower than one (82 MH/s): the spills then sit on the chains. */
#include <config.h>

#include <immintrin.h>

#include "kernel.h"

/* Two groups' worth of one value; the x and y halves never mix. */
struct v2 {
	__m512i x, y;
};

#define FH_V2_INLINE static inline __attribute__((always_inline))
/* An operation applied to both halves.  The shifts and rotates are macros,
 * not functions, because their count must reach the instruction as a
 * constant; their operand is always a variable, so naming it twice is
 * harmless. */
#define V2_IMM(op, v, n) ((struct v2){ op((v).x, n), op((v).y, n) })
#define V2_ROR(v, n) V2_IMM(_mm512_ror_epi32, v, n)
#define V2_SHR(v, n) V2_IMM(_mm512_srli_epi32, v, n)
#define FH_V2_BIN(name, op)                                                 \
	FH_V2_INLINE struct v2 name(struct v2 a, struct v2 b)               \
	{                                                                   \
		struct v2 r = { op(a.x, b.x), op(a.y, b.y) };               \
		return r;                                                   \
	}
#define FH_V2_TERN(name, table)                                             \
	FH_V2_INLINE struct v2 name(struct v2 a, struct v2 b, struct v2 c)  \
	{                                                                   \
		struct v2 r = {                                             \
			_mm512_ternarylogic_epi32(a.x, b.x, c.x, table),    \
			_mm512_ternarylogic_epi32(a.y, b.y, c.y, table)     \
		};                                                          \
		return r;                                                   \
	}

FH_V2_BIN(v2_add, _mm512_add_epi32)
FH_V2_BIN(v2_sub, _mm512_sub_epi32)
FH_V2_TERN(v2_xor3, 0x96)
FH_V2_TERN(v2_ch, 0xca)
FH_V2_TERN(v2_maj, 0xe8)

/* One broadcast serves both halves. */
FH_V2_INLINE struct v2 v2_bc(uint32_t u)
{
	__m512i b = _mm512_set1_epi32((int)u);
	struct v2 r = { b, b };

	return r;
}

#define VT struct v2
#define V_ADD(a, b) v2_add((a), (b))
#define V_SUB(a, b) v2_sub((a), (b))
#define V_BC(x) v2_bc(x)
#define V_CH(e, f, g) v2_ch((e), (f), (g))
#define V_MAJ(a, b, c) v2_maj((a), (b), (c))
#define V_BSIG0(x) v2_xor3(V2_ROR(x, 2), V2_ROR(x, 13), V2_ROR(x, 22))
#define V_BSIG1(x) v2_xor3(V2_ROR(x, 6), V2_ROR(x, 11), V2_ROR(x, 25))
#define V_SSIG0(x) v2_xor3(V2_ROR(x, 7), V2_ROR(x, 18), V2_SHR(x, 3))
#define V_SSIG1(x) v2_xor3(V2_ROR(x, 17), V2_ROR(x, 19), V2_SHR(x, 10))

#include "kernel_simd.h"

/* Which lanes of the group starting at g lie in [first, end). */
static inline __mmask16 lanes_in_range(uint32_t g, uint32_t first,
				       uint32_t end)
{
	uint32_t m = 0xffffu;

	if (g >= end)
		return 0;
	if (g < first)
		m &= 0xffffu << (first - g);
	if (end - g < 16)
		m &= (1u << (end - g)) - 1;
	return (__mmask16)m;
}

/* The lanes of the group starting at g, h0 being their first digest
 * words, that lie in [first, end) and pass f's compares. */
static inline __mmask16 compare_group(uint32_t g, __m512i h0, uint32_t first,
				      uint32_t end, const struct fh_filter *f)
{
	__mmask16 valid = lanes_in_range(g, first, end), pass = 0;
	unsigned k;

	for (k = 0; k < f->n; k++)
		pass |= _mm512_mask_cmpeq_epi32_mask(
			valid,
			_mm512_and_si512(h0, _mm512_set1_epi32((int)f->mask[k])),
			_mm512_set1_epi32((int)f->value[k]));
	return pass;
}

/* Records pass, lanes of the group starting at g, in hits; returns how
 * many. */
static inline unsigned record_group(uint16_t *hits, uint32_t g,
				    __mmask16 pass)
{
	if (!pass)
		return 0;
	hits[g / FH_GROUP] |= (uint16_t)pass;
	return (unsigned)__builtin_popcount(pass);
}

/* Many prefixes: the lookups of a pair of groups go in two steps, one pair
 * apart, reading nothing from beyond the near caches (coarse, rank and
 * fine: some 450 KiB for 100,000 prefixes, kernel.h).  pending_start,
 * right after the pair's rounds: each lane's coarse word, two gathers for
 * the 32 lanes, and the coarse test, in vector registers.  pending_finish,
 * after the next pair's rounds: the lanes past the coarse test (one in
 * eleven with 100,000 6-digit prefixes) find their fine word, in scalar
 * code, and the lanes are recorded.  Neither step waits on a load of its
 * own pair, so the gathers' latency hides behind the next pair's rounds,
 * and the one branch on the data (the loop over the lanes past the coarse
 * test) reads a mask that is long computed, so a misprediction costs a
 * refetch, not the rounds issued behind a pending load.
 *
 * What this replaced cost as much as the rounds with 100,000 prefixes on
 * Zen 5: a scalar coarse lookup on every lane (the vector and scalar work
 * share the front end, so "idle scalar ports" were not free), then reads
 * of the 2 MiB bitmap, whose prefetches did not arrive in time while
 * other programs ran.
 *
 * Measured since (Zen 5, the kernel alone, 100,000 6-digit prefixes
 * against a plain compare): this costs 10-15% of the kernel's time, the
 * two gathers about 10 of it (gathers from a 1 KiB table cost the same,
 * so it is the instruction, not the cache; 32 scalar loads with bt and
 * adc instead, or half of each, were no faster), the fine loop the rest.
 * The fine stage in vector code too (a gather of rank, a popcount, a
 * gather of fine) was slower than this loop over the few lanes that need
 * it; running the loop's first four passes without a branch was no
 * faster.  Nor, on Zen 4, were two ways round the loop's mispredicted
 * trip count: packing the lanes past the coarse test into a queue,
 * without a branch, and looking them up 16 at a time (three gathers);
 * and hashing a chunk of 1,024 lanes first, then filtering its stored
 * words outside the rounds.  Both gained a point or two on a loaded
 * machine and lost as much on a quiet one.  On Zen 4 a gather of 16
 * lanes amid the rounds costs some 40-60 cycles of their time, twice
 * what it costs alone; 16 scalar loads with their shifts cost the
 * same. */
struct pending {
	uint32_t g;
	__mmask16 pass[2];   /* lanes past the compares */
	__mmask16 coarse[2]; /* lanes past the coarse bitmap */
	__m512i v[2];        /* their first digest words */
};

static inline void pending_start(struct pending *p, uint32_t g, struct v2 h0,
				 __mmask16 pass_x, __mmask16 pass_y,
				 const struct fh_filter *f)
{
	unsigned i;

	p->g = g;
	p->pass[0] = pass_x;
	p->pass[1] = pass_y;
	p->v[0] = h0.x;
	p->v[1] = h0.y;
	p->coarse[0] = p->coarse[1] = 0;
	/* h0 wanted with no bitmap: the compares alone */
	for (i = 0; f->bitmap && i < 2; i++) {
		__m512i c = _mm512_srli_epi32(p->v[i], 32 - FH_COARSE_BITS);
		__m512i w = _mm512_i32gather_epi32(_mm512_srli_epi32(c, 5),
						   f->coarse, 4);
		__m512i bit = _mm512_sllv_epi32(
			_mm512_set1_epi32(1),
			_mm512_and_si512(c, _mm512_set1_epi32(31)));

		p->coarse[i] = _mm512_test_epi32_mask(w, bit);
	}
}

static inline unsigned pending_finish(const struct pending *p,
				      const struct fh_filter *f, uint16_t *hits,
				      uint32_t first, uint32_t end)
{
	unsigned set = 0, i;
	uint32_t valid = lanes_in_range(p->g, first, end) |
			 (uint32_t)lanes_in_range(p->g + FH_GROUP, first, end)
				 << 16;
	uint32_t c = ((uint32_t)p->coarse[0] | (uint32_t)p->coarse[1] << 16) &
		     valid;
	uint32_t pass = (uint32_t)p->pass[0] | (uint32_t)p->pass[1] << 16;
	const uint32_t *v = (const uint32_t *)p->v;

	for (; c; c &= c - 1) {
		uint32_t l = (uint32_t)__builtin_ctz(c), h = v[l];
		uint32_t w = h >> (32 - FH_COARSE_BITS + 5);
		uint32_t below = f->coarse[w] &
				 ((1u << (h >> (32 - FH_COARSE_BITS) & 31)) - 1);
		uint32_t x = f->fine[f->rank[w] +
				     (uint32_t)__builtin_popcount(below)];

		pass |= (x >> (h >> (32 - FH_BITMAP_BITS) & 15) & 1) << l;
	}
	for (i = 0; i < 2; i++) {
		uint32_t g = p->g + i * FH_GROUP;
		__mmask16 vm = (__mmask16)(valid >> (16 * i));
		__mmask16 pm = (__mmask16)(pass >> (16 * i));

		/* The words of all the valid lanes, not only those that
		 * pass: a masked store whose mask is empty costs a microcode
		 * assist when its page is not mapped yet, as in a fresh h0
		 * (with no lane passing ever, 40% of the kernel's time on
		 * Zen 5), and most groups have no lane that passes. */
		if (f->h0 && vm)
			_mm512_mask_storeu_epi32(f->h0 + g, vm, p->v[i]);
		hits[g / FH_GROUP] |= pm;
		set += (unsigned)__builtin_popcount(pm);
	}
	return set;
}

/* The lane words of the group starting at g: one base plus 0..15. */
static inline __m512i group_lanes(uint32_t g)
{
	const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					       10, 11, 12, 13, 14, 15);

	return _mm512_add_epi32(_mm512_set1_epi32((int)fh_lane_word(g)), iota);
}

unsigned fh_kernel_avx512(const struct fh_template *t,
			  const struct fh_filter *f, uint32_t first,
			  uint32_t count, uint16_t *hits)
{
	uint32_t end = first + count, g;
	struct fh_pre pre;
	struct pending pend[2];
	unsigned set = 0, n = 0;

	if (count == 0)
		return 0;
	fh_pre_init(&pre, t);
	/* Groups are aligned to 16 so that a group is one hits[] word and
	 * its lane words are one base plus 0..15 (the low nibble is the last
	 * character): the candidates are built in the register, no memcpy.
	 * The second group of the last pair may lie wholly past end; its
	 * lanes are all invalid then, and it is hashed for nothing. */
	for (g = first & ~15u; g < end; g += 2 * FH_GROUP) {
		const struct fh_pre *P_ = &pre;
		const uint32_t *K_ = fh_sha256_k;
		struct v2 lanes, h0;

		/* Hide the constants' address from the optimiser, so that
		 * each broadcast stays an embedded {1to16} memory operand
		 * of its instruction, rather than ~90 values hoisted out of
		 * the loop into registers that the rounds need. */
		__asm__("" : "+r"(P_), "+r"(K_));
		lanes.x = group_lanes(g);
		lanes.y = group_lanes(g + FH_GROUP);
		FH_SIMD_H0(h0, lanes);
		if (!f->bitmap && !f->h0) {
			set += record_group(hits, g,
					    compare_group(g, h0.x, first, end, f));
			set += record_group(hits, g + FH_GROUP,
					    compare_group(g + FH_GROUP, h0.y,
							  first, end, f));
			continue;
		}
		pending_start(&pend[n % 2], g, h0,
			      compare_group(g, h0.x, first, end, f),
			      compare_group(g + FH_GROUP, h0.y, first, end, f),
			      f);
		if (n >= 1)
			set += pending_finish(&pend[(n - 1) % 2], f, hits, first,
					      end);
		n++;
	}
	/* the last pair */
	if (n >= 1)
		set += pending_finish(&pend[(n - 1) % 2], f, hits, first, end);
	return set;
}
