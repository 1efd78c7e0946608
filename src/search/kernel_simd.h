/* kernel_simd.h: the lane-parallel rounds 12..63 shared by the AVX2 and
 * AVX-512 kernels, written once over a handful of vector macros.
 *
 * The including file defines the vector type and operations, then includes
 * this header, which yields two things:
 *
 *   fh_pre_init()  per-template scalar work: the state after rounds 0..12
 *                  minus the lane word, and every schedule constant below;
 *   FH_SIMD_H0()   the first digest word of a vector of lane words.
 *
 * Why so much is precomputed.  Only w[12] varies across a template and
 * w[13..15] are the fixed padding, so many schedule words do not depend on
 * the lane at all (W16, W17, W18, W20, W22, W24) and most of the others up
 * to W40 have a constant part that can be added once per template rather
 * than once per lane.  Writing the words out one by one, below, is what
 * lets each vector expression carry only the terms that really vary; a
 * generic W[i] = s1 + W + s0 + W loop would redo the constant work in every
 * lane of every group.
 *
 * Round 12 collapses the same way: every input but w[12] is constant, so it
 * is two additions, and rounds 13..15 still have a constant h, so h + K + W
 * is one broadcast there.  The last round's new e feeds nothing the first
 * digest word needs; the compiler drops it as dead code.
 *
 * Macros the includer defines (VT is its vector of 32-bit lanes):
 *   V_ADD(a, b)        lane-wise a + b
 *   V_SUB(a, b)        lane-wise a - b
 *   V_BC(x)            broadcast a uint32_t lvalue (read through a pointer
 *                      the caller launders each group; see the kernels)
 *   V_CH(e, f, g)      (e & f) ^ (~e & g)
 *   V_MAJ(a, b, c)     majority
 *   V_BSIG0/1(x)       the round functions Sigma0/Sigma1
 *   V_SSIG0/1(x)       the schedule functions sigma0/sigma1
 */
#ifndef FH_KERNEL_SIMD_H
#define FH_KERNEL_SIMD_H

#include "kernel.h"
#include "sha256-consts.h"

/* Everything a group of lanes needs from its template, read-only. */
struct fh_pre {
	uint32_t a13, e13;   /* a and e after round 12, minus the lane word */
	uint32_t b13, c13, d13, f13, g13;
	uint32_t hkw[16];    /* [13..15]: h + K + W of rounds with constant h */
	uint32_t kw[64];     /* K[i] + W[i] when W[i] is constant, else K[i] */
	uint32_t c[41];      /* [19..40]: constant part of schedule word i */
	uint32_t iv0;        /* the first word of the initial hash value */
};

#define FH_ROTR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define FH_BSIG0(x) (FH_ROTR(x, 2) ^ FH_ROTR(x, 13) ^ FH_ROTR(x, 22))
#define FH_BSIG1(x) (FH_ROTR(x, 6) ^ FH_ROTR(x, 11) ^ FH_ROTR(x, 25))
#define FH_SSIG0(x) (FH_ROTR(x, 7) ^ FH_ROTR(x, 18) ^ (x) >> 3)
#define FH_SSIG1(x) (FH_ROTR(x, 17) ^ FH_ROTR(x, 19) ^ (x) >> 10)
#define FH_CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define FH_MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

static inline void fh_pre_init(struct fh_pre *p, const struct fh_template *t)
{
	uint32_t w[25], s[8], t1, t2;
	int i;

	/* The constant schedule words and the message words 0..15; w[12] is
	 * left 0 so that nothing below can silently depend on it. */
	for (i = 0; i < 16; i++)
		w[i] = t->w[i];
	w[12] = 0;
	w[16] = FH_SSIG1(w[14]) + w[9] + FH_SSIG0(w[1]) + w[0];
	w[17] = FH_SSIG1(w[15]) + w[10] + FH_SSIG0(w[2]) + w[1];
	w[18] = FH_SSIG1(w[16]) + w[11] + FH_SSIG0(w[3]) + w[2];
	w[20] = FH_SSIG1(w[18]) + w[13] + FH_SSIG0(w[5]) + w[4];
	w[22] = FH_SSIG1(w[20]) + w[15] + FH_SSIG0(w[7]) + w[6];
	w[24] = FH_SSIG1(w[22]) + w[17] + FH_SSIG0(w[9]) + w[8];
	w[19] = w[21] = w[23] = 0;

	fh_template_rounds(t, s);
	/* Round 12 without its w[12]: t1 = t1c + lane, so a = t1c + t2 +
	 * lane and e = d + t1c + lane. */
	t1 = s[7] + FH_BSIG1(s[4]) + FH_CH(s[4], s[5], s[6]) + fh_sha256_k[12];
	t2 = FH_BSIG0(s[0]) + FH_MAJ(s[0], s[1], s[2]);
	p->a13 = t1 + t2;
	p->e13 = s[3] + t1;
	p->b13 = s[0];
	p->c13 = s[1];
	p->d13 = s[2];
	p->f13 = s[4];
	p->g13 = s[5];
	/* h of rounds 13, 14 and 15 is g, f and e after round 11. */
	p->hkw[13] = s[6] + fh_sha256_k[13] + w[13];
	p->hkw[14] = s[5] + fh_sha256_k[14] + w[14];
	p->hkw[15] = s[4] + fh_sha256_k[15] + w[15];

	for (i = 0; i < 64; i++)
		p->kw[i] = fh_sha256_k[i];
	p->kw[16] += w[16];
	p->kw[17] += w[17];
	p->kw[18] += w[18];
	p->kw[20] += w[20];
	p->kw[22] += w[22];
	p->kw[24] += w[24];

	/* The constant parts; the vector parts are in FH_SIMD_H0 beside
	 * the same index. */
	for (i = 0; i < 41; i++)
		p->c[i] = 0;
	p->c[19] = FH_SSIG1(w[17]) + FH_SSIG0(w[4]) + w[3];
	p->c[21] = w[14] + FH_SSIG0(w[6]) + w[5];
	p->c[23] = w[16] + FH_SSIG0(w[8]) + w[7];
	p->c[25] = w[18] + FH_SSIG0(w[10]) + w[9];
	p->c[26] = FH_SSIG1(w[24]) + FH_SSIG0(w[11]) + w[10];
	p->c[27] = w[20] + w[11];
	p->c[28] = FH_SSIG0(w[13]);
	p->c[29] = w[22] + FH_SSIG0(w[14]) + w[13];
	p->c[30] = FH_SSIG0(w[15]) + w[14];
	p->c[31] = w[24] + FH_SSIG0(w[16]) + w[15];
	p->c[32] = FH_SSIG0(w[17]) + w[16];
	p->c[33] = FH_SSIG0(w[18]) + w[17];
	p->c[34] = w[18];
	p->c[35] = FH_SSIG0(w[20]);
	p->c[36] = w[20];
	p->c[37] = FH_SSIG0(w[22]);
	p->c[38] = w[22];
	p->c[39] = FH_SSIG0(w[24]);
	p->c[40] = w[24];
	p->iv0 = fh_sha256_h0[0];
}

/* One round: d becomes the new e, h the new a; the caller rotates the
 * names.  hkw is h + K + W.  The sums are ordered for latency, not for
 * the fewest additions.  e after the round is ((d + hkw) + Ch(e)) +
 * Sigma1(e): d + hkw is ready before e is, so each path from e is three
 * operations deep (rotate, logic, add, or logic, add, add), against four
 * when t1 is summed first and d + t1 added after.  The new a is then
 * ((new e - d) + Maj(a)) + Sigma0(a), new e - d being t1: again three deep
 * from a.  The extra subtraction costs a vector operation a round, which
 * is cheaper than the cycles it saves where an integer vector operation
 * has a latency of 2 (AMD Zen 5): 5% on the 16-lane kernel there.  gcc
 * 12 folds the subtraction back out of the AVX-512 kernel's two-group
 * form (17 operations a round, bench/spills counts them), where the two
 * independent chains hide the latency instead. */
#define FH_RND(a, b, c, d, e, f, g, h, hkw)                                 \
	do {                                                                \
		VT e_ = V_ADD(V_ADD(V_ADD(d, (hkw)), V_CH(e, f, g)),        \
			      V_BSIG1(e));                                  \
		h = V_ADD(V_ADD(V_SUB(e_, d), V_MAJ(a, b, c)), V_BSIG0(a)); \
		d = e_;                                                     \
	} while (0)
/* Round i with a lane-dependent schedule word w. */
#define FH_RV(a, b, c, d, e, f, g, h, i, w)                                 \
	FH_RND(a, b, c, d, e, f, g, h, V_ADD(h, V_ADD(w, V_BC(K_[i]))))
/* Round i with a constant schedule word, folded into kw. */
#define FH_RC(a, b, c, d, e, f, g, h, i)                                    \
	FH_RND(a, b, c, d, e, f, g, h, V_ADD(h, V_BC(P_->kw[i])))
/* The generic schedule word, every term lane-dependent. */
#define FH_W(i, w2, w7, w15, w16)                                           \
	VT x##i = V_ADD(V_ADD(V_SSIG1(w2), w7), V_ADD(V_SSIG0(w15), w16))

/* Sets h0 (a VT) to the first digest word of lane words lanes, given P_ (the
 * template's struct fh_pre) and K_ (fh_sha256_k), both pointers the caller
 * may launder so that the compiler reads the broadcasts from memory inside
 * the loop instead of hoisting 90 of them into registers and spilling. */
#define FH_SIMD_H0(h0, lanes)                                               \
	do {                                                                \
		VT x12 = (lanes);                                           \
		VT A = V_ADD(V_BC(P_->a13), x12), B = V_BC(P_->b13);        \
		VT C = V_BC(P_->c13), D = V_BC(P_->d13);                    \
		VT E = V_ADD(V_BC(P_->e13), x12), F = V_BC(P_->f13);        \
		VT G = V_BC(P_->g13), H;                                    \
		/* rounds 13..15: h, K and W all constant */                \
		FH_RND(A, B, C, D, E, F, G, H, V_BC(P_->hkw[13]));          \
		FH_RND(H, A, B, C, D, E, F, G, V_BC(P_->hkw[14]));          \
		FH_RND(G, H, A, B, C, D, E, F, V_BC(P_->hkw[15]));          \
		FH_RC(F, G, H, A, B, C, D, E, 16);                          \
		FH_RC(E, F, G, H, A, B, C, D, 17);                          \
		FH_RC(D, E, F, G, H, A, B, C, 18);                          \
		VT x19 = V_ADD(x12, V_BC(P_->c[19]));                       \
		FH_RV(C, D, E, F, G, H, A, B, 19, x19);                     \
		FH_RC(B, C, D, E, F, G, H, A, 20);                          \
		VT x21 = V_ADD(V_SSIG1(x19), V_BC(P_->c[21]));              \
		FH_RV(A, B, C, D, E, F, G, H, 21, x21);                     \
		FH_RC(H, A, B, C, D, E, F, G, 22);                          \
		VT x23 = V_ADD(V_SSIG1(x21), V_BC(P_->c[23]));              \
		FH_RV(G, H, A, B, C, D, E, F, 23, x23);                     \
		FH_RC(F, G, H, A, B, C, D, E, 24);                          \
		VT x25 = V_ADD(V_SSIG1(x23), V_BC(P_->c[25]));              \
		FH_RV(E, F, G, H, A, B, C, D, 25, x25);                     \
		VT x26 = V_ADD(x19, V_BC(P_->c[26]));                       \
		FH_RV(D, E, F, G, H, A, B, C, 26, x26);                     \
		VT x27 = V_ADD(V_ADD(V_SSIG1(x25), V_SSIG0(x12)),           \
			       V_BC(P_->c[27]));                            \
		FH_RV(C, D, E, F, G, H, A, B, 27, x27);                     \
		VT x28 = V_ADD(V_ADD(V_SSIG1(x26), x21),                    \
			       V_ADD(x12, V_BC(P_->c[28])));                \
		FH_RV(B, C, D, E, F, G, H, A, 28, x28);                     \
		VT x29 = V_ADD(V_SSIG1(x27), V_BC(P_->c[29]));              \
		FH_RV(A, B, C, D, E, F, G, H, 29, x29);                     \
		VT x30 = V_ADD(V_ADD(V_SSIG1(x28), x23), V_BC(P_->c[30]));  \
		FH_RV(H, A, B, C, D, E, F, G, 30, x30);                     \
		VT x31 = V_ADD(V_SSIG1(x29), V_BC(P_->c[31]));              \
		FH_RV(G, H, A, B, C, D, E, F, 31, x31);                     \
		VT x32 = V_ADD(V_ADD(V_SSIG1(x30), x25), V_BC(P_->c[32]));  \
		FH_RV(F, G, H, A, B, C, D, E, 32, x32);                     \
		VT x33 = V_ADD(V_ADD(V_SSIG1(x31), x26), V_BC(P_->c[33]));  \
		FH_RV(E, F, G, H, A, B, C, D, 33, x33);                     \
		VT x34 = V_ADD(V_ADD(V_SSIG1(x32), x27),                    \
			       V_ADD(V_SSIG0(x19), V_BC(P_->c[34])));       \
		FH_RV(D, E, F, G, H, A, B, C, 34, x34);                     \
		VT x35 = V_ADD(V_ADD(V_SSIG1(x33), x28),                    \
			       V_ADD(x19, V_BC(P_->c[35])));                \
		FH_RV(C, D, E, F, G, H, A, B, 35, x35);                     \
		VT x36 = V_ADD(V_ADD(V_SSIG1(x34), x29),                    \
			       V_ADD(V_SSIG0(x21), V_BC(P_->c[36])));       \
		FH_RV(B, C, D, E, F, G, H, A, 36, x36);                     \
		VT x37 = V_ADD(V_ADD(V_SSIG1(x35), x30),                    \
			       V_ADD(x21, V_BC(P_->c[37])));                \
		FH_RV(A, B, C, D, E, F, G, H, 37, x37);                     \
		VT x38 = V_ADD(V_ADD(V_SSIG1(x36), x31),                    \
			       V_ADD(V_SSIG0(x23), V_BC(P_->c[38])));       \
		FH_RV(H, A, B, C, D, E, F, G, 38, x38);                     \
		VT x39 = V_ADD(V_ADD(V_SSIG1(x37), x32),                    \
			       V_ADD(x23, V_BC(P_->c[39])));                \
		FH_RV(G, H, A, B, C, D, E, F, 39, x39);                     \
		VT x40 = V_ADD(V_ADD(V_SSIG1(x38), x33),                    \
			       V_ADD(V_SSIG0(x25), V_BC(P_->c[40])));       \
		FH_RV(F, G, H, A, B, C, D, E, 40, x40);                     \
		FH_W(41, x39, x34, x26, x25);                               \
		FH_RV(E, F, G, H, A, B, C, D, 41, x41);                     \
		FH_W(42, x40, x35, x27, x26);                               \
		FH_RV(D, E, F, G, H, A, B, C, 42, x42);                     \
		FH_W(43, x41, x36, x28, x27);                               \
		FH_RV(C, D, E, F, G, H, A, B, 43, x43);                     \
		FH_W(44, x42, x37, x29, x28);                               \
		FH_RV(B, C, D, E, F, G, H, A, 44, x44);                     \
		FH_W(45, x43, x38, x30, x29);                               \
		FH_RV(A, B, C, D, E, F, G, H, 45, x45);                     \
		FH_W(46, x44, x39, x31, x30);                               \
		FH_RV(H, A, B, C, D, E, F, G, 46, x46);                     \
		FH_W(47, x45, x40, x32, x31);                               \
		FH_RV(G, H, A, B, C, D, E, F, 47, x47);                     \
		FH_W(48, x46, x41, x33, x32);                               \
		FH_RV(F, G, H, A, B, C, D, E, 48, x48);                     \
		FH_W(49, x47, x42, x34, x33);                               \
		FH_RV(E, F, G, H, A, B, C, D, 49, x49);                     \
		FH_W(50, x48, x43, x35, x34);                               \
		FH_RV(D, E, F, G, H, A, B, C, 50, x50);                     \
		FH_W(51, x49, x44, x36, x35);                               \
		FH_RV(C, D, E, F, G, H, A, B, 51, x51);                     \
		FH_W(52, x50, x45, x37, x36);                               \
		FH_RV(B, C, D, E, F, G, H, A, 52, x52);                     \
		FH_W(53, x51, x46, x38, x37);                               \
		FH_RV(A, B, C, D, E, F, G, H, 53, x53);                     \
		FH_W(54, x52, x47, x39, x38);                               \
		FH_RV(H, A, B, C, D, E, F, G, 54, x54);                     \
		FH_W(55, x53, x48, x40, x39);                               \
		FH_RV(G, H, A, B, C, D, E, F, 55, x55);                     \
		FH_W(56, x54, x49, x41, x40);                               \
		FH_RV(F, G, H, A, B, C, D, E, 56, x56);                     \
		FH_W(57, x55, x50, x42, x41);                               \
		FH_RV(E, F, G, H, A, B, C, D, 57, x57);                     \
		FH_W(58, x56, x51, x43, x42);                               \
		FH_RV(D, E, F, G, H, A, B, C, 58, x58);                     \
		FH_W(59, x57, x52, x44, x43);                               \
		FH_RV(C, D, E, F, G, H, A, B, 59, x59);                     \
		FH_W(60, x58, x53, x45, x44);                               \
		FH_RV(B, C, D, E, F, G, H, A, 60, x60);                     \
		FH_W(61, x59, x54, x46, x45);                               \
		FH_RV(A, B, C, D, E, F, G, H, 61, x61);                     \
		FH_W(62, x60, x55, x47, x46);                               \
		FH_RV(H, A, B, C, D, E, F, G, 62, x62);                     \
		FH_W(63, x61, x56, x48, x47);                               \
		FH_RV(G, H, A, B, C, D, E, F, 63, x63);                     \
		h0 = V_ADD(F, V_BC(P_->iv0));                               \
	} while (0)

#endif
