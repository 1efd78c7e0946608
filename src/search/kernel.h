/* kernel.h: the contract between the search engine and its SHA-256 kernels.
 *
 * A candidate is a 52-character string, one SHA-256 block:
 *
 *   bytes  0..35  base: random [A-Za-z0-9], fixed for the whole run
 *   bytes 36..47  the high 48 bits of the candidate's counter, 4 bits a
 *                 character, 'A' + nibble, most significant first
 *   bytes 48..51  the low 16 bits of the counter, the same way
 *   byte  52      0x80 padding, then zeros, then the bit length 416
 *
 * So all candidates of one "template" (one value of the high counter bits)
 * share message words w[0..11] and differ only in w[12]; a kernel computes
 * rounds 0..11 once per template and only rounds 12..63 per candidate.  The
 * varying characters come last on purpose: that is what makes the shared
 * rounds possible.  Every character stays in [A-Za-z0-9].
 *
 * A kernel never decides that a candidate is an answer.  It applies a cheap
 * filter to the first digest word (the first 8 hex digits) and reports the
 * lanes that pass; the engine confirms each with Nettle before it counts.
 * That keeps the fast kernels out of the correctness argument: a kernel bug
 * can cost speed (missed lanes) but can never print a wrong answer, and the
 * kernel tests catch the missed lanes.
 *
 * Kernels differ only by their instruction-set suffix (fh_kernel_portable,
 * fh_kernel_avx2, ...); dispatch.c picks one at run time. */
#ifndef FH_KERNEL_H
#define FH_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#define FH_CAND_LEN 52            /* characters in a candidate string */
#define FH_BASE_LEN 36            /* random characters, bytes 0..35 */
#define FH_HI_CHARS 12            /* counter bits 16..63, bytes 36..47 */
#define FH_LO_CHARS 4             /* counter bits 0..15, bytes 48..51 */
#define FH_LANE_WORD 12           /* message word holding the low chars */
#define FH_TEMPLATE_SIZE 65536u   /* candidates per template (2^16) */
#define FH_GROUP 16               /* bitmap granularity: one uint16_t */
#define FH_MAX_FILTERS 64         /* first-word filters one call can test */
#define FH_BITMAP_BITS 24         /* leading digest bits a bitmap filter reads */
#define FH_COARSE_BITS 20         /* and its coarse copy, to stay in cache */

/* One template: the message block of candidate (hi << 16) + j is w[] with
 * w[FH_LANE_WORD] replaced by fh_lane_word(j).  Words are big-endian, as
 * SHA-256 reads them. */
struct fh_template {
	uint32_t w[16];
};

/* The first-word test: a digest passes filter i when
 * (h0 & mask[i]) == value[i], h0 being the first digest word (big-endian,
 * so the first hex digit is its top nibble).  A prefix of 8 or more digits
 * has mask 0xffffffff; a prefix of d < 8 digits has the top 4d bits set.
 *
 * Many prefixes: comparing each one in every lane would cost more than the
 * hash, so beyond FH_MAX_FILTERS the engine sets bitmap instead, one bit
 * for each value of the first FH_BITMAP_BITS digest bits (2^24 bits,
 * 2 MiB): a digest also passes when its bit is set (fh_bitmap_passes), one
 * lookup whatever the number of prefixes.  When h0 is set too, a kernel
 * stores the first digest word of every lane it reports in h0[j], so that
 * the engine can tell which prefix a lane matched without hashing it
 * again.  A bitmap comes with coarse, 2^20 bits (128 KiB), bit i set when
 * any of bits 16i .. 16i+15 of bitmap is: a kernel may read it first, from
 * a near cache, and the bitmap (mostly out of the caches) only for the few
 * lanes it passes.  And with the same bitmap in a form that stays in the
 * near caches too (fh_bitmap_fine): for the i-th set bit of coarse, in
 * order, fine[i] holds the 16 bitmap bits it stands for, and rank[w] is
 * the number of set bits of coarse in its words below w, so that bitmap
 * bits 16c .. 16c+15 (coarse bit c set) are fine[rank[c / 32] + the set
 * bits of coarse[c / 32] below bit c % 32].  100,000 prefixes take about
 * 450 KiB there (coarse, rank and fine) against 2 MiB for the bitmap, whose
 * reads, even prefetched, stalled the AVX-512 kernel.  All are NULL in the
 * plain case.  A kernel may also store in h0 the words of lanes it does
 * not report, within the range it was given. */
struct fh_filter {
	unsigned n;
	uint32_t mask[FH_MAX_FILTERS];
	uint32_t value[FH_MAX_FILTERS];
	const uint32_t *bitmap;   /* NULL, or 2^FH_BITMAP_BITS bits */
	const uint32_t *coarse;   /* with bitmap, 2^FH_COARSE_BITS bits */
	const uint32_t *rank;     /* with bitmap, 2^(FH_COARSE_BITS - 5) */
	const uint16_t *fine;     /* with bitmap, fh_bitmap_fine's count */
	uint32_t *h0;             /* NULL, or FH_TEMPLATE_SIZE words */
};

/* Fills rank (2^(FH_COARSE_BITS - 5) words) and, unless it is NULL, fine
 * from bitmap and coarse; returns the number of words fine needs, one a
 * set bit of coarse plus a spare zero one (so that it is never 0). */
static inline uint32_t fh_bitmap_fine(const uint32_t *bitmap,
				      const uint32_t *coarse, uint32_t *rank,
				      uint16_t *fine)
{
	uint32_t w, n = 0;

	for (w = 0; w < 1u << (FH_COARSE_BITS - 5); w++) {
		uint32_t bits = coarse[w];

		rank[w] = n;
		for (; bits; bits &= bits - 1) {
			uint32_t c = 32 * w + (uint32_t)__builtin_ctz(bits);

			if (fine)
				fine[n] = (uint16_t)(bitmap[c / 2] >>
						     (16 * (c % 2)));
			n++;
		}
	}
	if (fine)
		fine[n] = 0;
	return n + 1;
}

static inline int fh_bitmap_passes(const uint32_t *bitmap, uint32_t h0)
{
	uint32_t i = h0 >> (32 - FH_BITMAP_BITS);

	return (int)(bitmap[i >> 5] >> (i & 31) & 1);
}

/* The whole first-word test in plain C: the compares, then the bitmap. */
static inline int fh_filter_passes(const struct fh_filter *f, uint32_t h0)
{
	unsigned k;

	for (k = 0; k < f->n; k++)
		if ((h0 & f->mask[k]) == f->value[k])
			return 1;
	return f->bitmap && fh_bitmap_passes(f->bitmap, h0);
}

/* The low counter bits j (0..65535) as message word 12: four characters
 * 'A' + nibble, the most significant nibble first. */
static inline uint32_t fh_lane_word(uint32_t j)
{
	uint32_t spread = (j & 0xfu) | (j & 0xf0u) << 4 | (j & 0xf00u) << 8 |
			  (j & 0xf000u) << 12;
	return 0x41414141u + spread;
}

/* For the SIMD kernels, after their vector compares: pass (a bit per lane
 * of the words v[0..n), lane l being candidate j0 + l) plus the lanes that
 * pass the bitmap, limited to valid; stores the words of those lanes in
 * f->h0 when it is set.  Scalar work, but one lookup a lane, on ports the
 * vector rounds leave idle. */
static inline unsigned fh_filter_lanes(const struct fh_filter *f,
				       const uint32_t *v, unsigned n,
				       unsigned valid, unsigned pass,
				       uint32_t j0)
{
	unsigned l;

	if (f->bitmap)
		for (l = 0; l < n; l++)
			pass |= (unsigned)fh_bitmap_passes(f->bitmap, v[l]) << l;
	pass &= valid;
	if (f->h0)
		for (l = 0; l < n; l++)
			if (pass >> l & 1)
				f->h0[j0 + l] = v[l];
	return pass;
}

/* A kernel hashes candidates first .. first+count-1 of template t
 * (first + count <= FH_TEMPLATE_SIZE, count may be 0, neither need be a
 * multiple of anything) and, for each one whose first digest word passes
 * f (fh_filter_passes), sets bit (j % 16) of hits[j / 16] (and, when f->h0
 * is set, stores the word in f->h0[j]).  It only ever sets
 * bits inside the range, never clears any (the caller zeroes hits), and
 * returns the number of bits it set.  It must be safe to call from many
 * threads at once: no static mutable state. */
typedef unsigned (*fh_kernel_fn)(const struct fh_template *t,
				 const struct fh_filter *f, uint32_t first,
				 uint32_t count, uint16_t *hits);

struct fh_kernel {
	const char *name;     /* "portable", "shani", "avx2", "avx512" */
	fh_kernel_fn run;
	int (*cpu_has)(void); /* 1 when this CPU can run it */
};

/* The state after rounds 0..11, which read only w[0..11] and so are the
 * same for every candidate of a template: each kernel starts from it, once
 * per call.  Plain C, defined in kernel_portable.c. */
void fh_template_rounds(const struct fh_template *t, uint32_t s[8]);

unsigned fh_kernel_portable(const struct fh_template *t,
			    const struct fh_filter *f, uint32_t first,
			    uint32_t count, uint16_t *hits);
/* kernel_vec128.c: four lanes in GNU C vectors (configure builds it on
 * x86-64, elsewhere with --enable-vec128). */
unsigned fh_kernel_vec128(const struct fh_template *t,
			  const struct fh_filter *f, uint32_t first,
			  uint32_t count, uint16_t *hits);
/* The x86-64 kernels (kernel_shani.c, kernel_avx2.c, kernel_avx512.c),
 * compiled only there and called only when the CPU has the instructions. */
unsigned fh_kernel_shani(const struct fh_template *t,
			 const struct fh_filter *f, uint32_t first,
			 uint32_t count, uint16_t *hits);
unsigned fh_kernel_avx2(const struct fh_template *t,
			const struct fh_filter *f, uint32_t first,
			uint32_t count, uint16_t *hits);
unsigned fh_kernel_avx512(const struct fh_template *t,
			  const struct fh_filter *f, uint32_t first,
			  uint32_t count, uint16_t *hits);

/* kernel_portable.c: one full SHA-256 compression of the big-endian words
 * w[0..15] into state[8], as FIPS 180-4 6.2.2 writes it: the independent
 * reference the kernel tests check the shortcuts above against. */
void fh_sha256_compress_portable(uint32_t state[8], const uint32_t w[16]);

/* dispatch.c: fh_kernel_list gives every kernel compiled into this binary,
 * best first, ending with the portable one; fh_kernel_find the one of that
 * name, or NULL.  fh_kernel_default is the choice for this CPU: the kernel
 * FIND_HASH_KERNEL names when it is set (NULL when that kernel is unknown
 * or this CPU cannot run it), else the first one the CPU can run. */
const struct fh_kernel *fh_kernel_list(size_t *n);
const struct fh_kernel *fh_kernel_find(const char *name);
const struct fh_kernel *fh_kernel_default(void);

#endif
