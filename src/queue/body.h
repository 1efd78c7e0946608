/* body.h: what a queue message says.  A bare prefix, or a shard body
 * that cuts one hard prefix across many workers: what --enqueue --split
 * writes and a worker reads.  Pure functions (body.c). */
#ifndef FH_BODY_H
#define FH_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "search.h"

/* A shard body is "PREFIX I/N SEED": ASCII, tokens separated by spaces or
 * tabs, surrounding white space ignored, at most FH_BODY_MAX bytes.
 * PREFIX: 1 to 64 hex digits; I/N: shard I of N, 0 <= I < N <= 2^40 (the
 * range --shard accepts); SEED: a decimal number below 2^64, the same for
 * all N shards of one prefix, so that they cut one candidate space.  A
 * bare prefix keeps meaning "the whole space, any seed". */
#define FH_BODY_MAX 200
#define FH_SHARDS_MAX (UINT64_C(1) << 40)
/* --split N: at most this many messages per prefix. */
#define FH_SPLIT_MAX 1048576

/* A job id: the prefix, '.', the decimal seed: "abcdef1.1234". */
#define FH_JOB_ID_MAX (FH_PREFIX_MAX_DIGITS + 1 + 20 + 1)

struct fh_job {
	struct fh_prefix prefix;
	int sharded;             /* 0: a bare prefix, the fields below unset */
	uint64_t shard, shards;  /* shard I of N */
	uint64_t seed;
};

/* Parses a message body (len bytes, any bytes, not NUL-terminated) as a
 * bare prefix or a shard body.  Returns 0, or -1 with *why set to a static
 * phrase ("the shard I/N has I not less than N", ...). */
int fh_body_parse(const char *body, size_t len, struct fh_job *out,
		  const char **why);
/* The shard body of j ("PREFIX I/N SEED", no newline): its length, or -1
 * when size is too small. */
int fh_body_format(char *out, size_t size, const struct fh_job *j);
/* The job id of a shard job: "PREFIX.SEED". */
void fh_job_id(const struct fh_job *j, char out[FH_JOB_ID_MAX]);
/* The search options of a worker (c) for job j: j's shard and seed
 * replace --shard and --seed, everything else stays. */
void fh_job_common(const struct fh_common *c, const struct fh_job *j,
		   struct fh_common *out);

/* Checks --split's text: 0 with *n set, or -1 after one line. */
int fh_split_parse(const char *text, uint64_t *n);

#endif
