/* input.c: lines from standard input, for "-" among --offline's and
 * --enqueue's prefixes: blank lines skipped, a signal a stop, a failed
 * read an error, never the silent end of the input.  A line is read into
 * a buffer of FH_STDIN_LINE_MAX bytes, never more: /dev/zero or a binary
 * file on stdin was read whole into memory, until there was none left. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "run.h"

/* One line of in into line (FH_STDIN_LINE_MAX bytes and its newline at
 * most, then a NUL): its length, 0 at the end of the input or on an
 * error, or -1 when it is longer, read no further. */
static long read_line(FILE *in, char line[FH_STDIN_LINE_MAX + 2])
{
	size_t len = 0;
	int c;

	while ((c = getc(in)) != EOF) {
		if (c != '\n' && len == FH_STDIN_LINE_MAX)
			return -1;
		line[len++] = (char)c;
		if (c == '\n')
			break;
	}
	line[len] = '\0';
	return (long)len;
}

enum fh_lines_end fh_read_lines(FILE *in, fh_line_fn *each, void *arg,
				unsigned long *number, int *err)
{
	char line[FH_STDIN_LINE_MAX + 2];
	long len = 0;

	*number = 0;
	*err = 0;
	errno = 0;
	/* a signal that came before the read would not interrupt it: see
	 * it here */
	while (!fh_signal_caught() && (len = read_line(in, line)) > 0) {
		++*number;
		/* blank (a file's trailing empty line): no prefix anyone
		 * meant; a NUL is not blank */
		if (strspn(line, " \t\r\n\v\f") == (size_t)len)
			continue;
		if (each(arg, line, (size_t)len, *number))
			return FH_LINES_REFUSED;
	}
	*err = errno;
	/* a signal interrupts the read (no SA_RESTART): a stop, not a read
	 * error */
	if (fh_signal_caught())
		return FH_LINES_SIGNAL;
	if (len < 0) {
		++*number;
		return FH_LINES_TOO_LONG;
	}
	/* EOF from getc is the end of the input or an error: only the
	 * error flag tells them apart */
	if (ferror(in) || !feof(in)) {
		if (!*err)
			*err = EIO;
		return FH_LINES_ERROR;
	}
	return FH_LINES_DONE;
}
