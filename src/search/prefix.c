/* prefix.c: reading a hex prefix from untrusted text, and testing digests
 * against it.  The text may come from a command line or a queue message,
 * so it can be any bytes: NULs, invalid UTF-8, a megabyte of junk. */
#include <config.h>

#include <string.h>

#include "search.h"

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fh_prefix_parse(const char *text, size_t len, struct fh_prefix *out,
		    const char **why)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i;

	while (len > 0 && is_space(s[0])) {
		s++;
		len--;
	}
	while (len > 0 && is_space(s[len - 1]))
		len--;

	memset(out, 0, sizeof *out);
	if (len == 0) {
		*why = "empty, a prefix needs 1 to 64 hex digits";
		return -1;
	}
	/* The usual mistake is a C-style 0x: name it rather than the 'x'. */
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		*why = "starts with 0x, give the hex digits alone";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (hex_value(s[i]) < 0) {
			*why = s[i] < 0x20 || s[i] >= 0x7f ?
				       "holds a byte that is not a hex digit" :
				       "holds a character that is not a hex digit";
			return -1;
		}
	}
	if (len > FH_PREFIX_MAX_DIGITS) {
		*why = "too long, at most 64 hex digits";
		return -1;
	}

	out->digits = (unsigned)len;
	for (i = 0; i < len; i++) {
		unsigned v = (unsigned)hex_value(s[i]);
		unsigned word = (unsigned)(i / 8), shift = 28 - 4 * (i % 8);

		out->hex[i] = "0123456789abcdef"[v];
		out->mask[word] |= 0xfu << shift;
		out->value[word] |= v << shift;
	}
	out->hex[len] = '\0';
	return 0;
}

int fh_prefix_matches(const struct fh_prefix *p, const uint8_t digest[32])
{
	unsigned i;

	for (i = 0; i < 8; i++) {
		uint32_t w = (uint32_t)digest[4 * i] << 24 |
			     (uint32_t)digest[4 * i + 1] << 16 |
			     (uint32_t)digest[4 * i + 2] << 8 | digest[4 * i + 3];

		if ((w & p->mask[i]) != p->value[i])
			return 0;
	}
	return 1;
}

void fh_printable(char *out, size_t outsize, const char *text, size_t len,
		  size_t max)
{
	size_t i, o = 0, shown = len < max ? len : max;

	if (outsize == 0)
		return;
	for (i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)text[i];

		if (o + 8 >= outsize)
			break;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			out[o++] = (char)c;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (i < len && o + 4 <= outsize) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
