/*
 * test_lifecycle.c - the status moves of SPEC 2.3, all 49 pairs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "eksperiment.h"

static void test_lifecycle_table(void **state)
{
	/* allowed[from][to], statuses in enum order draft .. withdrawn;
	 * draft -> registered belongs to `register` only. */
	static const char *const allowed[] = {
		"draft:withdrawn",
		"registered:active,withdrawn",
		"active:suspended,completed,terminated",
		"suspended:active,completed,terminated,withdrawn",
		"completed:", "terminated:", "withdrawn:",
	};
	int from, to;

	(void)state;
	for (from = EKS_STATUS_DRAFT; from <= EKS_STATUS_WITHDRAWN; from++) {
		const char *row = allowed[from - EKS_STATUS_DRAFT];
		const char *moves = strchr(row, ':') + 1;

		for (to = EKS_STATUS_DRAFT; to <= EKS_STATUS_WITHDRAWN; to++) {
			const char *name = eks_status_name((eks_status)to);
			const char *hit = strstr(moves, name);
			int expected = hit && (hit[strlen(name)] == ',' || hit[strlen(name)] == '\0') &&
				       (hit == moves || hit[-1] == ',');
			if (eks_status_move_allowed((eks_status)from, (eks_status)to) != expected)
				fail_msg("%s -> %s: expected %d", eks_status_name((eks_status)from),
					 name, expected);
		}
	}
	assert_false(eks_status_move_allowed(EKS_STATUS_UNKNOWN, EKS_STATUS_ACTIVE));
}

static void test_lifecycle_logging_and_final(void **state)
{
	(void)state;
	assert_false(eks_status_allows_logging(EKS_STATUS_DRAFT));
	assert_true(eks_status_allows_logging(EKS_STATUS_REGISTERED));
	assert_true(eks_status_allows_logging(EKS_STATUS_ACTIVE));
	assert_true(eks_status_allows_logging(EKS_STATUS_SUSPENDED));
	assert_false(eks_status_allows_logging(EKS_STATUS_COMPLETED));
	assert_true(eks_status_is_final(EKS_STATUS_TERMINATED));
	assert_false(eks_status_is_final(EKS_STATUS_SUSPENDED));
}

static void test_lifecycle_describe(void **state)
{
	eks_buf b = EKS_BUF_INIT;

	(void)state;
	eks_status_describe_moves(&b, EKS_STATUS_REGISTERED);
	assert_string_equal(b.ptr, "active, withdrawn");
	eks_buf_clear(&b);
	eks_status_describe_moves(&b, EKS_STATUS_COMPLETED);
	assert_string_equal(b.ptr, "none: 'completed' is final");
	eks_buf_clear(&b);
	eks_status_describe_moves(&b, EKS_STATUS_DRAFT);
	assert_non_null(strstr(b.ptr, "eksperiment register"));
	eks_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_table),
		cmocka_unit_test(test_lifecycle_logging_and_final),
		cmocka_unit_test(test_lifecycle_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
