/* verify.c: Nettle's SHA-256, the reference.  Every answer is re-hashed
 * here before it counts and again before it is printed. */
#include <config.h>

#include <nettle/sha2.h>

#include "search.h"

void fh_sha256(const char *text, size_t len, uint8_t digest[32])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
}

void fh_hex(const uint8_t digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

int fh_verify(const char *text, size_t len, const struct fh_prefix *p)
{
	uint8_t digest[32];

	fh_sha256(text, len, digest);
	return fh_prefix_matches(p, digest);
}
