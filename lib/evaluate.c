/*
 * evaluate.c - from a protocol and its accumulated data to one verdict per
 * hypothesis (SPEC 6.1-6.4).
 *
 * Each hypothesis is computed in three steps:
 *   1. gather the groups it compares (arm and timepoint, with baseline for
 *      did) from the accumulated cells;
 *   2. estimate with the method the protocol names (or `auto`): estimate,
 *      interval at conf_level, p-value, and the standard error and degrees
 *      of freedom that margin tests need;
 *   3. orient the effect so that positive means better and apply the
 *      verdict table of SPEC 6.3, after the multiplicity adjustment of
 *      SPEC 6.4 across the confirmatory superiority hypotheses.
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

/* What one computation of a hypothesis's estimate gives. */
typedef struct estimate {
	int ok;                  /* 0: no test possible (see status) */
	eks_stats_status status;
	double estimate;         /* natural scale */
	double ci_low, ci_high;  /* natural scale */
	double p_value;          /* two-sided, against no difference / the value */
	double se;               /* on the working scale (log for ratios) */
	double df;               /* INFINITY for normal */
	int log_scale;           /* ratio and odds_ratio */
} estimate;

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

static const char *resolve_method(const eks_hypothesis *h, const eks_outcome *o,
				  const eks_group_result *g)
{
	int two_arms = h->against != NULL;

	if (h->estimator == EKS_ESTIMATOR_DID)
		return o->measure == EKS_MEASURE_PROPORTION ? "did_normal" : "did_welch";
	if (h->estimator == EKS_ESTIMATOR_RATIO)
		return "katz";
	if (h->estimator == EKS_ESTIMATOR_ODDS_RATIO)
		return "woolf";
	if (o->measure == EKS_MEASURE_PROPORTION) {
		if (!two_arms)
			return h->method == EKS_METHOD_EXACT ? "exact" : "wilson";
		switch (h->method) {
		case EKS_METHOD_YATES:  return "yates";
		case EKS_METHOD_FISHER: return "fisher";
		case EKS_METHOD_NEWCOMBE: return "newcombe";
		default: {
			eks_prop2_method m = EKS_PROP2_NEWCOMBE;
			if (g[0].has_data && g[1].has_data)
				eks_stats_prop2_auto(&m, g[0].events, g[0].n, g[1].events, g[1].n);
			return m == EKS_PROP2_FISHER ? "fisher" : "newcombe";
		}
		}
	}
	if (!two_arms)
		return "one_sample_t";
	return h->method == EKS_METHOD_STUDENT ? "student" : "welch";
}

static void from_stats(estimate *e, const eks_stats_result *r, int log_scale)
{
	e->ok = r->status == EKS_STATS_OK;
	e->status = r->status;
	e->estimate = r->estimate;
	e->ci_low = r->ci_low;
	e->ci_high = r->ci_high;
	e->p_value = r->p_value;
	e->se = r->se;
	e->df = r->statistic_kind == EKS_STATISTIC_T ? r->df : INFINITY;
	e->log_scale = log_scale;
}

/*
 * Estimate hypothesis `h` from groups `g` with `method` at `conf_level`.
 * Returns 0, or a negative code for arguments the statistics refused.
 */
static int compute(estimate *e, const eks_hypothesis *h, const eks_outcome *o,
		   const char *method, const eks_group_result *g, double conf_level)
{
	eks_stats_result r;
	int rc;

	memset(e, 0, sizeof(*e));
	memset(&r, 0, sizeof(r));
	if (h->estimator == EKS_ESTIMATOR_DID) {
		if (o->measure == EKS_MEASURE_PROPORTION) {
			long long x[4], n[4];
			int i;
			for (i = 0; i < 4; i++) {
				x[i] = g[i].events;
				n[i] = g[i].n;
			}
			rc = eks_stats_did_prop(&r, x, n, conf_level);
		} else {
			eks_summary s[4];
			int i;
			for (i = 0; i < 4; i++)
				s[i] = summary_of(&g[i]);
			rc = eks_stats_did_mean(&r, s, conf_level);
		}
		if (rc < 0)
			return rc;
		from_stats(e, &r, 0);
		return 0;
	}

	if (o->measure == EKS_MEASURE_PROPORTION) {
		if (h->against) {
			eks_prop2_method m = !strcmp(method, "yates") ? EKS_PROP2_YATES :
					     !strcmp(method, "fisher") ? EKS_PROP2_FISHER :
					     !strcmp(method, "katz") ? EKS_PROP2_RATIO :
					     !strcmp(method, "woolf") ? EKS_PROP2_ODDS_RATIO :
					     EKS_PROP2_NEWCOMBE;
			rc = eks_stats_prop2(&r, m, g[0].events, g[0].n, g[1].events, g[1].n,
					     conf_level);
			if (rc < 0)
				return rc;
			from_stats(e, &r, m == EKS_PROP2_RATIO || m == EKS_PROP2_ODDS_RATIO);
			/* The interval of the difference exists even when no test
			 * does (no variation in either group). */
			if (r.status == EKS_STATS_NO_VARIANCE && !e->log_scale)
				e->ok = 0;
			return 0;
		}
		/* One proportion against a value: the arm's interval minus it. */
		if (!strcmp(method, "exact"))
			rc = eks_stats_prop1_exact(&r, g[0].events, g[0].n, h->against_value,
						   EKS_ALT_TWO_SIDED, conf_level);
		else
			rc = eks_stats_prop1_wilson(&r, g[0].events, g[0].n, h->against_value,
						    0, conf_level);
		if (rc < 0)
			return rc;
		from_stats(e, &r, 0);
		e->estimate = r.estimate - h->against_value;
		e->ci_low = r.ci_low - h->against_value;
		e->ci_high = r.ci_high - h->against_value;
		{
			double p = r.estimate;
			e->se = sqrt(p * (1 - p) / (double)g[0].n);
		}
		e->df = INFINITY;
		return 0;
	}

	/* Means. */
	if (h->against) {
		eks_summary a = summary_of(&g[0]), b = summary_of(&g[1]);
		if (!strcmp(method, "student"))
			rc = eks_stats_ttest_student(&r, &a, &b, conf_level);
		else
			rc = eks_stats_ttest_welch(&r, &a, &b, conf_level);
		if (rc < 0)
			return rc;
		from_stats(e, &r, 0);
		return 0;
	}
	{
		eks_summary a = summary_of(&g[0]);
		rc = eks_stats_ttest_one(&r, &a, h->against_value, conf_level);
		if (rc < 0)
			return rc;
		from_stats(e, &r, 0);
		e->estimate = r.estimate - h->against_value;
		e->ci_low = r.ci_low - h->against_value;
		e->ci_high = r.ci_high - h->against_value;
		return 0;
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

static void put_number(eks_buf *b, double x)
{
	double a = fabs(x);

	if (a != 0 && (a < 0.01 || a >= 1e6))
		eks_buf_printf(b, "%.3g", x);
	else if (a < 10)
		eks_buf_printf(b, "%.2f", x);
	else
		eks_buf_printf(b, "%.1f", x);
}

/* "p = 0.0473" or "p < 0.0001" */
static void put_p(eks_buf *b, const char *label, double p)
{
	if (p < 0.0001)
		eks_buf_printf(b, "%s < 0.0001", label);
	else
		eks_buf_printf(b, "%s = %.4f", label, p);
}

/* "9.5 percentage points" / "1.30 points" / "1.25 times" ... */
static void put_amount(eks_buf *b, const eks_outcome *o, double x, int log_scale)
{
	if (log_scale) {
		put_number(b, x);
		return;
	}
	if (o->measure == EKS_MEASURE_PROPORTION) {
		put_number(b, fabs(x) * 100);
		eks_buf_puts(b, " percentage points");
		return;
	}
	put_number(b, fabs(x));
	if (o->unit && *o->unit)
		eks_buf_printf(b, " %s", o->unit);
}

/* The effect in words: "The NEET share (neet) was 9.5 percentage points
 * lower in molde than in kristiansund at t1 (95% CI ...)". */
static void describe_effect(eks_buf *b, const eks_hypothesis_result *res,
			    const estimate *e)
{
	const eks_hypothesis *h = res->hypothesis;
	const eks_outcome *o = res->outcome;
	int pct = (int)lround(res->conf_level * 100);

	if (e->log_scale) {
		eks_buf_printf(b, "The %s of '%s' in %s against %s at %s was ",
			       h->estimator == EKS_ESTIMATOR_RATIO ? "ratio" : "odds ratio",
			       o->id, h->arm, h->against, h->timepoint);
		put_number(b, e->estimate);
		eks_buf_printf(b, " (%d%% CI ", pct);
		put_number(b, e->ci_low);
		eks_buf_puts(b, " to ");
		put_number(b, e->ci_high);
		eks_buf_puts(b, ")");
		return;
	}
	eks_buf_printf(b, "'%s' ", o->id);
	if (h->estimator == EKS_ESTIMATOR_DID)
		eks_buf_printf(b, "changed from %s to %s by ", h->baseline, h->timepoint);
	else
		eks_buf_puts(b, "was ");
	put_amount(b, o, e->estimate, 0);
	eks_buf_printf(b, " %s in %s than ", e->estimate >= 0 ?
		       (h->estimator == EKS_ESTIMATOR_DID ? "more" : "higher") :
		       (h->estimator == EKS_ESTIMATOR_DID ? "less" : "lower"), h->arm);
	if (h->against)
		eks_buf_printf(b, "%s", h->against);
	else {
		eks_buf_puts(b, "the benchmark ");
		put_number(b, h->against_value);
	}
	if (h->estimator != EKS_ESTIMATOR_DID)
		eks_buf_printf(b, " at %s", h->timepoint);
	eks_buf_printf(b, " (%d%% CI ", pct);
	if (o->measure == EKS_MEASURE_PROPORTION) {
		put_number(b, e->ci_low * 100);
		eks_buf_puts(b, " to ");
		put_number(b, e->ci_high * 100);
		eks_buf_puts(b, " points)");
	} else {
		put_number(b, e->ci_low);
		eks_buf_puts(b, " to ");
		put_number(b, e->ci_high);
		eks_buf_puts(b, ")");
	}
}

static void set_reason(eks_hypothesis_result *res, eks_buf *b)
{
	free(res->reason);
	res->reason = eks_buf_detach(b);
}

/* ---------------------------------------------------------------- one hypothesis */

typedef struct work {
	estimate e;              /* at conf_level */
	double E, L, U;          /* oriented, working scale */
	double m;                /* minimum effect, working scale */
	double M;                /* margin, working scale */
	int computed;
} work;

/* Step 1 and 2 for one hypothesis; the verdict waits for the adjustment. */
static int prepare(eks_hypothesis_result *res, work *w, const eks_protocol *p,
		   const eks_cells *cells)
{
	const eks_hypothesis *h = res->hypothesis;
	const eks_outcome *o = res->outcome;
	eks_buf why = EKS_BUF_INIT;
	size_t i;
	int rc;

	res->conf_level = p->conf_level;
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
	res->method = resolve_method(h, o, res->groups);

	for (i = 0; i < res->groups_count; i++) {
		const eks_group_result *g = &res->groups[i];
		if (!g->has_data) {
			eks_buf_printf(&why, "There are no observations of '%s' for arm '%s' at '%s' yet",
				       o->id, g->arm, g->timepoint);
			break;
		}
		if (!g->is_count && g->n < 2) {
			eks_buf_printf(&why, "Arm '%s' at '%s' has only one observation of '%s'; a mean needs at least two to judge its spread",
				       g->arm, g->timepoint, o->id);
			break;
		}
	}
	if (why.len) {
		res->verdict = EKS_VERDICT_INSUFFICIENT_DATA;
		eks_buf_putc(&why, '.');
		set_reason(res, &why);
		return 0;
	}

	rc = compute(&w->e, h, o, res->method, res->groups, p->conf_level);
	if (rc < 0) {
		/* Data the statistics cannot use (they say why). */
		res->verdict = EKS_VERDICT_INSUFFICIENT_DATA;
		eks_buf_printf(&why, "The data cannot be analysed: %s.", eks_error_last()->message);
		set_reason(res, &why);
		return 0;
	}
	w->computed = 1;
	res->has_estimate = 1;
	res->estimate = w->e.estimate;
	res->ci_low = w->e.ci_low;
	res->ci_high = w->e.ci_high;
	if (h->test == EKS_TEST_SUPERIORITY) {
		res->has_p = 1;
		res->p_value = w->e.p_value;
	}

	w->E = orient(w->e.estimate, w->e.log_scale, o->direction);
	w->L = orient(o->direction == EKS_DIRECTION_DECREASE ? w->e.ci_high : w->e.ci_low,
		      w->e.log_scale, o->direction);
	w->U = orient(o->direction == EKS_DIRECTION_DECREASE ? w->e.ci_low : w->e.ci_high,
		      w->e.log_scale, o->direction);
	w->m = working_amount(h->has_minimum_effect ? h->minimum_effect :
			      o->has_minimum_effect ? o->minimum_effect : 0.0, w->e.log_scale);
	w->M = h->has_margin ? working_amount(h->margin, w->e.log_scale) : 0.0;

	/* Margin tests report their own one-sided p-values (SPEC 6.4). */
	if (h->test == EKS_TEST_NONINFERIORITY || h->test == EKS_TEST_EQUIVALENCE) {
		double p_low = 1, p_high = 1;
		if (w->e.se > 0) {
			eks_stats_p_value(&p_low, w->E, w->e.se, w->e.df, -w->M, EKS_ALT_GREATER);
			eks_stats_p_value(&p_high, w->E, w->e.se, w->e.df, w->M, EKS_ALT_LESS);
		}
		res->has_p = 1;
		res->p_value = h->test == EKS_TEST_NONINFERIORITY ? p_low :
			       (p_low > p_high ? p_low : p_high);
	}
	res->p_adjusted = res->p_value;
	return 0;
}

/* Step 3: the verdict table of SPEC 6.3, with its reason. */
static int decide(eks_hypothesis_result *res, work *w, const eks_protocol *p,
		  size_t family_size, int in_family)
{
	const eks_hypothesis *h = res->hypothesis;
	const eks_outcome *o = res->outcome;
	eks_buf why = EKS_BUF_INIT;
	double alpha = h->alpha;

	if (res->verdict == EKS_VERDICT_INSUFFICIENT_DATA)
		return 0;
	describe_effect(&why, res, &w->e);

	switch (h->test) {
	case EKS_TEST_SUPERIORITY:
		if (!w->e.ok) {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			eks_buf_printf(&why, ", but no test is possible: %s",
				       eks_stats_status_reason(w->e.status));
		} else if (res->p_adjusted < alpha && w->E > 0 && w->E >= w->m) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_puts(&why, ": a significant improvement");
			if (w->m > 0)
				eks_buf_puts(&why, " of at least the minimum effect");
		} else if (w->U < w->m) {
			res->verdict = EKS_VERDICT_REFUTED;
			if (res->p_adjusted < alpha && w->E < 0)
				eks_buf_puts(&why, ": significantly worse, not better");
			else if (w->m > 0)
				eks_buf_puts(&why, ": the interval rules out an improvement as large as the minimum effect");
			else
				eks_buf_puts(&why, ": the interval rules out any improvement");
		} else if (res->p_adjusted < alpha && w->E < 0) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": significantly worse, not better");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			if (res->p_adjusted < alpha)
				eks_buf_puts(&why, ": significant, but smaller than the minimum effect of interest");
			else if (in_family && family_size > 1 && res->p_value < alpha)
				eks_buf_printf(&why, ", but after adjusting for %zu confirmatory hypotheses the difference is not significant",
					       family_size);
			else
				eks_buf_puts(&why, ", which is not significant");
		}
		eks_buf_puts(&why, " (");
		put_p(&why, "p", res->p_value);
		if (in_family && p->multiplicity != EKS_MULTIPLICITY_NONE && family_size > 1) {
			eks_buf_puts(&why, ", ");
			put_p(&why, "adjusted p", res->p_adjusted);
		}
		eks_buf_printf(&why, ", alpha = %g).", alpha);
		break;

	case EKS_TEST_NONINFERIORITY:
		if (w->L > -w->M) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_puts(&why, ": the interval rules out a loss larger than the margin of ");
		} else if (w->U < -w->M) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": the whole interval lies beyond the margin of ");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			eks_buf_puts(&why, ": the interval does not rule out a loss larger than the margin of ");
		}
		put_amount(&why, o, h->margin, 0);
		eks_buf_puts(&why, " (");
		put_p(&why, "one-sided p against the margin", res->p_value);
		eks_buf_puts(&why, ").");
		break;

	case EKS_TEST_EQUIVALENCE: {
		estimate narrow;
		double lo, hi;
		int equivalent = 0;

		/* TOST: the (1 - 2 alpha) interval within (-M, M). */
		if (compute(&narrow, h, o, res->method, res->groups, 1 - 2 * alpha) == 0) {
			lo = orient(o->direction == EKS_DIRECTION_DECREASE ? narrow.ci_high : narrow.ci_low,
				    narrow.log_scale, o->direction);
			hi = orient(o->direction == EKS_DIRECTION_DECREASE ? narrow.ci_low : narrow.ci_high,
				    narrow.log_scale, o->direction);
			equivalent = -w->M < lo && hi < w->M;
		}
		if (equivalent) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_printf(&why, ": the %g%% interval lies within the margin of ",
				       (1 - 2 * alpha) * 100);
		} else if (w->L >= w->M || w->U <= -w->M) {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": the interval lies outside the margin of ");
		} else {
			res->verdict = EKS_VERDICT_INCONCLUSIVE;
			eks_buf_puts(&why, ": the interval is not within the margin of ");
		}
		put_amount(&why, o, h->margin, 0);
		eks_buf_puts(&why, " (");
		put_p(&why, "TOST p", res->p_value);
		eks_buf_puts(&why, ").");
		break;
	}

	case EKS_TEST_THRESHOLD:
	default:
		res->has_p = 0;
		if (w->E >= w->m) {
			res->verdict = EKS_VERDICT_SUPPORTED;
			eks_buf_puts(&why, ": at least the minimum effect (a threshold, without a significance test).");
		} else {
			res->verdict = EKS_VERDICT_REFUTED;
			eks_buf_puts(&why, ": less than the minimum effect (a threshold, without a significance test).");
		}
		break;
	}
	set_reason(res, &why);
	return eks_buf_oom(&why) ? EKS_ENOMEM : 0;
}

int eks_evaluate(eks_evaluation **out, const eks_protocol *protocol,
		 const eks_cells *cells)
{
	eks_evaluation *ev;
	work *works = NULL;
	double *family_p = NULL;
	size_t *family_index = NULL;
	size_t n = protocol->hypotheses_count, i, family = 0;
	int rc = 0;

	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return eks_error_oom();
	ev->results = calloc(n ? n : 1, sizeof(*ev->results));
	works = calloc(n ? n : 1, sizeof(*works));
	family_p = calloc(n ? n : 1, sizeof(*family_p));
	family_index = calloc(n ? n : 1, sizeof(*family_index));
	if (!ev->results || !works || !family_p || !family_index) {
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
		rc = prepare(res, &works[i], protocol, cells);
		if (rc < 0)
			goto done;
		/* The multiplicity family: confirmatory superiority hypotheses
		 * with a test (SPEC 6.4). */
		if (res->hypothesis->family != EKS_FAMILY_EXPLORATORY &&
		    res->hypothesis->test == EKS_TEST_SUPERIORITY &&
		    res->verdict != EKS_VERDICT_INSUFFICIENT_DATA && works[i].e.ok) {
			family_index[family] = i;
			family_p[family] = res->p_value;
			family++;
		}
	}

	if (family > 0 && protocol->multiplicity != EKS_MULTIPLICITY_NONE) {
		rc = eks_stats_p_adjust(family_p, family_p, family,
					protocol->multiplicity == EKS_MULTIPLICITY_BONFERRONI ?
					EKS_ADJUST_BONFERRONI : EKS_ADJUST_HOLM);
		if (rc < 0)
			goto done;
		for (i = 0; i < family; i++)
			ev->results[family_index[i]].p_adjusted = family_p[i];
	}
	ev->family_size = family;

	for (i = 0; i < n; i++) {
		int in_family = 0;
		size_t j;

		for (j = 0; j < family; j++)
			if (family_index[j] == i)
				in_family = 1;
		rc = decide(&ev->results[i], &works[i], protocol, family, in_family);
		if (rc < 0)
			goto done;
	}
done:
	free(works);
	free(family_p);
	free(family_index);
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
	free(ev);
}
