/* input.c: lines from standard input, for "-" among --offline's and
 * --enqueue's prefixes: blank lines skipped, a signal a stop, a failed
 * read an error, never the silent end of the input. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

enum fh_lines_end fh_read_lines(FILE *in, fh_line_fn *each, void *arg,
				unsigned long *number, int *err)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	enum fh_lines_end end = FH_LINES_DONE;

	*number = 0;
	*err = 0;
	/* a signal that came before the read would not interrupt it: see
	 * it here */
	while (!fh_signal_caught() && (len = getline(&line, &size, in)) >= 0) {
		++*number;
		/* blank (a file's trailing empty line): no prefix anyone
		 * meant; a NUL is not blank */
		if (strspn(line, " \t\r\n\v\f") == (size_t)len)
			continue;
		if (each(arg, line, (size_t)len, *number)) {
			end = FH_LINES_REFUSED;
			break;
		}
	}
	*err = errno;
	free(line);
	if (end == FH_LINES_REFUSED)
		return end;
	/* a signal interrupts the read (no SA_RESTART): a stop, not a read
	 * error */
	if (fh_signal_caught())
		return FH_LINES_SIGNAL;
	/* getline returns -1 at the end of the input and on an error; only
	 * an error it sees in the stream sets ferror, not one of its own (a
	 * line too long for the memory left: ENOMEM), which must not pass
	 * for the end of the input and drop the lines after it */
	if (ferror(in) || !feof(in))
		return FH_LINES_ERROR;
	return FH_LINES_DONE;
}
