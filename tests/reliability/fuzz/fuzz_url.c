/* fuzz_url.c: libFuzzer target for the broker URL (src/queue/url.c):
 * parsing, the shown form, redaction, and fh_url_resolve's error line.
 *
 * The first input byte picks a mode:
 *  - any text: fh_url_redact writes a NUL-terminated, printable string
 *    within every buffer size; fh_url_parse either fails with a reason or
 *    fills a printable shown form that hides the password;
 *  - a URL around a known password: "amqp[s]://" A ":" PASSWORD B "@" C
 *    with A, B, C from the input (B may hold ':' '/' '@' ...), or cut
 *    short before the '@' ("amqp[s]://" A ":" PASSWORD B).  Whether
 *    it parses or not, neither the redacted text, nor the shown form, nor
 *    the error line fh_url_resolve prints may contain the password's
 *    marker.
 * fh_err is replaced by a function that keeps the line to be checked. */
#include <config.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "run.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
#define MARK "Zq7pWmark"

struct fh_queue_opts fh_qopt;
const char *fh_progname = "find-hash";
static char err_line[2048];

void fh_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_line, sizeof err_line, fmt, ap);
	va_end(ap);
}

static void check_printable(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	CHECK(n < size);
	for (size_t i = 0; i < n; i++)
		CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

static void check_redact(const char *text, const char *secret)
{
	static const size_t sizes[] = { 1, 2, 5, 9, 17, 40, 300 };

	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char *out = malloc(sizes[k]);

		CHECK(out != NULL);
		fh_url_redact(text, out, sizes[k]);
		check_printable(out, sizes[k]);
		if (secret)
			CHECK(strstr(out, secret) == NULL);
		free(out);
	}
}

static void check_parse(const char *text, const char *secret)
{
	struct fh_url u;
	const char *why = NULL;

	if (fh_url_parse(text, &u, &why) < 0) {
		CHECK(why != NULL && *why != '\0');
		CHECK(u.buf == NULL);
	} else {
		check_printable(u.shown, sizeof u.shown);
		CHECK(strncmp(u.shown, "amqp", 4) == 0);
		CHECK(u.host != NULL && *u.host != '\0');
		CHECK(u.vhost != NULL && *u.vhost != '\0');
		CHECK(u.port > 0 && u.port <= 65535);
		if (u.password && *u.password)
			CHECK(strstr(u.shown, ":***@") != NULL);
		if (secret)
			CHECK(strstr(u.shown, secret) == NULL);
		fh_url_free(&u);
	}
	/* the way the program takes it: --url, and its error line */
	memset(&fh_qopt, 0, sizeof fh_qopt);
	fh_qopt.url = (char *)text;
	err_line[0] = '\0';
	if (fh_url_resolve(&u, &fh_qopt) < 0) {
		CHECK(err_line[0] != '\0');
	} else {
		if (secret)
			CHECK(strstr(u.shown, secret) == NULL);
		fh_url_free(&u);
	}
	if (secret)
		CHECK(strstr(err_line, secret) == NULL);
	fh_qopt.url = NULL;
}

/* The next piece of data up to a 0xff byte (or the end), without NULs
 * (a C string ends there) and, in a piece that must not hide the marker,
 * without '%' (a %-encoded marker decodes to the marker itself, which the
 * shown form may rightly print as part of a host or vhost). */
static size_t piece(const uint8_t **d, const uint8_t *end, char *out,
		    size_t cap, int no_percent)
{
	size_t n = 0;

	while (*d < end && **d != 0xff) {
		uint8_t c = *(*d)++;

		if (c == 0 || (no_percent && c == '%'))
			continue;
		if (n + 1 < cap)
			out[n++] = (char)c;
	}
	if (*d < end)
		(*d)++;
	out[n] = '\0';
	return n;
}

/* Drops from s every character of set. */
static void strip(char *s, const char *set)
{
	char *o = s;

	for (; *s; s++)
		if (!strchr(set, *s))
			*o++ = *s;
	*o = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *d = data, *end = data + size;
	char a[200], b[200], c[400], *text;

	if (size == 0 || size > 4096)
		return 0;
	if (data[0] & 1) {
		/* any text */
		text = strndup((const char *)data + 1, size - 1);
		CHECK(text != NULL);
		check_redact(text, NULL);
		check_parse(text, NULL);
		free(text);
		return 0;
	}
	d++;
	piece(&d, end, a, sizeof a, 1);
	piece(&d, end, b, sizeof b, 0);
	piece(&d, end, c, sizeof c, 1);
	if (data[0] & 4) {
		/* cut short before "@host": "amqp[s]://" A ":" PASSWORD B,
		 * A without the characters that would end the host, B
		 * without '@', so the password stands where the port goes */
		strip(a, ":/@?[]");
		strip(b, "@");
	}
	if (strstr(a, MARK) || strstr(c, MARK))
		return 0;
	text = malloc(strlen(a) + strlen(b) + strlen(c) + sizeof MARK + 16);
	CHECK(text != NULL);
	if (data[0] & 4) {
		sprintf(text, "%s://%s:%s%s", data[0] & 2 ? "amqps" : "amqp",
			a, MARK, b);
	} else {
		sprintf(text, "%s://%s:%s%s@%s",
			data[0] & 2 ? "amqps" : "amqp", a, MARK, b, c);
	}
	check_redact(text, MARK);
	check_parse(text, MARK);
	free(text);
	return 0;
}
