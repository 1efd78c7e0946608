/* fuzz_body.c: libFuzzer target for what the queue worker does with a
 * message body before and after a search (src/queue/worker.c, work_on and
 * deliver): fh_prefix_parse on the body's bytes; on failure the poison
 * line, the body shown by fh_printable (40 bytes, a 40 * 4 + 8 buffer)
 * inside the worker's message; on success the result JSON published to
 * the results queue, built by fh_answer_json from the parsed prefix and
 * an answer, with a host name taken from the input.
 *
 * worker.c keeps this logic in static functions that also talk to the
 * broker, so the steps are repeated here as the worker calls them (same
 * sizes, same format); see the constants below.
 *
 * Invariants: the poison line is one line of printable ASCII, shorter
 * than 400 bytes whatever the body (0 bytes, 1 MiB, NULs, invalid UTF-8);
 * the result JSON fits the worker's 1024-byte buffer and names the prefix
 * in lower case; nothing reads or writes out of bounds (ASan). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "search.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)
/* as in worker.c */
#define FH_POISON_SHOWN 40

static void poison_line(const uint8_t *data, size_t size, const char *why)
{
	char shown[FH_POISON_SHOWN * 4 + 8], line[1024];
	size_t n;

	fh_printable(shown, sizeof shown, (const char *)data, size,
		     FH_POISON_SHOWN);
	/* worker.c's message, as fh_err formats it */
	snprintf(line, sizeof line,
		 "find-hash: poison message in queue '%s' (%zu bytes) \"%s\": "
		 "%s; rejected, not requeued (dead-lettered if the queue has a "
		 "dead-letter exchange)",
		 "job1", size, shown, why);
	n = strlen(line);
	CHECK(n < 400);
	for (size_t i = 0; i < n; i++)
		CHECK(line[i] >= 0x20 && line[i] < 0x7f);
}

static void result_json(const struct fh_prefix *p, const uint8_t *data,
			size_t size)
{
	struct fh_answer a;
	char json[1024], host[256], want[80];
	/* gethostname gives at most HOST_NAME_MAX (64) bytes on Linux; a
	 * longer name of control characters would not fit the worker's
	 * escaped copy, and cannot happen */
	size_t hn = size < 64 ? size : 64;
	int n;

	/* the host name, from the input */
	memcpy(host, data, hn);
	host[hn] = '\0';
	memset(&a, 0, sizeof a);
	memset(a.string, 'A', FH_CAND_LEN);
	a.string[FH_CAND_LEN] = '\0';
	fh_sha256(a.string, FH_CAND_LEN, a.digest);
	a.tries = UINT64_MAX;
	a.seconds = 1e12;
	n = fh_answer_json(json, sizeof json, p, &a, host);
	CHECK(n > 0 && (size_t)n < sizeof json);
	CHECK(strlen(json) == (size_t)n);
	snprintf(want, sizeof want, "{\"prefix\":\"%s\",", p->hex);
	CHECK(strncmp(json, want, strlen(want)) == 0);
	for (int i = 0; i < n; i++)
		CHECK((unsigned char)json[i] >= 0x20 && json[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fh_prefix p;
	const char *why = NULL;
	/* the body as rabbitmq-c hands it over: exactly size bytes, no
	 * terminating NUL (a heap copy, so ASan sees a read past the end) */
	char *body = malloc(size ? size : 1);

	CHECK(body != NULL);
	if (size)
		memcpy(body, data, size);
	if (fh_prefix_parse(body, size, &p, &why) < 0) {
		CHECK(why != NULL);
		poison_line((const uint8_t *)body, size, why);
	} else {
		CHECK(p.digits >= 1 && p.digits <= FH_PREFIX_MAX_DIGITS);
		result_json(&p, data, size);
	}
	free(body);
	return 0;
}
