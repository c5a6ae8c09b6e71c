/*
 * test_evaluate.c - verdicts on hypotheses (SPEC 6): the example
 * experiment end to end against R, and every verdict rule at and around
 * its boundaries, on protocols and logs written as YAML.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment.h"

#ifndef TEST_DATA
#define TEST_DATA "tests/data"
#endif

/* A protocol, its log, and their evaluation. */
struct fixture {
	eks_protocol *protocol;
	eks_log *log;
	eks_cells *cells;
	eks_evaluation *evaluation;
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc((size_t)size + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	data[size] = '\0';
	fclose(f);
	*len = (size_t)size;
	return data;
}

static void evaluate_texts(struct fixture *fx, const char *protocol, const char *log)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	size_t i;

	memset(fx, 0, sizeof(*fx));
	eks_validate_protocol(&fx->protocol, "experiment.yaml", protocol, strlen(protocol),
			      NULL, 0, &diags);
	eks_validate_log(&fx->log, "log.yaml", log, strlen(log), fx->protocol, NULL, &diags);
	for (i = 0; i < diags.count; i++)
		if (diags.items[i].severity == EKS_DIAG_ERROR)
			print_error("%s:%d:%d: %s\n", diags.items[i].path, diags.items[i].line,
				    diags.items[i].col, diags.items[i].message);
	assert_int_equal(eks_diag_count(&diags, EKS_DIAG_ERROR), 0);
	eks_diag_list_clear(&diags);
	assert_int_equal(eks_log_accumulate(&fx->cells, fx->log), 0);
	assert_int_equal(eks_evaluate(&fx->evaluation, fx->protocol, fx->cells), 0);
}

static void fixture_release(struct fixture *fx)
{
	eks_evaluation_free(fx->evaluation);
	eks_cells_free(fx->cells);
	eks_log_free(fx->log);
	eks_protocol_free(fx->protocol);
}

static const eks_hypothesis_result *result(const struct fixture *fx, const char *id)
{
	size_t i;

	for (i = 0; i < fx->evaluation->count; i++)
		if (!strcmp(fx->evaluation->results[i].hypothesis->id, id))
			return &fx->evaluation->results[i];
	fail_msg("no result for %s", id);
	return NULL;
}

static void assert_close(double got, double want, double rel)
{
	double scale = fabs(want) > 1e-12 ? fabs(want) : 1.0;

	if (fabs(got - want) / scale > rel)
		fail_msg("got %.12g, want %.12g (relative tolerance %g)", got, want, rel);
}

/* ---------------------------------------------------------------- the example */

/* Reference values: R 4.2.2, prop.test(c(14, 25), c(120, 118), correct =
 * FALSE), the Newcombe interval computed from Wilson intervals, t.test from
 * the summaries (Welch), p.adjust(c(p1, p3), "holm"). */
static void test_evaluate_example_matches_r(void **state)
{
	struct fixture fx;
	char *protocol, *log;
	size_t plen, llen;
	const eks_hypothesis_result *h1, *h2, *h3;

	(void)state;
	protocol = read_file(TEST_DATA "/examples/uu-molde-outreach/experiment.yaml", &plen);
	log = read_file(TEST_DATA "/examples/uu-molde-outreach/log.yaml", &llen);
	evaluate_texts(&fx, protocol, log);

	h1 = result(&fx, "H1");
	assert_string_equal(h1->method, "newcombe");
	assert_int_equal(h1->groups_count, 2);
	assert_int_equal(h1->groups[0].n, 120);
	assert_int_equal(h1->groups[0].events, 14);
	assert_close(h1->estimate, -0.09519774011, 1e-9);
	assert_close(h1->ci_low, -0.1893446511, 1e-8);
	assert_close(h1->ci_high, -0.0005695967471, 1e-6);
	assert_close(h1->p_value, 0.0472832262, 1e-8);
	assert_close(h1->p_adjusted, 0.09456645239, 1e-8);
	assert_int_equal(h1->verdict, EKS_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(h1->reason, "after adjusting for 2 confirmatory hypotheses"));

	h3 = result(&fx, "H3");
	assert_string_equal(h3->method, "welch");
	assert_close(h3->estimate, 0.5, 1e-12);
	assert_close(h3->ci_low, -0.05180358869, 1e-7);
	assert_close(h3->ci_high, 1.051803589, 1e-8);
	assert_close(h3->p_value, 0.0754591761, 1e-7);
	assert_close(h3->p_adjusted, 0.09456645239, 1e-8);
	assert_int_equal(h3->verdict, EKS_VERDICT_INCONCLUSIVE);

	/* exploratory: outside the family, p_adjusted = p_value */
	h2 = result(&fx, "H2");
	assert_string_equal(h2->method, "did_normal");
	assert_int_equal(h2->groups_count, 4);
	assert_close(h2->estimate, -0.1063559322, 1e-9);
	assert_close(h2->ci_low, -0.2584708077, 1e-8);
	assert_close(h2->ci_high, 0.04575894333, 1e-8);
	assert_close(h2->p_value, 0.1705711557, 1e-8);
	assert_true(h2->p_adjusted == h2->p_value);
	assert_int_equal(fx.evaluation->family_size, 2);

	fixture_release(&fx);
	free(protocol);
	free(log);
}

/* ---------------------------------------------------------------- synthetic protocols */

/* A protocol with a mean outcome `y` (direction, minimum_effect) and one
 * hypothesis H1 with the given test lines. */
static char *mean_protocol(const char *direction, const char *minimum_effect,
			   const char *hypothesis_lines)
{
	char *text;
	int n = asprintf(&text,
		"schema: eksperiment/v1\n"
		"id: synthetic\n"
		"title: Synthetic\n"
		"challenge: annet\n"
		"status: active\n"
		"partners:\n  - {name: Test kommune, role: lead}\n"
		"design: {allocation: randomized, model: parallel, unit: person}\n"
		"existing_data: none\n"
		"interventions:\n  - {id: i, name: Intervention}\n"
		"arms:\n  - {id: a, label: A, type: experimental, interventions: [i]}\n"
		"  - {id: b, label: B, type: comparison}\n"
		"timepoints:\n  - {id: t0}\n  - {id: t1}\n"
		"outcomes:\n"
		"  - {id: y, role: primary, title: Y, measure: mean, direction: %s%s%s, timepoints: [t0, t1]}\n"
		"hypotheses:\n"
		"  - id: H1\n    statement: s\n    outcome: y\n    timepoint: t1\n%s",
		direction, minimum_effect ? ", minimum_effect: " : "",
		minimum_effect ? minimum_effect : "", hypothesis_lines);
	assert_true(n > 0);
	return text;
}

/* A log with summaries of arms a and b at t1. */
static char *mean_log(double mean_a, double mean_b, double sd, long long n)
{
	char *text;
	int len = asprintf(&text,
		"---\nid: 20260101T000000Z-0001\nkind: observation\n"
		"recorded_at: 2026-01-01T00:00:00Z\nrecorded_by: T <t@kommune.example>\n"
		"observations:\n"
		"  - {outcome: y, arm: a, timepoint: t1, n: %lld, mean: %.17g, sd: %.17g}\n"
		"  - {outcome: y, arm: b, timepoint: t1, n: %lld, mean: %.17g, sd: %.17g}\n",
		n, mean_a, sd, n, mean_b, sd);
	assert_true(len > 0);
	return text;
}

static eks_verdict verdict_of(const char *direction, const char *minimum_effect,
			      const char *hypothesis, double mean_a, double mean_b,
			      double sd, long long n, char **reason)
{
	struct fixture fx;
	char *p = mean_protocol(direction, minimum_effect, hypothesis);
	char *l = mean_log(mean_a, mean_b, sd, n);
	eks_verdict v;

	evaluate_texts(&fx, p, l);
	v = fx.evaluation->results[0].verdict;
	if (reason)
		*reason = strdup(fx.evaluation->results[0].reason);
	fixture_release(&fx);
	free(p);
	free(l);
	return v;
}

#define SUPERIORITY "    compare: {arm: a, against: b}\n    estimator: difference\n"

/* se of the difference = sqrt(2/1000) = 0.0447: every test below is far
 * from significance boundaries except where it is meant to be at one. */
static void test_evaluate_superiority_boundaries(void **state)
{
	char *reason = NULL;

	(void)state;
	/* E exactly at the minimum effect and significant: supported */
	assert_int_equal(verdict_of("increase", "0.5", SUPERIORITY, 1.5, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
	/* just below it, significant, the interval still reaching it: inconclusive */
	assert_int_equal(verdict_of("increase", "0.5", SUPERIORITY, 1.49, 1.0, 1, 1000, &reason),
			 EKS_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(reason, "smaller than the minimum effect"));
	free(reason);
	/* the interval excludes the minimum effect: refuted */
	assert_int_equal(verdict_of("increase", "0.5", SUPERIORITY, 1.3, 1.0, 1, 1000, &reason),
			 EKS_VERDICT_REFUTED);
	assert_non_null(strstr(reason, "rules out an improvement as large as the minimum effect"));
	free(reason);
	/* significant harm: refuted */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.0, 1.3, 1, 1000, &reason),
			 EKS_VERDICT_REFUTED);
	free(reason);
	/* not significant, no minimum effect: inconclusive */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.05, 1.0, 1, 1000, &reason),
			 EKS_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(reason, "not significant"));
	free(reason);
	/* direction decrease turns a drop into an improvement */
	assert_int_equal(verdict_of("decrease", "0.5", SUPERIORITY, 1.0, 1.5, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
	assert_int_equal(verdict_of("decrease", "0.5", SUPERIORITY, 1.5, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_REFUTED);
	/* a stricter alpha turns a p of about 0.004 from supported to inconclusive */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.13, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY "    alpha: 0.001\n",
				    1.13, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_INCONCLUSIVE);
	/* the hypothesis's minimum_effect overrides the outcome's */
	assert_int_equal(verdict_of("increase", "0.5", SUPERIORITY "    minimum_effect: 0.1\n",
				    1.3, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
}

#define NONINFERIORITY "    compare: {arm: a, against: b}\n    estimator: difference\n" \
	"    test: noninferiority\n    margin: 0.2\n"

static void test_evaluate_noninferiority_boundaries(void **state)
{
	(void)state;
	/* L = -0.088 > -0.2 */
	assert_int_equal(verdict_of("increase", NULL, NONINFERIORITY, 1.0, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
	/* U = -0.41 < -0.2 */
	assert_int_equal(verdict_of("increase", NULL, NONINFERIORITY, 1.0, 1.5, 1, 1000, NULL),
			 EKS_VERDICT_REFUTED);
	/* L = -0.238 < -0.2 < U = -0.062 */
	assert_int_equal(verdict_of("increase", NULL, NONINFERIORITY, 1.0, 1.15, 1, 1000, NULL),
			 EKS_VERDICT_INCONCLUSIVE);
	/* with direction decrease the same numbers mean the opposite */
	assert_int_equal(verdict_of("decrease", NULL, NONINFERIORITY, 1.5, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_REFUTED);
}

static void test_evaluate_noninferiority_p_is_one_sided(void **state)
{
	struct fixture fx;
	char *p = mean_protocol("increase", NULL, NONINFERIORITY);
	char *l = mean_log(1.0, 1.0, 1, 1000);
	double se = sqrt(2.0 / 1000), expected;

	(void)state;
	evaluate_texts(&fx, p, l);
	/* H0: theta <= -0.2; t = 0.2/se on Welch df = 1998 */
	assert_int_equal(eks_dist_pt(&expected, 0.2 / se, 1998, 0), 0);
	assert_close(fx.evaluation->results[0].p_value, expected, 1e-9);
	assert_true(fx.evaluation->results[0].p_adjusted == fx.evaluation->results[0].p_value);
	fixture_release(&fx);
	free(p);
	free(l);
}

#define EQUIVALENCE "    compare: {arm: a, against: b}\n    estimator: difference\n" \
	"    test: equivalence\n    margin: 0.2\n"

static void test_evaluate_equivalence_boundaries(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("increase", NULL, EQUIVALENCE, 1.0, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
	/* L = 0.212 >= 0.2 */
	assert_int_equal(verdict_of("increase", NULL, EQUIVALENCE, 1.3, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_REFUTED);
	/* 90% interval reaches 0.224 > 0.2, 95% interval includes 0.2 */
	assert_int_equal(verdict_of("increase", NULL, EQUIVALENCE, 1.15, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_INCONCLUSIVE);
	/* 90% interval 0.05 +- 0.074 within (-0.2, 0.2) */
	assert_int_equal(verdict_of("increase", NULL, EQUIVALENCE, 1.05, 1.0, 1, 1000, NULL),
			 EKS_VERDICT_SUPPORTED);
}

#define THRESHOLD "    compare: {arm: a, against: b}\n    estimator: difference\n" \
	"    test: threshold\n"

static void test_evaluate_threshold(void **state)
{
	struct fixture fx;
	char *p, *l;

	(void)state;
	assert_int_equal(verdict_of("increase", "0.5", THRESHOLD, 1.5, 1.0, 1, 3, NULL),
			 EKS_VERDICT_SUPPORTED);
	assert_int_equal(verdict_of("increase", "0.5", THRESHOLD, 1.49, 1.0, 1, 3, NULL),
			 EKS_VERDICT_REFUTED);
	p = mean_protocol("increase", "0.5", THRESHOLD);
	l = mean_log(1.5, 1.0, 1, 3);
	evaluate_texts(&fx, p, l);
	assert_false(fx.evaluation->results[0].has_p);
	assert_true(fx.evaluation->results[0].has_estimate);
	fixture_release(&fx);
	free(p);
	free(l);
}

static void test_evaluate_insufficient_data(void **state)
{
	struct fixture fx;
	char *p = mean_protocol("increase", NULL, SUPERIORITY);
	char *reason = NULL;
	const char *log_one_arm =
		"---\nid: 20260101T000000Z-0001\nkind: observation\n"
		"recorded_at: 2026-01-01T00:00:00Z\nrecorded_by: T <t@kommune.example>\n"
		"observations:\n  - {outcome: y, arm: a, timepoint: t1, n: 10, mean: 1, sd: 1}\n";

	(void)state;
	evaluate_texts(&fx, p, log_one_arm);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	assert_non_null(strstr(fx.evaluation->results[0].reason, "arm 'b'"));
	assert_false(fx.evaluation->results[0].has_estimate);
	fixture_release(&fx);

	evaluate_texts(&fx, p, "");
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	fixture_release(&fx);

	/* n = 1 in a group of means */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.0, 2.0, 1, 1, &reason),
			 EKS_VERDICT_INSUFFICIENT_DATA);
	assert_non_null(strstr(reason, "only one observation"));
	free(reason);
	free(p);
}

static void test_evaluate_odd_data_never_crashes(void **state)
{
	char *reason = NULL;

	(void)state;
	/* sd = 0 in both groups: no test possible, inconclusive with a reason */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.0, 1.0, 0, 10, &reason),
			 EKS_VERDICT_INCONCLUSIVE);
	assert_non_null(reason);
	free(reason);
	/* huge n */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.001, 1.0, 1, 1000000000LL, NULL),
			 EKS_VERDICT_SUPPORTED);
}

/* A proportion outcome with arms a and b at t1, and one hypothesis. */
static void evaluate_proportion(struct fixture *fx, const char *direction,
				const char *hypothesis, long long xa, long long na,
				long long xb, long long nb)
{
	char *p, *l;
	int n;

	n = asprintf(&p,
		"schema: eksperiment/v1\nid: synthetic\ntitle: Synthetic\nchallenge: annet\n"
		"status: active\npartners:\n  - {name: Test kommune, role: lead}\n"
		"design: {allocation: randomized, model: parallel, unit: person}\n"
		"existing_data: none\ninterventions:\n  - {id: i, name: Intervention}\n"
		"arms:\n  - {id: a, label: A, type: experimental, interventions: [i]}\n"
		"  - {id: b, label: B, type: comparison}\n"
		"timepoints:\n  - {id: t1}\n"
		"outcomes:\n  - {id: y, role: primary, title: Y, measure: proportion, direction: %s, timepoints: [t1]}\n"
		"hypotheses:\n  - id: H1\n    statement: s\n    outcome: y\n    timepoint: t1\n%s",
		direction, hypothesis);
	assert_true(n > 0);
	n = asprintf(&l,
		"---\nid: 20260101T000000Z-0001\nkind: observation\n"
		"recorded_at: 2026-01-01T00:00:00Z\nrecorded_by: T <t@kommune.example>\n"
		"observations:\n"
		"  - {outcome: y, arm: a, timepoint: t1, n: %lld, events: %lld}\n"
		"  - {outcome: y, arm: b, timepoint: t1, n: %lld, events: %lld}\n",
		na, xa, nb, xb);
	assert_true(n > 0);
	evaluate_texts(fx, p, l);
	free(p);
	free(l);
}

static void test_evaluate_proportion_methods(void **state)
{
	struct fixture fx;
	const eks_hypothesis_result *r;

	(void)state;
	/* auto picks fisher when an expected count is below 5 */
	evaluate_proportion(&fx, "increase", SUPERIORITY, 3, 20, 1, 20);
	assert_string_equal(fx.evaluation->results[0].method, "fisher");
	fixture_release(&fx);
	evaluate_proportion(&fx, "increase", SUPERIORITY, 30, 100, 20, 100);
	assert_string_equal(fx.evaluation->results[0].method, "newcombe");
	fixture_release(&fx);
	evaluate_proportion(&fx, "increase", SUPERIORITY "    method: yates\n", 30, 100, 20, 100);
	r = &fx.evaluation->results[0];
	assert_string_equal(r->method, "yates");
	/* R: prop.test(c(30, 20), c(100, 100))$p.value */
	assert_close(r->p_value, 0.1416446903, 1e-8);
	fixture_release(&fx);

	/* a ratio on the natural scale, p from the log scale; decrease wanted */
	evaluate_proportion(&fx, "decrease",
			    "    compare: {arm: a, against: b}\n    estimator: ratio\n", 10, 100, 20, 100);
	r = &fx.evaluation->results[0];
	assert_string_equal(r->method, "katz");
	assert_close(r->estimate, 0.5, 1e-12);
	assert_true(r->ci_low < 0.5 && r->ci_high > 0.5);
	fixture_release(&fx);

	/* zero cells and all events do not crash */
	evaluate_proportion(&fx, "increase", SUPERIORITY, 0, 50, 0, 50);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INCONCLUSIVE);
	fixture_release(&fx);
	evaluate_proportion(&fx, "increase", SUPERIORITY "    method: newcombe\n", 50, 50, 50, 50);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INCONCLUSIVE);
	fixture_release(&fx);
	evaluate_proportion(&fx, "increase",
			    "    compare: {arm: a, against: b}\n    estimator: odds_ratio\n", 0, 50, 10, 50);
	assert_string_equal(fx.evaluation->results[0].method, "woolf");
	assert_true(fx.evaluation->results[0].has_estimate);
	fixture_release(&fx);
}

static void test_evaluate_multiplicity(void **state)
{
	struct fixture fx;
	char *p, *l;
	const char *hyps =
		SUPERIORITY
		"  - id: H2\n    statement: s\n    outcome: y\n    timepoint: t1\n" SUPERIORITY
		"  - id: H3\n    statement: s\n    outcome: y\n    timepoint: t1\n" SUPERIORITY
		"    family: exploratory\n";
	char *with_bonferroni;

	(void)state;
	p = mean_protocol("increase", NULL, hyps);
	l = mean_log(1.1, 1.0, 1, 1000);
	evaluate_texts(&fx, p, l);
	assert_int_equal(fx.evaluation->family_size, 2);
	/* two identical p-values under Holm: both doubled */
	assert_close(fx.evaluation->results[0].p_adjusted, 2 * fx.evaluation->results[0].p_value, 1e-12);
	assert_close(fx.evaluation->results[1].p_adjusted, 2 * fx.evaluation->results[1].p_value, 1e-12);
	assert_true(fx.evaluation->results[2].p_adjusted == fx.evaluation->results[2].p_value);
	fixture_release(&fx);

	assert_true(asprintf(&with_bonferroni, "%sanalysis: {multiplicity: none}\n", p) > 0);
	evaluate_texts(&fx, with_bonferroni, l);
	assert_true(fx.evaluation->results[0].p_adjusted == fx.evaluation->results[0].p_value);
	fixture_release(&fx);
	free(with_bonferroni);
	free(p);
	free(l);
}

static void test_evaluate_against_value(void **state)
{
	struct fixture fx;
	const eks_hypothesis_result *r;

	(void)state;
	evaluate_proportion(&fx, "increase",
			    "    compare: {arm: a, against_value: 0.2}\n    estimator: difference\n",
			    30, 100, 20, 100);
	r = &fx.evaluation->results[0];
	assert_string_equal(r->method, "wilson");
	assert_int_equal(r->groups_count, 1);
	assert_close(r->estimate, 0.1, 1e-12);
	/* R: prop.test(30, 100, 0.2, correct = FALSE): p and the CI minus 0.2 */
	assert_close(r->p_value, 0.01241933, 1e-6);
	assert_close(r->ci_low, 0.2189489 - 0.2, 1e-5);
	assert_close(r->ci_high, 0.3958485 - 0.2, 1e-5);
	fixture_release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evaluate_example_matches_r),
		cmocka_unit_test(test_evaluate_superiority_boundaries),
		cmocka_unit_test(test_evaluate_noninferiority_boundaries),
		cmocka_unit_test(test_evaluate_noninferiority_p_is_one_sided),
		cmocka_unit_test(test_evaluate_equivalence_boundaries),
		cmocka_unit_test(test_evaluate_threshold),
		cmocka_unit_test(test_evaluate_insufficient_data),
		cmocka_unit_test(test_evaluate_odd_data_never_crashes),
		cmocka_unit_test(test_evaluate_proportion_methods),
		cmocka_unit_test(test_evaluate_multiplicity),
		cmocka_unit_test(test_evaluate_against_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
