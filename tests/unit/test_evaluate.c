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
	assert_int_equal(eks_evaluate(&fx->evaluation, fx->protocol, fx->cells, NULL), 0);
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
	/* sd = 0 in both groups: not estimable (SPEC 6.3), with a reason */
	assert_int_equal(verdict_of("increase", NULL, SUPERIORITY, 1.0, 1.0, 0, 10, &reason),
			 EKS_VERDICT_INSUFFICIENT_DATA);
	assert_non_null(strstr(reason, "did not vary"));
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

	/* no events at all, or only events: not estimable (SPEC 6.3) */
	evaluate_proportion(&fx, "increase", SUPERIORITY, 0, 50, 0, 50);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	fixture_release(&fx);
	evaluate_proportion(&fx, "increase", SUPERIORITY "    method: newcombe\n", 50, 50, 50, 50);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
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


/* ---------------------------------------------------------------- the edges (SPEC 6.3-6.4) */

/*
 * A protocol with outcome `y` (`measure`, `direction` and `outcome_extra`
 * keys) measured at t0 and t1 in arms a and b, the hypotheses
 * `hypotheses` (whole list items), and one log entry with the
 * `observations` (flow-style list items).
 */
static void evaluate_with(struct fixture *fx, const char *measure, const char *direction,
			  const char *outcome_extra, const char *hypotheses,
			  const char *observations)
{
	char *p, *l;

	assert_true(asprintf(&p,
		"schema: eksperiment/v1\nid: synthetic\ntitle: Synthetic\nchallenge: annet\n"
		"status: active\npartners:\n  - {name: Test kommune, role: lead}\n"
		"design: {allocation: randomized, model: parallel, unit: person}\n"
		"existing_data: none\ninterventions:\n  - {id: i, name: Intervention}\n"
		"arms:\n  - {id: a, label: A, type: experimental, interventions: [i]}\n"
		"  - {id: b, label: B, type: comparison}\n"
		"timepoints:\n  - {id: t0}\n  - {id: t1}\n"
		"outcomes:\n  - {id: y, role: primary, title: Y, measure: %s, direction: %s%s, timepoints: [t0, t1]}\n"
		"  - {id: z, role: secondary, title: Z, measure: mean, direction: increase, timepoints: [t1]}\n"
		"hypotheses:\n%s",
		measure, direction, outcome_extra, hypotheses) > 0);
	assert_true(asprintf(&l,
		"---\nid: 20260101T000000Z-0001\nkind: observation\n"
		"recorded_at: 2026-01-01T00:00:00Z\nrecorded_by: T <t@kommune.example>\n"
		"observations:\n%s", observations) > 0);
	evaluate_texts(fx, p, l);
	free(p);
	free(l);
}

#define H(id, lines) "  - id: " id "\n    statement: s\n    outcome: y\n    timepoint: t1\n" lines
#define ARMS "    compare: {arm: a, against: b}\n"
#define COUNTS(xa, na, xb, nb) \
	"  - {outcome: y, arm: a, timepoint: t1, n: " #na ", events: " #xa "}\n" \
	"  - {outcome: y, arm: b, timepoint: t1, n: " #nb ", events: " #xb "}\n"

/* Not estimable: insufficient_data with the estimate, nothing else. */
static void assert_not_estimable(const eks_hypothesis_result *r, const char *words)
{
	assert_int_equal(r->verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	assert_false(r->has_interval);
	assert_false(r->has_p);
	assert_false(r->has_tost);
	if (words && !strstr(r->reason, words))
		fail_msg("reason of %s lacks \"%s\": %s", r->hypothesis->id, words, r->reason);
}

static void test_evaluate_no_events_or_only_events_for_every_method(void **state)
{
	static const char *const methods[] = { "", "    method: newcombe\n",
		"    method: yates\n", "    method: fisher\n" };
	static const char *const tests[] = { "", "    test: noninferiority\n    margin: 0.1\n",
		"    test: equivalence\n    margin: 0.1\n" };
	struct fixture fx;
	size_t m, t;

	(void)state;
	for (m = 0; m < 4; m++) {
		for (t = 0; t < 3; t++) {
			char *h;

			assert_true(asprintf(&h, H("H1", ARMS "    estimator: difference\n%s%s"),
					     methods[m], tests[t]) > 0);
			evaluate_with(&fx, "proportion", "increase", "", h, COUNTS(0, 50, 0, 40));
			assert_not_estimable(&fx.evaluation->results[0], "No unit had the event");
			assert_true(fx.evaluation->results[0].has_estimate);
			assert_true(fx.evaluation->results[0].estimate == 0.0);
			fixture_release(&fx);
			evaluate_with(&fx, "proportion", "decrease", "", h, COUNTS(50, 50, 40, 40));
			assert_not_estimable(&fx.evaluation->results[0], "Every unit had the event");
			fixture_release(&fx);
			free(h);
		}
	}

	/* ratio and odds ratio: the 0.5-corrected estimate is still reported,
	 * (0.5/51)/(0.5/41) and (0.5 * 40.5)/(50.5 * 0.5) */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: ratio\n")
		      H("H2", ARMS "    estimator: odds_ratio\n    test: noninferiority\n    margin: 0.2\n")
		      H("H3", ARMS "    estimator: ratio\n    test: threshold\n"),
		      COUNTS(0, 50, 0, 40));
	assert_not_estimable(&fx.evaluation->results[0], "No unit had the event");
	assert_string_equal(fx.evaluation->results[0].method, "katz");
	assert_close(fx.evaluation->results[0].estimate, 0.803921568627451, 1e-12);
	assert_not_estimable(&fx.evaluation->results[1], NULL);
	assert_string_equal(fx.evaluation->results[1].method, "woolf");
	assert_close(fx.evaluation->results[1].estimate, 0.801980198019802, 1e-12);
	/* a ratio's threshold is not decided on the artefact of the correction */
	assert_not_estimable(&fx.evaluation->results[2], NULL);
	fixture_release(&fx);

	/* a threshold on a difference needs only its estimate: 0 >= 0 */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    test: threshold\n"),
		      COUNTS(0, 50, 0, 40));
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_SUPPORTED);
	assert_true(fx.evaluation->results[0].has_estimate);
	assert_false(fx.evaluation->results[0].has_interval);
	assert_false(fx.evaluation->results[0].has_p);
	assert_non_null(strstr(fx.evaluation->results[0].reason, "with no interval since no unit had the event"));
	fixture_release(&fx);

	/* one group with no events is fine */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    method: newcombe\n"),
		      COUNTS(0, 50, 5, 40));
	assert_true(fx.evaluation->results[0].has_interval);
	assert_true(fx.evaluation->results[0].has_p);
	fixture_release(&fx);
}

static void test_evaluate_no_variation(void **state)
{
	struct fixture fx;
	const eks_hypothesis_result *r;

	(void)state;
	evaluate_with(&fx, "mean", "increase", "",
		      H("H1", ARMS "    estimator: difference\n")
		      H("H2", ARMS "    estimator: difference\n    method: student\n"
			"    test: equivalence\n    margin: 1\n")
		      H("H3", "    compare: {arm: a, against_value: 4}\n    estimator: difference\n")
		      H("H4", ARMS "    estimator: difference\n    test: threshold\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, values: [5, 5, 5]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, n: 4, mean: 2, sd: 0}\n");
	assert_not_estimable(&fx.evaluation->results[0], "did not vary");
	assert_close(fx.evaluation->results[0].estimate, 3, 1e-12);
	assert_not_estimable(&fx.evaluation->results[1], "did not vary");
	/* R: t.test(c(5, 5, 5), mu = 4) stops, "data are essentially constant" */
	assert_not_estimable(&fx.evaluation->results[2], "did not vary");
	assert_close(fx.evaluation->results[2].estimate, 1, 1e-12);
	/* a threshold needs only the estimate */
	assert_int_equal(fx.evaluation->results[3].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);

	/* one group constant, the other not: R answers, and so do we.
	 * R: t.test(c(5, 5, 5), c(1, 2, 3)) */
	evaluate_with(&fx, "mean", "increase", "", H("H1", ARMS "    estimator: difference\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, values: [5, 5, 5]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, values: [1, 2, 3]}\n");
	r = &fx.evaluation->results[0];
	assert_true(r->has_interval);
	assert_close(r->estimate, 3, 1e-12);
	assert_close(r->ci_low, 0.51586228824967, 1e-9);
	assert_close(r->ci_high, 5.48413771175033, 1e-9);
	assert_close(r->p_value, 0.0350987186459846, 1e-9);
	fixture_release(&fx);

	/* did: every group 0 of n or n of n; every sd 0 */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    baseline: t0\n    estimator: did\n")
		      H("H2", ARMS "    baseline: t0\n    estimator: did\n    test: threshold\n"),
		      "  - {outcome: y, arm: a, timepoint: t0, n: 20, events: 0}\n"
		      "  - {outcome: y, arm: a, timepoint: t1, n: 20, events: 20}\n"
		      "  - {outcome: y, arm: b, timepoint: t0, n: 30, events: 0}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, n: 30, events: 0}\n");
	assert_not_estimable(&fx.evaluation->results[0], "In each of the four groups");
	assert_close(fx.evaluation->results[0].estimate, 1, 1e-12);
	assert_int_equal(fx.evaluation->results[1].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);
	evaluate_with(&fx, "mean", "increase", "", H("H1", ARMS "    baseline: t0\n    estimator: did\n"),
		      "  - {outcome: y, arm: a, timepoint: t0, n: 5, mean: 1, sd: 0}\n"
		      "  - {outcome: y, arm: a, timepoint: t1, n: 5, mean: 2, sd: 0}\n"
		      "  - {outcome: y, arm: b, timepoint: t0, n: 5, mean: 1, sd: 0}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, n: 5, mean: 1, sd: 0}\n");
	assert_not_estimable(&fx.evaluation->results[0], "did not vary");
	fixture_release(&fx);
}

/* Where R's t.test gives no answer though the data vary: too little
 * spread for the size of the values (R stops, "data are essentially
 * constant"), or variances so large that R's df is NaN:
 * t.test(c(-1e150, 0, 1e150), y) has df NaN and p NaN. */
static void test_evaluate_no_answer_where_r_has_none(void **state)
{
	struct fixture fx;

	(void)state;
	evaluate_with(&fx, "mean", "increase", "", H("H1", ARMS "    estimator: difference\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, values: [1000000, 1000000.000000001, 1000000.000000002]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, values: [1000001, 1000001.000000001, 1000001.000000002]}\n");
	assert_not_estimable(&fx.evaluation->results[0], "varies too little against the size of its values");
	assert_null(strstr(fx.evaluation->results[0].reason, "did not vary"));
	fixture_release(&fx);
	evaluate_with(&fx, "mean", "increase", "",
		      H("H1", ARMS "    estimator: difference\n")
		      H("H2", ARMS "    estimator: difference\n    test: noninferiority\n    margin: 1\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, n: 3, mean: 0, sd: 1e150}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, n: 10, mean: 1, sd: 2.5}\n");
	assert_not_estimable(&fx.evaluation->results[0], "too large for the welch method");
	assert_not_estimable(&fx.evaluation->results[1], "too large for the welch method");
	fixture_release(&fx);

	/* a very narrow interval is still an interval, whatever the value it
	 * is shifted by rounds it to */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", "    compare: {arm: a, against_value: 0.01}\n    estimator: difference\n"
			"    test: equivalence\n    margin: 0.02\n    alpha: 0.49\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, n: 1000000000000000, events: 0}\n");
	assert_true(fx.evaluation->results[0].has_interval);
	assert_int_not_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	fixture_release(&fx);
}

/* A single group against a value is not estimable only where R gives no
 * answer: R answers binom.test(0, 30, 0.1) and prop.test(0, 30, 0.1). */
static void test_evaluate_one_group_answers_where_r_does(void **state)
{
	struct fixture fx;
	const eks_hypothesis_result *r;

	(void)state;
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", "    compare: {arm: a, against_value: 0.1}\n    estimator: difference\n")
		      H("H2", "    compare: {arm: a, against_value: 0.1}\n    estimator: difference\n"
			"    method: exact\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, n: 30, events: 0}\n");
	/* R: prop.test(0, 30, 0.1, correct = FALSE); its interval minus 0.1 */
	r = &fx.evaluation->results[0];
	assert_string_equal(r->method, "wilson");
	assert_true(r->has_interval && r->has_p);
	assert_close(r->estimate, -0.1, 1e-12);
	assert_close(r->p_value, 0.0678891548618291, 1e-9);
	assert_close(r->ci_low, -0.1, 1e-12);
	assert_close(r->ci_high, 0.0135133931739687, 1e-9);
	/* R: binom.test(0, 30, 0.1) */
	r = &fx.evaluation->results[1];
	assert_string_equal(r->method, "exact");
	assert_close(r->p_value, 0.0682179469371262, 1e-9);
	assert_close(r->ci_high, 0.0157033082220278, 1e-9);
	fixture_release(&fx);
}

static void test_evaluate_ties_at_the_minimum_effect_and_margin(void **state)
{
	struct fixture fx;
	double L;
	char *h;

	(void)state;
	/* 300/1000 - 200/1000 is 0.1, not 0.09999999999999998 */
	evaluate_with(&fx, "proportion", "increase", ", minimum_effect: 0.1",
		      H("H1", ARMS "    estimator: difference\n")
		      H("H2", ARMS "    estimator: difference\n    test: threshold\n"),
		      COUNTS(300, 1000, 200, 1000));
	assert_true(fx.evaluation->results[0].estimate == 0.1);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_SUPPORTED);
	assert_int_equal(fx.evaluation->results[1].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);

	/* 3/10 against 0.2 is 0.09999999999999998: a tie with 0.1 */
	evaluate_with(&fx, "proportion", "increase", ", minimum_effect: 0.1",
		      H("H1", "    compare: {arm: a, against_value: 0.2}\n    estimator: difference\n"
			"    test: threshold\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, n: 10, events: 3}\n");
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);

	/* a ratio of 36/100 over 30/100 is 1.2: log(1.2) against log1p(0.2);
	 * and a mean difference 1.3 - 1.2 against 0.1 */
	evaluate_with(&fx, "proportion", "increase", ", minimum_effect: 0.2",
		      H("H1", ARMS "    estimator: ratio\n    test: threshold\n"),
		      COUNTS(36, 100, 30, 100));
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);
	assert_int_equal(verdict_of("increase", "0.1", THRESHOLD, 1.3, 1.2, 1, 3, NULL),
			 EKS_VERDICT_SUPPORTED);

	/* a lower bound at -M exactly is not above it: inconclusive; a
	 * margin a little wider makes it noninferior */
	evaluate_with(&fx, "mean", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    test: noninferiority\n    margin: 1\n"),
		      "  - {outcome: y, arm: a, timepoint: t1, values: [1, 2, 4]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, values: [2, 2, 3]}\n");
	L = fx.evaluation->results[0].ci_low;
	fixture_release(&fx);
	assert_true(L < 0);
	assert_true(asprintf(&h, H("H1", ARMS "    estimator: difference\n    test: noninferiority\n"
				  "    margin: %.17g\n"), -L * (1 + 1e-12)) > 0);
	evaluate_with(&fx, "mean", "increase", "", h,
		      "  - {outcome: y, arm: a, timepoint: t1, values: [1, 2, 4]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, values: [2, 2, 3]}\n");
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INCONCLUSIVE);
	fixture_release(&fx);
	free(h);
	assert_true(asprintf(&h, H("H1", ARMS "    estimator: difference\n    test: noninferiority\n"
				  "    margin: %.17g\n"), -L * 1.001) > 0);
	evaluate_with(&fx, "mean", "increase", "", h,
		      "  - {outcome: y, arm: a, timepoint: t1, values: [1, 2, 4]}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, values: [2, 2, 3]}\n");
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_SUPPORTED);
	fixture_release(&fx);
	free(h);
}

static void test_evaluate_margin_p_comes_from_the_same_interval(void **state)
{
	struct fixture fx;
	const eks_hypothesis_result *r;
	int i;

	(void)state;
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    test: noninferiority\n    margin: 0.1\n")
		      H("H2", ARMS "    estimator: difference\n    test: equivalence\n    margin: 0.2\n")
		      H("H3", ARMS "    estimator: difference\n    method: yates\n"
			"    test: noninferiority\n    margin: 0.1\n")
		      H("H4", ARMS "    estimator: ratio\n    test: noninferiority\n    margin: 0.2\n")
		      H("H5", "    compare: {arm: a, against_value: 0.35}\n    estimator: difference\n"
			"    test: noninferiority\n    margin: 0.1\n")
		      H("H6", "    compare: {arm: a, against_value: 0.35}\n    estimator: difference\n"
			"    method: exact\n    test: noninferiority\n    margin: 0.1\n"),
		      COUNTS(30, 100, 25, 100));
	/* Newcombe's lower bound reaches -0.1 at the one-sided level p: R,
	 * pnorm(uniroot(function(z) newcombe(30, 100, 25, 100, z)[1] + 0.1,
	 * c(0, 38), tol = 1e-14)$root, lower.tail = FALSE) */
	r = &fx.evaluation->results[0];
	assert_string_equal(r->method, "newcombe");
	assert_close(r->p_value, 0.00843272133907154, 1e-9);
	assert_true(r->p_adjusted == r->p_value);
	assert_int_equal(r->verdict, EKS_VERDICT_SUPPORTED);
	/* TOST on Newcombe's 90% interval (-0.0537185742272463,
	 * 0.152320258734903); p = max(2.367e-05, 0.00737455538158398) */
	r = &fx.evaluation->results[1];
	assert_true(r->has_tost);
	assert_close(r->tost_conf_level, 0.9, 1e-12);
	assert_close(r->ci_tost_low, -0.0537185742272463, 1e-9);
	assert_close(r->ci_tost_high, 0.152320258734903, 1e-9);
	assert_close(r->ci_low, -0.073396080286006, 1e-9);
	assert_close(r->p_value, 0.00737455538158398, 1e-8);
	assert_int_equal(r->verdict, EKS_VERDICT_SUPPORTED);
	assert_non_null(strstr(r->reason, "90% interval"));
	/* prop.test's corrected interval: d - z se - 0.01 = -0.1 at
	 * pnorm((0.05 - 0.01 + 0.1) / se, lower.tail = FALSE) */
	assert_close(fx.evaluation->results[2].p_value, 0.013190916261406, 1e-9);
	/* Katz: pnorm((log(1.2) + log(1.2)) / se, lower.tail = FALSE); the
	 * margin is a ratio, never percentage points */
	r = &fx.evaluation->results[3];
	assert_close(r->p_value, 0.0571736485293905, 1e-9);
	assert_int_equal(r->verdict, EKS_VERDICT_INCONCLUSIVE);
	assert_null(strstr(r->reason, "percentage points"));
	assert_non_null(strstr(r->reason, "a ratio of 0.83"));
	/* the Wilson interval inverts to the score test of 0.35 - 0.1 = 0.25:
	 * pnorm((0.3 - 0.25) / sqrt(0.25 * 0.75 / 100), lower.tail = FALSE);
	 * Clopper-Pearson's to binom.test(30, 100, 0.25, "greater") */
	assert_close(fx.evaluation->results[4].p_value, 0.124106539494962, 1e-9);
	assert_close(fx.evaluation->results[5].p_value, 0.149541046566574, 1e-9);
	fixture_release(&fx);

	/* auto, or fisher, on a margin test is Newcombe's interval; small
	 * counts are said to be small */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    test: noninferiority\n    margin: 0.05\n")
		      H("H2", ARMS "    estimator: difference\n    method: fisher\n"
			"    test: noninferiority\n    margin: 0.05\n")
		      H("H3", ARMS "    estimator: difference\n"),
		      COUNTS(3, 20, 1, 20));
	assert_string_equal(fx.evaluation->results[0].method, "newcombe");
	assert_close(fx.evaluation->results[0].p_value, 0.0703679092225104, 1e-9);
	assert_non_null(strstr(fx.evaluation->results[0].reason, "counts are small"));
	assert_string_equal(fx.evaluation->results[1].method, "newcombe");
	assert_string_equal(fx.evaluation->results[2].method, "fisher");
	assert_null(strstr(fx.evaluation->results[2].reason, "counts are small"));
	fixture_release(&fx);

	/* prop.test's interval stops at -1, so a margin of 1 is reached at a
	 * finite level and the bound stays there: R, with d = 1/5 - 29/30,
	 * se = sqrt(.2 * .8 / 5 + 29/30 * 1/30 / 30), yc = 0.5 * (1/5 + 1/30),
	 * pnorm(-(d - yc + 1) / se) */
	evaluate_with(&fx, "proportion", "increase", "",
		      H("H1", ARMS "    estimator: difference\n    method: yates\n"
			"    test: noninferiority\n    margin: 1\n"),
		      COUNTS(1, 5, 29, 30));
	assert_close(fx.evaluation->results[0].p_value, 0.260595927231765, 1e-9);
	assert_int_equal(fx.evaluation->results[0].verdict, EKS_VERDICT_INCONCLUSIVE);
	fixture_release(&fx);

	/* p < (1 - conf_level)/2 exactly when L > -M, for every method */
	for (i = 1; i <= 60; i++) {
		static const char *const how[] = {
			ARMS "    estimator: difference\n",
			ARMS "    estimator: difference\n    method: yates\n",
			ARMS "    estimator: ratio\n",
			ARMS "    estimator: odds_ratio\n",
			"    compare: {arm: a, against_value: 0.3}\n    estimator: difference\n",
			"    compare: {arm: a, against_value: 0.3}\n    estimator: difference\n"
			"    method: exact\n",
		};
		char *h;

		assert_true(asprintf(&h, H("H1", "%s    test: noninferiority\n    margin: %g\n"),
				     how[i % 6], 0.02 * i) > 0);
		evaluate_with(&fx, "proportion", i % 2 ? "increase" : "decrease", "", h,
			      COUNTS(14, 60, 17, 55));
		r = &fx.evaluation->results[0];
		if ((r->p_value < 0.025) != (r->verdict == EKS_VERDICT_SUPPORTED))
			fail_msg("%s, margin %g: p %.17g but %s", r->method, 0.02 * i,
				 r->p_value, eks_verdict_name(r->verdict));
		fixture_release(&fx);
		free(h);
	}
}

/* SPEC 6.4: the family counts a member without a p-value as p = 1.
 * R: p1 <- t.test(c(1.2, 1.5, 1.1, 1.9, 1.4, 1.6), c(1.0, 1.1, 0.9, 1.2,
 * 1.0, 1.1))$p.value, p2 the same with c(1.3, 1.5, 1.2, 1.9, 1.4, 1.7);
 * p.adjust(c(p1, p2, 1), "holm"). */
static void test_evaluate_family_counts_a_missing_member_as_one(void **state)
{
	static const char hyps[] =
		H("H1", ARMS "    estimator: difference\n")
		"  - id: H2\n    statement: s\n    outcome: y\n    timepoint: t0\n" ARMS
		"    estimator: difference\n"
		"  - id: H3\n    statement: s\n    outcome: z\n    timepoint: t1\n" ARMS
		"    estimator: difference\n";
	static const char obs[] =
		"  - {outcome: y, arm: a, timepoint: t1, values: [1.2, 1.5, 1.1, 1.9, 1.4, 1.6]}\n"
		"  - {outcome: y, arm: b, timepoint: t1, values: [1.0, 1.1, 0.9, 1.2, 1.0, 1.1]}\n"
		"  - {outcome: y, arm: a, timepoint: t0, values: [1.3, 1.5, 1.2, 1.9, 1.4, 1.7]}\n"
		"  - {outcome: y, arm: b, timepoint: t0, values: [1.0, 1.1, 0.9, 1.2, 1.0, 1.1]}\n";
	char *registered[] = { "H1", "H2", "H3", "H9" };
	eks_evaluate_options options = EKS_EVALUATE_OPTIONS_INIT;
	struct fixture fx;
	char *h, *bonferroni;
	eks_evaluation *ev = NULL;
	double p[4];

	(void)state;
	assert_true(asprintf(&h, "%s", hyps) > 0);
	evaluate_with(&fx, "mean", "increase", "", h, obs);
	assert_close(fx.evaluation->results[0].p_value, 0.0174777835775957, 1e-9);
	assert_close(fx.evaluation->results[1].p_value, 0.00649174083745244, 1e-9);
	assert_int_equal(fx.evaluation->results[2].verdict, EKS_VERDICT_INSUFFICIENT_DATA);
	assert_int_equal(fx.evaluation->family_size, 3);
	assert_close(fx.evaluation->results[0].p_adjusted, 0.0349555671551915, 1e-9);
	assert_close(fx.evaluation->results[1].p_adjusted, 0.0194752225123573, 1e-9);
	assert_non_null(strstr(fx.evaluation->results[0].reason, "H3, without a superiority p-value, counts as p = 1"));

	/* the registered family, with H9 since removed: holm(c(p1, p2, 1, 1)) */
	options.registered_family = registered;
	options.registered_family_count = 4;
	assert_int_equal(eks_evaluate(&ev, fx.protocol, fx.cells, &options), 0);
	assert_int_equal(ev->family_size, 4);
	assert_true(ev->family_registered);
	p[0] = 0.0174777835775957;
	p[1] = 0.00649174083745244;
	p[2] = p[3] = 1;
	assert_int_equal(eks_stats_p_adjust(p, p, 4, EKS_ADJUST_HOLM), 0);
	assert_close(ev->results[0].p_adjusted, p[0], 1e-9);
	assert_close(ev->results[1].p_adjusted, p[1], 1e-9);
	eks_evaluation_free(ev);
	fixture_release(&fx);

	/* R: p.adjust(c(p1, p2, 1), "bonferroni") */
	assert_true(asprintf(&bonferroni, "%sanalysis: {multiplicity: bonferroni}\n", h) > 0);
	evaluate_with(&fx, "mean", "increase", "", bonferroni, obs);
	assert_close(fx.evaluation->results[0].p_adjusted, 0.0524333507327872, 1e-9);
	assert_close(fx.evaluation->results[1].p_adjusted, 0.0194752225123573, 1e-9);
	fixture_release(&fx);
	free(bonferroni);
	free(h);
}

static void test_evaluate_did_names_both_arms_and_their_changes(void **state)
{
	struct fixture fx;
	const char *reason;

	(void)state;
	evaluate_with(&fx, "proportion", "decrease", "",
		      H("H1", ARMS "    baseline: t0\n    estimator: did\n"),
		      "  - {outcome: y, arm: a, timepoint: t0, n: 120, events: 41}\n"
		      "  - {outcome: y, arm: a, timepoint: t1, n: 120, events: 14}\n"
		      "  - {outcome: y, arm: b, timepoint: t0, n: 118, events: 39}\n"
		      "  - {outcome: y, arm: b, timepoint: t1, n: 118, events: 25}\n");
	reason = fx.evaluation->results[0].reason;
	assert_non_null(strstr(reason, "In a, 'y' went from 34.2% at t0 to 11.7% at t1 (down 22.5 percentage points)"));
	assert_non_null(strstr(reason, "in b, from 33.1% to 21.2% (down 11.9 percentage points)"));
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
		cmocka_unit_test(test_evaluate_no_events_or_only_events_for_every_method),
		cmocka_unit_test(test_evaluate_no_variation),
		cmocka_unit_test(test_evaluate_one_group_answers_where_r_does),
		cmocka_unit_test(test_evaluate_no_answer_where_r_has_none),
		cmocka_unit_test(test_evaluate_ties_at_the_minimum_effect_and_margin),
		cmocka_unit_test(test_evaluate_margin_p_comes_from_the_same_interval),
		cmocka_unit_test(test_evaluate_family_counts_a_missing_member_as_one),
		cmocka_unit_test(test_evaluate_did_names_both_arms_and_their_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
