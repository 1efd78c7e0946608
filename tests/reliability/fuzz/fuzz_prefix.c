/* fuzz_prefix.c: libFuzzer target for the prefix parser and the printable
 * form of untrusted bytes (src/search/prefix.c), the first code a queue
 * message or a command-line argument reaches.
 *
 * Invariants checked on every input:
 *  - fh_prefix_parse succeeds exactly when the input, trimmed of ASCII
 *    white space, is 1..64 hex digits not starting with 0x;
 *  - on success hex is those digits in lower case, digits is its length,
 *    mask/value agree with it, and parsing hex again gives the same prefix;
 *  - fh_printable writes a NUL-terminated string within the buffer, made of
 *    printable ASCII only, for every buffer size and cut length. */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static int space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int hexdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static void check_parse(const uint8_t *data, size_t size)
{
	struct fh_prefix p, q;
	const char *why = NULL;
	size_t s = 0, e = size, i;
	int want, r;

	/* the model: trim, then 1..64 hex digits, no leading 0x */
	while (s < e && space(data[s]))
		s++;
	while (e > s && space(data[e - 1]))
		e--;
	want = e - s >= 1 && e - s <= FH_PREFIX_MAX_DIGITS;
	for (i = s; want && i < e; i++)
		want = hexdigit(data[i]);
	if (e - s >= 2 && data[s] == '0' && (data[s + 1] | 0x20) == 'x')
		want = 0;

	r = fh_prefix_parse((const char *)data, size, &p, &why);
	CHECK((r == 0) == want);
	if (r < 0) {
		CHECK(why != NULL && *why != '\0');
		return;
	}
	CHECK(p.digits == e - s);
	CHECK(strlen(p.hex) == p.digits);
	for (i = 0; i < p.digits; i++) {
		unsigned char c = (unsigned char)p.hex[i];
		unsigned v, word = (unsigned)(i / 8), shift = 28 - 4 * (i % 8);

		CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
		CHECK(c == (unsigned char)(data[s + i] | (data[s + i] >= 'A' ? 0x20 : 0)));
		v = c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a' + 10);
		CHECK(((p.mask[word] >> shift) & 0xf) == 0xf);
		CHECK(((p.value[word] >> shift) & 0xf) == v);
	}
	/* bits past the last digit are not compared */
	for (i = p.digits; i < FH_PREFIX_MAX_DIGITS; i++)
		CHECK(((p.mask[i / 8] >> (28 - 4 * (i % 8))) & 0xf) == 0);
	CHECK(fh_prefix_parse(p.hex, p.digits, &q, &why) == 0);
	CHECK(memcmp(&p, &q, sizeof p) == 0);
}

static void check_printable(const uint8_t *data, size_t size)
{
	/* buffer sizes and cut lengths taken from the input's first bytes,
	 * plus the worker's own (40 shown, 40 * 4 + 8 bytes) */
	size_t outsize = size ? data[0] % 200 : 17;
	size_t max = size > 1 ? data[1] % 100 : 40;
	size_t sizes[2] = { outsize, 40 * 4 + 8 }, maxes[2] = { max, 40 };

	for (int k = 0; k < 2; k++) {
		/* a heap buffer of exactly the size, so ASan sees overflows */
		char *out = malloc(sizes[k] ? sizes[k] : 1);
		size_t n;

		CHECK(out != NULL);
		memset(out, 'Z', sizes[k] ? sizes[k] : 1);
		fh_printable(out, sizes[k], (const char *)data, size, maxes[k]);
		if (sizes[k] == 0) {
			CHECK(out[0] == 'Z'); /* nothing written */
			free(out);
			continue;
		}
		n = strnlen(out, sizes[k]);
		CHECK(n < sizes[k]);
		for (size_t i = 0; i < n; i++)
			CHECK(out[i] >= 0x20 && out[i] < 0x7f);
		/* at most max source bytes shown, each as 1 or 4 characters,
		 * plus "..." */
		CHECK(n <= 4 * maxes[k] + 3);
		free(out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_parse(data, size);
	check_printable(data, size);
	return 0;
}
