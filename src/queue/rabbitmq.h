/* rabbitmq.h: the rabbitmq-c headers, by whichever name the installed
 * library gives them.  rabbitmq-c 0.12 moved them into <rabbitmq-c/...>
 * and from 0.13 the old names (<amqp.h>, Debian 12's 0.11 has only these)
 * say "#warning ... is deprecated", which would break a warning-free
 * build on Debian 13.  configure checks for the new name. */
#ifndef FH_RABBITMQ_H
#define FH_RABBITMQ_H

#ifdef HAVE_RABBITMQ_C_AMQP_H
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/framing.h>
#include <rabbitmq-c/ssl_socket.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#endif

#endif
