/* pwcheck.h - the password policy beyond length: no common password, not
 * the username.
 *
 * The blocklist is a text file of one password a line (blank lines and
 * lines starting with '#' skipped), held in memory as an open-addressing
 * hash set.  Comparison ignores ASCII case: "Password1" is refused when
 * "password1" is listed.
 *
 * Layer: base (common/README.md) - knows nothing of chat; includes base
 * headers only.
 */
#ifndef EC_PWCHECK_H
#define EC_PWCHECK_H

#include <stddef.h>

#include "err.h"

/* Loads the blocklist from `path` once per process; later calls return
 * ERR_OK at once.  NULL or "" loads an empty list (only the username rule
 * applies).  ERR_INTERNAL, after logging why, when the file cannot be
 * read; nothing is kept then and the next call tries again. */
enum err_code pwcheck_load(const char *path);

/* The number of distinct passwords loaded. */
size_t pwcheck_count(void);

/* Why `password` (len bytes) is refused, as a field message ("is one of
 * the most common passwords", ...), or NULL when it passes.  `username`
 * (ulen bytes) may be NULL.  Call pwcheck_load() first. */
const char *pwcheck_refusal(const char *password, size_t len,
    const char *username, size_t ulen);

/* Frees the list; pwcheck_load() may be called again. */
void pwcheck_release(void);

#endif
