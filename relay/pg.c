/* pg.c - one non-blocking PostgreSQL connection on the relay's loop.
 *
 * Queries wait in a FIFO and run one at a time through libpq's
 * asynchronous API (PQsendQueryParams, PQconsumeInput, PQgetResult)
 * driven by an ev_io watcher on PQsocket(), so the loop never blocks.
 * When the server is unreachable every queued query fails at once
 * (callback with NULL) and a new connection is tried at most once per
 * PG_RETRY seconds: handshakes meanwhile are refused with 503.  A timer
 * tries again every PG_RETRY seconds whether or not a query waits, so
 * the relay is back (LISTEN, and its sessions told to resync) within a
 * second or so of the server, not at the next query that happens to
 * need it.
 *
 * The connection also LISTENs on one channel (pg_init): every new
 * connection sends LISTEN before anything else, and notifications are
 * read whenever input arrives, between queries too.
 */
#include "relay.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "mem.h"

#define PG_RETRY           1.0 /* seconds between connection attempts */
#define PG_CONNECT_TIMEOUT 3.0

enum pg_state { PG_DOWN, PG_CONNECTING, PG_READY, PG_BUSY };

struct pg_res {
	PGresult *r;
};

struct pg_query {
	struct pg_query *next;
	pg_cb cb;
	void *arg;
	const char *sql; /* a constant */
	int nparams;
	char **params;
};

static PGconn *pg_conn;
static enum pg_state pg_state = PG_DOWN;
/* Sentry hears of an outage once, not of every reconnection attempt. */
static int pg_reported_down;
static int pg_was_up;     /* connected once: a later connection is a return */
static int pg_resync_due; /* a return not yet told: at the first answer */
static struct pg_query *pg_head, *pg_tail;
static PGresult *pg_result; /* of the running query */
static double pg_last_fail = -1e9;
static ev_io pg_io;
static ev_timer pg_kick_timer, pg_connect_timer, pg_retry_timer;
static int pg_io_fd = -1, pg_io_events;
static const char *pg_listen_channel;
static pg_notify_cb pg_notified;
static char pg_listen_sql[96];

static void pg_kick(void);

/* Hands every notification that arrived to pg_notified. */
static void
pg_notifies(void)
{
	PGnotify *n;

	while ((n = PQnotifies(pg_conn)) != NULL) {
		if (pg_notified)
			pg_notified(n->relname, n->extra);
		PQfreemem(n);
	}
}

static void
pg_query_free(struct pg_query *q)
{
	int i;

	for (i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q);
}

static struct pg_query *
pg_pop(void)
{
	struct pg_query *q = pg_head;

	if (q != NULL) {
		pg_head = q->next;
		if (pg_head == NULL)
			pg_tail = NULL;
	}
	return q;
}

static void
pg_finish(struct pg_query *q, PGresult *r)
{
	struct pg_res res = { r };

	if (q->cb)
		q->cb(r ? &res : NULL, q->arg);
	if (r)
		PQclear(r);
	pg_query_free(q);
}

static void
pg_fail_all(void)
{
	struct pg_query *q;

	while ((q = pg_pop()) != NULL)
		pg_finish(q, NULL);
}

static void
pg_watch(int fd, int events)
{
	if (fd == pg_io_fd && events == pg_io_events)
		return;
	ev_io_stop(relay_loop, &pg_io);
	pg_io_fd = fd;
	pg_io_events = events;
	if (fd < 0 || events == 0)
		return;
	ev_io_set(&pg_io, fd, events);
	ev_io_start(relay_loop, &pg_io);
}

/* The connection is lost or could not be made. */
static void
pg_down(const char *why)
{
	/* Logged (and reported) once an outage, not on every retry. */
	if (pg_state != PG_DOWN && !pg_reported_down) {
		log_warn("postgresql unreachable: %s", why);
		if (!relay_stopping)
			report_error("relay %s: postgresql unreachable: %s",
			    relay_conf.id, why);
		pg_reported_down = 1;
	}
	pg_watch(-1, 0);
	ev_timer_stop(relay_loop, &pg_connect_timer);
	if (pg_result) {
		PQclear(pg_result);
		pg_result = NULL;
	}
	if (pg_conn) {
		PQfinish(pg_conn);
		pg_conn = NULL;
	}
	pg_state = PG_DOWN;
	pg_last_fail = relay_now();
	pg_fail_all();
	if (!relay_stopping) {
		ev_timer_set(&pg_retry_timer, PG_RETRY, 0);
		ev_timer_start(relay_loop, &pg_retry_timer);
	}
}

static void
pg_connect_poll(void)
{
	PostgresPollingStatusType st;

	st = PQconnectPoll(pg_conn);
	switch (st) {
	case PGRES_POLLING_READING:
		pg_watch(PQsocket(pg_conn), EV_READ);
		return;
	case PGRES_POLLING_WRITING:
		pg_watch(PQsocket(pg_conn), EV_WRITE);
		return;
	case PGRES_POLLING_OK:
		ev_timer_stop(relay_loop, &pg_connect_timer);
		if (PQsetnonblocking(pg_conn, 1) != 0) {
			pg_down("cannot make the connection non-blocking");
			return;
		}
		log_info("postgresql connected");
		pg_state = PG_READY;
		pg_reported_down = 0;
		pg_watch(PQsocket(pg_conn), EV_READ);
		if (pg_listen_channel) {
			/* First on this connection, ahead of the FIFO. */
			struct pg_query *q = mem_calloc(1, sizeof(*q));

			q->sql = pg_listen_sql;
			q->params = mem_calloc(1, sizeof(char *));
			q->next = pg_head;
			pg_head = q;
			if (pg_tail == NULL)
				pg_tail = q;
		}
		pg_kick();
		/* NOTIFYs sent while it was away are lost, and a post whose
		 * flush wait the restart broke committed without an event
		 * (common/db.h): sessions catch up from PostgreSQL, told at
		 * the connection's first answer (pg_read()). */
		pg_resync_due = pg_was_up;
		pg_was_up = 1;
		return;
	default:
		pg_down(PQerrorMessage(pg_conn));
		return;
	}
}

static void
pg_connect(void)
{
	static const char *const keys[] = { "host", "port", "dbname", "user",
		"password", "application_name", NULL };
	const char *values[7];

	values[0] = cfg.db_host;
	values[1] = cfg.db_port;
	values[2] = cfg.db_name;
	values[3] = cfg.db_user;
	values[4] = cfg.db_password;
	values[5] = "easychat-relay";
	values[6] = NULL;
	pg_conn = PQconnectStartParams(keys, values, 0);
	if (pg_conn == NULL || PQstatus(pg_conn) == CONNECTION_BAD) {
		pg_down(pg_conn ? PQerrorMessage(pg_conn) : "out of memory");
		return;
	}
	pg_state = PG_CONNECTING;
	ev_timer_set(&pg_connect_timer, PG_CONNECT_TIMEOUT, 0);
	ev_timer_start(relay_loop, &pg_connect_timer);
	/* libpq: behave as if the last poll said WRITING. */
	pg_watch(PQsocket(pg_conn), EV_WRITE);
}

static void
pg_send(void)
{
	struct pg_query *q = pg_head;
	int rc;

	if (!PQsendQueryParams(pg_conn, q->sql, q->nparams, NULL,
	        (const char *const *)q->params, NULL, NULL, 0)) {
		pg_down(PQerrorMessage(pg_conn));
		return;
	}
	pg_state = PG_BUSY;
	rc = PQflush(pg_conn);
	if (rc < 0) {
		pg_down(PQerrorMessage(pg_conn));
		return;
	}
	pg_watch(PQsocket(pg_conn), rc ? EV_READ | EV_WRITE : EV_READ);
}

/* Reads what arrived; completes the running query when it is done. */
static void
pg_read(void)
{
	struct pg_query *q;
	PGresult *r;

	if (!PQconsumeInput(pg_conn) || PQstatus(pg_conn) == CONNECTION_BAD) {
		pg_down(PQerrorMessage(pg_conn));
		return;
	}
	pg_notifies();
	if (pg_state != PG_BUSY) {
		while ((r = PQgetResult(pg_conn)) != NULL)
			PQclear(r);
		return;
	}
	while (!PQisBusy(pg_conn)) {
		r = PQgetResult(pg_conn);
		if (r != NULL) {
			if (pg_result == NULL)
				pg_result = r;
			else
				PQclear(r);
			continue;
		}
		/* Done. */
		q = pg_pop();
		r = pg_result;
		pg_result = NULL;
		pg_state = PG_READY;
		if (r && PQresultStatus(r) != PGRES_TUPLES_OK &&
		    PQresultStatus(r) != PGRES_COMMAND_OK) {
			log_error("relay query failed: %s",
			    PQresultErrorMessage(r));
			PQclear(r);
			r = NULL;
		}
		/* A return is told at the first answer, not at the connection:
		 * a pooler (pgbouncer, TOPOLOGY=multi) accepts the connection
		 * while PostgreSQL is still away, and sessions told to resync
		 * then would fetch from a server that is not there.  The first
		 * query of a new connection is its LISTEN. */
		if (r != NULL && pg_resync_due) {
			pg_resync_due = 0;
			hub_resync("postgresql is back");
		}
		pg_finish(q, r);
		pg_kick();
		return;
	}
}

static void
pg_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int rc;

	if (pg_state == PG_CONNECTING) {
		pg_connect_poll();
		return;
	}
	if (pg_conn == NULL)
		return;
	if (revents & EV_WRITE) {
		rc = PQflush(pg_conn);
		if (rc < 0) {
			pg_down(PQerrorMessage(pg_conn));
			return;
		}
		if (rc == 0)
			pg_watch(PQsocket(pg_conn), EV_READ);
	}
	if (revents & EV_READ)
		pg_read();
}

static void
pg_connect_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	pg_down("connection timed out");
}

static void
pg_retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (pg_state == PG_DOWN)
		pg_connect();
}

static void
pg_kick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	if (pg_head == NULL)
		return;
	switch (pg_state) {
	case PG_DOWN:
		if (relay_now() - pg_last_fail < PG_RETRY) {
			pg_fail_all();
			return;
		}
		pg_connect();
		return;
	case PG_READY:
		pg_send();
		return;
	default:
		return;
	}
}

static void
pg_kick(void)
{
	if (!ev_is_active(&pg_kick_timer)) {
		ev_timer_set(&pg_kick_timer, 0, 0);
		ev_timer_start(relay_loop, &pg_kick_timer);
	}
}

void
pg_init(const char *listen_channel, pg_notify_cb cb)
{
	pg_listen_channel = listen_channel;
	pg_notified = cb;
	if (listen_channel)
		snprintf(pg_listen_sql, sizeof(pg_listen_sql), "LISTEN %s",
		    listen_channel);
	ev_init(&pg_io, pg_io_cb);
	ev_init(&pg_kick_timer, pg_kick_cb);
	ev_init(&pg_connect_timer, pg_connect_timeout_cb);
	ev_init(&pg_retry_timer, pg_retry_cb);
	/* Connect at once so the first handshake need not wait. */
	pg_last_fail = -1e9;
	pg_connect();
}

void
pg_close(void)
{
	ev_timer_stop(relay_loop, &pg_kick_timer);
	pg_state = PG_DOWN; /* no warning: we are leaving */
	pg_down("closing");
	ev_timer_stop(relay_loop, &pg_retry_timer);
}

void
pg_query(pg_cb cb, void *arg, const char *sql, int nparams,
    const char *const *params)
{
	struct pg_query *q;
	int i;

	q = mem_calloc(1, sizeof(*q));
	q->cb = cb;
	q->arg = arg;
	q->sql = sql;
	q->nparams = nparams;
	q->params = mem_calloc((size_t)nparams + 1, sizeof(char *));
	for (i = 0; i < nparams; i++)
		q->params[i] = params[i] ? mem_strdup(params[i]) : NULL;
	if (pg_tail)
		pg_tail->next = q;
	else
		pg_head = q;
	pg_tail = q;
	pg_kick();
}

size_t
pg_rows(const struct pg_res *res)
{
	return (size_t)PQntuples(res->r);
}

const char *
pg_value(const struct pg_res *res, size_t row, int col)
{
	if ((int)row >= PQntuples(res->r) || col >= PQnfields(res->r) ||
	    PQgetisnull(res->r, (int)row, col))
		return NULL;
	return PQgetvalue(res->r, (int)row, col);
}

int
pg_pending(void)
{
	return pg_head != NULL || pg_state == PG_BUSY ||
	    pg_state == PG_CONNECTING;
}
