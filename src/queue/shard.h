/* shard.h: one hard prefix across many queue workers.  The shard body
 * format (what --enqueue --split writes and a worker reads), and the
 * solved notice that stops every other worker of a prefix once one of
 * them has the answer. */
#ifndef FH_SHARD_H
#define FH_SHARD_H

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

/* The durable topic exchange every answer to a shard body is announced
 * on, with the job id as routing key, and the prefix of the durable
 * marker queue (name + job id) that says "solved" to a late worker. */
#define FH_SOLVED_EXCHANGE "find-hash.solved"
#define FH_SOLVED_MARKER "find-hash.solved."
/* How long a marker lives unused (x-expires): a shard message redelivered
 * later than that is searched again. */
#define FH_SOLVED_MARKER_TTL_MS 86400000

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
 * phrase ("shard 4/4: I must be less than N", ...).  A pure function. */
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

/* --split N for --enqueue (NULL: not given), and its check: 0 with *n
 * set, or -1 after one line. */
extern char *fh_split_arg;
int fh_split_parse(const char *text, uint64_t *n);

/* The solved notice of one shard job, on a connection of its own (see
 * shard.c for why). */
struct fh_notice;
struct fh_url;
enum fh_notice_state {
	FH_NOTICE_OPEN,          /* listening, nobody has solved it yet */
	FH_NOTICE_SOLVED,        /* another worker has the answer */
	FH_NOTICE_ERROR,         /* could not listen: *err says why */
};
/* Connects, listens for the job's notice, then looks for its marker.  On
 * FH_NOTICE_ERROR *out is NULL and err holds one phrase. */
enum fh_notice_state fh_notice_open(struct fh_notice **out,
				    const struct fh_url *url,
				    const struct fh_job *j, char *err,
				    size_t errsize);
/* Services the notice connection without blocking (heartbeats, a notice);
 * FH_NOTICE_SOLVED once the notice came.  A lost notice connection is
 * said once on stderr and the search goes on: it only loses early stop. */
enum fh_notice_state fh_notice_poll(struct fh_notice *n);
/* The solver's part: makes the marker, then announces the answer.  0, or
 * -1 with one phrase in err. */
int fh_notice_announce(struct fh_notice *n, char *err, size_t errsize);
/* Closes the connection (NULL is fine). */
void fh_notice_close(struct fh_notice *n);

/* --enqueue --split n: publishes the n shard bodies of p (persistent, the
 * job id as correlation id) to queue on b, which has confirms on.  0, or
 * -1 with b->err. */
struct fh_broker;
int fh_shard_publish(struct fh_broker *b, const char *queue,
		     const struct fh_prefix *p, uint64_t n,
		     const struct fh_common *c);
/* A shard message another worker solved: acked, one note (unless quiet).
 * Returns the exit status: FH_EXIT_OK, or FH_EXIT_BROKER. */
int fh_shard_done_elsewhere(struct fh_broker *b, uint64_t tag,
			    const struct fh_job *j, int quiet);
/* A shard searched to its end without a match: acked, one line.  Returns
 * FH_EXIT_NOT_FOUND, or FH_EXIT_BROKER. */
int fh_shard_exhausted(struct fh_broker *b, uint64_t tag,
		       const struct fh_job *j, uint64_t tries);

#endif
