/*
 * test_stats.c - the statistics engine against published reference values
 * (tests/data/stats-reference.yaml) and on odd data.
 *
 * The reference file is read with the project's own YAML loader.  Every
 * vector becomes one cmocka test named after its id: its `method` picks a
 * checking function from `checkers` below, which computes the results with
 * lib/stats_*.c and records them by the names the file uses; then every
 * field under `expected` is compared at the vector's `tol` (absolute) or
 * `rel_tol` (relative).  A field that is computed by nobody fails the test
 * unless the checker skipped it by name, with a reason; a method that is
 * neither checked nor listed in `out_of_scope` fails too, so nothing in
 * the file is silently ignored.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksperiment/error.h"
#include "eksperiment/stats.h"
#include "eksperiment/yaml.h"

/* ------------------------------------------------------------------ recording results */

#define MAX_ACTUALS 64
#define MAX_VALUES 64
#define MAX_DATA 4096

struct actual {
	char key[64];
	double v[MAX_VALUES];
	size_t n;
	const char *text;       /* a text result, e.g. "equivalent" */
	const char *skipped;    /* reason, when deliberately not checked */
};

struct run {
	const eks_node *vector;
	const eks_node *inputs;
	const char *id;
	struct actual actuals[MAX_ACTUALS];
	size_t count;
};

static const eks_node *all_vectors;

static struct actual *slot(struct run *r, const char *key)
{
	struct actual *a;
	size_t i;

	for (i = 0; i < r->count; i++)
		if (strcmp(r->actuals[i].key, key) == 0)
			return &r->actuals[i];
	assert_true(r->count < MAX_ACTUALS);
	a = &r->actuals[r->count++];
	memset(a, 0, sizeof(*a));
	snprintf(a->key, sizeof(a->key), "%s", key);
	return a;
}

/* Append values to the result called `key`. */
static void put(struct run *r, const char *key, const double *v, size_t n)
{
	struct actual *a = slot(r, key);
	size_t i;

	assert_true(a->n + n <= MAX_VALUES);
	for (i = 0; i < n; i++)
		a->v[a->n++] = v[i];
}

static void put1(struct run *r, const char *key, double v)
{
	put(r, key, &v, 1);
}

static void put2(struct run *r, const char *key, double lo, double hi)
{
	double v[2] = { lo, hi };

	put(r, key, v, 2);
}

static void put_text(struct run *r, const char *key, const char *text)
{
	slot(r, key)->text = text;
}

/* Say that an expected field is deliberately not checked, and why. */
static void skip_field(struct run *r, const char *key, const char *reason)
{
	slot(r, key)->skipped = reason;
}

/* ------------------------------------------------------------------ reading the file */

static int parse_number(const char *s, double *out)
{
	char *end;

	if (!strcmp(s, ".inf") || !strcmp(s, "+.inf") || !strcmp(s, ".Inf")) {
		*out = INFINITY;
		return 1;
	}
	if (!strcmp(s, "-.inf") || !strcmp(s, "-.Inf")) {
		*out = -INFINITY;
		return 1;
	}
	if (!strcmp(s, "true")) {
		*out = 1.0;
		return 1;
	}
	if (!strcmp(s, "false")) {
		*out = 0.0;
		return 1;
	}
	*out = strtod(s, &end);
	return end != s && *end == '\0';
}

static double num(struct run *r, const eks_node *node, const char *what)
{
	double v = 0.0;

	if (!node || node->kind != EKS_NODE_SCALAR || !parse_number(node->value, &v))
		fail_msg("vector %s: '%s' is not a number", r->id, what);
	return v;
}

static double in_num(struct run *r, const char *key)
{
	return num(r, eks_node_get(r->inputs, key), key);
}

static long long in_int(struct run *r, const char *key)
{
	return (long long)in_num(r, key);
}

static const eks_node *in_node(struct run *r, const char *key)
{
	const eks_node *n = eks_node_get(r->inputs, key);

	if (!n)
		fail_msg("vector %s: input '%s' is missing", r->id, key);
	return n;
}

/* A list of numbers, or a range written as text: "1..10 (integers)",
 * "7..20 (integers) followed by 200". */
static size_t values_of(struct run *r, const eks_node *node, double *out,
			size_t max)
{
	size_t i, n = 0;

	if (node->kind == EKS_NODE_SEQ) {
		assert_true(node->count <= max);
		for (i = 0; i < node->count; i++)
			out[n++] = num(r, node->items[i], "value");
		return n;
	}
	if (node->kind == EKS_NODE_SCALAR) {
		int from, to;
		double extra;
		const char *tail;

		if (sscanf(node->value, "%d..%d", &from, &to) == 2 && from <= to) {
			for (i = 0; i <= (size_t)(to - from); i++) {
				assert_true(n < max);
				out[n++] = from + (double)i;
			}
			tail = strstr(node->value, "followed by ");
			if (tail) {
				assert_int_equal(sscanf(tail, "followed by %lf", &extra), 1);
				out[n++] = extra;
			}
			return n;
		}
	}
	fail_msg("vector %s: cannot read the values at line %d", r->id, node->line);
	return 0;
}

static const eks_node *find_vector(const char *id)
{
	size_t i;

	for (i = 0; i < all_vectors->count; i++) {
		const eks_node *v = eks_node_get(all_vectors->items[i], "id");

		if (v && !strcmp(v->value, id))
			return all_vectors->items[i];
	}
	return NULL;
}

/* Inputs of a vector that says `same_as: other-id` are the other's. */
static const eks_node *resolve_inputs(const eks_node *inputs)
{
	const eks_node *same = eks_node_get(inputs, "same_as"), *other;

	if (!same)
		return inputs;
	other = find_vector(same->value);
	assert_non_null(other);
	return eks_node_get(other, "inputs");
}

/* ------------------------------------------------------------------ checkers */

static void ok(int rc)
{
	if (rc < 0)
		fail_msg("stats call failed (%d): %s", rc, eks_error_last()->message);
}

static void check_qt(struct run *r)
{
	const eks_node *df = in_node(r, "df");
	double p = in_num(r, "p"), q;
	size_t i;

	for (i = 0; i < df->count; i++) {
		ok(eks_dist_qt(&q, p, num(r, df->items[i], "df")));
		put1(r, "q", q);
	}
}

static void check_pt_upper(struct run *r)
{
	const eks_node *t = in_node(r, "t");
	double df = in_num(r, "df"), p;
	size_t i;

	for (i = 0; i < t->count; i++) {
		ok(eks_dist_pt(&p, num(r, t->items[i], "t"), df, 0));
		put1(r, "p_upper", p);
	}
}

static void check_pchisq(struct run *r)
{
	const eks_node *ncp = in_node(r, "ncp");
	double x = in_num(r, "x"), df = in_num(r, "df"), p;
	size_t i;

	for (i = 0; i < ncp->count; i++) {
		ok(eks_dist_pchisq(&p, x, df, num(r, ncp->items[i], "ncp"), 1));
		put1(r, "p", p);
	}
}

static void check_phyper(struct run *r)
{
	const eks_node *x = in_node(r, "x");
	double m = in_num(r, "m_white"), n = in_num(r, "n_black");
	double k = in_num(r, "k_drawn"), p;
	size_t i;

	for (i = 0; i < x->count; i++) {
		ok(eks_dist_phyper(&p, num(r, x->items[i], "x"), m, n, k, 1));
		put1(r, "p", p);
	}
}

static void check_binom_sum(struct run *r)
{
	double n = in_num(r, "n"), p = in_num(r, "p"), sum = 0.0, d, k;

	for (k = in_num(r, "k_from"); k <= in_num(r, "k_to"); k++) {
		ok(eks_dist_dbinom(&d, k, n, p));
		sum += d;
	}
	put1(r, "prob", sum);
}

static void check_mean_sd(struct run *r)
{
	static double x[MAX_DATA];
	const eks_node *gen = eks_node_get(r->inputs, "x_generator");
	eks_summary s;
	size_t n = 0;

	if (gen) {
		double first, a, b;
		int reps, i;

		/* "first value F, then K repetitions of the pair (A, B); n = N" */
		assert_int_equal(sscanf(gen->value,
					"first value %lf, then %d repetitions of the pair (%lf, %lf)",
					&first, &reps, &a, &b), 4);
		x[n++] = first;
		for (i = 0; i < reps; i++) {
			x[n++] = a;
			x[n++] = b;
		}
		assert_non_null(strstr(gen->value, "n = 1001"));
		assert_int_equal(n, 1001);
	} else {
		n = values_of(r, in_node(r, "x"), x, MAX_DATA);
	}
	ok(eks_summary_from_values(&s, x, n));
	put1(r, "mean", s.mean);
	put1(r, "sd", s.sd);
}

static void summary_of(struct run *r, const char *key, eks_summary *s)
{
	static double x[MAX_DATA];
	size_t n = values_of(r, in_node(r, key), x, MAX_DATA);

	ok(eks_summary_from_values(s, x, n));
}

static void put_t(struct run *r, const eks_stats_result *t)
{
	assert_int_equal(t->status, EKS_STATS_OK);
	put1(r, "t", t->statistic);
	put1(r, "df", t->df);
	put1(r, "p_value", t->p_value);
	put2(r, "ci", t->ci_low, t->ci_high);
}

static void check_welch(struct run *r)
{
	eks_summary x, y;
	eks_stats_result t;

	summary_of(r, "x", &x);
	summary_of(r, "y", &y);
	ok(eks_stats_ttest_welch(&t, &x, &y, 0.95));
	put_t(r, &t);
	put1(r, "mean_x", t.group_a);
	put1(r, "mean_y", t.group_b);
}

static void check_one_sample(struct run *r)
{
	eks_summary x;
	eks_stats_result t;

	summary_of(r, "x", &x);
	ok(eks_stats_ttest_one(&t, &x, in_num(r, "mu"), 0.95));
	put_t(r, &t);
	put1(r, "mean", t.estimate);
}

static void check_paired(struct run *r)
{
	static double a[MAX_DATA], b[MAX_DATA];
	size_t na = values_of(r, in_node(r, "before"), a, MAX_DATA);
	size_t nb = values_of(r, in_node(r, "after"), b, MAX_DATA);
	eks_stats_result t;

	assert_int_equal(na, nb);
	ok(eks_stats_ttest_paired(&t, a, b, na, 0.95));
	put_t(r, &t);
	put1(r, "mean_difference", t.estimate);
}

/* NIST AtmWtAg: the one-way ANOVA quantities of two groups follow from
 * the pooled t test (F = t^2, residual sd = pooled sd). */
static void check_student_anova(struct run *r)
{
	eks_summary x, y;
	eks_stats_result t;
	double nx, ny;

	summary_of(r, "x", &x);
	summary_of(r, "y", &y);
	ok(eks_stats_ttest_student(&t, &x, &y, 0.95));
	assert_int_equal(t.status, EKS_STATS_OK);
	nx = (double)x.n;
	ny = (double)y.n;
	put1(r, "F", t.statistic * t.statistic);
	put1(r, "t_abs", fabs(t.statistic));
	put1(r, "df", t.df);
	put1(r, "ss_between", nx * ny / (nx + ny) * t.estimate * t.estimate);
	put1(r, "ss_within", (nx - 1) * x.sd * x.sd + (ny - 1) * y.sd * y.sd);
	put1(r, "residual_sd", t.se / sqrt(1.0 / nx + 1.0 / ny));
}

static void check_t_summary(struct run *r)
{
	eks_summary a = { in_int(r, "n1"), in_num(r, "mean1"), in_num(r, "sd1") };
	eks_summary b = { in_int(r, "n2"), in_num(r, "mean2"), in_num(r, "sd2") };
	eks_stats_result t;

	ok(eks_stats_ttest_student(&t, &a, &b, 0.95));
	put1(r, "pooled.t", t.statistic);
	put1(r, "pooled.df", t.df);
	put1(r, "pooled.sd_pooled",
	     t.se / sqrt(1.0 / (double)a.n + 1.0 / (double)b.n));
	assert_true(t.p_value < 1e-20);    /* as the vector's note says */
	ok(eks_stats_ttest_welch(&t, &a, &b, 0.95));
	put1(r, "welch.t", t.statistic);
	put1(r, "welch.df", t.df);
	assert_true(t.p_value < 1e-20);
}

static void check_tost(struct run *r, int pooled)
{
	const eks_node *inputs = resolve_inputs(r->inputs), *saved = r->inputs;
	eks_summary x, y;
	eks_stats_result t;
	eks_stats_tost e;
	double margin, alpha;

	r->inputs = inputs;
	summary_of(r, "x", &x);
	summary_of(r, "y", &y);
	margin = in_num(r, "margin");
	alpha = in_num(r, "alpha");
	r->inputs = saved;
	if (pooled)
		ok(eks_stats_ttest_student(&t, &x, &y, 1 - 2 * alpha));
	else
		ok(eks_stats_ttest_welch(&t, &x, &y, 1 - 2 * alpha));
	ok(eks_stats_tost_test(&e, t.estimate, t.se, t.df, -margin, margin,
			       alpha));
	put1(r, "mean_diff", t.estimate);
	put1(r, "se_diff", t.se);
	put1(r, "df", t.df);
	put1(r, "p_value", e.p_value);
	put2(r, "ci90", e.ci_low, e.ci_high);
	put_text(r, "decision", e.equivalent ? "equivalent" : "not_equivalent");
	/* the t test's own (1 - 2 alpha) interval is the same one */
	assert_true(fabs(t.ci_low - e.ci_low) < 1e-12);
	assert_true(fabs(t.ci_high - e.ci_high) < 1e-12);
}

static void check_tost_welch(struct run *r)
{
	check_tost(r, 0);
}

static void check_tost_pooled(struct run *r)
{
	check_tost(r, 1);
}

static void check_prop1_score(struct run *r)
{
	const eks_node *cc = in_node(r, "continuity_correction");
	int correct = !strcmp(cc->value, "true");
	eks_stats_result s;

	ok(eks_stats_prop1_wilson(&s, in_int(r, "x"), in_int(r, "n"),
				  in_num(r, "p0"), correct, 0.95));
	put1(r, "chi2", s.statistic);
	put1(r, "df", s.df);
	put1(r, "p_value", s.p_value);
	put2(r, correct ? "ci_wilson_cc" : "ci_wilson", s.ci_low, s.ci_high);
}

static void check_wilson_cases(struct run *r)
{
	const eks_node *cases = in_node(r, "cases");
	eks_stats_result s;
	size_t i;

	for (i = 0; i < cases->count; i++) {
		const eks_node *c = cases->items[i];

		ok(eks_stats_prop1_wilson(&s, (long long)num(r, c->items[0], "x"),
					  (long long)num(r, c->items[1], "n"),
					  0.5, 0, 0.95));
		put2(r, "ci", s.ci_low, s.ci_high);
	}
}

static void check_binom_exact(struct run *r)
{
	eks_stats_result s;

	ok(eks_stats_prop1_exact(&s, in_int(r, "x"), in_int(r, "n"),
				 in_num(r, "p0"), EKS_ALT_TWO_SIDED, 0.95));
	put1(r, "p_value", s.p_value);
	put2(r, "ci", s.ci_low, s.ci_high);
	put1(r, "estimate", s.estimate);
}

static void prop2(struct run *r, eks_stats_result *s, eks_prop2_method m,
		  long long x1, long long n1, long long x2, long long n2)
{
	ok(eks_stats_prop2(s, m, x1, n1, x2, n2, 0.95));
}

static void check_prop2_z(struct run *r)
{
	eks_stats_result s;

	prop2(r, &s, EKS_PROP2_NEWCOMBE, in_int(r, "x1"), in_int(r, "n1"),
	      in_int(r, "x2"), in_int(r, "n2"));
	put1(r, "p_value", s.p_value);
}

static void check_newcombe_cases(struct run *r)
{
	const eks_node *cases = in_node(r, "cases");
	eks_stats_result s;
	size_t i;

	for (i = 0; i < cases->count; i++) {
		long long v[4];
		int j;

		for (j = 0; j < 4; j++)
			v[j] = (long long)num(r, cases->items[i]->items[j], "count");
		prop2(r, &s, EKS_PROP2_NEWCOMBE, v[0], v[1], v[2], v[3]);
		put1(r, "diff", s.estimate);
		put2(r, "ci", s.ci_low, s.ci_high);
		if (i == 0) {
			prop2(r, &s, EKS_PROP2_WALD, v[0], v[1], v[2], v[3]);
			put2(r, "ci_wald_case1", s.ci_low, s.ci_high);
		}
	}
}

static void check_risk_difference(struct run *r)
{
	long long x1 = in_int(r, "x1"), n1 = in_int(r, "n1");
	long long x2 = in_int(r, "x2"), n2 = in_int(r, "n2");
	eks_stats_result s;

	prop2(r, &s, EKS_PROP2_NEWCOMBE, x1, n1, x2, n2);
	put1(r, "estimate", s.estimate);
	put2(r, "newcombe_hybrid_score", s.ci_low, s.ci_high);
	prop2(r, &s, EKS_PROP2_WALD, x1, n1, x2, n2);
	put2(r, "wald", s.ci_low, s.ci_high);
	/* Agresti & Caffo (2000): the Wald interval after adding one event
	 * and one non-event to each group */
	prop2(r, &s, EKS_PROP2_WALD, x1 + 1, n1 + 2, x2 + 1, n2 + 2);
	put2(r, "agresti_caffo", s.ci_low, s.ci_high);
	skip_field(r, "miettinen_nurminen", "Miettinen-Nurminen score interval is not a method of SPEC 6.2");
	skip_field(r, "mn_score_propcis", "Miettinen-Nurminen score interval is not a method of SPEC 6.2");
}

static void check_chisq_2x2_yates(struct run *r)
{
	const eks_node *t = in_node(r, "table");
	eks_stats_result s;
	long long c[2][2];
	int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			c[i][j] = (long long)num(r, t->items[i]->items[j], "cell");
	/* rows as the groups; the corrected chi-square of a 2x2 table is
	 * prop.test's with YATES = min(0.5, |x - E|) */
	prop2(r, &s, EKS_PROP2_YATES, c[0][0], c[0][0] + c[0][1], c[1][0],
	      c[1][0] + c[1][1]);
	put1(r, "p_value", s.p_value);
}

static void check_fisher(struct run *r)
{
	const eks_node *t = in_node(r, "table"), *alt = eks_node_get(r->inputs, "alternative");
	long long c[2][2];
	double p;
	int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			c[i][j] = (long long)num(r, t->items[i]->items[j], "cell");
	/* R's matrix columns are the groups: A = (c00, c10), B = (c01, c11) */
#define FISHER(alternative) \
	ok(eks_stats_fisher_2x2(&p, c[0][0], c[0][0] + c[1][0], c[0][1], \
				c[0][1] + c[1][1], alternative))
	if (alt && !strcmp(alt->value, "greater")) {
		FISHER(EKS_ALT_GREATER);
		put1(r, "p_value", p);
		skip_field(r, "ci", "the conditional MLE odds ratio and its interval are not required");
	} else {
		FISHER(EKS_ALT_TWO_SIDED);
		put1(r, "p_value_two_sided", p);
		FISHER(EKS_ALT_LESS);
		put1(r, "p_value_less", p);
		skip_field(r, "ci95", "the conditional MLE odds ratio and its interval are not required");
		skip_field(r, "ci99", "the conditional MLE odds ratio and its interval are not required");
		skip_field(r, "ci95_less", "the conditional MLE odds ratio and its interval are not required");
	}
#undef FISHER
	skip_field(r, "odds_ratio_cmle", "the conditional MLE odds ratio is not required");
}

static void check_holm(struct run *r)
{
	double p[MAX_VALUES], adj[MAX_VALUES], alpha = in_num(r, "alpha");
	size_t n = values_of(r, in_node(r, "p"), p, MAX_VALUES), i;

	ok(eks_stats_p_adjust(adj, p, n, EKS_ADJUST_HOLM));
	put(r, "p_adjusted", adj, n);
	for (i = 0; i < n; i++)
		put1(r, "reject", adj[i] <= alpha);
}

static void suffixed(char *buf, size_t size, const char *name, size_t c,
		     const char *suffix)
{
	snprintf(buf, size, "%s_case%zu%s", name, c, suffix);
}

/* One power problem: the unknown in `solve_for`; with `case_no` > 0 the
 * answer is recorded as <unknown>_case<N> and <unknown>_case<N>_exact_root,
 * else as <unknown>. */
static void power_case(struct run *r, const eks_node *c, size_t case_no,
		       int prop)
{
	const char *solve = eks_node_get(c, "solve_for")->value;
	const eks_node *saved = r->inputs;
	char key[64];
	double answer = 0.0;

	r->inputs = c;
	if (prop) {
		eks_power_prop_spec s = EKS_POWER_PROP_SPEC_INIT;
		eks_power_unknown u;

		s.p1 = in_num(r, "p1");
		s.alpha = in_num(r, "alpha");
		if (!strcmp(solve, "power")) {
			u = EKS_POWER_SOLVE_POWER;
			s.n = in_num(r, "n");
			s.p2 = in_num(r, "p2");
		} else if (!strcmp(solve, "n")) {
			u = EKS_POWER_SOLVE_N;
			s.p2 = in_num(r, "p2");
			s.power = in_num(r, "power");
		} else {
			assert_string_equal(solve, "p2");
			u = EKS_POWER_SOLVE_P2;
			s.n = in_num(r, "n");
			s.power = in_num(r, "power");
		}
		ok(eks_power_prop_solve(&s, u));
		answer = u == EKS_POWER_SOLVE_POWER ? s.power :
			u == EKS_POWER_SOLVE_N ? s.n : s.p2;
	} else {
		eks_power_t_spec s = EKS_POWER_T_SPEC_INIT;
		eks_power_unknown u;

		s.sd = in_num(r, "sd");
		s.alpha = in_num(r, "alpha");
		s.sides = (int)in_num(r, "sides");
		if (!strcmp(solve, "power")) {
			u = EKS_POWER_SOLVE_POWER;
			s.n = in_num(r, "n");
			s.delta = in_num(r, "delta");
		} else if (!strcmp(solve, "n")) {
			u = EKS_POWER_SOLVE_N;
			s.delta = in_num(r, "delta");
			s.power = in_num(r, "power");
		} else {
			assert_string_equal(solve, "delta");
			u = EKS_POWER_SOLVE_DELTA;
			s.n = in_num(r, "n");
			s.power = in_num(r, "power");
		}
		ok(eks_power_t_solve(&s, u));
		answer = u == EKS_POWER_SOLVE_POWER ? s.power :
			u == EKS_POWER_SOLVE_N ? s.n : s.delta;
	}
	r->inputs = saved;
	if (case_no == 0) {
		put1(r, solve, answer);
		return;
	}
	suffixed(key, sizeof(key), solve, case_no, "");
	put1(r, key, answer);
	/* a root finder that converges gives the exact root as well */
	suffixed(key, sizeof(key), solve, case_no, "_exact_root");
	put1(r, key, answer);
}

static void check_power(struct run *r, int prop)
{
	const eks_node *cases = eks_node_get(r->inputs, "cases");
	size_t i;

	if (!cases) {
		power_case(r, r->inputs, 0, prop);
		return;
	}
	for (i = 0; i < cases->count; i++)
		power_case(r, cases->items[i], i + 1, prop);
}

static void check_power_t(struct run *r)
{
	check_power(r, 0);
}

static void check_power_prop(struct run *r)
{
	check_power(r, 1);
}

static void check_did_summary(struct run *r)
{
	const eks_node *t = in_node(r, "treated"), *c = in_node(r, "control");
	eks_stats_result s;

	ok(eks_stats_difference(&s, num(r, eks_node_get(t, "change_mean"), "change_mean"),
				num(r, eks_node_get(t, "change_se"), "change_se"),
				num(r, eks_node_get(c, "change_mean"), "change_mean"),
				num(r, eks_node_get(c, "change_se"), "change_se"),
				0.95));
	put1(r, "did", s.estimate);
	put1(r, "se", s.se);
}

static void check_design_effect(struct run *r)
{
	double deff, neff;

	ok(eks_stats_design_effect(&deff, &neff, in_num(r, "cluster_size"),
				   in_num(r, "icc"), in_num(r, "n_total")));
	put1(r, "design_effect", deff);
	put1(r, "effective_n", neff);
}

static void check_two_props_all(struct run *r)
{
	long long x1 = in_int(r, "x1"), n1 = in_int(r, "n1");
	long long x2 = in_int(r, "x2"), n2 = in_int(r, "n2");
	eks_stats_result s;
	double p;

	prop2(r, &s, EKS_PROP2_NEWCOMBE, x1, n1, x2, n2);
	put1(r, "p1", s.group_a);
	put1(r, "p2", s.group_b);
	put1(r, "chi2_nocc", s.statistic);
	put1(r, "p_value_z_pooled", s.p_value);
	prop2(r, &s, EKS_PROP2_WALD, x1, n1, x2, n2);
	put2(r, "ci_wald_diff", s.ci_low, s.ci_high);
	prop2(r, &s, EKS_PROP2_YATES, x1, n1, x2, n2);
	put1(r, "chi2_yates", s.statistic);
	put1(r, "p_value_yates", s.p_value);
	put2(r, "ci_wald_cc_diff", s.ci_low, s.ci_high);
	ok(eks_stats_fisher_2x2(&p, x1, n1, x2, n2, EKS_ALT_TWO_SIDED));
	put1(r, "fisher_p_two_sided", p);
	prop2(r, &s, EKS_PROP2_FISHER, x1, n1, x2, n2);
	assert_true(s.p_value == p);
	skip_field(r, "fisher_or_cmle", "the conditional MLE odds ratio is not required");
	skip_field(r, "fisher_or_ci", "the conditional MLE odds ratio interval is not required");
}

static void sums_summary(struct run *r, const eks_node *g, eks_summary *s)
{
	double sum = num(r, eks_node_get(g, "sum"), "sum");
	double ss = num(r, eks_node_get(g, "sum_squares"), "sum_squares");
	double n = num(r, eks_node_get(g, "n"), "n");

	s->n = (long long)n;
	s->mean = sum / n;
	s->sd = sqrt((ss - sum * sum / n) / (n - 1));
}

static void check_welch_sums(struct run *r)
{
	eks_summary a, b;
	eks_stats_result t;

	sums_summary(r, in_node(r, "treatment"), &a);
	sums_summary(r, in_node(r, "control"), &b);
	ok(eks_stats_ttest_welch(&t, &a, &b, 0.95));
	put1(r, "effect", t.estimate);
	put1(r, "se", t.se);
	put2(r, "ci", t.ci_low, t.ci_high);
	put1(r, "p_value", t.p_value);
}

struct checker {
	const char *method;
	void (*check)(struct run *r);
};

static const struct checker checkers[] = {
	{ "student_t_quantile", check_qt },
	{ "student_t_cdf_upper", check_pt_upper },
	{ "chisq_cdf", check_pchisq },
	{ "hypergeometric_cdf", check_phyper },
	{ "binomial_probability_sum", check_binom_sum },
	{ "mean_sd", check_mean_sd },
	{ "welch_t_test", check_welch },
	{ "one_sample_t_test", check_one_sample },
	{ "paired_t_test", check_paired },
	{ "student_t_test_pooled", check_student_anova },
	{ "two_sample_t_test_from_summary", check_t_summary },
	{ "equivalence_tost_welch", check_tost_welch },
	{ "equivalence_tost_pooled", check_tost_pooled },
	{ "one_proportion_score_test", check_prop1_score },
	{ "wilson_score_interval", check_wilson_cases },
	{ "exact_binomial_test", check_binom_exact },
	{ "two_proportion_z_test_pooled", check_prop2_z },
	{ "risk_difference_ci_newcombe_hybrid_score", check_newcombe_cases },
	{ "risk_difference_ci", check_risk_difference },
	{ "pearson_chisq_independence_yates", check_chisq_2x2_yates },
	{ "fisher_exact_2x2", check_fisher },
	{ "holm_bonferroni", check_holm },
	{ "power_t_test", check_power_t },
	{ "power_prop_test", check_power_prop },
	{ "difference_in_differences_summary", check_did_summary },
	{ "cluster_design_effect", check_design_effect },
	{ "two_proportions_all_methods", check_two_props_all },
	{ "welch_t_test_from_sums", check_welch_sums },
};

/* Methods of the reference file that the engine does not have (yet):
 * SPEC 6.2 does not ask for them. */
static const char *const out_of_scope[] = {
	"k_proportions_chisq",                    /* k-sample prop.test */
	"chisq_trend_proportions",                /* prop.trend.test */
	"pairwise_two_proportion_tests_holm",     /* pairwise.prop.test */
	"pearson_chisq_independence",             /* r x c chi-square */
	"chisq_goodness_of_fit",
	"fisher_exact_rxc",
	"mcnemar_test_cc",
	"cmh_test_2x2xK",                         /* Mantel-Haenszel */
	"wilcoxon_signed_rank",
	"wilcoxon_rank_sum",                      /* Mann-Whitney */
	"wilcoxon_rank_sum_ties_cc",
	"relative_lift_delta_method",             /* gbstats relative */
	"bayesian_gaussian_flat_prior_relative",  /* gbstats Bayesian */
	"sequential_confidence_sequence_relative", /* gbstats sequential */
};

/* ------------------------------------------------------------------ comparing */

/* The tolerance for `key` (a dotted path): the vector's tol or rel_tol
 * under the full path or its last part.  Without one, 1e-9 relative. */
static void tolerance_of(struct run *r, const char *key, double *tol,
			 int *relative)
{
	const char *leaf = strrchr(key, '.');
	const eks_node *abs_tol = eks_node_get(r->vector, "tol");
	const eks_node *rel_tol = eks_node_get(r->vector, "rel_tol");
	const eks_node *t;

	leaf = leaf ? leaf + 1 : key;
	if ((t = eks_node_get(abs_tol, key)) || (t = eks_node_get(abs_tol, leaf))) {
		*tol = num(r, t, key);
		*relative = 0;
	} else if ((t = eks_node_get(rel_tol, key)) ||
		   (t = eks_node_get(rel_tol, leaf))) {
		*tol = num(r, t, key);
		*relative = 1;
	} else {
		*tol = 1e-9;
		*relative = 1;
	}
}

static void flatten(const eks_node *node, const eks_node **out, size_t *n,
		    size_t max)
{
	size_t i;

	if (node->kind == EKS_NODE_SCALAR) {
		assert_true(*n < max);
		out[(*n)++] = node;
		return;
	}
	for (i = 0; i < node->count; i++)
		flatten(node->items[i], out, n, max);
}

static int compare_field(struct run *r, const char *key, const eks_node *expected)
{
	const eks_node *scalars[MAX_VALUES];
	struct actual *a = NULL;
	size_t i, n = 0;
	double tol;
	int relative, failures = 0;

	for (i = 0; i < r->count; i++)
		if (!strcmp(r->actuals[i].key, key))
			a = &r->actuals[i];
	if (!a) {
		print_error("vector %s: expected field '%s' was not computed (and not skipped)\n",
			    r->id, key);
		return 1;
	}
	if (a->skipped)
		return 0;
	flatten(expected, scalars, &n, MAX_VALUES);
	if (a->text) {
		if (n != 1 || strcmp(scalars[0]->value, a->text)) {
			print_error("vector %s: %s = '%s', expected '%s'\n", r->id,
				    key, a->text, n ? scalars[0]->value : "");
			return 1;
		}
		return 0;
	}
	if (n != a->n) {
		print_error("vector %s: %s has %zu values, expected %zu\n", r->id,
			    key, a->n, n);
		return 1;
	}
	tolerance_of(r, key, &tol, &relative);
	for (i = 0; i < n; i++) {
		double want = num(r, scalars[i], key), got = a->v[i];
		double limit = relative ? tol * fabs(want) : tol;

		if (got == want)
			continue;
		if (isnan(got) || !(fabs(got - want) <= limit)) {
			print_error("vector %s: %s[%zu] = %.12g, expected %.12g (%s tolerance %g, off by %.3g)\n",
				    r->id, key, i, got, want,
				    relative ? "relative" : "absolute", tol,
				    fabs(got - want));
			failures++;
		}
	}
	return failures;
}

static int compare_map(struct run *r, const char *prefix, const eks_node *map)
{
	int failures = 0;
	size_t i;

	for (i = 0; i < map->count; i++) {
		char key[64];

		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
			 map->keys[i]->value);
		if (map->items[i]->kind == EKS_NODE_MAP)
			failures += compare_map(r, key, map->items[i]);
		else
			failures += compare_field(r, key, map->items[i]);
	}
	return failures;
}

/* One reference vector: pick its checker, compute, compare every field. */
static void test_stats_reference_vector(void **state)
{
	static struct run r;
	const eks_node *method;
	size_t i;
	int failures;

	memset(&r, 0, sizeof(r));
	r.vector = *state;
	r.id = eks_node_get(r.vector, "id")->value;
	r.inputs = eks_node_get(r.vector, "inputs");
	method = eks_node_get(r.vector, "method");
	assert_non_null(method);
	assert_non_null(r.inputs);
	assert_non_null(eks_node_get(r.vector, "expected"));

	for (i = 0; i < sizeof(out_of_scope) / sizeof(*out_of_scope); i++)
		if (!strcmp(method->value, out_of_scope[i]))
			skip();
	for (i = 0; i < sizeof(checkers) / sizeof(*checkers); i++)
		if (!strcmp(method->value, checkers[i].method))
			break;
	if (i == sizeof(checkers) / sizeof(*checkers))
		fail_msg("vector %s: unknown method '%s': add a checker or list it as out of scope",
			 r.id, method->value);
	checkers[i].check(&r);
	failures = compare_map(&r, "", eks_node_get(r.vector, "expected"));
	if (failures)
		fail_msg("vector %s: %d value(s) off", r.id, failures);
}

/* ------------------------------------------------------------------ odd data */

#define assert_near(got, want, rel) do { \
	double g_ = (got), w_ = (want); \
	if (!(fabs(g_ - w_) <= (rel) * fabs(w_))) \
		fail_msg("%s = %.15g, expected %.15g", #got, g_, w_); \
} while (0)

static void assert_no_nan(const eks_stats_result *s)
{
	assert_false(isnan(s->estimate));
	assert_false(isnan(s->se));
	assert_false(isnan(s->statistic));
	assert_false(isnan(s->df));
	assert_false(isnan(s->ci_low));
	assert_false(isnan(s->ci_high));
	assert_false(isnan(s->p_value));
	assert_true(s->p_value >= 0.0 && s->p_value <= 1.0);
	assert_true(s->ci_low <= s->ci_high);
}

static const eks_prop2_method all_prop2[] = {
	EKS_PROP2_NEWCOMBE, EKS_PROP2_YATES, EKS_PROP2_FISHER, EKS_PROP2_WALD,
	EKS_PROP2_RATIO, EKS_PROP2_ODDS_RATIO
};

/* No events in either arm: the tests have nothing to compare (status says
 * so, p = 1), the Newcombe interval still bounds the difference. */
static void test_stats_prop2_no_events_anywhere(void **state)
{
	eks_stats_result s;
	eks_prop2_method m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_prop2) / sizeof(*all_prop2); i++) {
		ok(eks_stats_prop2(&s, all_prop2[i], 0, 20, 0, 30, 0.95));
		assert_no_nan(&s);
		if (all_prop2[i] == EKS_PROP2_NEWCOMBE ||
		    all_prop2[i] == EKS_PROP2_YATES ||
		    all_prop2[i] == EKS_PROP2_WALD) {
			assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
			assert_true(s.p_value == 1.0);
		}
	}
	ok(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 0, 20, 0, 30, 0.95));
	/* from the Wilson bounds 0/20 -> [0, 0.1611], 0/30 -> [0, 0.1135] (R):
	 * L = -u2, U = u1 */
	assert_near(s.ci_low, -0.113513393173969, 1e-9);
	assert_near(s.ci_high, 0.161125158052819, 1e-9);
	assert_string_not_equal(eks_stats_status_reason(s.status), "");
	ok(eks_stats_prop2(&s, EKS_PROP2_FISHER, 0, 20, 0, 30, 0.95));
	assert_true(s.p_value == 1.0);
	/* 0.5 added to every cell: RR = (0.5/21) / (0.5/31) */
	ok(eks_stats_prop2(&s, EKS_PROP2_RATIO, 0, 20, 0, 30, 0.95));
	assert_near(s.estimate, 31.0 / 21.0, 1e-12);
	ok(eks_stats_prop2_auto(&m, 0, 20, 0, 30));
	assert_int_equal(m, EKS_PROP2_FISHER);
}

static void test_stats_prop2_all_events(void **state)
{
	eks_stats_result s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_prop2) / sizeof(*all_prop2); i++) {
		ok(eks_stats_prop2(&s, all_prop2[i], 20, 20, 30, 30, 0.95));
		assert_no_nan(&s);
	}
	ok(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 20, 20, 30, 30, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	assert_true(s.estimate == 0.0);
	ok(eks_stats_prop2(&s, EKS_PROP2_ODDS_RATIO, 20, 20, 30, 30, 0.95));
	assert_near(s.estimate, (20.5 * 0.5) / (0.5 * 30.5), 1e-12);
}

/* One zero cell: R prop.test(c(0, 7), c(25, 25), correct = FALSE) gives
 * X-squared = 8.1395, p = 0.004331; fisher.test p = 0.009625; the Katz
 * ratio uses 0.5 in each cell. */
static void test_stats_prop2_zero_cell(void **state)
{
	eks_stats_result s;

	(void)state;
	ok(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 0, 25, 7, 25, 0.95));
	assert_int_equal(s.status, EKS_STATS_OK);
	assert_near(s.statistic, 8.13953488372093, 1e-9);
	assert_near(s.p_value, 0.00433103918236333, 1e-8);
	ok(eks_stats_prop2(&s, EKS_PROP2_FISHER, 0, 25, 7, 25, 0.95));
	assert_near(s.p_value, 0.00962512664640325, 1e-8);
	ok(eks_stats_prop2(&s, EKS_PROP2_RATIO, 0, 25, 7, 25, 0.95));
	assert_near(s.estimate, (0.5 / 26.0) / (7.5 / 26.0), 1e-12);
	assert_near(s.se, sqrt(1 / 0.5 - 1 / 26.0 + 1 / 7.5 - 1 / 26.0), 1e-12);
	assert_no_nan(&s);
}

/* One unit per arm is still a 2x2 table: R prop.test(c(1, 0), c(1, 1),
 * correct = FALSE) gives X-squared = 2, p = 0.1573; fisher.test p = 1;
 * binom.test(1, 1) the interval [0.025, 1]. */
static void test_stats_prop_single_unit(void **state)
{
	eks_stats_result s;

	(void)state;
	ok(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 1, 1, 0, 1, 0.95));
	assert_int_equal(s.status, EKS_STATS_OK);
	assert_near(s.statistic, 2.0, 1e-12);
	assert_near(s.p_value, 0.157299207050284, 1e-9);
	assert_no_nan(&s);
	ok(eks_stats_prop2(&s, EKS_PROP2_FISHER, 1, 1, 0, 1, 0.95));
	assert_true(s.p_value == 1.0);
	ok(eks_stats_prop1_exact(&s, 1, 1, 0.5, EKS_ALT_TWO_SIDED, 0.95));
	assert_near(s.ci_low, 0.025, 1e-12);
	assert_true(s.ci_high == 1.0);
}

/* n = 1 leaves a mean without an sd: the t tests say too few, not NaN. */
static void test_stats_ttest_single_unit(void **state)
{
	eks_summary one = { 1, 5.0, 0.0 }, three = { 3, 4.0, 1.0 };
	eks_stats_result s;

	(void)state;
	ok(eks_stats_ttest_welch(&s, &one, &three, 0.95));
	assert_int_equal(s.status, EKS_STATS_TOO_FEW);
	assert_no_nan(&s);
	assert_true(s.p_value == 1.0);
	assert_true(s.estimate == 1.0);
	assert_string_not_equal(eks_stats_status_reason(s.status), "");
	ok(eks_stats_ttest_one(&s, &one, 0.0, 0.95));
	assert_int_equal(s.status, EKS_STATS_TOO_FEW);
	/* R: t.test(5, c(3, 4, 5), var.equal = TRUE): t = 0.866, df = 2 */
	ok(eks_stats_ttest_student(&s, &one, &three, 0.95));
	assert_int_equal(s.status, EKS_STATS_OK);
	assert_near(s.statistic, 0.866025403784439, 1e-12);
	assert_true(s.df == 2.0);
}

/* sd = 0 everywhere: "data are essentially constant" in R; here a status. */
static void test_stats_ttest_zero_sd(void **state)
{
	eks_summary a = { 10, 3.0, 0.0 }, b = { 12, 2.0, 0.0 }, c = { 12, 2.0, 1.5 };
	eks_summary g[4] = { { 10, 3.0, 0.0 }, { 10, 3.0, 0.0 },
			     { 10, 3.0, 0.0 }, { 10, 3.0, 0.0 } };
	eks_stats_result s;

	(void)state;
	ok(eks_stats_ttest_welch(&s, &a, &b, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	assert_no_nan(&s);
	assert_true(s.estimate == 1.0);
	ok(eks_stats_ttest_student(&s, &a, &b, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	ok(eks_stats_ttest_one(&s, &a, 3.0, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	assert_no_nan(&s);
	ok(eks_stats_did_mean(&s, g, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	assert_no_nan(&s);
	/* one constant group is fine: Welch df falls to n - 1 of the other */
	ok(eks_stats_ttest_welch(&s, &a, &c, 0.95));
	assert_int_equal(s.status, EKS_STATS_OK);
	assert_near(s.df, 11.0, 1e-12);
	assert_no_nan(&s);
}

/* Huge groups (1e9 units) stay finite and agree with R. */
static void test_stats_huge_n(void **state)
{
	eks_stats_result s;
	eks_summary a = { 1000000000LL, 10.001, 3.0 }, b = { 1000000000LL, 10.0, 3.0 };
	double p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(all_prop2) / sizeof(*all_prop2); i++) {
		ok(eks_stats_prop2(&s, all_prop2[i], 100010000LL, 1000000000LL,
				   100000000LL, 1000000000LL, 0.95));
		assert_int_equal(s.status, EKS_STATS_OK);
		assert_no_nan(&s);
	}
	/* R: prop.test(c(100010000, 1e8), c(1e9, 1e9), correct = FALSE) */
	ok(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 100010000LL, 1000000000LL,
			   100000000LL, 1000000000LL, 0.95));
	assert_near(s.statistic, 0.555530865449183, 1e-6);
	assert_near(s.p_value, 0.456066550373611, 1e-6);
	ok(eks_stats_prop1_exact(&s, 500030000LL, 1000000000LL, 0.5,
				 EKS_ALT_TWO_SIDED, 0.95));
	assert_no_nan(&s);
	assert_near(s.p_value, 0.0577837419045085, 1e-6);
	ok(eks_stats_ttest_welch(&s, &a, &b, 0.95));
	assert_int_equal(s.status, EKS_STATS_OK);
	assert_no_nan(&s);
	ok(eks_stats_fisher_2x2(&p, 100010000LL, 1000000000LL, 100000000LL,
				1000000000LL, EKS_ALT_TWO_SIDED));
	/* close to the chi-square p at this size */
	assert_true(fabs(p - 0.456) < 0.002);
}

/* Above 65536 possible tables the exact tests switch from looking at each
 * table to binary search; the answer must stay R's. */
static void test_stats_exact_large_tables(void **state)
{
	eks_stats_result s;
	double p;

	(void)state;
	/* R: fisher.test(matrix(c(100000, 100000, 100500, 99500), 2))$p.value */
	ok(eks_stats_fisher_2x2(&p, 100000, 200000, 100500, 200000,
				EKS_ALT_TWO_SIDED));
	assert_near(p, 0.114569751168286, 1e-6);
	/* R: binom.test(500800, 1e6)$p.value */
	ok(eks_stats_prop1_exact(&s, 500800, 1000000, 0.5, EKS_ALT_TWO_SIDED, 0.95));
	assert_near(s.p_value, 0.109820556506149, 1e-6);
}

static void test_stats_bad_input_is_refused(void **state)
{
	eks_stats_result s;
	eks_summary bad_sd = { 5, 1.0, -1.0 }, bad_mean = { 5, NAN, 1.0 };
	eks_summary fine = { 5, 1.0, 1.0 }, huge = { 2, 1e300, 1e300 };
	double v[2] = { 1.0, INFINITY }, p[2] = { 0.5, 1.5 };

	(void)state;
	assert_int_equal(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 5, 4, 1, 10, 0.95),
			 EKS_EINVALID);
	assert_non_null(strstr(eks_error_last()->message, "events"));
	assert_int_equal(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 0, 0, 1, 10, 0.95),
			 EKS_EINVALID);
	assert_int_equal(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, -1, 5, 1, 10, 0.95),
			 EKS_EINVALID);
	assert_int_equal(eks_stats_prop2(&s, EKS_PROP2_NEWCOMBE, 1, 5, 1, 10, 1.5),
			 EKS_EUSAGE);
	assert_int_equal(eks_stats_prop1_wilson(&s, 1, 5, 0.0, 0, 0.95), EKS_EUSAGE);
	assert_int_equal(eks_stats_prop1_exact(&s, 1, 5, 1.5, EKS_ALT_TWO_SIDED, 0.95),
			 EKS_EUSAGE);
	assert_int_equal(eks_stats_ttest_welch(&s, &bad_sd, &fine, 0.95), EKS_EINVALID);
	assert_int_equal(eks_stats_ttest_welch(&s, &fine, &bad_mean, 0.95), EKS_EINVALID);
	assert_int_equal(eks_stats_ttest_welch(&s, &huge, &fine, 0.95), EKS_EINVALID);
	assert_non_null(strstr(eks_error_last()->message, "too large"));
	assert_int_equal(eks_summary_from_values(&fine, v, 2), EKS_EINVALID);
	assert_int_equal(eks_summary_from_values(&fine, v, 0), EKS_EINVALID);
	assert_int_equal(eks_stats_p_adjust(p, p, 2, EKS_ADJUST_HOLM), EKS_EINVALID);
	assert_int_equal(eks_stats_interval(&v[0], &v[1], 1.0, 0.0, INFINITY, 0.95),
			 EKS_EUSAGE);
	assert_int_equal(eks_dist_qt(&v[0], 0.5, 0.0), EKS_EUSAGE);
	assert_int_equal(eks_dist_dbinom(&v[0], 1.5, 10, 0.5), EKS_EUSAGE);
}

/* Pooling summaries gives what the raw values give (SPEC 2.2). */
static void test_stats_summary_pool_matches_raw(void **state)
{
	double x[200];
	eks_summary parts[4], pooled, raw, acc = { 0, 0.0, 0.0 };
	size_t i, cut[5] = { 0, 1, 50, 120, 200 };

	(void)state;
	for (i = 0; i < 200; i++)
		x[i] = 1e6 + sin((double)i) * 3.0 + (double)(i % 7);
	ok(eks_summary_from_values(&raw, x, 200));
	for (i = 0; i < 4; i++) {
		ok(eks_summary_from_values(&parts[i], x + cut[i], cut[i + 1] - cut[i]));
		ok(eks_summary_add(&acc, &parts[i]));
	}
	ok(eks_summary_pool(&pooled, parts, 4));
	assert_int_equal(pooled.n, 200);
	assert_near(pooled.mean, raw.mean, 1e-14);
	assert_near(pooled.sd, raw.sd, 1e-11);
	assert_int_equal(acc.n, 200);
	assert_near(acc.mean, raw.mean, 1e-14);
	assert_near(acc.sd, raw.sd, 1e-11);
	assert_true(parts[0].sd == 0.0);    /* a single value has sd 0 */
}

/* Holm with ties keeps R's order; Bonferroni caps at 1; none copies. */
static void test_stats_p_adjust_methods(void **state)
{
	double p[5] = { 0.01, 0.02, 0.02, 0.5, 0.04 }, adj[5];

	(void)state;
	/* R: p.adjust(c(.01, .02, .02, .5, .04), "holm") */
	ok(eks_stats_p_adjust(adj, p, 5, EKS_ADJUST_HOLM));
	assert_near(adj[0], 0.05, 1e-15);
	assert_near(adj[1], 0.08, 1e-15);
	assert_near(adj[2], 0.08, 1e-15);
	assert_near(adj[3], 0.5, 1e-15);
	assert_near(adj[4], 0.08, 1e-15);
	ok(eks_stats_p_adjust(adj, p, 5, EKS_ADJUST_BONFERRONI));
	assert_near(adj[1], 0.1, 1e-15);
	assert_true(adj[3] == 1.0);
	ok(eks_stats_p_adjust(adj, p, 5, EKS_ADJUST_NONE));
	assert_true(adj[3] == 0.5);
	ok(eks_stats_p_adjust(p, p, 5, EKS_ADJUST_HOLM));   /* in place */
	assert_near(p[4], 0.08, 1e-15);
}

/* Non-inferiority and the generic interval/p helpers. */
static void test_stats_margin_tests(void **state)
{
	eks_stats_noninf ni;
	eks_stats_tost e;
	double lo, hi, p;

	(void)state;
	ok(eks_stats_interval(&lo, &hi, 1.0, 0.5, INFINITY, 0.95));
	assert_near(hi - 1.0, 0.5 * 1.959963984540054, 1e-12);
	ok(eks_stats_p_value(&p, 1.0, 0.5, INFINITY, 0.0, EKS_ALT_TWO_SIDED));
	assert_near(p, 0.04550026389635842, 1e-10);
	ok(eks_stats_p_value(&p, 1.0, 0.5, 10.0, 0.0, EKS_ALT_GREATER));
	assert_near(p, 0.03669401738537018, 1e-8);   /* R: pt(2, 10, lower = FALSE) */
	/* estimate -0.02, se 0.03, margin 0.1: z = 2.667, p = 0.003830 */
	ok(eks_stats_noninferiority(&ni, -0.02, 0.03, INFINITY, 0.1, 0.05));
	assert_near(ni.p_value, 0.003830381, 1e-6);
	assert_true(ni.noninferior);
	assert_near(ni.conf_level, 0.9, 1e-15);
	ok(eks_stats_noninferiority(&ni, -0.08, 0.03, INFINITY, 0.1, 0.05));
	assert_false(ni.noninferior);
	assert_true(ni.p_value > 0.05);
	ok(eks_stats_tost_test(&e, 0.0, 0.1, INFINITY, -0.1, 0.1, 0.05));
	assert_false(e.equivalent);
	assert_near(e.p_value, 0.1586552539, 1e-8);
	assert_int_equal(eks_stats_tost_test(&e, 0.0, 0.1, INFINITY, 0.1, -0.1, 0.05),
			 EKS_EUSAGE);
}

/* Difference in differences by hand (SPEC 6.2). */
static void test_stats_did(void **state)
{
	long long x[4] = { 30, 20, 25, 22 }, n[4] = { 100, 100, 100, 100 };
	eks_summary g[4] = { { 20, 12.0, 2.0 }, { 25, 10.0, 3.0 },
			     { 30, 11.0, 2.5 }, { 15, 10.5, 1.0 } };
	eks_summary tiny[4] = { { 20, 12.0, 2.0 }, { 1, 10.0, 0.0 },
				{ 30, 11.0, 2.5 }, { 15, 10.5, 1.0 } };
	eks_stats_result s;
	double v[4], sum = 0, den = 0, q;
	int i;

	(void)state;
	ok(eks_stats_did_prop(&s, x, n, 0.95));
	assert_near(s.estimate, (0.30 - 0.20) - (0.25 - 0.22), 1e-12);
	assert_near(s.se, sqrt((.3 * .7 + .2 * .8 + .25 * .75 + .22 * .78) / 100), 1e-12);
	assert_true(isinf(s.df));
	for (i = 0; i < 4; i++) {
		v[i] = g[i].sd * g[i].sd / (double)g[i].n;
		sum += v[i];
		den += v[i] * v[i] / (double)(g[i].n - 1);
	}
	ok(eks_stats_did_mean(&s, g, 0.95));
	assert_near(s.estimate, 2.0 - 0.5, 1e-12);
	assert_near(s.se, sqrt(sum), 1e-12);
	assert_near(s.df, sum * sum / den, 1e-12);
	ok(eks_dist_qt(&q, 0.975, sum * sum / den));
	assert_near(s.ci_high - s.estimate, q * sqrt(sum), 1e-12);
	assert_near(s.estimate - s.ci_low, q * sqrt(sum), 1e-12);
	for (i = 0; i < 4; i++)
		x[i] = 0;
	ok(eks_stats_did_prop(&s, x, n, 0.95));
	assert_int_equal(s.status, EKS_STATS_NO_VARIANCE);
	assert_no_nan(&s);
	ok(eks_stats_did_mean(&s, tiny, 0.95));
	assert_int_equal(s.status, EKS_STATS_TOO_FEW);
	assert_no_nan(&s);
}

/* power.t.test when even n = 2 is plenty: R extends below 2. */
static void test_stats_power_edges(void **state)
{
	eks_power_t_spec t = EKS_POWER_T_SPEC_INIT;
	eks_power_prop_spec pp = EKS_POWER_PROP_SPEC_INIT;

	(void)state;
	t.delta = 10.0;
	t.power = 0.9;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_N));
	assert_near(t.n, 1.76288525085436, 1e-6);   /* R, tol = 1e-12 */
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 0.9, 1e-8);
	/* a tiny effect needs a huge n, found past R's 1e7 */
	t = (eks_power_t_spec)EKS_POWER_T_SPEC_INIT;
	t.delta = 0.001;
	t.power = 0.8;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_N));
	assert_near(t.n, 15697760.4290629, 1e-6);   /* R, tol = 1e-12 */
	/* impossible requests */
	pp.p1 = 0.5;
	pp.n = 10;
	pp.power = 0.99;
	assert_int_equal(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_P2), EKS_ERROR);
	pp.p2 = 0.5;
	pp.power = 0.8;
	assert_int_equal(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_N), EKS_EUSAGE);
	t.power = 1.5;
	assert_int_equal(eks_power_t_solve(&t, EKS_POWER_SOLVE_N), EKS_EUSAGE);
}

/* n for power.t.test: `delta` (sd 1), alpha, power, sides, samples. */
static double t_n(double delta, double alpha, double power, int sides,
		  int samples)
{
	eks_power_t_spec t = EKS_POWER_T_SPEC_INIT;

	t.delta = delta;
	t.alpha = alpha;
	t.power = power;
	t.sides = sides;
	t.samples = samples;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_N));
	return t.n;
}

/* n for power.prop.test. */
static double prop_n(double p1, double p2, double alpha, double power,
		     int sides)
{
	eks_power_prop_spec pp = EKS_POWER_PROP_SPEC_INIT;

	pp.p1 = p1;
	pp.p2 = p2;
	pp.alpha = alpha;
	pp.power = power;
	pp.sides = sides;
	ok(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_N));
	return pp.n;
}

/*
 * Below n = 2 R's uniroot moves its lower end down from 2 (to 0.74 at
 * most) and finds the root there; a search that stops at n = 1.5 gave
 * 1.5 for all of these.  R 4.2.2, every call with tol = 1e-12.
 */
static void test_stats_power_t_below_two(void **state)
{
	eks_power_t_spec t = EKS_POWER_T_SPEC_INIT;

	(void)state;
	/* power.t.test(delta = 20, power = .8)$n */
	assert_near(t_n(20, 0.05, 0.8, 2, 2), 1.48852065201127, 1e-9);
	/* power.t.test(delta = 50, power = .8)$n: below 1.5 */
	assert_near(t_n(50, 0.05, 0.8, 2, 2), 1.36840730042041, 1e-9);
	/* power.t.test(delta = 1e6, power = .8)$n */
	assert_near(t_n(1e6, 0.05, 0.8, 2, 2), 1.10082339018246, 1e-9);
	/* power.t.test(delta = 100, power = .8)$n: pnt is not monotone in n
	 * here (it approximates for tiny df): which root R gives depends on
	 * R's search interval */
	assert_near(t_n(100, 0.05, 0.8, 2, 2), 1.30892941421337, 1e-9);
	/* power.t.test(delta = 60, power = .5)$n: R's root just above 1 */
	assert_near(t_n(60, 0.05, 0.5, 2, 2), 1.00281738140883, 1e-9);
	/* power.t.test(delta = 20, power = .8, alternative = "one.sided")$n */
	assert_near(t_n(20, 0.05, 0.8, 1, 2), 1.35555469830648, 1e-9);
	/* power.t.test(delta = 5, power = .99, sig.level = .01,
	 *              alternative = "one.sided")$n */
	assert_near(t_n(5, 0.01, 0.99, 1, 2), 3.532313867742, 1e-9);
	/* power.t.test(delta = 20, power = .8, type = "one.sample")$n */
	assert_near(t_n(20, 0.05, 0.8, 2, 1), 1.82531484699075, 1e-9);
	/* power.t.test(delta = 1e300, sd = 1e-300, power = .8)$n: the
	 * noncentrality is infinite, which Rmath's pnt answers */
	t.delta = 1e300;
	t.sd = 1e-300;
	t.power = 0.8;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_N));
	assert_near(t.n, 1.00210221870482, 1e-9);
	/* power.t.test(n = 3, delta = 1e300, sd = 1e-300)$power */
	t.n = 3;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 1.0, 1e-9);
	/* power.t.test(n = 3, delta = -1e300, sd = 1e-300,
	 *              alternative = "one.sided")$power */
	t.delta = -1e300;
	t.sides = 1;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 0.0, 1e-9);
}

/* Sizes far from R's first interval c(2, 1e7), and power for given n. */
static void test_stats_power_t_far(void **state)
{
	eks_power_t_spec t = EKS_POWER_T_SPEC_INIT;

	(void)state;
	/* power.t.test(delta = 1e-4, power = .5, tol = 1e-12)$n */
	assert_near(t_n(1e-4, 0.05, 0.5, 2, 2), 768291765.09919, 1e-9);
	/* power.t.test(delta = 1e-4, power = .8)$n is 1569775947.8: beyond
	 * 1e9, a request with no answer, not a usage error */
	t.delta = 1e-4;
	t.power = 0.8;
	assert_int_equal(eks_power_t_solve(&t, EKS_POWER_SOLVE_N), EKS_ERROR);
	t.delta = 1e-5;
	assert_int_equal(eks_power_t_solve(&t, EKS_POWER_SOLVE_N), EKS_ERROR);
	/* power.t.test(n = 2, delta = 1)$power */
	t = (eks_power_t_spec)EKS_POWER_T_SPEC_INIT;
	t.n = 2;
	t.delta = 1;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 0.0913177843617262, 1e-9);
	/* power.t.test(n = 1e9, delta = 1e-4)$power */
	t.n = 1e9;
	t.delta = 1e-4;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 0.608765902636564, 1e-9);
	/* power.t.test(n = 1e12, delta = 1e-6, sd = 2)$power: any n */
	t.n = 1e12;
	t.delta = 1e-6;
	t.sd = 2;
	ok(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER));
	assert_near(t.power, 0.0540918623618349, 1e-9);
	/* out of range: usage errors */
	t.n = 1.4;
	assert_int_equal(eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER), EKS_EUSAGE);
	t = (eks_power_t_spec)EKS_POWER_T_SPEC_INIT;
	t.power = 0.02;     /* not above alpha/2 */
	t.delta = 1;
	assert_int_equal(eks_power_t_solve(&t, EKS_POWER_SOLVE_N), EKS_EUSAGE);
}

/* power.prop.test at the far edges of p1 and p2.  R 4.2.2, tol = 1e-12. */
static void test_stats_power_prop_edges(void **state)
{
	eks_power_prop_spec pp = EKS_POWER_PROP_SPEC_INIT;

	(void)state;
	/* power.prop.test(p1 = .001, p2 = .999, power = .8)$n */
	assert_near(prop_n(0.001, 0.999, 0.05, 0.8, 2), 2.03454905995645, 1e-9);
	/* power.prop.test(p1 = .01, p2 = .99, power = .8)$n */
	assert_near(prop_n(0.01, 0.99, 0.05, 0.8, 2), 2.35632032534853, 1e-9);
	/* power.prop.test(p1 = .001, p2 = .999, power = .99,
	 *                 sig.level = .01)$n */
	assert_near(prop_n(0.001, 0.999, 0.01, 0.99, 2), 3.72192930416452, 1e-9);
	/* power.prop.test(p1 = .999, p2 = .001, power = .9, sig.level = .2)$n:
	 * below 1 */
	assert_near(prop_n(0.999, 0.001, 0.2, 0.9, 2), 0.932013928337515, 1e-9);
	/* power.prop.test(p1 = .001, p2 = .999, power = .5, sig.level = .1,
	 *                 alternative = "one.sided")$n */
	assert_near(prop_n(0.001, 0.999, 0.1, 0.5, 1), 0.824481836995543, 1e-9);
	/* with sig.level = .2 R's lower end passes 0 and R fails (NaN); the
	 * root of the same formula, uniroot(function(n)
	 * power.prop.test(n = n, p1 = .001, p2 = .999, sig.level = .2,
	 * alternative = "one.sided")$power - .5, c(0, 1), tol = 1e-12)$root */
	assert_near(prop_n(0.001, 0.999, 0.2, 0.5, 1), 0.355584064321426, 1e-9);
	/* power.prop.test(p1 = .5, p2 = .5001, power = .8)$n */
	assert_near(prop_n(0.5, 0.5001, 0.05, 0.8, 2), 392443981.614164, 1e-9);
	/* power.prop.test(p1 = .5, p2 = .50001, power = .8)$n is 3.9e10 */
	pp.p1 = 0.5;
	pp.p2 = 0.50001;
	pp.power = 0.8;
	assert_int_equal(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_N), EKS_ERROR);
	/* power.prop.test(n = 2, p1 = .2, p2 = .8)$power */
	pp.p1 = 0.2;
	pp.p2 = 0.8;
	pp.n = 2;
	ok(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_POWER));
	assert_near(pp.power, 0.17106756412028, 1e-9);
	/* shares outside (0, 1) */
	pp.p2 = 1.0;
	assert_int_equal(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_POWER), EKS_EUSAGE);
	pp.p2 = 0.0;
	pp.power = 0.8;
	assert_int_equal(eks_power_prop_solve(&pp, EKS_POWER_SOLVE_N), EKS_EUSAGE);
}

/* Rmath prints to stdout when it is unhappy; nothing may ever reach it. */
static void test_stats_never_prints(void **state)
{
	char path[] = "/tmp/eks-stats-stdout-XXXXXX";
	eks_stats_result s;
	eks_power_t_spec t = EKS_POWER_T_SPEC_INIT;
	eks_power_prop_spec pp = EKS_POWER_PROP_SPEC_INIT;
	eks_summary a = { 2, 1e300, 1e300 }, b = { 3, -1e300, 1e-300 };
	struct stat st;
	double d, ncp, df;
	int fd, saved;

	(void)state;
	fflush(stdout);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	saved = dup(1);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, 1), 1);

	/* out-of-domain arguments: refused before Rmath sees them */
	eks_dist_dbinom(&d, 2.5, 10, 0.5);
	eks_dist_pbinom(&d, 2, 10.5, 0.5, 1);
	eks_dist_dhyper(&d, 1.5, 10, 10, 5);
	eks_dist_qt(&d, 0.975, -1);
	eks_dist_pnt(&d, 1.0, 0.0, 1.0, 1);
	/* extreme but valid arguments */
	for (ncp = 0.0; ncp <= 60.0; ncp += 0.5)
		for (df = 1.0; df <= 1e6; df *= 7.0) {
			eks_dist_pnt(&d, 40.0, df, ncp, 0);
			eks_dist_pnt(&d, 2.0, df, ncp, 1);
			eks_dist_pnt(&d, -3.0, df, ncp, 0);
		}
	eks_stats_prop1_exact(&s, 1, 1000000000LL, 0.5, EKS_ALT_TWO_SIDED, 0.999);
	eks_stats_prop1_exact(&s, 999999999LL, 1000000000LL, 1e-9, EKS_ALT_TWO_SIDED, 0.5);
	eks_stats_prop1_exact(&s, 0, 1, 0.0, EKS_ALT_TWO_SIDED, 0.95);
	eks_stats_prop1_exact(&s, 1, 1, 1.0, EKS_ALT_LESS, 0.95);
	eks_stats_prop2(&s, EKS_PROP2_FISHER, 0, 1000000000LL, 1000000000LL,
			1000000000LL, 0.95);
	eks_stats_prop2(&s, EKS_PROP2_YATES, 1, 1, 0, 1, 0.999999);
	eks_stats_ttest_welch(&s, &a, &b, 0.95);
	eks_stats_ttest_student(&s, &a, &b, 1e-9);
	t.delta = 1e-6;
	t.power = 0.999;
	t.alpha = 1e-8;
	eks_power_t_solve(&t, EKS_POWER_SOLVE_N);
	t = (eks_power_t_spec)EKS_POWER_T_SPEC_INIT;
	t.n = 2;
	t.power = 0.999999;
	t.alpha = 1e-6;
	eks_power_t_solve(&t, EKS_POWER_SOLVE_DELTA);
	t.n = 1e9;
	t.delta = 50;
	eks_power_t_solve(&t, EKS_POWER_SOLVE_POWER);
	pp.p1 = 1e-9;
	pp.power = 0.999;
	pp.n = 2;
	eks_power_prop_solve(&pp, EKS_POWER_SOLVE_P2);

	fflush(stdout);
	assert_int_equal(dup2(saved, 1), 1);
	close(saved);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	unlink(path);
	assert_int_equal(st.st_size, 0);
}

/* ------------------------------------------------------------------ main */

int main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_stats_prop2_no_events_anywhere),
		cmocka_unit_test(test_stats_prop2_all_events),
		cmocka_unit_test(test_stats_prop2_zero_cell),
		cmocka_unit_test(test_stats_prop_single_unit),
		cmocka_unit_test(test_stats_ttest_single_unit),
		cmocka_unit_test(test_stats_ttest_zero_sd),
		cmocka_unit_test(test_stats_huge_n),
		cmocka_unit_test(test_stats_exact_large_tables),
		cmocka_unit_test(test_stats_bad_input_is_refused),
		cmocka_unit_test(test_stats_summary_pool_matches_raw),
		cmocka_unit_test(test_stats_p_adjust_methods),
		cmocka_unit_test(test_stats_margin_tests),
		cmocka_unit_test(test_stats_did),
		cmocka_unit_test(test_stats_power_edges),
		cmocka_unit_test(test_stats_power_t_below_two),
		cmocka_unit_test(test_stats_power_t_far),
		cmocka_unit_test(test_stats_power_prop_edges),
		cmocka_unit_test(test_stats_never_prints),
	};
	const size_t nfixed = sizeof(fixed) / sizeof(*fixed);
	struct CMUnitTest *tests = NULL;
	const char *dir = getenv("EKS_TEST_DATA");
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	char path[4096];
	size_t i, n = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/stats-reference.yaml",
		 dir ? dir : "tests/data");
	rc = eks_yaml_load_file(&file, path, &diags);
	if (rc < 0 || !file || file->count < 1 ||
	    !(all_vectors = eks_node_get(file->documents[0], "vectors")) ||
	    all_vectors->kind != EKS_NODE_SEQ || all_vectors->count == 0) {
		fprintf(stderr, "test_stats: cannot load %s: %s\n", path,
			eks_error_last()->message);
		for (i = 0; i < diags.count; i++)
			fprintf(stderr, "%s:%d:%d: %s\n", path, diags.items[i].line,
				diags.items[i].col, diags.items[i].message);
		eks_diag_list_clear(&diags);
		eks_yaml_file_free(file);
		return 1;
	}
	tests = calloc(nfixed + all_vectors->count, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < nfixed; i++)
		tests[n++] = fixed[i];
	for (i = 0; i < all_vectors->count; i++) {
		const eks_node *id = eks_node_get(all_vectors->items[i], "id");

		tests[n].name = id ? id->value : "(vector without id)";
		tests[n].test_func = test_stats_reference_vector;
		tests[n].initial_state = (void *)all_vectors->items[i];
		n++;
	}
	rc = _cmocka_run_group_tests("stats", tests, n, NULL, NULL);
	free(tests);
	eks_yaml_file_free(file);
	eks_diag_list_clear(&diags);
	return rc;
}
