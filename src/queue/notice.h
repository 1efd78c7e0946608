/* notice.h: the solved notice of a shard job, on a connection of its own
 * (notice.c says why): the first worker of a prefix to find the answer
 * stops all the others. */
#ifndef FH_NOTICE_H
#define FH_NOTICE_H

#include <stddef.h>

#include "body.h"

/* The durable topic exchange every answer to a shard body is announced
 * on, with the job id as routing key, and the prefix of the durable
 * marker queue (name + job id) that says "solved" to a late worker. */
#define FH_SOLVED_EXCHANGE "find-hash.solved"
#define FH_SOLVED_MARKER "find-hash.solved."
/* How long a marker lives unused (x-expires): a shard message redelivered
 * later than that is searched again. */
#define FH_SOLVED_MARKER_TTL_MS 86400000

struct fh_notice;
struct fh_url;
struct fh_queue_opts;
enum fh_notice_state {
	FH_NOTICE_OPEN,          /* listening, nobody has solved it yet */
	FH_NOTICE_SOLVED,        /* another worker has the answer */
	FH_NOTICE_ERROR,         /* could not listen: *err says why */
};
/* Connects (to url, with opt's TLS files and timeouts), listens for the
 * job's notice, then looks for its marker.  On FH_NOTICE_ERROR *out is
 * NULL, err holds one phrase and *status the exit status it calls for:
 * fh_broker_open's when the connection failed (FH_EXIT_SYSTEM, a
 * signal's...), FH_EXIT_SYSTEM without memory, else FH_EXIT_BROKER. */
enum fh_notice_state fh_notice_open(struct fh_notice **out,
				    const struct fh_url *url,
				    const struct fh_queue_opts *opt,
				    const struct fh_job *j, char *err,
				    size_t errsize, int *status);
/* Services the notice connection without blocking (heartbeats, a notice);
 * FH_NOTICE_SOLVED once the notice came.  A lost notice connection only
 * loses early stop: the search goes on, and fh_notice_say_lost says so. */
enum fh_notice_state fh_notice_poll(struct fh_notice *n);
/* Says once on stderr that the notice connection is lost and the search
 * goes on, when it was lost at least after seconds ago (fh_notice_poll
 * noticed it); else nothing. */
void fh_notice_say_lost(struct fh_notice *n, double after);
/* The solver's part: makes the marker, then announces the answer.  0, or
 * -1 with one phrase in err. */
int fh_notice_announce(struct fh_notice *n, char *err, size_t errsize);
/* Closes the connection (NULL is fine). */
void fh_notice_close(struct fh_notice *n);

#endif
