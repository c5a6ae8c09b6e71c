/*
 * test_diag.c - lists of diagnostics.
 */
// WRAP: realloc
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/diag.h"
#include "eksperiment/error.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static int fail_realloc_at = -1;   /* the realloc call (from 0) that fails */
static int realloc_calls;

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_realloc_at >= 0 && realloc_calls++ == fail_realloc_at)
		return NULL;
	return __real_realloc(p, n);
}

static void test_diag_add_copies_and_formats(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;
	char path[] = "experiments/a/experiment.yaml";

	(void)state;
	assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR, path, 3, 7,
				      "unknown key '%s'; did you mean '%s'?",
				      "titel", "title"), 0);
	path[0] = 'X';                     /* the list has its own copy */
	assert_int_equal(list.count, 1);
	assert_string_equal(list.items[0].path, "experiments/a/experiment.yaml");
	assert_string_equal(list.items[0].message,
			    "unknown key 'titel'; did you mean 'title'?");
	assert_int_equal(list.items[0].line, 3);
	assert_int_equal(list.items[0].col, 7);
	assert_int_equal(list.items[0].severity, EKS_DIAG_ERROR);

	assert_int_equal(eks_diag_add(&list, EKS_DIAG_WARNING, NULL, 0, 0,
				      "no position"), 0);
	assert_string_equal(list.items[1].path, "");
	assert_int_equal(list.items[1].severity, EKS_DIAG_WARNING);
	eks_diag_list_clear(&list);
}

static void test_diag_list_grows(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR, "f", i + 1,
					      1, "problem %d", i), 0);
	assert_int_equal(list.count, 1000);
	assert_true(list.alloc >= 1000);
	assert_string_equal(list.items[999].message, "problem 999");
	assert_int_equal(list.items[500].line, 501);
	eks_diag_list_clear(&list);
}

static void test_diag_sort_by_path_line_col(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;

	(void)state;
	eks_diag_add(&list, EKS_DIAG_ERROR, "b.yaml", 1, 1, "b1");
	eks_diag_add(&list, EKS_DIAG_ERROR, "a.yaml", 10, 2, "a10");
	eks_diag_add(&list, EKS_DIAG_ERROR, "a.yaml", 2, 9, "a2.9");
	eks_diag_add(&list, EKS_DIAG_ERROR, "a.yaml", 2, 3, "a2.3");
	eks_diag_add(&list, EKS_DIAG_ERROR, "a.yaml", 0, 0, "a0");
	eks_diag_sort(&list);
	assert_string_equal(list.items[0].message, "a0");
	assert_string_equal(list.items[1].message, "a2.3");
	assert_string_equal(list.items[2].message, "a2.9");
	assert_string_equal(list.items[3].message, "a10");
	assert_string_equal(list.items[4].message, "b1");
	eks_diag_list_clear(&list);

	/* Sorting nothing is fine. */
	eks_diag_sort(&list);
	assert_int_equal(list.count, 0);
}

/* Equal positions keep the order they were added in, for short and long lists. */
static void test_diag_sort_is_stable(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;
	size_t sizes[] = { 5, 33, 1000, 20000 };
	size_t s, i;

	(void)state;
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (i = 0; i < sizes[s]; i++) {
			/* Lines run backwards in blocks; 7 problems per line. */
			int line = (int)((sizes[s] - i) / 7);
			assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR,
						      i % 3 ? "a" : "b", line,
						      1, "%zu", i), 0);
		}
		eks_diag_sort(&list);
		for (i = 1; i < list.count; i++) {
			const eks_diag *p = &list.items[i - 1];
			const eks_diag *q = &list.items[i];
			int c = strcmp(p->path, q->path);

			assert_true(c <= 0);
			if (c == 0) {
				assert_true(p->line <= q->line);
				if (p->line == q->line)
					assert_true(strtoul(p->message, NULL, 10) <
						    strtoul(q->message, NULL, 10));
			}
		}
		eks_diag_list_clear(&list);
	}
}

static void test_diag_count_and_promote(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;

	(void)state;
	assert_int_equal(eks_diag_count(&list, EKS_DIAG_ERROR), 0);
	eks_diag_add(&list, EKS_DIAG_ERROR, "f", 1, 1, "e1");
	eks_diag_add(&list, EKS_DIAG_WARNING, "f", 2, 1, "w1");
	eks_diag_add(&list, EKS_DIAG_WARNING, "f", 3, 1, "w2");
	assert_int_equal(eks_diag_count(&list, EKS_DIAG_ERROR), 1);
	assert_int_equal(eks_diag_count(&list, EKS_DIAG_WARNING), 2);
	eks_diag_promote_warnings(&list);
	assert_int_equal(eks_diag_count(&list, EKS_DIAG_ERROR), 3);
	assert_int_equal(eks_diag_count(&list, EKS_DIAG_WARNING), 0);
	assert_string_equal(list.items[2].message, "w2");
	eks_diag_list_clear(&list);
}

static void test_diag_clear(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;

	(void)state;
	eks_diag_list_clear(NULL);
	eks_diag_list_clear(&list);
	eks_diag_add(&list, EKS_DIAG_ERROR, "f", 1, 1, "x");
	eks_diag_list_clear(&list);
	assert_null(list.items);
	assert_int_equal(list.count, 0);
	assert_int_equal(list.alloc, 0);
	/* Usable again after clearing. */
	assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR, "g", 2, 2, "y"), 0);
	assert_string_equal(list.items[0].path, "g");
	eks_diag_list_clear(&list);
}

static void test_diag_add_out_of_memory(void **state)
{
	eks_diag_list list = EKS_DIAG_LIST_INIT;
	int n;

	(void)state;
	/* Fail the list's growth, then the message's buffer. */
	for (n = 0; n < 2; n++) {
		realloc_calls = 0;
		fail_realloc_at = n;
		assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR, "f", 1, 1,
					      "message %d", n), EKS_ENOMEM);
		fail_realloc_at = -1;
		assert_int_equal(list.count, 0);
		assert_int_equal(eks_error_last()->code, EKS_ENOMEM);
	}
	assert_int_equal(eks_diag_add(&list, EKS_DIAG_ERROR, "f", 1, 1, "ok"), 0);
	assert_int_equal(list.count, 1);
	eks_diag_list_clear(&list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_add_copies_and_formats),
		cmocka_unit_test(test_diag_list_grows),
		cmocka_unit_test(test_diag_sort_by_path_line_col),
		cmocka_unit_test(test_diag_sort_is_stable),
		cmocka_unit_test(test_diag_count_and_promote),
		cmocka_unit_test(test_diag_clear),
		cmocka_unit_test(test_diag_add_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
