/* kernel_avx2.c: the 8-lane AVX2 kernel.
 *
 * Built with -mavx2 in its own library; dispatch.c calls it only when
 * cpuid and xgetbv say the CPU and the OS handle the ymm state.  The
 * rounds are the shared ones of kernel_simd.h.  AVX2 has no rotate and no
 * three-input logic, so each Sigma is six shifts and five xors (the two
 * halves of a rotate never overlap, so they can be xored rather than
 * ored, and all six terms folded into one chain). */
#include <config.h>

#include <immintrin.h>

#include "kernel.h"

#define VT __m256i
#define V_ADD(a, b) _mm256_add_epi32((a), (b))
#define V_SUB(a, b) _mm256_sub_epi32((a), (b))
#define V_XOR(a, b) _mm256_xor_si256((a), (b))
#define V_BC(x) _mm256_set1_epi32((int)(x))
#define V_SR(x, n) _mm256_srli_epi32((x), (n))
#define V_SL(x, n) _mm256_slli_epi32((x), (n))
/* Three rotates right of x, xored: one chain of six shifts, each folded
 * in as soon as it is made, which keeps few temporaries live at once. */
#define V_ROR3(x, a, b, c)                                                  \
	V_XOR(V_SL(x, 32 - (c)),                                            \
	      V_XOR(V_SR(x, c),                                             \
		    V_XOR(V_SL(x, 32 - (b)),                                \
			  V_XOR(V_SR(x, b),                                 \
				V_XOR(V_SL(x, 32 - (a)), V_SR(x, a))))))
/* Ch as g ^ (e & (f ^ g)): three operations instead of four. */
#define V_CH(e, f, g) V_XOR((g), _mm256_and_si256((e), V_XOR((f), (g))))
#define V_MAJ(a, b, c)                                                      \
	_mm256_or_si256(_mm256_and_si256((a), (b)),                         \
			_mm256_and_si256((c), _mm256_or_si256((a), (b))))
#define V_BSIG0(x) V_ROR3(x, 2, 13, 22)
#define V_BSIG1(x) V_ROR3(x, 6, 11, 25)
#define V_SSIG0(x)                                                          \
	V_XOR(V_SR(x, 3),                                                   \
	      V_XOR(V_SL(x, 14),                                            \
		    V_XOR(V_SR(x, 18), V_XOR(V_SL(x, 25), V_SR(x, 7)))))
#define V_SSIG1(x)                                                          \
	V_XOR(V_SR(x, 10),                                                  \
	      V_XOR(V_SL(x, 13),                                            \
		    V_XOR(V_SR(x, 19), V_XOR(V_SL(x, 15), V_SR(x, 17)))))

/* Sixteen ymm registers hold the state and a round's temporaries, not the
 * 16-word schedule window as well, so this kernel does go through the
 * stack: gcc 12 keeps about 20 slots, 100 stores and 200 reloads a group
 * of 8 (bench/spills).  Keeping the schedule in an explicit array instead,
 * each word stored once, measured no faster on the development machine,
 * so the simpler form stays. */
#include "kernel_simd.h"

/* Which lanes of the group of 8 starting at g lie in [first, end). */
static inline unsigned lanes_in_range(uint32_t g, uint32_t first,
				      uint32_t end)
{
	unsigned m = 0xffu;

	if (g < first)
		m &= 0xffu << (first - g);
	if (end - g < 8)
		m &= (1u << (end - g)) - 1;
	return m;
}

unsigned fh_kernel_avx2(const struct fh_template *t,
			const struct fh_filter *f, uint32_t first,
			uint32_t count, uint16_t *hits)
{
	const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
	uint32_t end = first + count, g;
	struct fh_pre pre;
	unsigned set = 0, k;

	if (count == 0)
		return 0;
	fh_pre_init(&pre, t);
	/* Groups are aligned to 8, half a hits[] word, so that the lane
	 * words are one base plus 0..7: built in the register. */
	for (g = first & ~7u; g < end; g += 8) {
		const struct fh_pre *P_ = &pre;
		const uint32_t *K_ = fh_sha256_k;
		unsigned valid = lanes_in_range(g, first, end), pass;
		__m256i lanes, h0, any = _mm256_setzero_si256();

		/* As in kernel_avx512.c: keep the broadcasts loads inside
		 * the loop rather than 90 values hoisted and spilled. */
		__asm__("" : "+r"(P_), "+r"(K_));
		lanes = _mm256_add_epi32(
			_mm256_set1_epi32((int)fh_lane_word(g)), iota);
		FH_SIMD_H0(h0, lanes);
		for (k = 0; k < f->n; k++)
			any = _mm256_or_si256(
				any, _mm256_cmpeq_epi32(
					     _mm256_and_si256(
						     h0, _mm256_set1_epi32(
							     (int)f->mask[k])),
					     _mm256_set1_epi32(
						     (int)f->value[k])));
		pass = (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(any)) &
		       valid;
		if (f->bitmap || f->h0) {
			uint32_t v[8];

			_mm256_storeu_si256((__m256i *)v, h0);
			pass = fh_filter_lanes(f, v, 8, valid, pass, g);
		}
		if (pass) {
			hits[g / FH_GROUP] |=
				(uint16_t)(pass << (g % FH_GROUP));
			set += (unsigned)__builtin_popcount(pass);
		}
	}
	return set;
}
