/*
 * test_accumulate.c - the current data per (outcome, arm, timepoint),
 * SPEC 2.2: counts add, summaries pool exactly, values join, superseded
 * entries drop out.  Expected values are computed by hand in comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eksperiment.h"

static eks_log *parse_log(const char *text)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_log *log = NULL;

	eks_validate_log(&log, "log.yaml", text, strlen(text), NULL, NULL, &diags);
	assert_int_equal(eks_diag_count(&diags, EKS_DIAG_ERROR), 0);
	eks_diag_list_clear(&diags);
	assert_non_null(log);
	return log;
}

#define ENTRY(id) "---\nid: " id "\nkind: observation\nrecorded_at: 2026-01-01T00:00:00Z\n" \
	"recorded_by: T <t@kommune.example>\n"

static void test_accumulate_counts_add(void **state)
{
	eks_log *log = parse_log(
		ENTRY("20260101T000000Z-0001")
		"observations:\n  - {outcome: neet, arm: a, timepoint: t1, n: 120, events: 14}\n"
		"  - {outcome: neet, arm: b, timepoint: t1, n: 118, events: 25}\n"
		ENTRY("20260102T000000Z-0002")
		"observations:\n  - {outcome: neet, arm: a, timepoint: t1, n: 30, events: 6}\n");
	eks_cells *cells;
	const eks_cell *c;

	(void)state;
	assert_int_equal(eks_log_accumulate(&cells, log), 0);
	assert_int_equal(cells->count, 2);
	c = eks_cells_find(cells, "neet", "a", "t1");
	assert_non_null(c);
	assert_true(c->has_counts);
	assert_int_equal(c->n, 150);
	assert_int_equal(c->events, 20);
	assert_int_equal(c->observations, 2);
	assert_null(eks_cells_find(cells, "neet", "a", "t0"));
	eks_cells_free(cells);
	eks_log_free(log);
}

/* Two groups {1, 2, 3} (n 3, mean 2, sd 1) and {5, 7} (n 2, mean 6,
 * sd 1.414214): pooled {1, 2, 3, 5, 7} has mean 3.6 and sd 2.408319. */
static void test_accumulate_means_pool_exactly(void **state)
{
	eks_log *log = parse_log(
		ENTRY("20260101T000000Z-0001")
		"observations:\n  - {outcome: y, arm: a, timepoint: t1, n: 3, mean: 2, sd: 1}\n"
		ENTRY("20260102T000000Z-0002")
		"observations:\n  - {outcome: y, arm: a, timepoint: t1, values: [5, 7]}\n");
	eks_cells *cells;
	const eks_cell *c;

	(void)state;
	assert_int_equal(eks_log_accumulate(&cells, log), 0);
	c = eks_cells_find(cells, "y", "a", "t1");
	assert_non_null(c);
	assert_true(c->has_summary);
	assert_int_equal(c->summary.n, 5);
	assert_true(fabs(c->summary.mean - 3.6) < 1e-12);
	assert_true(fabs(c->summary.sd - sqrt(5.8)) < 1e-12);
	assert_int_equal(c->values_count, 2);
	eks_cells_free(cells);
	eks_log_free(log);
}

static void test_accumulate_superseded_entries_drop_out(void **state)
{
	eks_log *log = parse_log(
		ENTRY("20260101T000000Z-0001")
		"observations:\n  - {outcome: neet, arm: a, timepoint: t1, n: 100, events: 50}\n"
		ENTRY("20260102T000000Z-0002")
		"supersedes: 20260101T000000Z-0001\n"
		"observations:\n  - {outcome: neet, arm: a, timepoint: t1, n: 100, events: 10}\n"
		"---\nid: 20260103T000000Z-0003\nkind: note\nrecorded_at: 2026-01-03T00:00:00Z\n"
		"recorded_by: T <t@kommune.example>\nnote: a note adds no data\n");
	eks_cells *cells;
	const eks_cell *c;

	(void)state;
	assert_true(eks_log_entry_superseded(log, "20260101T000000Z-0001"));
	assert_false(eks_log_entry_superseded(log, "20260102T000000Z-0002"));
	assert_int_equal(eks_log_accumulate(&cells, log), 0);
	c = eks_cells_find(cells, "neet", "a", "t1");
	assert_non_null(c);
	assert_int_equal(c->n, 100);
	assert_int_equal(c->events, 10);
	assert_string_equal(c->first_recorded_at, "2026-01-01T00:00:00Z");
	eks_cells_free(cells);
	eks_log_free(log);
}

static void test_accumulate_refuses_mixed_cells(void **state)
{
	eks_log *log = parse_log(
		ENTRY("20260101T000000Z-0001")
		"observations:\n  - {outcome: y, arm: a, timepoint: t1, n: 10, events: 5}\n"
		ENTRY("20260102T000000Z-0002")
		"observations:\n  - {outcome: y, arm: a, timepoint: t1, n: 10, mean: 1, sd: 1}\n");
	eks_cells *cells = NULL;

	(void)state;
	assert_int_equal(eks_log_accumulate(&cells, log), EKS_EINVALID);
	assert_null(cells);
	assert_non_null(strstr(eks_error_last()->message, "mix counts"));
	eks_log_free(log);
}

/* SPEC 8.2: sums are checked, never wrapped (two counts of 5e18 would
 * wrap to a negative n that looked like "no observations"). */
static void test_accumulate_refuses_sums_that_overflow(void **state)
{
	static const char *const observations[] = {
		"{outcome: y, arm: a, timepoint: t1, n: 5000000000000000000, events: 1}",
		"{outcome: y, arm: a, timepoint: t1, n: 5000000000000000000, mean: 1, sd: 1}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char text[512];
		eks_cells *cells = NULL;
		eks_log *log;

		snprintf(text, sizeof(text),
			 ENTRY("20260101T000000Z-0001") "observations:\n  - %s\n"
			 ENTRY("20260102T000000Z-0002") "observations:\n  - %s\n",
			 observations[i], observations[i]);
		log = parse_log(text);
		assert_int_equal(eks_log_accumulate(&cells, log), EKS_EINVALID);
		assert_null(cells);
		assert_non_null(strstr(eks_error_last()->message, "more units than can be counted"));
		eks_log_free(log);
	}
}

static void test_accumulate_empty_log(void **state)
{
	eks_log *log = parse_log("");
	eks_cells *cells;

	(void)state;
	assert_int_equal(eks_log_accumulate(&cells, log), 0);
	assert_int_equal(cells->count, 0);
	eks_cells_free(cells);
	eks_log_free(log);
	eks_cells_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accumulate_counts_add),
		cmocka_unit_test(test_accumulate_means_pool_exactly),
		cmocka_unit_test(test_accumulate_superseded_entries_drop_out),
		cmocka_unit_test(test_accumulate_refuses_mixed_cells),
		cmocka_unit_test(test_accumulate_refuses_sums_that_overflow),
		cmocka_unit_test(test_accumulate_empty_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
