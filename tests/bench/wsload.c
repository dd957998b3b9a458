/* wsload.c - websocket load tool for `make bench`: holds up to ~100 k
 * authenticated relay connections, posts messages through the REST API at
 * a fixed rate (or as fast as N keep-alive clients can) and measures the
 * latency from each POST to each receipt.
 *
 *   wsload token [--lifetime S] UID...
 *	prints one access token per user id (session id = user id), signed
 *	with JWT_SIGNING_KEY of $EASYCHAT_ENV: the way the benchmarks get
 *	Bearer tokens without logging in.
 *
 *   wsload run --urls ws://127.0.0.1:P/ws[,...] --origin O --users F:N ...
 *	forks workers (each below the 20 000 open files a process may have
 *	here) that connect users F..F+N-1 once each, spread over the relay
 *	URLs and over source addresses 127.0.0.2.., authenticated by an
 *	access cookie minted here.  A connection counts once its `hello`
 *	arrived.  Then, optionally, the parent posts messages to rooms with
 *	the text "~bench:<CLOCK_MONOTONIC ns>~" and every receiver records
 *	now - t in a log-bucket histogram.  See usage() for the options.
 *
 * Output: a human summary on stderr and, with --json FILE, one JSON
 * object appended to FILE (run.sh assembles the results from those).
 * The tool never fails on numbers: exit 0 unless it could not run at all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "jwt.h"
#include "sec.h"

#define WS_MAX_URLS         16
#define WS_MAX_PIDS         16
#define WS_MAX_WORKERS      32
#define WS_MAX_POSTERS      512
#define WS_MAX_ROOMS        256
#define WS_CONNS_PER_WORKER 15000
#define WS_INFLIGHT_MAX     256 /* handshakes in progress per worker */
#define WS_RBUF             (256 * 1024)
#define WS_PARTIAL_MAX      (64 * 1024)
#define WS_MARK             "~bench:"
#define WS_HS_MAX           8192
#define POST_RBUF           16384

/* ---- time --------------------------------------------------------------- */

static uint64_t
ws_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
ws_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- histogram: HDR-like, 32 sub-buckets per power of two (~3 %) ----- */

#define HIST_SUB_BITS 5
#define HIST_SUB      (1u << HIST_SUB_BITS)
#define HIST_BUCKETS  (2 * HIST_SUB + 40 * HIST_SUB)

struct hist {
	uint64_t n, max, sum;
	uint64_t b[HIST_BUCKETS];
};

static unsigned
hist_index(uint64_t v)
{
	unsigned msb, shift, idx;

	if (v < 2 * HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - HIST_SUB_BITS;
	idx = 2 * HIST_SUB + (shift - 1) * HIST_SUB +
	    (unsigned)((v >> shift) - HIST_SUB);
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

static uint64_t
hist_value(unsigned i)
{
	uint64_t shift, sub;

	if (i < 2 * HIST_SUB)
		return i;
	shift = (i - 2 * HIST_SUB) / HIST_SUB + 1;
	sub = (i - 2 * HIST_SUB) % HIST_SUB + HIST_SUB;
	return (sub << shift) + ((1ull << shift) >> 1);
}

static void
hist_add(struct hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	h->n++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
}

static void
hist_merge(struct hist *into, const struct hist *h)
{
	unsigned i;

	for (i = 0; i < HIST_BUCKETS; i++)
		into->b[i] += h->b[i];
	into->n += h->n;
	into->sum += h->sum;
	if (h->max > into->max)
		into->max = h->max;
}

/* The value at quantile q (0..1); 0 for an empty histogram. */
static uint64_t
hist_quantile(const struct hist *h, double q)
{
	uint64_t want, seen = 0, v;
	unsigned i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)h->n + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			v = hist_value(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

/* Prints {"n":..,"p50_ms":..} for a histogram of microseconds. */
static void
hist_json(FILE *f, const struct hist *h)
{
	fprintf(f,
	    "{\"n\":%" PRIu64 ",\"mean_ms\":%.3f,\"p50_ms\":%.3f,"
	    "\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,"
	    "\"max_ms\":%.3f}",
	    h->n, h->n ? (double)h->sum / (double)h->n / 1000.0 : 0.0,
	    (double)hist_quantile(h, 0.50) / 1000.0,
	    (double)hist_quantile(h, 0.90) / 1000.0,
	    (double)hist_quantile(h, 0.99) / 1000.0,
	    (double)hist_quantile(h, 0.999) / 1000.0, (double)h->max / 1000.0);
}

static void
hist_print(const char *what, const struct hist *h)
{
	fprintf(stderr,
	    "  %-22s n=%" PRIu64 " p50=%.3f p90=%.3f p99=%.3f "
	    "p99.9=%.3f max=%.3f ms\n",
	    what, h->n, (double)hist_quantile(h, 0.50) / 1000.0,
	    (double)hist_quantile(h, 0.90) / 1000.0,
	    (double)hist_quantile(h, 0.99) / 1000.0,
	    (double)hist_quantile(h, 0.999) / 1000.0, (double)h->max / 1000.0);
}

/* ---- options ------------------------------------------------------------- */

struct ws_url {
	struct sockaddr_in addr;
	char hostport[80];
	char path[128];
};

static struct {
	struct ws_url urls[WS_MAX_URLS];
	int nurls;
	const char *origin;
	int64_t first_user;
	long nusers;
	int workers;
	int src_ips;
	double connect_timeout;
	double hold;
	pid_t pids[WS_MAX_PIDS];
	int npids;
	struct ws_url post;
	int posting;
	int64_t rooms[WS_MAX_ROOMS];
	int nrooms;
	int64_t post_first_user;
	int post_conns;
	double post_rate; /* messages/s; 0 = closed loop */
	double post_seconds;
	double drain;
	const char *label;
	const char *json;
	long lifetime;
	int text_bytes;
	int64_t publish_group; /* --publish: straight to Redis, no REST */
} opt = {
	.workers = 0,
	.src_ips = 200,
	.connect_timeout = 60,
	.hold = 0,
	.post_conns = 8,
	.post_seconds = 10,
	.drain = 10,
	.label = "run",
	.lifetime = 3600,
	.text_bytes = 80,
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wsload token [--lifetime S] UID...\n"
	    "       wsload run --urls ws://H:P/PATH[,...] --origin ORIGIN\n"
	    "           --users FIRST:COUNT [--workers N] [--src-ips N]\n"
	    "           [--connect-timeout S] [--hold S] [--pids P,P,...]\n"
	    "           [--post http://H:P --rooms R[,R...] --posters FIRST:N\n"
	    "            --rate MSGS_PER_S (0 = closed loop) --seconds S\n"
	    "            --drain S --text-bytes N]\n"
	    "           [--publish GROUP_ID --rate R --seconds S --drain S]\n"
	    "           [--label NAME] [--json FILE] [--lifetime S]\n"
	    "EASYCHAT_ENV names the stack's env file (JWT_SIGNING_KEY; "
	    "REDIS_*\n"
	    "for --publish, which PUBLISHes events on group:GROUP_ID itself:\n"
	    "the relay's fan-out without the REST path).\n");
	exit(2);
}

/* Parses ws://host:port/path or http://host:port into u. */
static int
ws_url_parse(const char *s, struct ws_url *u)
{
	const char *p, *colon, *slash;
	char host[64];
	long port;

	memset(u, 0, sizeof(*u));
	p = strstr(s, "://");
	if (p == NULL)
		return -1;
	p += 3;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	if (colon == NULL || (size_t)(colon - p) >= sizeof(host))
		return -1;
	memcpy(host, p, (size_t)(colon - p));
	host[colon - p] = '\0';
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535)
		return -1;
	u->addr.sin_family = AF_INET;
	u->addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &u->addr.sin_addr) != 1)
		return -1;
	snprintf(u->hostport, sizeof(u->hostport), "%s:%ld", host, port);
	snprintf(u->path, sizeof(u->path), "%s", *slash ? slash : "/");
	return 0;
}

static int
parse_range(const char *s, int64_t *first, long *count)
{
	char *end;

	*first = strtoll(s, &end, 10);
	if (*end != ':' || *first <= 0)
		return -1;
	*count = strtol(end + 1, &end, 10);
	return *end == '\0' && *count >= 0 ? 0 : -1;
}

/* ---- relay process figures from /proc ---------------------------------- */

static long
proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	fclose(f);
	return kb;
}

/* utime + stime in seconds. */
static double
proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	/* After ") ": field 3 (state) ... field 14 utime, 15 stime. */
	p += 2;
	for (i = 3; i < 14 && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p == NULL || sscanf(p, "%lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long
pids_rss_kb(void)
{
	long sum = 0, kb;
	int i;

	for (i = 0; i < opt.npids; i++) {
		kb = proc_rss_kb(opt.pids[i]);
		if (kb > 0)
			sum += kb;
	}
	return sum;
}

static double
pids_cpu_s(void)
{
	double sum = 0, s;
	int i;

	for (i = 0; i < opt.npids; i++) {
		s = proc_cpu_s(opt.pids[i]);
		if (s > 0)
			sum += s;
	}
	return sum;
}

/* Time the relays spent running and runnable-but-waiting for a CPU
 * (/proc/PID/schedstat, ns): tells a starved relay from an idle one on a
 * shared machine. */
static void
pids_sched(double *run_s, double *wait_s)
{
	unsigned long long run, wait;
	char path[64];
	FILE *f;
	int i;

	*run_s = *wait_s = 0;
	for (i = 0; i < opt.npids; i++) {
		snprintf(path, sizeof(path), "/proc/%d/schedstat",
		    (int)opt.pids[i]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%llu %llu", &run, &wait) == 2) {
			*run_s += (double)run / 1e9;
			*wait_s += (double)wait / 1e9;
		}
		fclose(f);
	}
}

/* Busy and total jiffies of the whole machine (/proc/stat). */
static void
machine_cpu(double *busy, double *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f;

	*busy = *total = 0;
	f = fopen("/proc/stat", "r");
	if (f == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	        &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
		*total = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] +
		    v[6] + v[7]);
		*busy = *total - (double)(v[3] + v[4]);
	}
	fclose(f);
}

/* ---- worker: the websocket connections ---------------------------------- */

enum conn_state {
	CONN_IDLE = 0,   /* not started */
	CONN_CONNECTING, /* TCP connect in progress */
	CONN_HANDSHAKE,  /* upgrade request sent */
	CONN_UPGRADED,   /* 101 received, waiting for hello */
	CONN_OPEN,       /* hello received */
	CONN_DONE,       /* failed or closed */
};

struct wconn {
	int fd;
	uint8_t state;
	uint16_t plen;
	unsigned char *partial;
	uint64_t t0;
};

/* What a worker reports to the parent (a snapshot or the final one). */
struct wstats {
	uint64_t assigned, attempted, inflight, ready;
	uint64_t fail_connect, fail_timeout, fail_other;
	uint64_t fail_eof_request;  /* closed before the upgrade answer */
	uint64_t fail_eof_upgraded; /* closed after 101, before hello */
	uint64_t refused_401, refused_403, refused_other;
	uint64_t closed; /* closed by the server after hello */
	uint64_t marks;  /* bench messages received */
	uint64_t frames, bytes, pings;
	uint64_t last_mark_ns;
	struct hist lat; /* POST sent -> frame read, us */
	struct hist hs;  /* connect -> hello, us */
};

struct worker {
	int index;
	int ep;
	int ctl_in, ctl_out;
	long first, count; /* connection indices */
	struct wconn *conns;
	long next; /* next connection to start */
	unsigned char *buf;
	struct wstats st;
};

static int
ws_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			/* Tiny writes on a fresh socket; a full buffer
			 * here means the peer is stuck. */
			return -1;
		}
		if (w <= 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
ws_read_all(int fd, void *p, size_t n)
{
	char *c = p;
	ssize_t r;

	while (n > 0) {
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
conn_finish(struct worker *w, struct wconn *c, uint64_t *counter)
{
	if (c->state < CONN_OPEN && c->state > CONN_IDLE)
		w->st.inflight--;
	if (counter != NULL)
		(*counter)++;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->partial);
	c->partial = NULL;
	c->plen = 0;
	c->state = CONN_DONE;
}

static void
conn_start(struct worker *w, long i)
{
	struct wconn *c = &w->conns[i - w->first];
	const struct ws_url *u = &opt.urls[i % opt.nurls];
	struct sockaddr_in src;
	struct epoll_event ev;
	int one = 1, fd;

	w->st.attempted++;
	w->st.inflight++;
	c->state = CONN_CONNECTING;
	c->t0 = ws_now();
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->fd = fd;
	if (fd < 0) {
		conn_finish(w, c, &w->st.fail_connect);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Ports are chosen at connect() per 4-tuple, so each source address
	 * gives another ~28 k ports per relay port. */
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	memset(&src, 0, sizeof(src));
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i % opt.src_ips));
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (const struct sockaddr *)&u->addr, sizeof(u->addr)) !=
	            0 &&
	        errno != EINPROGRESS)) {
		conn_finish(w, c, &w->st.fail_connect);
		return;
	}
	ev.events = EPOLLOUT | EPOLLIN;
	ev.data.u64 = (uint64_t)(i - w->first);
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		conn_finish(w, c, &w->st.fail_connect);
}

static void
conn_send_upgrade(struct worker *w, long k)
{
	struct wconn *c = &w->conns[k];
	long i = w->first + k;
	const struct ws_url *u = &opt.urls[i % opt.nurls];
	struct epoll_event ev;
	char req[2048], *tok = NULL;
	int64_t uid = opt.first_user + i;
	int err = 0, n;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		conn_finish(w, c, &w->st.fail_connect);
		return;
	}
	if (jwt_issue(JWT_TYPE_ACCESS, uid, uid, opt.lifetime, &tok) !=
	    ERR_OK) {
		conn_finish(w, c, &w->st.fail_other);
		return;
	}
	n = snprintf(req, sizeof(req),
	    "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n"
	    "Cookie: %s=%s\r\n\r\n",
	    u->path, u->hostport, opt.origin, cfg.access_cookie, tok);
	free(tok);
	if (n <= 0 || (size_t)n >= sizeof(req) ||
	    ws_write_all(c->fd, req, (size_t)n) != 0) {
		conn_finish(w, c, &w->st.fail_other);
		return;
	}
	c->state = CONN_HANDSHAKE;
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)k;
	epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* A text frame's payload: counts bench marks and the hello. */
static void
conn_text(struct worker *w, struct wconn *c, const unsigned char *p, size_t n,
    uint64_t now)
{
	const unsigned char *m;
	uint64_t t;

	w->st.frames++;
	w->st.bytes += n;
	m = memmem(p, n, WS_MARK, sizeof(WS_MARK) - 1);
	if (m != NULL) {
		m += sizeof(WS_MARK) - 1;
		t = 0;
		while (m < p + n && *m >= '0' && *m <= '9')
			t = t * 10 + (uint64_t)(*m++ - '0');
		w->st.marks++;
		if (now > t)
			hist_add(&w->st.lat, (now - t) / 1000);
		else
			hist_add(&w->st.lat, 0);
		if (now > w->st.last_mark_ns)
			w->st.last_mark_ns = now;
		return;
	}
	if (c->state == CONN_UPGRADED && memmem(p, n, "\"hello\"", 7) != NULL) {
		c->state = CONN_OPEN;
		w->st.inflight--;
		w->st.ready++;
		hist_add(&w->st.hs, (now - c->t0) / 1000);
	}
}

/* Parses frames in buf[0..n); returns bytes consumed, or -1 when the
 * connection must close. */
static long
conn_frames(struct worker *w, struct wconn *c, unsigned char *buf, size_t n,
    uint64_t now)
{
	size_t off = 0, h;
	uint64_t plen;
	unsigned op;
	unsigned char pong[2 + 4 + 125];

	while (n - off >= 2) {
		unsigned char *f = buf + off;

		op = f[0] & 0x0f;
		plen = f[1] & 0x7f;
		h = 2;
		if (f[1] & 0x80)
			return -1; /* servers never mask */
		if (plen == 126) {
			if (n - off < 4)
				break;
			plen = ((uint64_t)f[2] << 8) | f[3];
			h = 4;
		} else if (plen == 127) {
			unsigned k;

			if (n - off < 10)
				break;
			plen = 0;
			for (k = 0; k < 8; k++)
				plen = (plen << 8) | f[2 + k];
			h = 10;
		}
		if (plen > WS_PARTIAL_MAX)
			return -1;
		if (n - off < h + plen)
			break;
		switch (op) {
		case 0x0:
		case 0x1:
			conn_text(w, c, f + h, (size_t)plen, now);
			break;
		case 0x8:
			return -1;
		case 0x9:
			if (plen <= 125) {
				pong[0] = 0x8a;
				pong[1] = (unsigned char)(0x80 | plen);
				memset(pong + 2, 0, 4); /* zero mask */
				memcpy(pong + 6, f + h, (size_t)plen);
				w->st.pings++;
				if (ws_write_all(c->fd, pong,
				        6 + (size_t)plen) != 0)
					return -1;
			}
			break;
		default:
			break;
		}
		off += h + (size_t)plen;
	}
	return (long)off;
}

static void
conn_readable(struct worker *w, long k)
{
	struct wconn *c = &w->conns[k];
	unsigned char *buf = w->buf, *hdr_end;
	size_t have = c->plen, total, start = 0;
	uint64_t now;
	ssize_t r;
	long used;
	int status;

	if (have > 0)
		memcpy(buf, c->partial, have);
	free(c->partial);
	c->partial = NULL;
	c->plen = 0;
	r = read(c->fd, buf + have, WS_RBUF - have);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		r = 0;
		if (have == 0)
			return;
	} else if (r <= 0) {
		if (c->state == CONN_OPEN)
			conn_finish(w, c, &w->st.closed);
		else if (c->state == CONN_UPGRADED)
			conn_finish(w, c, &w->st.fail_eof_upgraded);
		else
			conn_finish(w, c, &w->st.fail_eof_request);
		return;
	}
	total = have + (size_t)r;
	now = ws_now();
	if (c->state == CONN_HANDSHAKE) {
		hdr_end = memmem(buf, total, "\r\n\r\n", 4);
		if (hdr_end == NULL) {
			if (total > WS_HS_MAX) {
				conn_finish(w, c, &w->st.fail_other);
				return;
			}
			goto keep;
		}
		status = total > 12 ? atoi((const char *)buf + 9) : 0;
		if (status != 101) {
			conn_finish(w, c,
			    status == 401       ? &w->st.refused_401
			        : status == 403 ? &w->st.refused_403
			                        : &w->st.refused_other);
			return;
		}
		c->state = CONN_UPGRADED;
		start = (size_t)(hdr_end + 4 - buf);
	}
	used = conn_frames(w, c, buf + start, total - start, now);
	if (used < 0) {
		conn_finish(w, c,
		    c->state == CONN_OPEN ? &w->st.closed
		                          : &w->st.fail_eof_upgraded);
		return;
	}
	start += (size_t)used;
	if (start == total)
		return;
	memmove(buf, buf + start, total - start);
	total -= start;
keep:
	c->partial = malloc(total);
	if (c->partial == NULL) {
		conn_finish(w, c, &w->st.fail_other);
		return;
	}
	memcpy(c->partial, buf, total);
	c->plen = (uint16_t)total;
}

/* Handshakes older than the connect timeout fail. */
static void
worker_sweep(struct worker *w, uint64_t now)
{
	uint64_t limit = (uint64_t)(opt.connect_timeout * 1e9);
	long k;

	if (w->st.inflight == 0)
		return;
	for (k = 0; k < w->next - w->first; k++) {
		struct wconn *c = &w->conns[k];

		if (c->state > CONN_IDLE && c->state < CONN_OPEN &&
		    now - c->t0 > limit)
			conn_finish(w, c, &w->st.fail_timeout);
	}
}

static void
worker_run(struct worker *w)
{
	struct epoll_event evs[512], ev;
	uint64_t last_sweep = ws_now();
	unsigned char cmd;
	int n, i, stop = 0;

	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->buf = malloc(WS_RBUF);
	w->conns = calloc((size_t)w->count, sizeof(*w->conns));
	if (w->ep < 0 || w->buf == NULL || w->conns == NULL) {
		fprintf(stderr, "wsload: worker %d: out of memory\n", w->index);
		_exit(1);
	}
	for (i = 0; i < w->count; i++)
		w->conns[i].fd = -1;
	w->st.assigned = (uint64_t)w->count;
	w->next = w->first;
	ev.events = EPOLLIN;
	ev.data.u64 = UINT64_MAX;
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->ctl_in, &ev);
	while (!stop) {
		while (w->next < w->first + w->count &&
		    w->st.inflight < WS_INFLIGHT_MAX)
			conn_start(w, w->next++);
		n = epoll_wait(w->ep, evs, 512, 100);
		for (i = 0; i < n; i++) {
			uint64_t k = evs[i].data.u64;
			struct wconn *c;

			if (k == UINT64_MAX) {
				if (read(w->ctl_in, &cmd, 1) != 1)
					cmd = 's';
				if (cmd == 's')
					stop = 1;
				ws_write_all(w->ctl_out, &w->st, sizeof(w->st));
				continue;
			}
			c = &w->conns[k];
			if (c->state == CONN_DONE)
				continue;
			if (c->state == CONN_CONNECTING) {
				if (evs[i].events &
				    (EPOLLOUT | EPOLLERR | EPOLLHUP))
					conn_send_upgrade(w, (long)k);
				continue;
			}
			conn_readable(w, (long)k);
		}
		if (ws_now() - last_sweep > 1000000000ull) {
			last_sweep = ws_now();
			worker_sweep(w, last_sweep);
		}
	}
	_exit(0);
}

/* ---- parent: workers ------------------------------------------------------ */

struct wproc {
	pid_t pid;
	int ctl; /* parent -> worker */
	int rep; /* worker -> parent */
};

static struct wproc wprocs[WS_MAX_WORKERS];
static int nworkers;

static void
workers_start(void)
{
	long per, first = 0;
	int i, a[2], b[2], j;

	per = (opt.nusers + nworkers - 1) / nworkers;
	for (i = 0; i < nworkers; i++) {
		struct worker w;

		if (pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0) {
			perror("wsload: pipe");
			exit(1);
		}
		fflush(NULL);
		wprocs[i].pid = fork();
		if (wprocs[i].pid < 0) {
			perror("wsload: fork");
			exit(1);
		}
		if (wprocs[i].pid == 0) {
			for (j = 0; j < i; j++) {
				close(wprocs[j].ctl);
				close(wprocs[j].rep);
			}
			close(a[1]);
			close(b[0]);
			memset(&w, 0, sizeof(w));
			w.index = i;
			w.ctl_in = a[0];
			w.ctl_out = b[1];
			w.first = first;
			w.count = first + per > opt.nusers ? opt.nusers - first
			                                   : per;
			if (w.count < 0)
				w.count = 0;
			worker_run(&w);
		}
		close(a[0]);
		close(b[1]);
		wprocs[i].ctl = a[1];
		wprocs[i].rep = b[0];
		first += per;
	}
}

/* Sends cmd ('q' snapshot, 's' stop) to every worker and sums the
 * replies into *sum.  Histograms are merged too. */
static void
workers_ask(char cmd, struct wstats *sum)
{
	struct wstats *one = malloc(sizeof(*one));
	int i;

	memset(sum, 0, sizeof(*sum));
	if (one == NULL)
		exit(1);
	for (i = 0; i < nworkers; i++)
		if (ws_write_all(wprocs[i].ctl, &cmd, 1) != 0)
			fprintf(stderr, "wsload: worker %d is gone\n", i);
	for (i = 0; i < nworkers; i++) {
		if (ws_read_all(wprocs[i].rep, one, sizeof(*one)) != 0)
			continue;
		sum->assigned += one->assigned;
		sum->attempted += one->attempted;
		sum->inflight += one->inflight;
		sum->ready += one->ready;
		sum->fail_connect += one->fail_connect;
		sum->fail_timeout += one->fail_timeout;
		sum->fail_other += one->fail_other;
		sum->fail_eof_request += one->fail_eof_request;
		sum->fail_eof_upgraded += one->fail_eof_upgraded;
		sum->refused_401 += one->refused_401;
		sum->refused_403 += one->refused_403;
		sum->refused_other += one->refused_other;
		sum->closed += one->closed;
		sum->marks += one->marks;
		sum->frames += one->frames;
		sum->bytes += one->bytes;
		sum->pings += one->pings;
		if (one->last_mark_ns > sum->last_mark_ns)
			sum->last_mark_ns = one->last_mark_ns;
		hist_merge(&sum->lat, &one->lat);
		hist_merge(&sum->hs, &one->hs);
	}
	free(one);
}

static void
workers_wait(void)
{
	int i, status;

	for (i = 0; i < nworkers; i++) {
		close(wprocs[i].ctl);
		close(wprocs[i].rep);
		waitpid(wprocs[i].pid, &status, 0);
	}
}

/* ---- parent: the HTTP posters --------------------------------------------- */

struct pconn {
	int fd;
	int busy;
	int64_t uid;
	int64_t room;
	char *token;
	uint64_t t_sent;
	size_t rlen;
	char rbuf[POST_RBUF];
};

static struct {
	struct pconn c[WS_MAX_POSTERS];
	int n;
	int ep;
	uint64_t issued, ok, failed, status_other, reconnects;
	uint64_t seq;
	struct hist lat; /* POST round trip, us */
	char pad[4096];
} post;

static int
pconn_connect(struct pconn *c)
{
	struct epoll_event ev;
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&opt.post.addr,
	        sizeof(opt.post.addr)) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	/* Blocking writes (requests are small); reads through epoll. */
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	epoll_ctl(post.ep, EPOLL_CTL_ADD, c->fd, &ev);
	c->busy = 0;
	c->rlen = 0;
	return 0;
}

static void
pconn_reset(struct pconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->busy = 0;
	post.reconnects++;
	pconn_connect(c);
}

static void
pconn_send(struct pconn *c)
{
	char body[4600], req[6144];
	int blen, n;

	c->t_sent = ws_now();
	blen = snprintf(body, sizeof(body),
	    "{\"text\":\"bench " WS_MARK "%" PRIu64 "~ #%" PRIu64 " %.*s\"}",
	    c->t_sent, ++post.seq, opt.text_bytes, post.pad);
	n = snprintf(req, sizeof(req),
	    "POST /api/rooms/%" PRId64 "/messages HTTP/1.1\r\nHost: %s\r\n"
	    "Authorization: Bearer %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
	    c->room, opt.post.hostport, c->token, blen, body);
	post.issued++;
	if (c->fd < 0 || n <= 0 || (size_t)n >= sizeof(req) ||
	    ws_write_all(c->fd, req, (size_t)n) != 0) {
		post.failed++;
		pconn_reset(c);
		return;
	}
	c->busy = 1;
}

/* Returns the length of a complete response at the start of c->rbuf, 0
 * when more is needed, -1 when it cannot be parsed. */
static long
pconn_response_len(struct pconn *c, int *status)
{
	char *end, *p, *line;
	size_t hlen, clen = 0, off;
	int chunked = 0, have_len = 0;

	end = memmem(c->rbuf, c->rlen, "\r\n\r\n", 4);
	if (end == NULL)
		return c->rlen >= sizeof(c->rbuf) ? -1 : 0;
	hlen = (size_t)(end + 4 - c->rbuf);
	*status = atoi(c->rbuf + 9);
	for (line = c->rbuf; line < end; line = p + 2) {
		p = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if (p == NULL)
			break;
		if (strncasecmp(line, "Content-Length:", 15) == 0) {
			clen = strtoul(line + 15, NULL, 10);
			have_len = 1;
		} else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 &&
		    memmem(line, (size_t)(p - line), "chunked", 7) != NULL) {
			chunked = 1;
		}
	}
	if (have_len)
		return hlen + clen <= c->rlen
		    ? (long)(hlen + clen)
		    : (hlen + clen > sizeof(c->rbuf) ? -1 : 0);
	if (!chunked)
		return *status == 204 || *status == 304 ? (long)hlen : -1;
	off = hlen;
	for (;;) {
		char *nl = memmem(c->rbuf + off, c->rlen - off, "\r\n", 2);
		size_t size;

		if (nl == NULL)
			break;
		size = strtoul(c->rbuf + off, NULL, 16);
		off = (size_t)(nl + 2 - c->rbuf);
		if (size == 0)
			return off + 2 <= c->rlen ? (long)(off + 2) : 0;
		off += size + 2;
		if (off > c->rlen)
			break;
	}
	return c->rlen >= sizeof(c->rbuf) ? -1 : 0;
}

/* Reads what arrived; returns 1 when a response completed (the
 * connection is idle again). */
static int
pconn_readable(struct pconn *c)
{
	ssize_t r;
	long len;
	int status = 0;

	r = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
	if (r <= 0) {
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (c->busy)
			post.failed++;
		pconn_reset(c);
		return 0;
	}
	c->rlen += (size_t)r;
	len = pconn_response_len(c, &status);
	if (len == 0)
		return 0;
	if (len < 0) {
		post.failed++;
		pconn_reset(c);
		return 0;
	}
	hist_add(&post.lat, (ws_now() - c->t_sent) / 1000);
	if (status == 200 || status == 201)
		post.ok++;
	else {
		post.status_other++;
		if (post.status_other <= 3)
			fprintf(stderr, "wsload: POST answered %d: %.*s\n",
			    status, (int)(c->rlen > 300 ? 300 : c->rlen),
			    c->rbuf);
	}
	memmove(c->rbuf, c->rbuf + len, c->rlen - (size_t)len);
	c->rlen -= (size_t)len;
	c->busy = 0;
	return 1;
}

static void
posters_init(void)
{
	int i;

	post.ep = epoll_create1(EPOLL_CLOEXEC);
	memset(post.pad, 'x', sizeof(post.pad));
	for (i = 0; i < (int)sizeof(post.pad); i += 6)
		post.pad[i] = ' ';
	post.n = opt.post_conns;
	for (i = 0; i < post.n; i++) {
		struct pconn *c = &post.c[i];

		c->fd = -1;
		c->uid = opt.post_first_user + i;
		c->room = opt.rooms[i % opt.nrooms];
		if (jwt_issue(JWT_TYPE_ACCESS, c->uid, c->uid, opt.lifetime,
		        &c->token) != ERR_OK) {
			fprintf(stderr, "wsload: cannot mint a token\n");
			exit(1);
		}
		if (pconn_connect(c) != 0) {
			fprintf(stderr, "wsload: cannot connect to %s\n",
			    opt.post.hostport);
			exit(1);
		}
	}
}

/* Posts for opt.post_seconds at opt.post_rate (0: every poster as fast
 * as its answers come), then waits for the last answers. */
static void
posters_run(uint64_t *t_start, uint64_t *t_end)
{
	struct epoll_event evs[64], ev;
	struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
	uint64_t start, now, end, due, expirations;
	int tfd, n, i, busy;

	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	timerfd_settime(tfd, 0, &its, NULL);
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	epoll_ctl(post.ep, EPOLL_CTL_ADD, tfd, &ev);
	start = ws_now();
	end = start + (uint64_t)(opt.post_seconds * 1e9);
	*t_start = start;
	if (opt.post_rate <= 0)
		for (i = 0; i < post.n; i++)
			pconn_send(&post.c[i]);
	for (;;) {
		now = ws_now();
		if (now >= end)
			break;
		if (opt.post_rate > 0) {
			due = (uint64_t)(opt.post_rate * (double)(now - start) /
			          1e9) +
			    1;
			for (i = 0; i < post.n && post.issued < due; i++)
				if (!post.c[i].busy && post.c[i].fd >= 0)
					pconn_send(&post.c[i]);
		}
		n = epoll_wait(post.ep, evs, 64, 2);
		for (i = 0; i < n; i++) {
			struct pconn *c = evs[i].data.ptr;

			if (c == NULL) {
				if (read(tfd, &expirations,
				        sizeof(expirations)) < 0)
					expirations = 0;
				continue;
			}
			if (pconn_readable(c) && opt.post_rate <= 0 &&
			    ws_now() < end)
				pconn_send(c);
		}
	}
	*t_end = ws_now();
	/* Collect the outstanding answers (at most 10 s). */
	for (;;) {
		busy = 0;
		for (i = 0; i < post.n; i++)
			busy += post.c[i].busy;
		if (busy == 0 || ws_now() - *t_end > 10000000000ull)
			break;
		n = epoll_wait(post.ep, evs, 64, 50);
		for (i = 0; i < n; i++)
			if (evs[i].data.ptr != NULL)
				pconn_readable(evs[i].data.ptr);
	}
	close(tfd);
}

/* ---- parent: publishing straight to Redis (--publish) ------------------- */

/* Publishes message.created events carrying the bench mark on
 * group:<opt.publish_group> at opt.post_rate for opt.post_seconds, as a
 * program would after a commit; post.ok counts the PUBLISH replies. */
static void
pub_run(uint64_t *t_start, uint64_t *t_end)
{
	struct sockaddr_in a;
	char cmd[8192], body[6144], ch[48], rbuf[4096];
	const char *pw = cfg_get("REDIS_PASSWORD", "");
	uint64_t start, now, end, due;
	size_t k;
	ssize_t r;
	int fd, n, len, clen;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)cfg_get_long("REDIS_PORT", 6379));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    inet_pton(AF_INET, cfg_get("REDIS_HOST", "127.0.0.1"),
	        &a.sin_addr) != 1 ||
	    connect(fd, (const struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "wsload: cannot connect to Redis\n");
		exit(1);
	}
	if (*pw) {
		n = snprintf(cmd, sizeof(cmd),
		    "*2\r\n$4\r\nAUTH\r\n$%zu\r\n%s\r\n", strlen(pw), pw);
		if (ws_write_all(fd, cmd, (size_t)n) != 0 ||
		    read(fd, rbuf, sizeof(rbuf)) <= 0 || rbuf[0] != '+') {
			fprintf(stderr, "wsload: Redis AUTH failed\n");
			exit(1);
		}
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	clen = snprintf(ch, sizeof(ch), "group:%" PRId64, opt.publish_group);
	start = ws_now();
	end = start + (uint64_t)(opt.post_seconds * 1e9);
	*t_start = start;
	while ((now = ws_now()) < end) {
		due = (uint64_t)(opt.post_rate * (double)(now - start) / 1e9) +
		    1;
		for (; post.issued < due; post.issued++) {
			len = snprintf(body, sizeof(body),
			    "{\"type\":\"message.created\",\"group_id\":"
			    "%" PRId64 ",\"message\":{\"id\":%" PRIu64
			    ",\"text\":\"" WS_MARK "%" PRIu64 "~%.*s\"}}",
			    opt.publish_group, post.issued, ws_now(),
			    opt.text_bytes, post.pad);
			n = snprintf(cmd, sizeof(cmd),
			    "*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n",
			    clen, ch, len, body);
			if (ws_write_all(fd, cmd, (size_t)n) != 0) {
				post.failed++;
				continue;
			}
		}
		/* Replies are ":<receivers>\r\n", one line each. */
		while ((r = read(fd, rbuf, sizeof(rbuf))) > 0)
			for (k = 0; k < (size_t)r; k++)
				post.ok += rbuf[k] == '\n';
		ws_sleep_ms(1);
	}
	*t_end = ws_now();
	for (n = 0; n < 1000 && post.ok + post.failed < post.issued; n++) {
		while ((r = read(fd, rbuf, sizeof(rbuf))) > 0)
			for (k = 0; k < (size_t)r; k++)
				post.ok += rbuf[k] == '\n';
		ws_sleep_ms(1);
	}
	close(fd);
}

/* ---- parent: the run --------------------------------------------------------
 */

static void
stats_progress(const char *what, const struct wstats *s, double secs)
{
	fprintf(stderr,
	    "wsload[%s] %s %.1fs: ready %" PRIu64 "/%" PRIu64
	    " inflight %" PRIu64 " failed %" PRIu64 " (connect %" PRIu64
	    " timeout %" PRIu64 " 401 %" PRIu64 " 403 %" PRIu64
	    " other-status %" PRIu64 " eof-before-101 %" PRIu64
	    " eof-before-hello %" PRIu64 " other %" PRIu64 ") closed %" PRIu64
	    "\n",
	    opt.label, what, secs, s->ready, s->assigned, s->inflight,
	    s->fail_connect + s->fail_timeout + s->refused_401 +
	        s->refused_403 + s->refused_other + s->fail_eof_request +
	        s->fail_eof_upgraded + s->fail_other,
	    s->fail_connect, s->fail_timeout, s->refused_401, s->refused_403,
	    s->refused_other, s->fail_eof_request, s->fail_eof_upgraded,
	    s->fail_other, s->closed);
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
cmd_run(void)
{
	struct wstats s;
	struct rusage ru;
	uint64_t t0, t_conn = 0, t_post0 = 0, t_post1 = 0, t_drain = 0;
	uint64_t expected = 0, listeners;
	long rss0, rss1 = 0, rss2 = 0;
	double cpu0 = 0, cpu1 = 0, conn_secs, post_secs = 0, deliv_secs = 0;
	double my_cpu, cpu_secs = 0, run0 = 0, run1 = 0, wait0 = 0, wait1 = 0;
	double mbusy0 = 0, mbusy1 = 0, mtot0 = 0, mtot1 = 0, mbusy_pct = 0;
	struct rlimit rl;
	FILE *f;

	raise_nofile();
	getrlimit(RLIMIT_NOFILE, &rl);
	if (nworkers == 0) {
		long cap = (long)rl.rlim_cur - 64;

		if (cap > WS_CONNS_PER_WORKER)
			cap = WS_CONNS_PER_WORKER;
		nworkers = (int)((opt.nusers + cap - 1) / cap);
		if (nworkers < 1)
			nworkers = 1;
	}
	if (nworkers > WS_MAX_WORKERS)
		nworkers = WS_MAX_WORKERS;
	rss0 = pids_rss_kb();
	t0 = ws_now();
	workers_start();
	/* Phase 1: connect everyone. */
	for (;;) {
		double secs = (double)(ws_now() - t0) / 1e9;
		static double last_print;

		ws_sleep_ms(200);
		workers_ask('q', &s);
		if (s.attempted == s.assigned && s.inflight == 0)
			break;
		if (secs - last_print >= 2) {
			stats_progress("connecting", &s, secs);
			last_print = secs;
		}
		if (secs > opt.connect_timeout + 30)
			break;
	}
	t_conn = ws_now();
	conn_secs = (double)(t_conn - t0) / 1e9;
	stats_progress("connected", &s, conn_secs);
	listeners = s.ready;
	/* Let the relays finish their per-connection work, then weigh them. */
	ws_sleep_ms(1500);
	rss1 = pids_rss_kb();
	if (opt.hold > 0) {
		ws_sleep_ms((long)(opt.hold * 1000));
		rss2 = pids_rss_kb();
	}
	/* Phase 2: post. */
	if (opt.posting) {
		if (opt.publish_group == 0)
			posters_init();
		else
			memset(post.pad, 'x', sizeof(post.pad));
		cpu0 = pids_cpu_s();
		pids_sched(&run0, &wait0);
		machine_cpu(&mbusy0, &mtot0);
		if (opt.publish_group == 0)
			posters_run(&t_post0, &t_post1);
		else
			pub_run(&t_post0, &t_post1);
		pids_sched(&run1, &wait1);
		machine_cpu(&mbusy1, &mtot1);
		if (mtot1 > mtot0)
			mbusy_pct = 100.0 * (mbusy1 - mbusy0) / (mtot1 - mtot0);
		post_secs = (double)(t_post1 - t_post0) / 1e9;
		expected = post.ok * listeners;
		t_drain = ws_now();
		for (;;) {
			workers_ask('q', &s);
			if (s.marks >= expected ||
			    (double)(ws_now() - t_drain) / 1e9 > opt.drain)
				break;
			ws_sleep_ms(100);
		}
		cpu1 = pids_cpu_s();
		cpu_secs = (double)(ws_now() - t_post0) / 1e9;
	}
	workers_ask('s', &s);
	workers_wait();
	if (opt.posting && s.last_mark_ns > t_post0)
		deliv_secs = (double)(s.last_mark_ns - t_post0) / 1e9;
	getrusage(RUSAGE_CHILDREN, &ru);
	my_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	getrusage(RUSAGE_SELF, &ru);
	my_cpu += (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	    ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;

	/* Human summary. */
	stats_progress("done", &s, (double)(ws_now() - t0) / 1e9);
	fprintf(stderr, "  connect rate          %.0f/s (%ld workers)\n",
	    (double)listeners / (conn_secs > 0 ? conn_secs : 1),
	    (long)nworkers);
	hist_print("connect->hello", &s.hs);
	if (opt.npids > 0 && listeners > 0)
		fprintf(stderr,
		    "  relay RSS             %ld -> %ld kB (%.0f "
		    "bytes/connection)\n",
		    rss0, rss1,
		    (double)(rss1 - rss0) * 1024.0 / (double)listeners);
	if (opt.posting) {
		fprintf(stderr,
		    "  posts                 %" PRIu64 " ok / %" PRIu64
		    " issued in %.2fs = %.0f/s (failed %" PRIu64
		    ", other status %" PRIu64 ")\n",
		    post.ok, post.issued, post_secs,
		    (double)post.ok / post_secs, post.failed,
		    post.status_other);
		hist_print("POST round trip", &post.lat);
		fprintf(stderr,
		    "  deliveries            %" PRIu64 " / %" PRIu64
		    " expected (%.3f%%) = %.0f/s; closed by server %" PRIu64
		    "\n",
		    s.marks, expected,
		    expected ? 100.0 * (double)s.marks / (double)expected : 0,
		    deliv_secs > 0 ? (double)s.marks / deliv_secs : 0,
		    s.closed);
		hist_print("POST->receipt", &s.lat);
		if (opt.npids > 0)
			fprintf(stderr,
			    "  relay CPU             %.2f s (%.0f%% "
			    "of one core; %.2f us/delivery)\n",
			    cpu1 - cpu0,
			    100.0 * (cpu1 - cpu0) / (cpu_secs + 1e-9),
			    s.marks ? (cpu1 - cpu0) * 1e6 / (double)s.marks
			            : 0);
	}
	if (opt.posting && opt.npids > 0)
		fprintf(stderr,
		    "  while posting         relays ran %.2f s and "
		    "waited for a CPU %.2f s; machine %.0f%% busy\n",
		    run1 - run0, wait1 - wait0, mbusy_pct);
	fprintf(stderr, "  load tool CPU         %.2f s\n", my_cpu);

	if (opt.json == NULL)
		return 0;
	f = fopen(opt.json, "a");
	if (f == NULL) {
		perror(opt.json);
		return 0;
	}
	fprintf(f,
	    "{\"label\":\"%s\",\"connections\":%ld,\"ready\":%" PRIu64
	    ",\"workers\":%d,\"relays\":%d,\"failed\":{\"connect\":%" PRIu64
	    ",\"timeout\":%" PRIu64 ",\"401\":%" PRIu64 ",\"403\":%" PRIu64
	    ",\"other_status\":%" PRIu64 ",\"eof_before_101\":%" PRIu64
	    ",\"eof_before_hello\":%" PRIu64 ",\"other\":%" PRIu64 "},"
	    "\"closed_by_server\":%" PRIu64 ",\"connect_seconds\":%.3f,"
	    "\"connect_rate\":%.1f,\"handshake\":",
	    opt.label, opt.nusers, s.ready, nworkers, opt.nurls, s.fail_connect,
	    s.fail_timeout, s.refused_401, s.refused_403, s.refused_other,
	    s.fail_eof_request, s.fail_eof_upgraded, s.fail_other, s.closed,
	    conn_secs, (double)listeners / (conn_secs > 0 ? conn_secs : 1));
	hist_json(f, &s.hs);
	fprintf(f,
	    ",\"relay_rss_kb_before\":%ld,\"relay_rss_kb_after\":%ld,"
	    "\"relay_rss_kb_after_hold\":%ld,\"relay_bytes_per_conn\":%.0f,"
	    "\"load_tool_cpu_s\":%.2f",
	    rss0, rss1, rss2,
	    listeners ? (double)(rss1 - rss0) * 1024.0 / (double)listeners : 0,
	    my_cpu);
	if (opt.posting) {
		fprintf(f,
		    ",\"post\":{\"rate_target\":%.1f,\"posters\":%d,"
		    "\"rooms\":%d,\"seconds\":%.3f,\"issued\":%" PRIu64
		    ",\"ok\":%" PRIu64 ",\"failed\":%" PRIu64
		    ",\"other_status\":%" PRIu64 ",\"rate\":%.1f,"
		    "\"round_trip\":",
		    opt.post_rate, post.n, opt.nrooms, post_secs, post.issued,
		    post.ok, post.failed, post.status_other,
		    (double)post.ok / post_secs);
		hist_json(f, &post.lat);
		fprintf(f,
		    "},\"deliveries\":{\"expected\":%" PRIu64
		    ",\"received\":%" PRIu64 ",\"percent\":%.4f,"
		    "\"per_second\":%.1f,\"offered_per_second\":%.1f,"
		    "\"frame_bytes_avg\":%.0f,\"latency\":",
		    expected, s.marks,
		    expected ? 100.0 * (double)s.marks / (double)expected : 0,
		    deliv_secs > 0 ? (double)s.marks / deliv_secs : 0,
		    (double)expected / post_secs,
		    s.frames ? (double)s.bytes / (double)s.frames : 0);
		hist_json(f, &s.lat);
		fprintf(f,
		    "},\"relay_cpu_s\":%.3f,\"relay_cpu_pct\":%.1f,"
		    "\"relay_us_per_delivery\":%.3f",
		    cpu1 - cpu0, 100.0 * (cpu1 - cpu0) / (cpu_secs + 1e-9),
		    s.marks ? (cpu1 - cpu0) * 1e6 / (double)s.marks : 0);
	}
	fprintf(f, "}\n");
	fclose(f);
	return 0;
}

static int
cmd_token(int argc, char **argv)
{
	char *tok;
	int64_t uid;
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--lifetime") == 0 && i + 1 < argc) {
			opt.lifetime = strtol(argv[++i], NULL, 10);
			continue;
		}
		uid = strtoll(argv[i], NULL, 10);
		if (uid <= 0)
			usage();
		if (jwt_issue(JWT_TYPE_ACCESS, uid, uid, opt.lifetime, &tok) !=
		    ERR_OK) {
			fprintf(stderr, "wsload: cannot mint a token\n");
			return 1;
		}
		printf("%s\n", tok);
		free(tok);
	}
	return 0;
}

static void
parse_list(char *s, int max, int *count, int64_t *out64, pid_t *outpid,
    struct ws_url *outurl)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(s, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*count >= max)
			usage();
		if (outurl != NULL && ws_url_parse(tok, &outurl[*count]) != 0) {
			fprintf(stderr, "wsload: bad URL %s\n", tok);
			usage();
		}
		if (out64 != NULL)
			out64[*count] = strtoll(tok, NULL, 10);
		if (outpid != NULL)
			outpid[*count] = (pid_t)strtol(tok, NULL, 10);
		(*count)++;
	}
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (cfg_load() != ERR_OK || sec_init() != ERR_OK) {
		fprintf(stderr,
		    "wsload: set EASYCHAT_ENV to the stack's "
		    "easychat.env\n");
		return 1;
	}
	if (strcmp(argv[1], "token") == 0)
		return cmd_token(argc - 2, argv + 2);
	if (strcmp(argv[1], "run") != 0)
		usage();
	for (i = 2; i < argc; i++) {
		const char *o = argv[i];
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			usage();
		i++;
		if (strcmp(o, "--urls") == 0)
			parse_list(v, WS_MAX_URLS, &opt.nurls, NULL, NULL,
			    opt.urls);
		else if (strcmp(o, "--origin") == 0)
			opt.origin = v;
		else if (strcmp(o, "--users") == 0) {
			if (parse_range(v, &opt.first_user, &opt.nusers) != 0)
				usage();
		} else if (strcmp(o, "--workers") == 0)
			nworkers = atoi(v);
		else if (strcmp(o, "--src-ips") == 0)
			opt.src_ips = atoi(v);
		else if (strcmp(o, "--connect-timeout") == 0)
			opt.connect_timeout = atof(v);
		else if (strcmp(o, "--hold") == 0)
			opt.hold = atof(v);
		else if (strcmp(o, "--pids") == 0)
			parse_list(v, WS_MAX_PIDS, &opt.npids, NULL, opt.pids,
			    NULL);
		else if (strcmp(o, "--post") == 0) {
			if (ws_url_parse(v, &opt.post) != 0)
				usage();
			opt.posting = 1;
		} else if (strcmp(o, "--rooms") == 0)
			parse_list(v, WS_MAX_ROOMS, &opt.nrooms, opt.rooms,
			    NULL, NULL);
		else if (strcmp(o, "--posters") == 0) {
			long n;

			if (parse_range(v, &opt.post_first_user, &n) != 0 ||
			    n < 1 || n > WS_MAX_POSTERS)
				usage();
			opt.post_conns = (int)n;
		} else if (strcmp(o, "--rate") == 0)
			opt.post_rate = atof(v);
		else if (strcmp(o, "--seconds") == 0)
			opt.post_seconds = atof(v);
		else if (strcmp(o, "--drain") == 0)
			opt.drain = atof(v);
		else if (strcmp(o, "--publish") == 0) {
			opt.publish_group = strtoll(v, NULL, 10);
			if (opt.publish_group <= 0)
				usage();
			opt.posting = 1;
		} else if (strcmp(o, "--text-bytes") == 0)
			opt.text_bytes = atoi(v);
		else if (strcmp(o, "--label") == 0)
			opt.label = v;
		else if (strcmp(o, "--json") == 0)
			opt.json = v;
		else if (strcmp(o, "--lifetime") == 0)
			opt.lifetime = strtol(v, NULL, 10);
		else
			usage();
	}
	if (opt.nurls == 0 || opt.origin == NULL || opt.first_user <= 0 ||
	    opt.src_ips < 1 || opt.src_ips > 250 || opt.text_bytes < 0 ||
	    opt.text_bytes > 4000)
		usage();
	if (opt.posting && opt.publish_group == 0 &&
	    (opt.nrooms == 0 || opt.post_first_user <= 0))
		usage();
	return cmd_run();
}
