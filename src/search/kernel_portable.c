/* kernel_portable.c: the reference kernel, plain C for every architecture.
 *
 * It is the one the faster kernels are measured and tested against, so it
 * favours being obviously right over being fast: one candidate at a time,
 * with only the optimisation the kernel contract is built around (rounds
 * 0..11 depend on the template alone and are computed once per call). */
#include "kernel.h"
#include "sha256-consts.h"

#define ROTR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ (x) >> 3)
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ (x) >> 10)
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

/* One round on state s[0..7] = a..h with schedule word w. */
static inline void round_step(uint32_t s[8], int i, uint32_t w)
{
	uint32_t t1 = s[7] + BSIG1(s[4]) + CH(s[4], s[5], s[6]) +
		      fh_sha256_k[i] + w;
	uint32_t t2 = BSIG0(s[0]) + MAJ(s[0], s[1], s[2]);
	s[7] = s[6];
	s[6] = s[5];
	s[5] = s[4];
	s[4] = s[3] + t1;
	s[3] = s[2];
	s[2] = s[1];
	s[1] = s[0];
	s[0] = t1 + t2;
}

/* The first digest word of the candidate whose word 12 is lane, given the
 * state after rounds 0..11. */
static uint32_t first_word(const uint32_t mid[8], const uint32_t tw[16],
			   uint32_t lane)
{
	uint32_t w[64], s[8];
	int i;

	for (i = 0; i < 16; i++)
		w[i] = tw[i];
	w[FH_LANE_WORD] = lane;
	for (i = 16; i < 64; i++)
		w[i] = SSIG1(w[i - 2]) + w[i - 7] + SSIG0(w[i - 15]) + w[i - 16];
	for (i = 0; i < 8; i++)
		s[i] = mid[i];
	for (i = FH_LANE_WORD; i < 64; i++)
		round_step(s, i, w[i]);
	return fh_sha256_h0[0] + s[0];
}

void fh_sha256_compress_portable(uint32_t state[8], const uint32_t w[16])
{
	uint32_t x[64], s[8];
	int i;

	for (i = 0; i < 16; i++)
		x[i] = w[i];
	for (i = 16; i < 64; i++)
		x[i] = SSIG1(x[i - 2]) + x[i - 7] + SSIG0(x[i - 15]) +
		       x[i - 16];
	for (i = 0; i < 8; i++)
		s[i] = state[i];
	for (i = 0; i < 64; i++)
		round_step(s, i, x[i]);
	for (i = 0; i < 8; i++)
		state[i] += s[i];
}

void fh_template_rounds(const struct fh_template *t, uint32_t s[8])
{
	int i;

	for (i = 0; i < 8; i++)
		s[i] = fh_sha256_h0[i];
	for (i = 0; i < FH_LANE_WORD; i++)
		round_step(s, i, t->w[i]);
}

unsigned fh_kernel_portable(const struct fh_template *t,
			    const struct fh_filter *f, uint32_t first,
			    uint32_t count, uint16_t *hits)
{
	uint32_t mid[8];
	unsigned set = 0;
	uint32_t j;

	fh_template_rounds(t, mid);

	for (j = first; j < first + count; j++) {
		uint32_t h0 = first_word(mid, t->w, fh_lane_word(j));

		if (fh_filter_passes(f, h0)) {
			hits[j / FH_GROUP] |= (uint16_t)(1u << (j % FH_GROUP));
			if (f->h0)
				f->h0[j] = h0;
			set++;
		}
	}
	return set;
}
