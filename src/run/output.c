/* output.c: answers on stdout, errors on stderr, and the last check that a
 * printed answer is right. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

const char *fh_progname = "find-hash";

/* A failed write to stdout was said already: by fh_flush_stdout, or by
 * fh_print_answer's caller, which knows what it means (offline: the answer
 * is lost; queue: the message is requeued).  fh_close_stdout then does not
 * say it a second time. */
static int write_error_said;

/* --quiet, for fh_note. */
static int quiet;

void fh_set_quiet(int q)
{
	quiet = q;
}

/* Where a URL in a line of text ends: at a blank or a quote. */
#define FH_URL_END " \t\r\n\v\f'\""

/* How much of p is FH_URL_HINT itself, to be shown as written: its
 * length, or 0.  Only when no '@' follows it before the URL's end: the
 * text would then be a URL whose password runs on past the hint's. */
static size_t url_hint(const char *p)
{
	size_t n = sizeof FH_URL_HINT - 1;

	/* the compares first: one_line asks at every byte of every message,
	 * and the hint holds no blank or quote, so past it the URL's end is
	 * all that is left to find */
	if (*p != FH_URL_HINT[0] || strncmp(p, FH_URL_HINT, n) != 0 ||
	    memchr(p + n, '@', strcspn(p + n, FH_URL_END)))
		return 0;
	return n;
}

/* line as one line that shows no secret: a URL's password (a mistyped
 * option, a URL given where a prefix goes) as ***, FH_URL_HINT as it
 * is, and every control byte but a tab (a newline, ESC, from a queue
 * name, an option value or a broker's reply text) as \xHH, so that one
 * message is one line on any terminal or log. */
static void one_line(const char *line, char *out, size_t size)
{
	const char *hide = NULL, *hide_end = NULL;
	size_t o = 0, hint;

	for (const char *p = line; *p && o + 5 < size; p++) {
		unsigned char c = (unsigned char)*p;

		if (!hide && (hint = url_hint(p)) && o + hint + 5 < size) {
			memcpy(out + o, p, hint);
			o += hint;
			p += hint - 1;
			continue;
		}
		if (hide && p == hide) {
			memcpy(out + o, "***", 3);
			o += 3;
			p = hide_end - 1;
			hide = NULL;
			continue;
		}
		if (!hide && *p == ':' && strncmp(p, "://", 3) == 0 &&
		    fh_url_password(p + 3, strcspn(p + 3, FH_URL_END), &hide,
				    &hide_end) &&
		    hide == hide_end)
			hide = NULL; /* "user:@host": no password to hide */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void say(const char *kind, const char *fmt, va_list ap)
{
	char line[1024], shown[4 * sizeof line];

	/* Built whole, then written once, so that lines from a worker and its
	 * threads never interleave. */
	vsnprintf(line, sizeof line, fmt, ap);
	one_line(line, shown, sizeof shown);
	fprintf(stderr, "%s: %s%s\n", fh_progname, kind, shown);
}

void fh_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void fh_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

void fh_note(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

/* The string is the answer itself, made of [A-Za-z0-9] only, and the host
 * name is the one value here that could need escaping. */
static int json_string(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	if (size < 3)
		return -1;
	buf[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (o + 8 >= size)
			return -1;
		if (c == '"' || c == '\\')
			o += (size_t)sprintf(buf + o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += (size_t)sprintf(buf + o, "\\u%04x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return (int)o;
}

int fh_answer_json(char *buf, size_t size, const struct fh_prefix *p,
		   const struct fh_answer *a, const char *host)
{
	char hex[65], hostq[600] = "";
	int n;

	fh_hex(a->digest, hex);
	if (host && json_string(hostq, sizeof hostq, host) < 0)
		return -1;
	n = snprintf(buf, size,
		     "{\"prefix\":\"%s\",\"string\":\"%s\",\"sha256\":\"%s\","
		     "\"tries\":%llu,\"seconds\":%.3f%s%s}",
		     p->hex, a->string, hex, (unsigned long long)a->tries,
		     a->seconds, host ? ",\"host\":" : "", host ? hostq : "");
	return n < 0 || (size_t)n >= size ? -1 : n;
}

int fh_print_answer(FILE *out, const struct fh_prefix *p,
		    const struct fh_answer *a, int json)
{
	size_t len = strlen(a->string);
	uint8_t digest[32];
	char hex[65];

	/* The engine confirmed this answer with Nettle already; hashing it
	 * once more here, from the very bytes about to be printed, guards the
	 * path between the two (a copy, a buffer, a later change). */
	fh_sha256(a->string, len, digest);
	if (!fh_prefix_matches(p, digest) ||
	    memcmp(digest, a->digest, sizeof digest) != 0) {
		fh_err("internal error: the answer for %s failed verification,"
		       " not printed", p->hex);
		return -1;
	}
	fh_hex(digest, hex);
	if (json) {
		char line[512];

		if (fh_answer_json(line, sizeof line, p, a, NULL) < 0)
			return -1;
		fprintf(out, "%s\n", line);
	} else {
		fprintf(out, "%s  %s\n", a->string, hex);
	}
	/* Flushed per answer: a worker's log and a pipe see each answer as it
	 * is found, and a write error shows up here, not at exit. */
	if (fflush(out) != 0 || ferror(out)) {
		int err = errno;

		write_error_said = 1;
		errno = err;
		return -1;
	}
	return 0;
}

int fh_flush_stdout(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fh_err("write error on standard output: %s", strerror(errno));
	write_error_said = 1;
	return -1;
}

int fh_write_stdout(const char *text, size_t len)
{
	/* checked at once: a write that fails midway (more than the buffer
	 * holds) leaves only the error flag to fclose, not its errno */
	if (fwrite(text, 1, len, stdout) != len) {
		fh_err("write error on standard output: %s", strerror(errno));
		write_error_said = 1;
		return -1;
	}
	return fh_flush_stdout();
}

int fh_close_stdout(void)
{
	static int done, result;
	int err;

	if (done)
		return result;
	done = 1;
	err = ferror(stdout);
	errno = 0;
	if (fclose(stdout) != 0 || err) {
		/* errno is fclose's, or unknown: the error flag may stem
		 * from any earlier write (popt's --help, say) */
		if (write_error_said)
			;
		else if (errno)
			fh_err("write error on standard output: %s",
			       strerror(errno));
		else
			fh_err("write error on standard output");
		result = -1;
	}
	return result;
}
