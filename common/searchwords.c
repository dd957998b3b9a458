/* searchwords.c - drains the search word queue (searchwords.h). */
#include "searchwords.h"

#include "db.h"

enum err_code
searchwords_drain(int wait, size_t *count)
{
	struct db_res *res = NULL;
	enum err_code rc;

	/* The deliverer's drain is tagged ec:background (the tests that
	 * count a request's statements leave it out); the search
	 * program's is part of its request. */
	if (wait)
		rc = db_query(&res,
		    "SELECT ec_search_words_drain($1::int, true)",
		    DB_I64(SEARCHWORDS_BATCH));
	else
		rc = db_query(&res,
		    "/* ec:background search words */ "
		    "SELECT ec_search_words_drain($1::int, false)",
		    DB_I64(SEARCHWORDS_BATCH));
	if (rc)
		goto out;
	if (count != NULL)
		*count = (size_t)db_int(res, 0, 0);
out:
	db_res_free(res);
	return rc;
}
