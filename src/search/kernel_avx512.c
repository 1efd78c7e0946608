/* kernel_avx512.c: the 16-lane AVX-512 kernel (vprord, vpternlogd).
 *
 * Built with -mavx512f in its own library so the rest of the program stays
 * at the baseline; dispatch.c calls it only when cpuid and xgetbv say the
 * CPU and the OS both handle the zmm state.  The rounds are the shared ones
 * of kernel_simd.h: AVX-512 gives them one-instruction rotates and a
 * three-input logic instruction, so Ch, Maj and the three-way xor of
 * each Sigma cost one vpternlogd apiece; and its 32 registers hold the
 * state, the 16-word schedule window and the temporaries: gcc 12 spills
 * none of them in the loop (bench/spills; clang 14 still spills some,
 * see below). */
#include <config.h>

#include <immintrin.h>

#include "kernel.h"

#define VT __m512i
#define V_ADD(a, b) _mm512_add_epi32((a), (b))
#define V_SUB(a, b) _mm512_sub_epi32((a), (b))
#define V_SUB(a, b) _mm512_sub_epi32((a), (b))
#define V_BC(x) _mm512_set1_epi32((int)(x))
#define V_ROR(x, n) _mm512_ror_epi32((x), (n))
#define V_XOR3(a, b, c) _mm512_ternarylogic_epi32((a), (b), (c), 0x96)
#define V_CH(e, f, g) _mm512_ternarylogic_epi32((e), (f), (g), 0xca)
#define V_MAJ(a, b, c) _mm512_ternarylogic_epi32((a), (b), (c), 0xe8)
#define V_BSIG0(x) V_XOR3(V_ROR(x, 2), V_ROR(x, 13), V_ROR(x, 22))
#define V_BSIG1(x) V_XOR3(V_ROR(x, 6), V_ROR(x, 11), V_ROR(x, 25))
#define V_SSIG0(x) V_XOR3(V_ROR(x, 7), V_ROR(x, 18), _mm512_srli_epi32(x, 3))
#define V_SSIG1(x)                                                          \
	V_XOR3(V_ROR(x, 17), V_ROR(x, 19), _mm512_srli_epi32(x, 10))

#include "kernel_simd.h"

/* Which lanes of the group starting at g lie in [first, end). */
static inline __mmask16 lanes_in_range(uint32_t g, uint32_t first,
				       uint32_t end)
{
	uint32_t m = 0xffffu;

	if (g < first)
		m &= 0xffffu << (first - g);
	if (end - g < 16)
		m &= (1u << (end - g)) - 1;
	return (__mmask16)m;
}

unsigned fh_kernel_avx512(const struct fh_template *t,
			  const struct fh_filter *f, uint32_t first,
			  uint32_t count, uint16_t *hits)
{
	const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
					       10, 11, 12, 13, 14, 15);
	uint32_t end = first + count, g;
	struct fh_pre pre;
	unsigned set = 0, k;

	if (count == 0)
		return 0;
	fh_pre_init(&pre, t);
	/* Groups are aligned to 16 so that a group is one hits[] word and
	 * its lane words are one base plus 0..15 (the low nibble is the last
	 * character): the candidates are built in the register, no memcpy. */
	for (g = first & ~15u; g < end; g += 16) {
		const struct fh_pre *P_ = &pre;
		const uint32_t *K_ = fh_sha256_k;
		__mmask16 valid = lanes_in_range(g, first, end), pass = 0;
		__m512i lanes, h0;

		/* Hide the constants' address from the optimiser, so that
		 * each broadcast stays an embedded {1to16} memory operand
		 * of its instruction.  Without this gcc 12 hoists the ~90
		 * broadcasts out of the loop, runs out of registers and
		 * spills: 41 zmm stack accesses a group, none with it
		 * (bench/spills counts them).  clang 14 spills about 78
		 * with or without it: its scheduler lengthens the live
		 * ranges before registers are allocated. */
		__asm__("" : "+r"(P_), "+r"(K_));
		lanes = _mm512_add_epi32(
			_mm512_set1_epi32((int)fh_lane_word(g)), iota);
		FH_SIMD_H0(h0, lanes);
		for (k = 0; k < f->n; k++)
			pass |= _mm512_mask_cmpeq_epi32_mask(
				valid,
				_mm512_and_si512(h0, _mm512_set1_epi32(
							     (int)f->mask[k])),
				_mm512_set1_epi32((int)f->value[k]));
		if (pass) {
			hits[g / FH_GROUP] |= (uint16_t)pass;
			set += (unsigned)__builtin_popcount(pass);
		}
	}
	return set;
}
