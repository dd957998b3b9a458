/* search.h - the handlers of the search program (search.c), for the
 * route table in main.c. */
#ifndef EC_SEARCH_H
#define EC_SEARCH_H

#include "http.h"

/* GET /api/search/groups?q=&limit=&offset=: public groups, best first,
 * with member and online counts.  Anyone may search. */
enum err_code search_groups(struct http_req *r);

/* GET /api/search/messages?q=&group_id=&room_id=&limit=&offset=: the
 * caller's messages (groups they are a member of), with snippets. */
enum err_code search_messages(struct http_req *r);

/* The settings every connection of the program runs after it connects
 * (for db_set_session_sql()). */
extern const char search_session_sql[];

#endif
