/* message.c: reads the message that follows a basic.get-ok, keeping no
 * more of its body in memory than the worker can use.
 *
 * Why not amqp_read_message: it allocates the whole body, as large as the
 * sender made it (RabbitMQ takes up to 128 MB by default), before anyone
 * looks at it.  A worker short of memory (a pod's limit, RLIMIT_AS) then
 * fails to take the message, or is killed taking it, and the broker hands
 * the same message to the next worker, which fails the same way: one big
 * message at the head of the queue stops every worker for good, where a
 * poison message should be rejected once.  No body longer than a few
 * hundred bytes can be a prefix, so only the first FH_MESSAGE_KEEP bytes
 * are kept; the rest is read off the connection frame by frame, each
 * frame's buffer given back before the next, and counted. */
#include <config.h>

#include <string.h>

#include "rabbitmq.h"

#include "broker.h"

/* Copies a short string property into the message's pool: 0, or -1 when
 * there is no memory for it. */
static int keep_property(amqp_message_t *msg, const amqp_bytes_t *from,
			 amqp_bytes_t *to)
{
	amqp_pool_alloc_bytes(&msg->pool, from->len, to);
	if (from->len && !to->bytes)
		return -1;
	if (from->len)
		memcpy(to->bytes, from->bytes, from->len);
	return 0;
}

/* The properties the worker reads (a result carries the job's id): the
 * correlation id and the message id.  The frame's own copy lives in the
 * channel's pool, which is recycled while the body is read. */
static int keep_properties(amqp_message_t *msg,
			   const amqp_basic_properties_t *p)
{
	amqp_basic_properties_t *q = &msg->properties;

	if (p->_flags & AMQP_BASIC_CORRELATION_ID_FLAG) {
		if (keep_property(msg, &p->correlation_id,
				  &q->correlation_id) < 0)
			return -1;
		q->_flags |= AMQP_BASIC_CORRELATION_ID_FLAG;
	}
	if (p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
		if (keep_property(msg, &p->message_id, &q->message_id) < 0)
			return -1;
		q->_flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
	}
	return 0;
}

static amqp_rpc_reply_t library_error(int status)
{
	amqp_rpc_reply_t r;

	memset(&r, 0, sizeof r);
	r.reply_type = AMQP_RESPONSE_LIBRARY_EXCEPTION;
	r.library_error = status;
	return r;
}

/* The next frame on b's channel ch.  The worker's connection has one
 * other channel, the input queue's watch (broker.c), whose answers are
 * handed to it; no other channel's frame is ours here.  A channel or
 * connection close comes back as the broker's reply; *f is then unset. */
static amqp_rpc_reply_t next_frame(struct fh_broker *b, amqp_channel_t ch,
				   amqp_frame_t *f)
{
	amqp_rpc_reply_t r;

	memset(&r, 0, sizeof r);
	for (;;) {
		int st = amqp_simple_wait_frame(b->conn, f);

		if (st != AMQP_STATUS_OK)
			return library_error(st);
		if (fh_broker_watch_frame(b, f))
			continue;
		if (f->frame_type == AMQP_FRAME_METHOD &&
		    (f->payload.method.id == AMQP_CONNECTION_CLOSE_METHOD ||
		     (f->channel == ch &&
		      f->payload.method.id == AMQP_CHANNEL_CLOSE_METHOD))) {
			r.reply_type = AMQP_RESPONSE_SERVER_EXCEPTION;
			r.reply = f->payload.method;
			return r;
		}
		if (f->channel == ch) {
			r.reply_type = AMQP_RESPONSE_NORMAL;
			return r;
		}
	}
}

amqp_rpc_reply_t fh_broker_read_message(struct fh_broker *b,
					amqp_message_t *msg, uint64_t *size)
{
	amqp_frame_t f;
	amqp_rpc_reply_t r;
	uint64_t got = 0;
	size_t keep;

	memset(msg, 0, sizeof *msg);
	*size = 0;
	r = next_frame(b, b->ch, &f);
	if (r.reply_type != AMQP_RESPONSE_NORMAL)
		return r;
	if (f.frame_type != AMQP_FRAME_HEADER ||
	    f.payload.properties.class_id != AMQP_BASIC_CLASS)
		return library_error(AMQP_STATUS_UNEXPECTED_STATE);
	*size = f.payload.properties.body_size;
	init_amqp_pool(&msg->pool, 4096);
	keep = *size < FH_MESSAGE_KEEP ? (size_t)*size : FH_MESSAGE_KEEP;
	if (keep_properties(msg, f.payload.properties.decoded) < 0)
		goto no_memory;
	msg->body = keep ? amqp_bytes_malloc(keep) : amqp_empty_bytes;
	if (keep && !msg->body.bytes)
		goto no_memory;
	while (got < *size) {
		size_t len, in;

		/* the frame just handled (the header first) is copied: its
		 * buffer, in the channel's pool, can go */
		amqp_maybe_release_buffers_on_channel(b->conn, b->ch);
		r = next_frame(b, b->ch, &f);
		if (r.reply_type != AMQP_RESPONSE_NORMAL)
			goto fail;
		if (f.frame_type != AMQP_FRAME_BODY) {
			r = library_error(AMQP_STATUS_BAD_AMQP_DATA);
			goto fail;
		}
		len = f.payload.body_fragment.len;
		if (len > *size - got) {
			r = library_error(AMQP_STATUS_BAD_AMQP_DATA);
			goto fail;
		}
		in = got < keep ? keep - (size_t)got : 0;
		if (in > len)
			in = len;
		if (in)
			memcpy((char *)msg->body.bytes + got,
			       f.payload.body_fragment.bytes, in);
		got += len;
	}
	amqp_maybe_release_buffers_on_channel(b->conn, b->ch);
	return r;
no_memory:
	r = library_error(AMQP_STATUS_NO_MEMORY);
fail:
	amqp_destroy_message(msg);
	memset(msg, 0, sizeof *msg);
	return r;
}
