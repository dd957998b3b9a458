/* rds.h - Redis access for the programs: one lazy synchronous connection
 * per process (over hiredis).
 *
 * Redis holds only what may be lost: pub/sub for the relay, rate-limit
 * counters, one-time tickets, the token revocation list and presence.
 * Every call reconnects on demand and returns ERR_UNAVAILABLE when Redis
 * cannot be reached.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_RDS_H
#define EC_RDS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Where the Redis primary is: REDIS_SOCKET (a unix socket path, returned
 * with *port 0: a Redis on the same host, which costs the kernel less
 * per round trip than TCP on loopback), else REDIS_HOST/REDIS_PORT, or
 * with REDIS_SENTINELS set, the answer of the first sentinel that gives
 * one (each may take up to 0.2 s).  host is NUL-terminated.  The programs'
 * connection asks on every (re)connection and after a READONLY error; the
 * relay (bus.c) asks on each of its reconnections. */
enum err_code rds_primary(char *host, size_t hostsz, int *port);

/* PUBLISH channel message. */
enum err_code rds_publish(const char *channel, const char *msg, size_t len);

/* INCR key, giving it an expiry of `window` seconds when it is new
 * (window 0: no expiry).  *count receives the new value. */
enum err_code rds_incr(const char *key, long window, long long *count);

/* The integer value of key (0 when absent) and its remaining life in
 * seconds (0 when absent or without expiry). */
enum err_code rds_counter(const char *key, long long *count, long *ttl);

/* SET key value EX ttl. */
enum err_code rds_set(const char *key, const char *value, long ttl);

/* Atomically gets and deletes key (a one-time ticket).  *value is a
 * malloc()ed string, or NULL when the key did not exist. */
enum err_code rds_take(const char *key, char **value);

/* *exists = 1 when key exists. */
enum err_code rds_exists(const char *key, int *exists);

/* For each of `n` keys, out[i] = 1 when it exists (one pipelined round
 * trip; keys of any type). */
enum err_code rds_exists_many(const char *const *keys, size_t n, int *out);

/* Runs a Lua script with `nkeys` keys followed by the other arguments
 * in argv[0..argc): SCRIPT LOAD once (again after NOSCRIPT), then
 * EVALSHA (one round trip; the body is not sent again).  `script` must be a
 * static string: it is remembered by its address.  The script must return an
 * array: out[i] receives a
 * malloc()ed copy of its element i when that is a string, NULL otherwise
 * (for i < nout). */
enum err_code rds_eval(const char *script, int nkeys, int argc,
    const char *const *argv, char **out, size_t nout);

/* rds_eval(), then in the same round trip (both commands written at
 * once, the replies read together) the command cmd[0..cmdc): for a
 * script whose answer is small while what the caller wants is large (a
 * script that returns a 20 KB value costs Redis about 44 us a call, a
 * plain read of it a few).  Not atomic: other clients' commands may run
 * between the two, so the caller checks what the command read against
 * what the script said.  cout[i] receives a malloc()ed copy of element i
 * of the command's reply when that is a string (a string reply is
 * element 0); on an error nothing is returned in out or cout. */
enum err_code rds_eval_then(const char *script, int nkeys, int argc,
    const char *const *argv, char **out, size_t nout, int cmdc,
    const char **cmd, char **cout, size_t ncout);

/* PING: ERR_OK when Redis answers (health checks), else as rds_run. */
enum err_code rds_ping(void);

/* How many connections this process has made so far: a caller that
 * remembers it sees when Redis was reconnected (and may have restarted
 * empty, losing keys written before). */
unsigned long rds_connections(void);

/* Closes the connection (at exit). */
void rds_close(void);

#endif
