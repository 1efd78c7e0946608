/* kernel_vec128.c: the 4-lane kernel in GNU C vector extensions, which
 * compile for any architecture.
 *
 * The portable kernel is the plain reference; this one runs the shared,
 * precomputed rounds of kernel_simd.h on vectors of four 32-bit lanes
 * that the compiler maps onto whatever the target has at its baseline
 * (SSE2 on x86-64, NEON on arm64, AltiVec/VSX on ppc64el, ...) or onto
 * plain registers where there is nothing.  It is built with the default
 * flags, so it is safe on every CPU of the architecture and needs no
 * CPU check; on x86-64 it serves CPUs without AVX2 or SHA-NI.  configure
 * builds it elsewhere only with --enable-vec128. */
#include <config.h>

#include "kernel.h"

typedef uint32_t fh_v4 __attribute__((vector_size(16)));

#define VT fh_v4
#define V_ADD(a, b) ((a) + (b))
#define V_SUB(a, b) ((a) - (b))
/* A scalar in a vector operation is broadcast to every lane. */
#define V_BC(x) ((fh_v4){ 0, 0, 0, 0 } + (uint32_t)(x))
#define V_ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define V_CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define V_MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
#define V_BSIG0(x) (V_ROR(x, 2) ^ V_ROR(x, 13) ^ V_ROR(x, 22))
#define V_BSIG1(x) (V_ROR(x, 6) ^ V_ROR(x, 11) ^ V_ROR(x, 25))
#define V_SSIG0(x) (V_ROR(x, 7) ^ V_ROR(x, 18) ^ (x) >> 3)
#define V_SSIG1(x) (V_ROR(x, 17) ^ V_ROR(x, 19) ^ (x) >> 10)

#include "kernel_simd.h"

unsigned fh_kernel_vec128(const struct fh_template *t,
			  const struct fh_filter *f, uint32_t first,
			  uint32_t count, uint16_t *hits)
{
	const fh_v4 iota = { 0, 1, 2, 3 };
	uint32_t end = first + count, g;
	struct fh_pre pre;
	unsigned set = 0, k, l;

	if (count == 0)
		return 0;
	fh_pre_init(&pre, t);
	/* Groups of 4 aligned to 4: one base plus 0..3 in the last
	 * character, as in the wider kernels. */
	for (g = first & ~3u; g < end; g += 4) {
		const struct fh_pre *P_ = &pre;
		const uint32_t *K_ = fh_sha256_k;
		fh_v4 lanes, h0, any = { 0, 0, 0, 0 };
		unsigned valid = 0, pass = 0;

		/* As in kernel_avx512.c: broadcasts stay loads in the loop. */
		__asm__("" : "+r"(P_), "+r"(K_));
		lanes = V_BC(fh_lane_word(g)) + iota;
		FH_SIMD_H0(h0, lanes);
		for (k = 0; k < f->n; k++)
			any |= (fh_v4)((h0 & f->mask[k]) == f->value[k]);
		for (l = 0; l < 4; l++) {
			uint32_t j = g + l;

			if (j < first || j >= end)
				continue;
			valid |= 1u << l;
			if (any[l])
				pass |= 1u << l;
		}
		if (f->bitmap || f->h0) {
			uint32_t v[4] = { h0[0], h0[1], h0[2], h0[3] };

			pass = fh_filter_lanes(f, v, 4, valid, pass, g);
		}
		for (l = 0; l < 4; l++) {
			if (pass >> l & 1) {
				hits[(g + l) / FH_GROUP] |=
					(uint16_t)(1u << ((g + l) % FH_GROUP));
				set++;
			}
		}
	}
	return set;
}
