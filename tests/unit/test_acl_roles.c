/* test_acl_roles.c - the role rules of fcgi-apps/groups/openapi.yaml
 * (acl_may_set_role, acl_may_kick, acl_may_ban, acl_may_pin), checked
 * over every
 * combination of roles. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "acl.h"

static void
test_role_names(void **state)
{
	enum acl_role r;

	(void)state;
	for (r = ACL_MEMBER; r <= ACL_OWNER; r++)
		assert_int_equal(acl_role_parse(acl_role_name(r)), r);
	assert_int_equal(acl_role_parse("king"), ACL_NONE);
	assert_int_equal(acl_role_parse(NULL), ACL_NONE);
	assert_string_equal(acl_role_name(ACL_NONE), "");
}

static void
test_set_role(void **state)
{
	enum acl_role actor, target, to;
	int want;

	(void)state;
	for (actor = ACL_NONE; actor <= ACL_OWNER; actor++) {
		for (target = ACL_NONE; target <= ACL_OWNER; target++) {
			for (to = ACL_NONE; to <= ACL_OWNER; to++) {
				if (target == ACL_NONE || to == ACL_NONE)
					want = 0;
				else if (actor == ACL_OWNER)
					want = target != ACL_OWNER;
				else if (actor == ACL_ADMIN)
					want = target <= ACL_MODERATOR &&
					    to <= ACL_MODERATOR;
				else
					want = 0;
				assert_int_equal(acl_may_set_role(actor, target,
				                     to),
				    want);
			}
		}
	}
	/* The cases the reference spells out. */
	assert_true(acl_may_set_role(ACL_OWNER, ACL_MEMBER, ACL_OWNER));
	assert_true(acl_may_set_role(ACL_ADMIN, ACL_MODERATOR, ACL_MEMBER));
	assert_false(acl_may_set_role(ACL_ADMIN, ACL_MEMBER, ACL_ADMIN));
	assert_false(acl_may_set_role(ACL_ADMIN, ACL_ADMIN, ACL_MEMBER));
	assert_false(
	    acl_may_set_role(ACL_MODERATOR, ACL_MEMBER, ACL_MODERATOR));
}

static void
test_kick(void **state)
{
	enum acl_role actor, target;

	(void)state;
	for (actor = ACL_NONE; actor <= ACL_OWNER; actor++) {
		for (target = ACL_NONE; target <= ACL_OWNER; target++) {
			assert_int_equal(acl_may_kick(actor, target),
			    actor >= ACL_MODERATOR && target != ACL_NONE &&
			        target < actor);
		}
	}
	assert_false(acl_may_kick(ACL_MEMBER, ACL_MEMBER));
	assert_true(acl_may_kick(ACL_MODERATOR, ACL_MEMBER));
	assert_false(acl_may_kick(ACL_MODERATOR, ACL_MODERATOR));
	assert_true(acl_may_kick(ACL_ADMIN, ACL_MODERATOR));
	assert_true(acl_may_kick(ACL_OWNER, ACL_ADMIN));
}

/* Bans and timeouts: like a kick, and a non-member can be banned too. */
static void
test_ban(void **state)
{
	enum acl_role actor, target;

	(void)state;
	for (actor = ACL_NONE; actor <= ACL_OWNER; actor++) {
		for (target = ACL_NONE; target <= ACL_OWNER; target++) {
			assert_int_equal(acl_may_ban(actor, target),
			    actor >= ACL_MODERATOR && target < actor);
		}
	}
	assert_true(acl_may_ban(ACL_MODERATOR, ACL_NONE));
	assert_false(acl_may_ban(ACL_MEMBER, ACL_NONE));
	assert_false(acl_may_ban(ACL_MODERATOR, ACL_ADMIN));
	assert_false(acl_may_ban(ACL_ADMIN, ACL_OWNER));
	assert_true(acl_may_ban(ACL_OWNER, ACL_ADMIN));
}

/* Pins (issue 13): moderators and above, nobody else. */
static void
test_pin(void **state)
{
	(void)state;
	assert_false(acl_may_pin(ACL_NONE));
	assert_false(acl_may_pin(ACL_MEMBER));
	assert_true(acl_may_pin(ACL_MODERATOR));
	assert_true(acl_may_pin(ACL_ADMIN));
	assert_true(acl_may_pin(ACL_OWNER));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_role_names),
		cmocka_unit_test(test_set_role),
		cmocka_unit_test(test_kick),
		cmocka_unit_test(test_ban),
		cmocka_unit_test(test_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
