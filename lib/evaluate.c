/*
 * evaluate.c - from a protocol and its accumulated data to one verdict per
 * hypothesis (SPEC 6.1-6.4).
 *
 * Each hypothesis goes through four steps:
 *   1. gather the groups it compares (arm and timepoint, with baseline for
 *      did) from the accumulated cells; a group without observations, or
 *      a mean of fewer than two units, leaves it insufficient_data;
 *   2. estimate with the method actually used (resolve_method; never
 *      `auto`): the estimate, the interval at conf_level and the two-sided
 *      p-value, or the finding that the comparison is not estimable
 *      (SPEC 6.3: no events, only events, no variation, or an interval
 *      that is infinite or has no width);
 *   3. the p-value the test reports: two-sided for superiority, and for
 *      noninferiority and equivalence the one-sided p against the margin
 *      from the same interval, so that p and interval always agree;
 *   4. after the adjustment over the multiplicity family (SPEC 6.4),
 *      orient the effect so that positive means better and apply the
 *      verdict table of SPEC 6.3, where values within a rounding error
 *      of m or M count as equal to it (ties).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/evaluate.h"
#include "eksperiment/stats.h"

const char *eks_verdict_name(eks_verdict verdict)
{
	switch (verdict) {
	case EKS_VERDICT_SUPPORTED:         return "supported";
	case EKS_VERDICT_REFUTED:           return "refuted";
	case EKS_VERDICT_INCONCLUSIVE:      return "inconclusive";
	case EKS_VERDICT_INSUFFICIENT_DATA: return "insufficient_data";
	}
	return "?";
}

eks_verdict eks_verdict_from_name(const char *name, int *ok)
{
	eks_verdict v;

	for (v = EKS_VERDICT_SUPPORTED; v <= EKS_VERDICT_INSUFFICIENT_DATA; v++) {
		if (!strcmp(name, eks_verdict_name(v))) {
			if (ok)
				*ok = 1;
			return v;
		}
	}
	if (ok)
		*ok = 0;
	return EKS_VERDICT_INCONCLUSIVE;
}

/* ---------------------------------------------------------------- ties */

/*
 * SPEC 6.3: an estimate or bound within 1e-9 relative (or 1e-12
 * absolute) of m or M counts as equal to it, so that rounding in the
 * last digits never turns a verdict (0.3 - 0.2 >= 0.1 holds).
 */
static int tie(double a, double b)
{
	return fabs(a - b) <= fmax(1e-9 * fmax(fabs(a), fabs(b)), 1e-12);
}

static int above(double a, double b)    { return a > b && !tie(a, b); }
static int below(double a, double b)    { return a < b && !tie(a, b); }
static int at_least(double a, double b) { return a > b || tie(a, b); }
static int at_most(double a, double b)  { return a < b || tie(a, b); }

/* ---------------------------------------------------------------- groups */

static void group_from_cell(eks_group_result *g, const eks_cells *cells,
			    const eks_outcome *o, const char *arm, const char *timepoint)
{
	const eks_cell *c = eks_cells_find(cells, o->id, arm, timepoint);

	memset(g, 0, sizeof(*g));
	g->arm = arm;
	g->timepoint = timepoint;
	g->is_count = o->measure == EKS_MEASURE_PROPORTION;
	if (!c)
		return;
	if (g->is_count && c->has_counts && c->n > 0) {
		g->has_data = 1;
		g->n = c->n;
		g->events = c->events;
	} else if (!g->is_count && c->has_summary && c->summary.n > 0) {
		g->has_data = 1;
		g->n = c->summary.n;
		g->mean = c->summary.mean;
		g->sd = c->summary.n > 1 ? c->summary.sd : 0.0;
	}
}

static eks_summary summary_of(const eks_group_result *g)
{
	eks_summary s;

	s.n = g->n;
	s.mean = g->mean;
	s.sd = g->sd;
	return s;
}

/* ---------------------------------------------------------------- methods */

typedef enum method {
	METHOD_NEWCOMBE = 0, METHOD_YATES, METHOD_FISHER, METHOD_KATZ,
	METHOD_WOOLF, METHOD_WILSON, METHOD_EXACT, METHOD_WELCH,
	METHOD_STUDENT, METHOD_ONE_SAMPLE_T, METHOD_DID_NORMAL,
	METHOD_DID_WELCH
} method;

static const char *const method_names[] = {
	"newcombe", "yates", "fisher", "katz", "woolf", "wilson", "exact",
	"welch", "student", "one_sample_t", "did_normal", "did_welch"
};

/* Two proportions with an expected cell count below 5 (SPEC 6.2). */
static int small_counts(const eks_group_result *g)
{
	eks_prop2_method m = EKS_PROP2_NEWCOMBE;

	if (!g[0].has_data || !g[1].has_data)
		return 0;
	eks_stats_prop2_auto(&m, g[0].events, g[0].n, g[1].events, g[1].n);
	return m == EKS_PROP2_FISHER;
}

/*
 * The method a hypothesis is computed with.  Fisher's test has no
 * interval of its own (its interval is Newcombe's), so it is used only
 * where a p-value decides: superiority.  A noninferiority, equivalence
 * or threshold hypothesis with `fisher` or `auto` is decided on, and
 * reports, Newcombe's interval and the p that goes with it (SPEC 6.3).
 */
static method resolve_method(const eks_hypothesis *h, const eks_outcome *o,
			     const eks_group_result *g)
{
	if (h->estimator == EKS_ESTIMATOR_DID)
		return o->measure == EKS_MEASURE_PROPORTION ? METHOD_DID_NORMAL : METHOD_DID_WELCH;
	if (h->estimator == EKS_ESTIMATOR_RATIO)
		return METHOD_KATZ;
	if (h->estimator == EKS_ESTIMATOR_ODDS_RATIO)
		return METHOD_WOOLF;
	if (o->measure == EKS_MEASURE_PROPORTION) {
		if (!h->against)
			return h->method == EKS_METHOD_EXACT ? METHOD_EXACT : METHOD_WILSON;
		switch (h->method) {
		case EKS_METHOD_YATES:
			return METHOD_YATES;
		case EKS_METHOD_NEWCOMBE:
			return METHOD_NEWCOMBE;
		case EKS_METHOD_FISHER:
			return h->test == EKS_TEST_SUPERIORITY ? METHOD_FISHER : METHOD_NEWCOMBE;
		default:
			return h->test == EKS_TEST_SUPERIORITY && small_counts(g) ?
				METHOD_FISHER : METHOD_NEWCOMBE;
		}
	}
	if (!h->against)
		return METHOD_ONE_SAMPLE_T;
	return h->method == EKS_METHOD_STUDENT ? METHOD_STUDENT : METHOD_WELCH;
}

/* The asymptotic two-proportion methods, which small counts strain. */
static int asymptotic_two_proportions(method m)
{
	return m == METHOD_NEWCOMBE || m == METHOD_YATES || m == METHOD_KATZ ||
		m == METHOD_WOOLF;
}

/* ---------------------------------------------------------------- estimates */

/* Why a comparison is not estimable (SPEC 6.3). */
typedef enum no_answer {
	ESTIMABLE = 0,
	NO_EVENTS,           /* proportions: no unit in any group had the event */
	ONLY_EVENTS,         /* every unit in every group had it */
	DID_FIXED,           /* did of proportions: each group 0 of n or n of n */
	NO_VARIATION,        /* means: every sd 0 */
	NEARLY_CONSTANT,     /* means: too little spread for R's t.test */
	TOO_LARGE,           /* numbers R's own formula overflows on */
	DEGENERATE           /* a value that is not finite, or no width */
} no_answer;

/* What one computation of a hypothesis's estimate gives. */
typedef struct estimate {
	no_answer why;           /* ESTIMABLE, or why not */
	int finite;              /* the estimate is a finite number */
	double estimate;         /* natural scale */
	double ci_low, ci_high;  /* natural scale */
	double p_value;          /* two-sided, against no difference / the value */
	double se;               /* on the working scale (log for ratios) */
	double df;               /* INFINITY for normal */
	int log_scale;           /* ratio and odds_ratio */
} estimate;

/* The cases of SPEC 6.3 that the data show before any method runs.
 * A single group against a value is left to the method: R answers
 * binom.test(0, 30, 0.1), and the tool does too. */
static no_answer data_check(const eks_hypothesis *h, const eks_group_result *g,
			    size_t count)
{
	int none = 1, all = 1, fixed = 1, constant = 1;
	size_t i;

	for (i = 0; i < count; i++) {
		if (g[i].is_count) {
			none &= g[i].events == 0;
			all &= g[i].events == g[i].n;
			fixed &= g[i].events == 0 || g[i].events == g[i].n;
		} else {
			constant &= g[i].sd == 0.0;
		}
	}
	if (count && g[0].is_count) {
		if (!h->against)
			return ESTIMABLE;
		if (h->estimator == EKS_ESTIMATOR_DID)
			return fixed ? DID_FIXED : ESTIMABLE;
		return none ? NO_EVENTS : all ? ONLY_EVENTS : ESTIMABLE;
	}
	return constant ? NO_VARIATION : ESTIMABLE;
}

static eks_prop2_method prop2_method(method m)
{
	switch (m) {
	case METHOD_YATES:  return EKS_PROP2_YATES;
	case METHOD_FISHER: return EKS_PROP2_FISHER;
	case METHOD_KATZ:   return EKS_PROP2_RATIO;
	case METHOD_WOOLF:  return EKS_PROP2_ODDS_RATIO;
	default:            return EKS_PROP2_NEWCOMBE;
	}
}

/*
 * Estimate hypothesis `h` from its groups `g` with method `m` at
 * `conf_level`.  Returns 0 (e->why says whether there is an answer), or
 * a negative code for data the statistics refused.
 */
static int compute(estimate *e, const eks_hypothesis *h, method m,
		   const eks_group_result *g, size_t count, double conf_level)
{
	eks_stats_result r;
	double shift = 0.0;
	int rc;

	memset(e, 0, sizeof(*e));
	memset(&r, 0, sizeof(r));
	e->why = data_check(h, g, count);
	switch (m) {
	case METHOD_DID_NORMAL: {
		long long x[4], n[4];
		size_t i;

		for (i = 0; i < 4; i++) {
			x[i] = g[i].events;
			n[i] = g[i].n;
		}
		rc = eks_stats_did_prop(&r, x, n, conf_level);
		break;
	}
	case METHOD_DID_WELCH: {
		eks_summary s[4];
		size_t i;

		for (i = 0; i < 4; i++)
			s[i] = summary_of(&g[i]);
		rc = eks_stats_did_mean(&r, s, conf_level);
		break;
	}
	case METHOD_NEWCOMBE:
	case METHOD_YATES:
	case METHOD_FISHER:
	case METHOD_KATZ:
	case METHOD_WOOLF:
		rc = eks_stats_prop2(&r, prop2_method(m), g[0].events, g[0].n,
				     g[1].events, g[1].n, conf_level);
		e->log_scale = m == METHOD_KATZ || m == METHOD_WOOLF;
		break;
	case METHOD_WILSON:
	case METHOD_EXACT:
		/* the arm's own interval, shifted by the value (SPEC 6.1) */
		rc = m == METHOD_EXACT ?
			eks_stats_prop1_exact(&r, g[0].events, g[0].n, h->against_value,
					      EKS_ALT_TWO_SIDED, conf_level) :
			eks_stats_prop1_wilson(&r, g[0].events, g[0].n, h->against_value,
					       0, conf_level);
		shift = h->against_value;
		break;
	case METHOD_WELCH:
	case METHOD_STUDENT: {
		eks_summary a = summary_of(&g[0]), b = summary_of(&g[1]);

		rc = m == METHOD_STUDENT ? eks_stats_ttest_student(&r, &a, &b, conf_level) :
			eks_stats_ttest_welch(&r, &a, &b, conf_level);
		break;
	}
	case METHOD_ONE_SAMPLE_T:
	default: {
		eks_summary a = summary_of(&g[0]);

		rc = eks_stats_ttest_one(&r, &a, h->against_value, conf_level);
		shift = h->against_value;
		break;
	}
	}
	if (rc < 0)
		return rc;

	e->estimate = r.estimate - shift;
	e->ci_low = r.ci_low - shift;
	e->ci_high = r.ci_high - shift;
	e->p_value = r.p_value;
	e->se = r.se;
	e->df = r.statistic_kind == EKS_STATISTIC_T ? r.df : INFINITY;
	if (m == METHOD_WILSON || m == METHOD_EXACT) {
		/* for the Wald parts of the output, the arm's own se */
		e->se = sqrt(r.estimate * (1.0 - r.estimate) / (double)g[0].n);
		e->df = INFINITY;
	}
	e->finite = isfinite(e->estimate);

	/* What the method itself says it cannot do (R's t.test: "data are
	 * essentially constant"), and what no verdict may come from. */
	if (e->why == ESTIMABLE && r.status != EKS_STATS_OK)
		e->why = r.status == EKS_STATS_NO_VARIANCE ? NEARLY_CONSTANT :
			r.status == EKS_STATS_OVERFLOW ? TOO_LARGE : DEGENERATE;
	/* the width of the method's own interval, before any shift by a
	 * value (which may round a narrow interval away) */
	if (e->why == ESTIMABLE &&
	    !(e->finite && isfinite(e->ci_low) && isfinite(e->ci_high) &&
	      r.ci_high > r.ci_low && e->p_value >= 0.0 && e->p_value <= 1.0))
		e->why = DEGENERATE;
	return 0;
}

/*
 * The one-sided p-value of H0: effect <= delta (GREATER) or >= delta
 * (LESS), on the natural scale (log for ratios), from the very interval
 * the verdict uses: the level at which that interval touches delta
 * (SPEC 6.3, "one interval, one p").  For intervals of the form
 * estimate +- q se (t or normal) that is the usual one-sided test.
 */
static int shifted_p(double *p, const estimate *e, const eks_hypothesis *h,
		     method m, const eks_group_result *g, double delta,
		     eks_alternative alternative)
{
	switch (m) {
	case METHOD_NEWCOMBE:
	case METHOD_FISHER:
	case METHOD_YATES:
		return eks_stats_prop2_p_shifted(p, prop2_method(m == METHOD_FISHER ?
							      METHOD_NEWCOMBE : m),
						 g[0].events, g[0].n, g[1].events, g[1].n,
						 delta, alternative);
	case METHOD_WILSON:
	case METHOD_EXACT:
		return eks_stats_prop1_p_shifted(p, m == METHOD_EXACT, g[0].events, g[0].n,
						 h->against_value + delta, alternative);
	default:
		return eks_stats_p_value(p, e->log_scale ? log(e->estimate) : e->estimate,
					 e->se, e->df, delta, alternative);
	}
}

/* ---------------------------------------------------------------- orientation */

/* The oriented (positive = better) value on the working scale. */
static double orient(double natural, int log_scale, eks_direction direction)
{
	double v = log_scale ? log(natural) : natural;

	return direction == EKS_DIRECTION_DECREASE ? -v : v;
}

/* A minimum effect or margin on the working scale (SPEC 2.1: relative for
 * ratios, compared as log(1 + m)). */
static double working_amount(double amount, int log_scale)
{
	return log_scale ? log1p(amount) : amount;
}

/* ---------------------------------------------------------------- wording */

/* A number for reading: 2 decimals below 10, 1 up to a million, whole
 * numbers up to 1e15, and 3 significant digits beyond or below 0.01. */
static void put_number(eks_buf *b, double x)
{
	double a = fabs(x);

	if (a != 0 && (a < 0.01 || a >= 1e15))
		eks_buf_printf(b, "%.3g", x);
	else if (a < 10)
		eks_buf_printf(b, "%.2f", x);
	else if (a < 1e6)
		eks_buf_printf(b, "%.1f", x);
	else
		eks_buf_printf(b, "%.0f", x);
}

/* A ratio, with enough digits that 0.9973 is not read as 1. */
static void put_ratio(eks_buf *b, double x)
{
	eks_buf_printf(b, "%.4g", x);
}

/*
 * "p = 0.0473" or "p < 0.0001", with more digits when four decimals
 * would put p on the other side of alpha (0.04997 is not "0.0500").
 * `alpha` <= 0: no level to keep apart.
 */
static void put_p(eks_buf *b, const char *label, double p, double alpha)
{
	char text[32];

	if (p < 0.0001) {
		eks_buf_printf(b, "%s < 0.0001", label);
		return;
	}
	snprintf(text, sizeof(text), "%.4f", p);
	if (alpha > 0 && (strtod(text, NULL) < alpha) != (p < alpha))
		snprintf(text, sizeof(text), "%.6g", p);
	eks_buf_printf(b, "%s = %s", label, text);
}

/* "9.5 percentage points" / "1.30 points" (the size, without sign) */
static void put_amount(eks_buf *b, const eks_outcome *o, double x)
{
	if (o->measure == EKS_MEASURE_PROPORTION) {
		put_number(b, fabs(x) * 100);
		eks_buf_puts(b, " percentage points");
		return;
	}
	put_number(b, fabs(x));
	if (o->unit && *o->unit)
		eks_buf_printf(b, " %s", o->unit);
}

/* A group's level: "34.2%" of a proportion, the mean of a mean. */
static void put_level(eks_buf *b, const eks_group_result *g)
{
	if (g->is_count) {
		put_number(b, 100.0 * (double)g->events / (double)g->n);
		eks_buf_putc(b, '%');
	} else {
		put_number(b, g->mean);
	}
}

/* "(95% CI -18.9 to -0.06 points)" */
/* "-18.9 to -0.06 points", "0.45 to 0.9973" */
static void put_bounds(eks_buf *b, const eks_hypothesis_result *res,
		       double low, double high, int log_scale)
{
	int proportion_points = !log_scale && res->outcome->measure == EKS_MEASURE_PROPORTION;
	double scale = proportion_points ? 100.0 : 1.0;

	if (log_scale) {
		put_ratio(b, low);
		eks_buf_puts(b, " to ");
		put_ratio(b, high);
		return;
	}
	put_number(b, low * scale);
	eks_buf_puts(b, " to ");
	put_number(b, high * scale);
	if (proportion_points)
		eks_buf_puts(b, " points");
}

/* " (95% CI -18.9 to -0.06 points)" */
static void put_interval(eks_buf *b, const eks_hypothesis_result *res,
			 double conf_level, double low, double high, int log_scale)
{
	eks_buf_printf(b, " (%g%% CI ", conf_level * 100);
	put_bounds(b, res, low, high, log_scale);
	eks_buf_putc(b, ')');
}

/* One arm's own change, for did: "in a, 'y' went from 34.2% at t0 to
 * 11.7% at t1 (down 22.5 percentage points)". */
static void put_change(eks_buf *b, const eks_hypothesis_result *res,
		       const eks_group_result *at, const eks_group_result *base,
		       int first)
{
	double change = at->is_count ?
		eks_stats_prop_difference(at->events, at->n, base->events, base->n) :
		at->mean - base->mean;

	if (first)
		eks_buf_printf(b, "In %s, '%s' went from ", at->arm, res->outcome->id);
	else
		eks_buf_printf(b, "in %s, from ", at->arm);
	put_level(b, base);
	if (first)
		eks_buf_printf(b, " at %s", base->timepoint);
	eks_buf_puts(b, " to ");
	put_level(b, at);
	if (first)
		eks_buf_printf(b, " at %s", at->timepoint);
	if (change == 0.0) {
		eks_buf_puts(b, " (no change)");
		return;
	}
	eks_buf_printf(b, " (%s ", change > 0 ? "up" : "down");
	put_amount(b, res->outcome, change);
	eks_buf_putc(b, ')');
}

/*
 * The effect in words, e.g. "'neet' was 9.52 percentage points lower in
 * molde than in kristiansund at t1 (95% CI -18.9 to -0.06 points)"; the
 * interval only when there is one.
 */
static void describe_effect(eks_buf *b, const eks_hypothesis_result *res,
			    const estimate *e, int with_interval)
{
	const eks_hypothesis *h = res->hypothesis;
	const eks_outcome *o = res->outcome;

	if (e->log_scale) {
		eks_buf_printf(b, "The %s of '%s' in %s against %s at %s was ",
			       h->estimator == EKS_ESTIMATOR_RATIO ? "ratio" : "odds ratio",
			       o->id, h->arm, h->against, h->timepoint);
		put_ratio(b, e->estimate);
	} else if (h->estimator == EKS_ESTIMATOR_DID) {
		put_change(b, res, &res->groups[0], &res->groups[1], 1);
		eks_buf_puts(b, "; ");
		put_change(b, res, &res->groups[2], &res->groups[3], 0);
		eks_buf_puts(b, ": a difference in differences of ");
		if (e->estimate < 0)
			eks_buf_putc(b, '-');
		put_amount(b, o, e->estimate);
	} else {
		eks_buf_printf(b, "'%s' was ", o->id);
		put_amount(b, o, e->estimate);
		eks_buf_printf(b, " %s in %s than ", e->estimate >= 0 ? "higher" : "lower", h->arm);
		if (h->against)
			eks_buf_printf(b, "%s", h->against);
		else if (o->measure == EKS_MEASURE_PROPORTION) {
			/* a share, as the percentage points beside it */
			eks_buf_puts(b, "the benchmark ");
			eks_buf_printf(b, "%.4g%%", h->against_value * 100);
		} else {
			eks_buf_puts(b, "the benchmark ");
			put_number(b, h->against_value);
		}
		eks_buf_printf(b, " at %s", h->timepoint);
	}
	if (with_interval)
		put_interval(b, res, res->conf_level, e->ci_low, e->ci_high, e->log_scale);
}

/*
 * A margin in words.  On the ratio scale a margin M is the ratio
 * 1/(1 + M) below which (or 1 + M above which, when lower is better) the
 * arm counts as worse, never "percentage points" (SPEC 6.3).
 */
static void put_margin(eks_buf *b, const eks_hypothesis_result *res,
		       int log_scale, int both_sides)
{
	const eks_hypothesis *h = res->hypothesis;
	double worse = res->outcome->direction == EKS_DIRECTION_DECREASE ?
		1.0 + h->margin : 1.0 / (1.0 + h->margin);

	if (!log_scale) {
		eks_buf_puts(b, "the margin of ");
		put_amount(b, res->outcome, h->margin);
		return;
	}
	if (both_sides) {
		eks_buf_puts(b, "the margin (ratios from ");
		put_ratio(b, 1.0 / (1.0 + h->margin));
		eks_buf_puts(b, " to ");
		put_ratio(b, 1.0 + h->margin);
		eks_buf_putc(b, ')');
		return;
	}
	eks_buf_puts(b, "the margin (a ratio of ");
	put_ratio(b, worse);
	eks_buf_putc(b, ')');
}

/* Each group as "0 of 50 in a at t1", for the reasons below. */
static void put_groups(eks_buf *b, const eks_hypothesis_result *res)
{
	size_t i;

	for (i = 0; i < res->groups_count; i++) {
		const eks_group_result *g = &res->groups[i];

		eks_buf_puts(b, i == 0 ? "" : i + 1 == res->groups_count ? " and " : ", ");
		if (g->is_count)
			eks_buf_printf(b, "%lld of %lld", g->events, g->n);
		else if (g->sd == 0.0)
			eks_buf_puts(b, "sd 0");
		else {
			eks_buf_puts(b, "sd ");
			put_number(b, g->sd);
		}
		eks_buf_printf(b, " in %s at %s", g->arm, g->timepoint);
	}
}

/*
 * Why there is no interval and no p-value, in plain words (SPEC 6.3):
 * the case, "No unit had the event 'neet' in either arm (0 of 40 in
 * outreach at t12 and 0 of 38 in usual at t12)", and with `consequence`
 * what follows from it.
 */
static void describe_no_answer(eks_buf *b, const eks_hypothesis_result *res,
			       no_answer why, int consequence)
{
	const char *before = NULL, *after = "", *follows = "";
	int did = res->groups_count == 4;

	switch (why) {
	case NO_EVENTS:
		before = "No unit had the event ";
		after = " in either arm";
		follows = ": the arms cannot be compared";
		break;
	case ONLY_EVENTS:
		before = "Every unit had the event ";
		after = " in both arms";
		follows = ": the arms cannot be compared";
		break;
	case DID_FIXED:
		before = "In each of the four groups either no unit or every unit had the event ";
		follows = ": the difference in differences has no standard error";
		break;
	case NO_VARIATION:
		before = "";
		after = res->groups_count > 1 ? " did not vary: every value was the same within each group" :
			" did not vary: every value was the same within the group";
		follows = did ? ": its spread is unknown" :
			": its spread is unknown (R's t.test stops: \"data are essentially constant\")";
		break;
	case NEARLY_CONSTANT:
		before = "";
		after = " varies too little against the size of its values for a test";
		follows = did ? "" : ": R's t.test stops (\"data are essentially constant\")";
		break;
	case TOO_LARGE:
		eks_buf_printf(b, "The values of '%s' are too large for the %s method "
			       "(R's own formula overflows and gives no p-value)",
			       res->outcome->id, res->method);
		break;
	case DEGENERATE:
	default:
		eks_buf_printf(b, "The %s method gives no usable interval for these data "
			       "(it is infinite or has no width)", res->method);
		break;
	}
	if (before) {
		/* the case, with every group it looked at */
		eks_buf_printf(b, "%s'%s'%s (", before, res->outcome->id, after);
		put_groups(b, res);
		eks_buf_putc(b, ')');
	}
	if (consequence)
		eks_buf_printf(b, "%s, so there is no interval and no p-value to decide the hypothesis by",
			       follows);
}

/* ---------------------------------------------------------------- one hypothesis */

typedef struct work {
	method method;
	estimate e;              /* at conf_level */
	double E, L, U;          /* oriented, working scale */
	double m;                /* minimum effect, working scale */
	double M;                /* margin, working scale */
	estimate tost;           /* equivalence: at 1 - 2 alpha */
	double L2, U2;           /* its oriented bounds */
} work;

/* The oriented bounds of the natural interval [low, high]. */
static void orient_interval(double *L, double *U, double low, double high,
			    int log_scale, eks_direction direction)
{
	double a = orient(low, log_scale, direction), b = orient(high, log_scale, direction);

	*L = fmin(a, b);
	*U = fmax(a, b);
}

/* The one-sided p-values against -M (p_low: H0 oriented effect <= -M)
 * and against M (p_high: H0 oriented effect >= M), on the natural scale
 * turned the way the outcome's direction says. */
static int margin_p(double *p_low, double *p_high, const work *w,
		    const eks_hypothesis_result *res)
{
	int decrease = res->outcome->direction == EKS_DIRECTION_DECREASE;
	int rc;

	rc = shifted_p(p_low, &w->e, res->hypothesis, w->method, res->groups,
		       decrease ? w->M : -w->M, decrease ? EKS_ALT_LESS : EKS_ALT_GREATER);
	if (rc == 0 && p_high)
		rc = shifted_p(p_high, &w->e, res->hypothesis, w->method, res->groups,
			       decrease ? -w->M : w->M, decrease ? EKS_ALT_GREATER : EKS_ALT_LESS);
	return rc;
}

static void set_reason(eks_hypothesis_result *res, eks_buf *b)
{
	free(res->reason);
	res->reason = eks_buf_detach(b);
}

static void insufficient(eks_hypothesis_result *res, eks_buf *why)
{
	res->verdict = EKS_VERDICT_INSUFFICIENT_DATA;
	res->has_interval = 0;
	res->has_p = 0;
	res->has_tost = 0;
	eks_buf_putc(why, '.');
	set_reason(res, why);
}

/*
 * Steps 1 to 3 for one hypothesis; the verdict waits for the adjustment.
 * A hypothesis that ends here has its verdict (insufficient_data) and
 * reason set.
 */
static int prepare(eks_hypothesis_result *res, work *w, const eks_protocol *p,
		   const eks_cells *cells)
{
	const eks_hypothesis *h = res->hypothesis;
	const eks_outcome *o = res->outcome;
	eks_buf why = EKS_BUF_INIT;
	size_t i;
	int rc;

	res->conf_level = p->conf_level;
	res->verdict = EKS_VERDICT_INCONCLUSIVE;
	if (h->estimator == EKS_ESTIMATOR_DID) {
		group_from_cell(&res->groups[0], cells, o, h->arm, h->timepoint);
		group_from_cell(&res->groups[1], cells, o, h->arm, h->baseline);
		group_from_cell(&res->groups[2], cells, o, h->against, h->timepoint);
		group_from_cell(&res->groups[3], cells, o, h->against, h->baseline);
		res->groups_count = 4;
	} else if (h->against) {
		group_from_cell(&res->groups[0], cells, o, h->arm, h->timepoint);
		group_from_cell(&res->groups[1], cells, o, h->against, h->timepoint);
		res->groups_count = 2;
	} else {
		group_from_cell(&res->groups[0], cells, o, h->arm, h->timepoint);
		res->groups_count = 1;
	}
	w->method = resolve_method(h, o, res->groups);
	res->method = method_names[w->method];

	for (i = 0; i < res->groups_count; i++) {
		const eks_group_result *g = &res->groups[i];
		if (!g->has_data) {
			eks_buf_printf(&why, "There are no observations of '%s' for arm '%s' at '%s' yet",
				       o->id, g->arm, g->timepoint);
			insufficient(res, &why);
			return 0;
		}
		if (!g->is_count && g->n < 2) {
			eks_buf_printf(&why, "Arm '%s' at '%s' has only one observation of '%s'; a mean needs at least two to judge its spread",
				       g->arm, g->timepoint, o->id);
			insufficient(res, &why);
			return 0;
		}
	}

	rc = compute(&w->e, h, w->method, res->groups, res->groups_count, p->conf_level);
	if (rc < 0) {
		/* Data the statistics cannot use (they say why). */
		eks_buf_printf(&why, "The data cannot be analysed: %s", eks_error_last()->message);
		insufficient(res, &why);
		return 0;
	}
	res->has_estimate = w->e.finite;
	res->estimate = w->e.estimate;
	w->m = working_amount(h->has_minimum_effect ? h->minimum_effect :
			      o->has_minimum_effect ? o->minimum_effect : 0.0, w->e.log_scale);
	w->M = h->has_margin ? working_amount(h->margin, w->e.log_scale) : 0.0;
	if (w->e.finite)
		w->E = orient(w->e.estimate, w->e.log_scale, o->direction);

	if (w->e.why != ESTIMABLE) {
		/* A threshold needs only a finite estimate, unless it is the
		 * artefact of the 0.5 correction of a ratio (SPEC 6.3). */
		if (h->test == EKS_TEST_THRESHOLD && w->e.finite &&
		    !(w->e.log_scale && (w->e.why == NO_EVENTS || w->e.why == ONLY_EVENTS)))
			return 0;
		describe_no_answer(&why, res, w->e.why, 1);
		insufficient(res, &why);
		return 0;
	}

	res->has_interval = 1;
	res->ci_low = w->e.ci_low;
	res->ci_high = w->e.ci_high;
	orient_interval(&w->L, &w->U, w->e.ci_low, w->e.ci_high, w->e.log_scale, o->direction);

	switch (h->test) {
	case EKS_TEST_SUPERIORITY:
		res->has_p = 1;
		res->p_value = w->e.p_value;
		break;
	case EKS_TEST_NONINFERIORITY:
		if ((rc = margin_p(&res->p_value, NULL, w, res)) < 0)
			return rc;
		res->has_p = 1;
		break;
	case EKS_TEST_EQUIVALENCE: {
		double p_low, p_high;

		rc = compute(&w->tost, h, w->method, res->groups, res->groups_count,
			     1.0 - 2.0 * h->alpha);
		if (rc < 0 || w->tost.why != ESTIMABLE) {
			if (rc < 0)
				eks_buf_printf(&why, "The data cannot be analysed: %s",
					       eks_error_last()->message);
			else
				describe_no_answer(&why, res, w->tost.why, 1);
			insufficient(res, &why);
			return 0;
		}
		res->has_tost = 1;
		res->tost_conf_level = 1.0 - 2.0 * h->alpha;
		res->ci_tost_low = w->tost.ci_low;
		res->ci_tost_high = w->tost.ci_high;
		orient_interval(&w->L2, &w->U2, w->tost.ci_low, w->tost.ci_high,
				w->tost.log_scale, o->direction);
		if ((rc = margin_p(&p_low, &p_high, w, res)) < 0)
			return rc;
		res->has_p = 1;
		res->p_value = fmax(p_low, p_high);
		break;
	}
	case EKS_TEST_THRESHOLD:
	default:
		break;
	}
	res->p_adjusted = res->p_value;
	return 0;
}

/* The family's members without a p-value, for the reason: "H3" or
 * "H3 and H4", or NULL when every member has one. */
typedef struct family_words {
	size_t size;
	const char *without_p;
	size_t without_p_count;
} family_words;

/* Step 4: the verdict table of SPEC 6.3, with its reason. */
static int decide(eks_hypothesis_result *res, work *w, const eks_protocol *p,
		  const family_words *family)
{
	const eks_hypothesis *h = res->hypothesis;
	eks_buf why = EKS_BUF_INIT;
	double alpha = h->alpha;
	int adjusted = res->in_family && p->multiplicity != EKS_MULTIPLICITY_NONE &&
		family->size > 1, family_said = 0;

	if (res->verdict == EKS_VERDICT_INSUFFICIENT_DATA)
		return 0;

	if (!res->has_interval) {
		/* a threshold decided on its estimate alone (see prepare) */
		size_t at;

		describe_effect(&why, res, &w->e, 0);
		eks_buf_puts(&why, ", with no interval since ");
		at = why.len;
		describe_no_answer(&why, res, w->e.why, 0);
		/* "No unit had ..." goes on the sentence in lower case */
		if (!eks_buf_oom(&why) && why.len > at && why.ptr[at] >= 'A' && why.ptr[at] <= 'Z')
			why.ptr[at] = (char)(why.ptr[at] - 'A' + 'a');
		goto threshold;
	}
	describe_effect(&why, res, &w->e, 1);

	switch (h->test) {
	case EKS_TEST_SUPERIORITY:
		if (res->p_adjusted < alpha && above(w->E, 0) && at_least(w->E, w->m)) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_puts(&why, ": a significant improvement");
			if (w->m > 0)
				eks_buf_puts(&why, " of at least the minimum effect");
		} else if (below(w->U, w->m)) {
			res->verdict = EKS_VERDICT_REFUTED;
			if (res->p_adjusted < alpha && below(w->E, 0))
				eks_buf_puts(&why, ": significantly worse, not better");
			else if (w->m > 0)
				eks_buf_puts(&why, ": the interval rules out an improvement as large as the minimum effect");
			else
				eks_buf_puts(&why, ": the interval rules out any improvement");
		} else if (res->p_adjusted < alpha && below(w->E, 0)) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": significantly worse, not better");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			if (res->p_adjusted < alpha)
				eks_buf_puts(&why, ": significant, but smaller than the minimum effect of interest");
			else if (adjusted && res->p_value < alpha) {
				eks_buf_printf(&why, ", but after adjusting for %zu confirmatory hypotheses it is not significant",
					       family->size);
				family_said = 1;
			} else
				eks_buf_puts(&why, ", which is not significant");
		}
		eks_buf_puts(&why, " (");
		put_p(&why, "p", res->p_value, alpha);
		if (adjusted) {
			eks_buf_puts(&why, ", ");
			put_p(&why, "adjusted p", res->p_adjusted, alpha);
			if (!family_said)
				eks_buf_printf(&why, " over %zu confirmatory hypotheses", family->size);
			if (family->without_p)
				eks_buf_printf(&why, ", where %s, without a superiority p-value, count%s as p = 1",
					       family->without_p,
					       family->without_p_count == 1 ? "s" : "");
		}
		eks_buf_printf(&why, ", alpha = %g)", alpha);
		break;

	case EKS_TEST_NONINFERIORITY:
		if (above(w->L, -w->M)) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_puts(&why, ": the interval rules out a loss larger than ");
		} else if (below(w->U, -w->M)) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": the whole interval lies on the worse side of ");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			eks_buf_puts(&why, ": the interval does not rule out a loss larger than ");
		}
		put_margin(&why, res, w->e.log_scale, 0);
		eks_buf_puts(&why, " (");
		put_p(&why, "one-sided p against the margin", res->p_value,
		      (1.0 - res->conf_level) / 2.0);
		eks_buf_puts(&why, ")");
		break;

	case EKS_TEST_EQUIVALENCE:
		if (above(w->L2, -w->M) && below(w->U2, w->M)) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_printf(&why, ": the %g%% interval, ", res->tost_conf_level * 100);
			put_bounds(&why, res, res->ci_tost_low, res->ci_tost_high, w->e.log_scale);
			eks_buf_puts(&why, ", lies within ");
		} else if (at_least(w->L, w->M) || at_most(w->U, -w->M)) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": the interval lies outside ");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			eks_buf_printf(&why, ": the %g%% interval, ", res->tost_conf_level * 100);
			put_bounds(&why, res, res->ci_tost_low, res->ci_tost_high, w->e.log_scale);
			eks_buf_puts(&why, ", is not within ");
		}
		put_margin(&why, res, w->e.log_scale, 1);
		eks_buf_puts(&why, " (");
		put_p(&why, "TOST p", res->p_value, alpha);
		eks_buf_puts(&why, ")");
		break;

	case EKS_TEST_THRESHOLD:
	default:
		goto threshold;
	}
	goto small;

threshold:
	res->has_p = 0;
	if (at_least(w->E, w->m)) {
		res->verdict = EKS_VERDICT_SUPPORTED;
		eks_buf_puts(&why, ": at least the minimum effect (a threshold, without a significance test)");
	} else {
		res->verdict = EKS_VERDICT_REFUTED;
		eks_buf_puts(&why, ": less than the minimum effect (a threshold, without a significance test)");
	}
small:
	/* SPEC 6.3: small counts strain an asymptotic method; say which
	 * exact one there is, if any */
	if (res->has_interval && asymptotic_two_proportions(w->method) &&
	    small_counts(res->groups)) {
		eks_buf_puts(&why, "; the counts are small (an expected count below 5), "
			     "so an exact method would be safer");
		if (h->test == EKS_TEST_SUPERIORITY && h->estimator == EKS_ESTIMATOR_DIFFERENCE)
			eks_buf_puts(&why, " (method: fisher)");
		else
			eks_buf_printf(&why, ", and there is none for this comparison: read the %s interval with care",
				       res->method);
	}
	eks_buf_putc(&why, '.');
	set_reason(res, &why);
	return eks_buf_oom(&why) ? EKS_ENOMEM : 0;
}

/* ---------------------------------------------------------------- the family */

static int is_candidate(const eks_hypothesis *h)
{
	return h->family != EKS_FAMILY_EXPLORATORY && h->test == EKS_TEST_SUPERIORITY;
}

static int add_member(eks_evaluation *ev, const char *id)
{
	size_t i;

	for (i = 0; i < ev->family_size; i++)
		if (!strcmp(ev->family[i], id))
			return 0;
	if (!(ev->family[ev->family_size] = strdup(id)))
		return eks_error_oom();
	ev->family_size++;
	return 0;
}

static eks_hypothesis_result *result_of(eks_evaluation *ev, const char *id)
{
	size_t i;

	for (i = 0; i < ev->count; i++)
		if (ev->results[i].hypothesis->id && !strcmp(ev->results[i].hypothesis->id, id))
			return &ev->results[i];
	return NULL;
}

/*
 * SPEC 6.4: adjust over the registered family (or, before registration,
 * the protocol's confirmatory superiority hypotheses), adding any
 * current confirmatory superiority hypothesis the registration did not
 * have so that a change nobody amended never makes the adjustment
 * milder.  A member without a p-value counts as p = 1.
 */
static int adjust_family(eks_evaluation *ev, const eks_protocol *p,
			 const eks_evaluate_options *options, eks_buf *without_p,
			 size_t *without_p_count)
{
	size_t i, k, missing, n = ev->count + (options ? options->registered_family_count : 0);
	double *family_p = NULL;
	int rc = 0;

	ev->family = calloc(n ? n : 1, sizeof(*ev->family));
	family_p = calloc(n ? n : 1, sizeof(*family_p));
	if (!ev->family || !family_p) {
		rc = eks_error_oom();
		goto done;
	}
	if (options && options->registered_family) {
		ev->family_registered = 1;
		for (i = 0; i < options->registered_family_count && rc == 0; i++)
			rc = add_member(ev, options->registered_family[i]);
		ev->family_registered_count = ev->family_size;
	}
	for (i = 0; i < ev->count && rc == 0; i++)
		if (ev->results[i].hypothesis->id && is_candidate(ev->results[i].hypothesis))
			rc = add_member(ev, ev->results[i].hypothesis->id);
	if (rc < 0)
		goto done;

	for (k = 0, missing = 0; k < ev->family_size; k++) {
		eks_hypothesis_result *r = result_of(ev, ev->family[k]);

		family_p[k] = r && r->has_p && r->hypothesis->test == EKS_TEST_SUPERIORITY ?
			r->p_value : 1.0;
		missing += !(r && r->has_p && r->hypothesis->test == EKS_TEST_SUPERIORITY);
	}
	*without_p_count = missing;
	/* "H3", "H3 and H4", "H3, H4 and H5" */
	for (k = 0, i = 0; k < ev->family_size; k++) {
		eks_hypothesis_result *r = result_of(ev, ev->family[k]);

		if (r && r->has_p && r->hypothesis->test == EKS_TEST_SUPERIORITY)
			continue;
		i++;
		eks_buf_printf(without_p, "%s%s", i == 1 ? "" : i == missing ? " and " : ", ",
			       ev->family[k]);
	}
	if (p->multiplicity != EKS_MULTIPLICITY_NONE && ev->family_size > 0 &&
	    (rc = eks_stats_p_adjust(family_p, family_p, ev->family_size,
				     p->multiplicity == EKS_MULTIPLICITY_BONFERRONI ?
				     EKS_ADJUST_BONFERRONI : EKS_ADJUST_HOLM)) < 0)
		goto done;
	for (k = 0; k < ev->family_size; k++) {
		eks_hypothesis_result *r = result_of(ev, ev->family[k]);

		if (r && r->has_p && r->hypothesis->test == EKS_TEST_SUPERIORITY) {
			r->in_family = 1;
			r->p_adjusted = family_p[k];
		}
	}
done:
	free(family_p);
	return rc;
}

int eks_evaluate(eks_evaluation **out, const eks_protocol *protocol,
		 const eks_cells *cells, const eks_evaluate_options *options)
{
	eks_evaluation *ev;
	work *works = NULL;
	eks_buf without_p = EKS_BUF_INIT;
	family_words family = { 0, NULL, 0 };
	size_t n = protocol->hypotheses_count, i;
	int rc = 0;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return eks_error_oom();
	ev->results = calloc(n ? n : 1, sizeof(*ev->results));
	works = calloc(n ? n : 1, sizeof(*works));
	if (!ev->results || !works) {
		rc = eks_error_oom();
		goto done;
	}
	ev->count = n;

	for (i = 0; i < n; i++) {
		eks_hypothesis_result *res = &ev->results[i];

		res->hypothesis = &protocol->hypotheses[i];
		res->outcome = eks_protocol_outcome(protocol, res->hypothesis->outcome);
		if (!res->outcome || (!res->hypothesis->against && !res->hypothesis->has_against_value) ||
		    (res->hypothesis->estimator == EKS_ESTIMATOR_DID &&
		     (!res->hypothesis->baseline || !res->hypothesis->against))) {
			rc = eks_error_set(EKS_EINVALID, "hypothesis '%s' is incomplete; run 'eksperiment validate'",
					   res->hypothesis->id ? res->hypothesis->id : "?");
			goto done;
		}
		if ((rc = prepare(res, &works[i], protocol, cells)) < 0)
			goto done;
	}

	if ((rc = adjust_family(ev, protocol, options, &without_p,
				&family.without_p_count)) < 0)
		goto done;
	family.size = ev->family_size;
	family.without_p = without_p.len ? eks_buf_cstr(&without_p) : NULL;

	for (i = 0; i < n; i++)
		if ((rc = decide(&ev->results[i], &works[i], protocol, &family)) < 0)
			goto done;
done:
	free(works);
	eks_buf_dispose(&without_p);
	if (rc < 0) {
		eks_evaluation_free(ev);
		return rc;
	}
	*out = ev;
	return 0;
}

void eks_evaluation_free(eks_evaluation *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->count; i++)
		free(ev->results[i].reason);
	free(ev->results);
	for (i = 0; ev->family && i < ev->family_size; i++)
		free(ev->family[i]);
	free(ev->family);
	free(ev);
}
