/* candidate.c: the candidate strings, built from a random base and a
 * counter (the layout is described in kernel.h), and the split of the
 * counter space into shards. */
#include <config.h>

#include <errno.h>
#include <string.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include "search.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/* splitmix64: a small, well-mixed generator; with --seed it makes the base,
 * and so every answer, a function of the seed. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

int fh_base_init(struct fh_base *b, int seeded, uint64_t seed)
{
	unsigned char bytes[4 * FH_BASE_LEN];
	size_t have = 0, i = 0;

	while (i < FH_BASE_LEN) {
		unsigned char c;

		if (have == 0) {
			if (seeded) {
				size_t k;
				for (k = 0; k < sizeof bytes; k += 8) {
					uint64_t r = splitmix64(&seed);
					memcpy(bytes + k, &r, 8);
				}
			} else {
				ssize_t n = getrandom(bytes, sizeof bytes, 0);
				if (n < 0) {
					if (errno == EINTR)
						continue;
					return -1;
				}
				if ((size_t)n < sizeof bytes)
					continue;
			}
			have = sizeof bytes;
		}
		c = bytes[--have];
		/* 248 = 4 * 62: rejecting the rest keeps every character
		 * equally likely. */
		if (c < 248)
			b->chars[i++] = alphabet[c % 62];
	}
	return 0;
}

static void put_nibbles(char *out, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		out[i] = (char)('A' + ((v >> (4 * (n - 1 - i))) & 15));
}

void fh_candidate(const struct fh_base *b, uint64_t counter,
		  char out[FH_CAND_LEN + 1])
{
	memcpy(out, b->chars, FH_BASE_LEN);
	put_nibbles(out + FH_BASE_LEN, counter >> 16, FH_HI_CHARS);
	put_nibbles(out + FH_BASE_LEN + FH_HI_CHARS, counter & 0xffff,
		    FH_LO_CHARS);
	out[FH_CAND_LEN] = '\0';
}

void fh_template_init(struct fh_template *t, const struct fh_base *b,
		      uint64_t hi)
{
	char text[FH_CAND_LEN + 1];
	unsigned i;

	fh_candidate(b, hi << 16, text);
	for (i = 0; i < FH_LANE_WORD; i++)
		t->w[i] = (uint32_t)(unsigned char)text[4 * i] << 24 |
			  (uint32_t)(unsigned char)text[4 * i + 1] << 16 |
			  (uint32_t)(unsigned char)text[4 * i + 2] << 8 |
			  (uint32_t)(unsigned char)text[4 * i + 3];
	t->w[FH_LANE_WORD] = fh_lane_word(0);
	t->w[13] = 0x80000000u;        /* the padding bit after 52 bytes */
	t->w[14] = 0;
	t->w[15] = FH_CAND_LEN * 8;    /* the message length in bits */
}

void fh_shard_range(uint64_t i, uint64_t n, uint64_t space, uint64_t *lo,
		    uint64_t *hi)
{
	/* floor(i * space / n) in 128 bits: the boundaries of consecutive
	 * shards coincide, so shards cover the space once and only once, also
	 * when n does not divide it. */
	*lo = (uint64_t)((unsigned __int128)space * i / n);
	*hi = (uint64_t)((unsigned __int128)space * (i + 1) / n);
}
