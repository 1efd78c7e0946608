/* body.c: what a queue message says: a bare prefix, or a shard body
 * "PREFIX I/N SEED" that cuts one hard prefix across many workers.  Pure:
 * no broker, no I/O but the one line of fh_split_parse. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "run.h"

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	       ch == '\v' || ch == '\f';
}

/* Only space and tab separate words: a newline inside a body is no
 * separator anyone means, so it stays in its word and spoils it. */
static int is_sep(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* A decimal number below 2^64, digits only (no sign, no 0x: the enqueuer
 * writes plain decimal, and a body that differs was not written by it). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Cuts body[0..len) (no white space at either end) into the three words
 * of a shard body: 0, or -1 with *why. */
static int three_words(const char *body, size_t len, const char *word[3],
		       size_t wlen[3], const char **why)
{
	size_t i = 0, nw = 0;

	while (i < len) {
		size_t j = i;

		while (j < len && !is_sep(body[j]))
			j++;
		if (nw == 3) {
			*why = "more than 3 words (a shard body is PREFIX I/N "
			       "SEED)";
			return -1;
		}
		word[nw] = body + i;
		wlen[nw++] = j - i;
		while (j < len && is_sep(body[j]))
			j++;
		i = j;
	}
	if (nw != 3) {
		*why = "2 words (a shard body is PREFIX I/N SEED)";
		return -1;
	}
	return 0;
}

int fh_body_parse(const char *body, size_t len, struct fh_job *out,
		  const char **why)
{
	const char *word[3];
	size_t wlen[3], start = 0, end = len, i;
	const char *slash;

	memset(out, 0, sizeof *out);
	while (start < end && is_space(body[start]))
		start++;
	while (end > start && is_space(body[end - 1]))
		end--;
	for (i = start; i < end && !is_sep(body[i]); i++)
		;
	if (i == end)
		/* One word: a bare prefix, parsed exactly as before shard
		 * bodies existed, so its poison phrases stay the same. */
		return fh_prefix_parse(body, len, &out->prefix, why);

	/* Several words make a shard body only when the first is a prefix:
	 * any other text or binary with a space in it is just not a prefix,
	 * and saying that is more use than a shard body's length limit. */
	if (fh_prefix_parse(body + start, i - start, &out->prefix, why) < 0) {
		*why = "not a prefix, nor a shard body (its first word is no "
		       "prefix)";
		return -1;
	}
	if (end - start > FH_BODY_MAX) {
		*why = "a shard body is at most 200 bytes";
		return -1;
	}
	if (three_words(body + start, end - start, word, wlen, why) < 0 ||
	    fh_prefix_parse(word[0], wlen[0], &out->prefix, why) < 0)
		return -1;
	slash = memchr(word[1], '/', wlen[1]);
	if (!slash ||
	    parse_u64(word[1], (size_t)(slash - word[1]), &out->shard) < 0 ||
	    parse_u64(slash + 1, wlen[1] - (size_t)(slash - word[1]) - 1,
		      &out->shards) < 0) {
		*why = "the shard is not I/N (decimal numbers)";
		return -1;
	}
	if (out->shards == 0 || out->shards > FH_SHARDS_MAX) {
		*why = "the shard count N is not 1 to 2^40";
		return -1;
	}
	if (out->shard >= out->shards) {
		*why = "the shard I/N has I not less than N";
		return -1;
	}
	if (parse_u64(word[2], wlen[2], &out->seed) < 0) {
		*why = "the seed is not a decimal number below 2^64";
		return -1;
	}
	out->sharded = 1;
	return 0;
}

int fh_body_format(char *out, size_t size, const struct fh_job *j)
{
	int n = snprintf(out, size, "%s %" PRIu64 "/%" PRIu64 " %" PRIu64,
			 j->prefix.hex, j->shard, j->shards, j->seed);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

void fh_job_id(const struct fh_job *j, char out[FH_JOB_ID_MAX])
{
	snprintf(out, FH_JOB_ID_MAX, "%s.%" PRIu64, j->prefix.hex, j->seed);
}

void fh_job_common(const struct fh_common *c, const struct fh_job *j,
		   struct fh_common *out)
{
	*out = *c;
	if (!j->sharded)
		return;
	/* The body's seed must win over --seed: the N shards of a prefix
	 * partition the space only when all use the seed the enqueuer
	 * drew. */
	out->seeded = 1;
	out->seed = j->seed;
	out->shard = j->shard;
	out->shards = j->shards;
}

int fh_split_parse(const char *text, uint64_t *n)
{
	if (parse_u64(text, strlen(text), n) < 0 || *n < 1 ||
	    *n > FH_SPLIT_MAX) {
		char shown[64];

		fh_printable(shown, sizeof shown, text, strlen(text), 20);
		fh_err("--split: '%s' is not a number of shards from 1 to %d",
		       shown, FH_SPLIT_MAX);
		return -1;
	}
	return 0;
}
