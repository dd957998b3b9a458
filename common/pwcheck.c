/* pwcheck.c - the common-password blocklist as a hash set (see pwcheck.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "pwcheck.h"

/* Longer lines cannot be a password anyone may choose (JSON_PASSWORD_MAX
 * is 128 code points, 512 bytes of UTF-8 at most). */
#define PWCHECK_LINE_MAX 512

static char **pwcheck_slots; /* NULL or a lower-cased password */
static size_t pwcheck_size;  /* a power of two */
static size_t pwcheck_n;
static int pwcheck_loaded;

static uint64_t
pwcheck_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static void
pwcheck_lower(char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	}
}

/* The slot holding `s` (lower-cased, n bytes), or the empty one where it
 * would go. */
static size_t
pwcheck_slot(const char *s, size_t n)
{
	size_t i = (size_t)pwcheck_hash(s, n) & (pwcheck_size - 1);

	while (pwcheck_slots[i] != NULL &&
	    (strlen(pwcheck_slots[i]) != n ||
	        memcmp(pwcheck_slots[i], s, n) != 0))
		i = (i + 1) & (pwcheck_size - 1);
	return i;
}

static void
pwcheck_grow(void)
{
	char **old = pwcheck_slots;
	size_t oldsize = pwcheck_size, i;

	pwcheck_size = oldsize ? oldsize * 2 : 1024;
	pwcheck_slots = mem_calloc(pwcheck_size, sizeof(*pwcheck_slots));
	for (i = 0; i < oldsize; i++) {
		if (old[i] != NULL)
			pwcheck_slots[pwcheck_slot(old[i], strlen(old[i]))] =
			    old[i];
	}
	free(old);
}

static void
pwcheck_add(const char *s, size_t n)
{
	size_t i;

	/* At most half full, so that probes stay short. */
	if ((pwcheck_n + 1) * 2 > pwcheck_size)
		pwcheck_grow();
	i = pwcheck_slot(s, n);
	if (pwcheck_slots[i] != NULL)
		return;
	pwcheck_slots[i] = mem_strndup(s, n);
	pwcheck_n++;
}

enum err_code
pwcheck_load(const char *path)
{
	char line[PWCHECK_LINE_MAX + 2];
	enum err_code rc = ERR_OK;
	FILE *f = NULL;
	size_t n;

	if (pwcheck_loaded)
		return ERR_OK;
	pwcheck_grow();
	if (path == NULL || path[0] == '\0') {
		log_warn("no PASSWORD_BLOCKLIST: common passwords are allowed");
		goto out;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		log_error("PASSWORD_BLOCKLIST %s: cannot open", path);
		rc = ERR_INTERNAL;
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n = strcspn(line, "\r\n");
		if (n == 0 || line[0] == '#' || n > PWCHECK_LINE_MAX)
			continue;
		pwcheck_lower(line, n);
		pwcheck_add(line, n);
	}
	if (ferror(f)) {
		log_error("PASSWORD_BLOCKLIST %s: read error", path);
		rc = ERR_INTERNAL;
		goto out;
	}
	log_info("password blocklist: %zu entries from %s", pwcheck_n, path);
out:
	if (f != NULL)
		fclose(f);
	if (rc)
		pwcheck_release();
	else
		pwcheck_loaded = 1;
	return rc;
}

size_t
pwcheck_count(void)
{
	return pwcheck_n;
}

const char *
pwcheck_refusal(const char *password, size_t len, const char *username,
    size_t ulen)
{
	const char *why = NULL;
	char *low;
	size_t i;

	if (username != NULL && ulen == len) {
		for (i = 0; i < len; i++) {
			char a = password[i], b = username[i];

			if (a >= 'A' && a <= 'Z')
				a = (char)(a - 'A' + 'a');
			if (b >= 'A' && b <= 'Z')
				b = (char)(b - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == len)
			return "must not be the same as the username";
	}
	if (pwcheck_size == 0 || len > PWCHECK_LINE_MAX)
		return NULL;
	low = mem_strndup(password, len);
	pwcheck_lower(low, len);
	if (pwcheck_slots[pwcheck_slot(low, len)] != NULL)
		why = "is one of the most common passwords; choose another";
	free(low);
	return why;
}

void
pwcheck_release(void)
{
	size_t i;

	for (i = 0; i < pwcheck_size; i++)
		free(pwcheck_slots[i]);
	free(pwcheck_slots);
	pwcheck_slots = NULL;
	pwcheck_size = 0;
	pwcheck_n = 0;
	pwcheck_loaded = 0;
}
