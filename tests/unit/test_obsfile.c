/*
 * test_obsfile.c - observations from CSV and YAML files (log --file):
 * the column rules, value rows joining one observation, quoting, and
 * problems reported at their line and column.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "eksperiment.h"

static int csv(eks_observation **obs, size_t *count, const char *text, eks_diag_list *diags)
{
	return eks_observations_from_csv(obs, count, "data.csv", text, strlen(text), diags);
}

static int has_diag(const eks_diag_list *diags, int line, int col, const char *text)
{
	size_t i;

	for (i = 0; i < diags->count; i++)
		if (diags->items[i].line == line && diags->items[i].col == col &&
		    strstr(diags->items[i].message, text))
			return 1;
	for (i = 0; i < diags->count; i++)
		print_error("  %d:%d: %s\n", diags->items[i].line, diags->items[i].col,
			    diags->items[i].message);
	return 0;
}

static void test_obsfile_csv_rows(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_observation *obs;
	size_t n;

	(void)state;
	assert_int_equal(csv(&obs, &n,
		"\xEF\xBB\xBFoutcome,arm,timepoint,n,events,mean,sd,value\r\n"
		"neet,molde,t1,120,14,,,\r\n"
		"\"wellbeing\",\"molde\",t1,,,,,6.5\r\n"
		"\n"
		"wellbeing,molde,t1,,,,,7.25\r\n"
		"wellbeing,kristiansund,t1,90,,6.4,2.0,\r\n", &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(n, 3);
	assert_string_equal(obs[0].outcome, "neet");
	assert_int_equal(obs[0].fields, EKS_OBS_N | EKS_OBS_EVENTS);
	assert_int_equal(obs[0].events, 14);
	/* the two value rows are one observation */
	assert_int_equal(obs[1].fields, EKS_OBS_VALUES);
	assert_int_equal(obs[1].values_count, 2);
	assert_true(obs[1].values[1] == 7.25);
	assert_int_equal(obs[2].fields, EKS_OBS_N | EKS_OBS_MEAN | EKS_OBS_SD);
	assert_int_equal(obs[2].line, 6);
	eks_observations_free(obs, n);
}

static void test_obsfile_csv_problems(void **state)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_observation *obs;
	size_t n;

	(void)state;
	assert_int_equal(csv(&obs, &n, "outcome,arm,timepont,n,events\n", &diags), EKS_EINVALID);
	assert_true(has_diag(&diags, 1, 13, "did you mean 'timepoint'"));
	assert_true(has_diag(&diags, 1, 1, "no 'timepoint' column"));
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);

	assert_int_equal(csv(&obs, &n,
		"outcome,arm,timepoint,n,events\n"
		"neet,molde,t1,ten,1\n"
		"neet,molde,t1,10,2,7\n"
		"neet,,t1,10,2\n"
		"neet,molde,t1,10,\"2\n", &diags), EKS_EINVALID);
	assert_true(has_diag(&diags, 2, 15, "row 1: 'n' must be a whole number"));
	assert_true(has_diag(&diags, 3, 1, "row 2: this row has 6 fields"));
	assert_true(has_diag(&diags, 4, 6, "row 3: 'arm' is empty"));
	assert_true(has_diag(&diags, 5, 18, "never closed"));
	/* a bad row is reported once: no second complaint about it */
	assert_int_equal(diags.count, 4);
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);

	assert_int_equal(csv(&obs, &n, "", &diags), EKS_EINVALID);
	assert_true(has_diag(&diags, 1, 1, "empty"));
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);
	assert_int_equal(csv(&obs, &n, "outcome,arm,timepoint\n", &diags), EKS_EINVALID);
	assert_true(has_diag(&diags, 2, 1, "no rows"));
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);
}

static void test_obsfile_yaml_list(void **state)
{
	static const char good[] =
		"- {outcome: neet, arm: molde, timepoint: t1, n: 10, events: 2}\n"
		"- {outcome: wellbeing, arm: molde, timepoint: t1, values: [5, 6, 7]}\n";
	static const char bad[] =
		"- {outcome: neet, arm: molde, timepoint: t1, n: 10, events: 2}\n"
		"- {outcome: neet, arm: molde, timepoint: t1, n: many, events: 2}\n";
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_observation *obs;
	size_t n;

	(void)state;
	assert_int_equal(eks_observations_from_yaml(&obs, &n, "d.yaml", good, strlen(good), &diags), 0);
	assert_int_equal(n, 2);
	assert_int_equal(obs[1].values_count, 3);
	assert_int_equal(obs[0].line, 1);
	assert_int_equal(obs[1].pos[EKS_OBS_FIELD_OUTCOME].line, 2);
	eks_observations_free(obs, n);

	assert_int_equal(eks_observations_from_yaml(&obs, &n, "d.yaml", bad, strlen(bad), &diags),
			 EKS_EINVALID);
	assert_true(has_diag(&diags, 2, 49, "'n'"));
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);

	assert_int_equal(eks_observations_from_yaml(&obs, &n, "d.yaml", "a: b\n", 5, &diags),
			 EKS_EINVALID);
	assert_true(has_diag(&diags, 1, 1, "one list of observations"));
	eks_observations_free(obs, n);
	eks_diag_list_clear(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_obsfile_csv_rows),
		cmocka_unit_test(test_obsfile_csv_problems),
		cmocka_unit_test(test_obsfile_yaml_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
