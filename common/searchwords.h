/* searchwords.h - the batched upkeep of the search word table.
 *
 * A new message's id is queued by a trigger (migration 0085) instead of
 * its words being added to search_words on the post path; the queue is
 * drained here in batches: by easychat-deliver every
 * SEARCH_WORDS_POLL_MS (without waiting for another drainer), and by the
 * search program before it reads the word table (waiting for one, so a
 * search always knows the words of every message committed before it).
 *
 * Layer: domain (common/README.md) - over db; may include base and
 * domain headers.
 */
#ifndef EC_SEARCHWORDS_H
#define EC_SEARCHWORDS_H

#include <stddef.h>

#include "err.h"

/* Queue rows one drain takes at most. */
#define SEARCHWORDS_BATCH 10000

/* Adds the words of up to SEARCHWORDS_BATCH queued messages to the word
 * table, in one statement committed on its own (call it outside a
 * transaction).  wait: wait for queue rows another drainer holds instead
 * of skipping them.  *count (when not NULL): the rows taken. */
enum err_code searchwords_drain(int wait, size_t *count);

#endif
