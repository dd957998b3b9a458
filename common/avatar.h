/* avatar.h - the default icon of a new user, drawn on the server from the
 * user's id: a 5x5 mirrored pattern of squares in one of many colour pairs.
 *
 * Layer: domain (common/README.md) - over media and img; knows what a
 * user's default icon looks like.
 *
 * The picture depends on the id alone, so it is the same wherever and
 * whenever it is drawn; it is stored like an upload (content-addressed
 * under MEDIA_DIR, served by the front server under /media/ with a
 * one-year cache) and replaced like one.  Users from before keep the
 * icon they have (the eight pictures in MEDIA_DIR/defaults stay valid).
 */
#ifndef EC_AVATAR_H
#define EC_AVATAR_H

#include <stdint.h>

#include "err.h"

#define AVATAR_GRID 5 /* squares across and down */

/* What the icon of a user id looks like. */
struct avatar_spec {
	char background[8]; /* "#rrggbb" */
	char foreground[8];
	/* Bit (column * AVATAR_GRID + row) for columns 0..2; columns 3 and 4
	 * mirror 1 and 0.  At least four squares are on. */
	unsigned cells;
};

/* Fills `out` for `user_id` (pure: the same id gives the same spec). */
void avatar_spec(int64_t user_id, struct avatar_spec *out);

/* 1 when the square at (column, row), 0..AVATAR_GRID-1, is on. */
int avatar_cell(const struct avatar_spec *spec, int column, int row);

/* Draws the icon of `user_id` and makes it the user's icon (media_attach:
 * the previous default is kept, an uploaded one released).  ERR_INTERNAL
 * (logged) when it cannot be drawn or written; the caller may go on with
 * the icon the user has. */
enum err_code avatar_assign(int64_t user_id);

#endif
