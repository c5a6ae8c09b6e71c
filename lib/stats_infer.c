/*
 * stats_infer.c - generic inference from an estimate and its standard
 * error: intervals, p-values, differences of independent estimates,
 * difference in differences, TOST, non-inferiority, p-value adjustment,
 * the design effect; and the argument checks shared by lib/stats_*.c.
 */
#include <math.h>
#include <stdlib.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

/* Counts above 2^53 would no longer be exact in a double. */
#define MAX_COUNT 9007199254740992LL

const char *eks_stats_status_reason(eks_stats_status status)
{
	switch (status) {
	case EKS_STATS_OK:
		return "";
	case EKS_STATS_TOO_FEW:
		return "a group has fewer than two units, so its spread is unknown";
	case EKS_STATS_NO_VARIANCE:
		return "the data show no variation (every value or every outcome is the same), so no test is possible";
	case EKS_STATS_OVERFLOW:
		return "the numbers are too large for the method (R gives no p-value for them)";
	}
	return "no test is possible";
}

int eks_stats_check_conf(double conf_level)
{
	if (!(conf_level > 0.0 && conf_level < 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "confidence level must lie between 0 and 1, not %g",
				     conf_level);
	return 0;
}

int eks_stats_check_counts(long long x, long long n, const char *group)
{
	if (n < 1)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': n must be at least 1, not %lld",
				     group, n);
	if (n > MAX_COUNT)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': n %lld is too large", group, n);
	if (x < 0 || x > n)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': events must lie between 0 and n (%lld), not %lld",
				     group, n, x);
	return 0;
}

int eks_stats_check_summary(const eks_summary *s, const char *group)
{
	if (s->n < 1)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': n must be at least 1, not %lld",
				     group, s->n);
	if (s->n > MAX_COUNT)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': n %lld is too large", group, s->n);
	if (!isfinite(s->mean))
		return eks_error_set(EKS_EINVALID,
				     "group '%s': the mean is not a finite number",
				     group);
	if (!isfinite(s->sd) || s->sd < 0.0)
		return eks_error_set(EKS_EINVALID,
				     "group '%s': the sd must be a number >= 0",
				     group);
	return 0;
}

void eks_stats_result_untestable(eks_stats_result *out, eks_stats_status status,
				 double conf_level)
{
	out->status = status;
	out->se = 0.0;
	out->statistic = 0.0;
	out->p_value = 1.0;
	out->ci_low = out->ci_high = out->estimate;
	out->conf_level = conf_level;
}

static int check_se_df(double se, double df)
{
	if (!(se > 0.0) || !isfinite(se))
		return eks_error_set(EKS_EUSAGE,
				     "standard error must be a positive number, not %g",
				     se);
	if (!(df > 0.0))
		return eks_error_set(EKS_EUSAGE,
				     "degrees of freedom must be positive, not %g",
				     df);
	return 0;
}

/* Interval estimate +- q*se; q from t(df), or normal for df = INFINITY. */
int eks_stats_interval(double *low, double *high, double estimate, double se,
		       double df, double conf_level)
{
	double q;
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0 ||
	    (rc = check_se_df(se, df)) < 0)
		return rc;
	if (!isfinite(estimate))
		return eks_error_set(EKS_EUSAGE, "estimate is not a number");
	q = eks_stats_crit(conf_level, df);
	*low = estimate - q * se;
	*high = estimate + q * se;
	return 0;
}

static double p_of(double z, double df, eks_alternative alternative)
{
	switch (alternative) {
	case EKS_ALT_LESS:
		return eks_rm_pt(z, df, 1);
	case EKS_ALT_GREATER:
		return eks_rm_pt(z, df, 0);
	case EKS_ALT_TWO_SIDED:
		break;
	}
	return fmin(1.0, 2.0 * eks_rm_pt(-fabs(z), df, 1));
}

/* p-value of (estimate - null_value) / se, as R's t.test computes it. */
int eks_stats_p_value(double *p_value, double estimate, double se, double df,
		      double null_value, eks_alternative alternative)
{
	int rc;

	if ((rc = check_se_df(se, df)) < 0)
		return rc;
	if (!isfinite(estimate) || !isfinite(null_value))
		return eks_error_set(EKS_EUSAGE, "estimate is not a number");
	*p_value = p_of((estimate - null_value) / se, df, alternative);
	return 0;
}

/*
 * a - b for independent a and b: Var(a - b) = Var(a) + Var(b), normal
 * (Wald) interval and two-sided z test against 0.  Card & Krueger (1994),
 * Table 3, compute their group-level difference in differences this way.
 */
int eks_stats_difference(eks_stats_result *out, double estimate_a,
			 double se_a, double estimate_b, double se_b,
			 double conf_level)
{
	eks_stats_result r = { 0 };
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0)
		return rc;
	if (!isfinite(estimate_a) || !isfinite(estimate_b) ||
	    !isfinite(se_a) || !isfinite(se_b) || se_a < 0 || se_b < 0)
		return eks_error_set(EKS_EUSAGE,
				     "estimates must be numbers and standard errors >= 0");
	r.estimate = estimate_a - estimate_b;
	r.group_a = estimate_a;
	r.group_b = estimate_b;
	r.statistic_kind = EKS_STATISTIC_Z;
	r.df = INFINITY;
	r.conf_level = conf_level;
	r.se = sqrt(se_a * se_a + se_b * se_b);
	if (!isfinite(r.estimate) || !isfinite(r.se))
		return eks_error_set(EKS_EUSAGE,
				     "the estimates are too large to compare");
	if (!(r.se > 0.0)) {
		eks_stats_result_untestable(&r, EKS_STATS_NO_VARIANCE, conf_level);
	} else {
		double q = eks_stats_crit(conf_level, INFINITY);

		r.statistic = r.estimate / r.se;
		r.p_value = p_of(r.statistic, INFINITY, EKS_ALT_TWO_SIDED);
		r.ci_low = r.estimate - q * r.se;
		r.ci_high = r.estimate + q * r.se;
	}
	*out = r;
	return 0;
}

static const char *const did_names[4] = {
	"A at the timepoint", "A at baseline", "B at the timepoint", "B at baseline"
};

/* Difference in differences of proportions (SPEC 6.2): the change in each
 * arm has variance p_t q_t / n_t + p_0 q_0 / n_0 (independent samples). */
int eks_stats_did_prop(eks_stats_result *out, const long long x[4],
		       const long long n[4], double conf_level)
{
	double p[4], v[4];
	int i, rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0)
		return rc;
	for (i = 0; i < 4; i++) {
		if ((rc = eks_stats_check_counts(x[i], n[i], did_names[i])) < 0)
			return rc;
		p[i] = (double)x[i] / (double)n[i];
		v[i] = p[i] * (1.0 - p[i]) / (double)n[i];
	}
	/* each arm's change as an exact difference, so that equal changes
	 * give a difference in differences of 0, not 1e-17 */
	return eks_stats_difference(out, eks_stats_prop_difference(x[0], n[0], x[1], n[1]),
				    sqrt(v[0] + v[1]),
				    eks_stats_prop_difference(x[2], n[2], x[3], n[3]),
				    sqrt(v[2] + v[3]), conf_level);
}

/*
 * Difference in differences of means (SPEC 6.2): v_i = s_i^2 / n_i,
 * SE = sqrt(sum v_i), Welch-Satterthwaite df = (sum v_i)^2 /
 * sum(v_i^2 / (n_i - 1)) (Satterthwaite 1946), t interval and p.
 */
int eks_stats_did_mean(eks_stats_result *out, const eks_summary groups[4],
		       double conf_level)
{
	eks_stats_result r = { 0 };
	double v[4], sum_v = 0.0, scale = 0.0;
	int i, rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0)
		return rc;
	for (i = 0; i < 4; i++)
		if ((rc = eks_stats_check_summary(&groups[i], did_names[i])) < 0)
			return rc;
	r.group_a = groups[0].mean - groups[1].mean;
	r.group_b = groups[2].mean - groups[3].mean;
	r.estimate = r.group_a - r.group_b;
	r.statistic_kind = EKS_STATISTIC_T;
	r.conf_level = conf_level;
	for (i = 0; i < 4; i++) {
		if (groups[i].n < 2) {
			eks_stats_result_untestable(&r, EKS_STATS_TOO_FEW,
						    conf_level);
			goto done;
		}
		v[i] = groups[i].sd * groups[i].sd / (double)groups[i].n;
		sum_v += v[i];
		scale = fmax(scale, fabs(groups[i].mean));
	}
	r.se = sqrt(sum_v);
	if (!isfinite(r.estimate) || !isfinite(r.se))
		return eks_error_set(EKS_EINVALID,
				     "the means or sds are too large to compare");
	/* as R's t.test: "data are essentially constant" */
	if (!(r.se > 0.0) || r.se < 10.0 * 2.220446049250313e-16 * scale) {
		eks_stats_result_untestable(&r, EKS_STATS_NO_VARIANCE,
					    conf_level);
		goto done;
	}
	/* the same ratio scaled by the largest v, so no square overflows */
	{
		double m = fmax(fmax(v[0], v[1]), fmax(v[2], v[3]));
		double num = 0.0, d2 = 0.0;

		for (i = 0; i < 4; i++) {
			num += v[i] / m;
			d2 += (v[i] / m) * (v[i] / m) /
				(double)(groups[i].n - 1);
		}
		r.df = num * num / d2;
	}
	r.statistic = r.estimate / r.se;
	r.p_value = p_of(r.statistic, r.df, EKS_ALT_TWO_SIDED);
	{
		double q = eks_stats_crit(conf_level, r.df);

		r.ci_low = r.estimate - q * r.se;
		r.ci_high = r.estimate + q * r.se;
	}
done:
	*out = r;
	return 0;
}

static int check_alpha(double alpha)
{
	if (!(alpha > 0.0 && alpha < 0.5))
		return eks_error_set(EKS_EUSAGE,
				     "alpha must lie between 0 and 0.5, not %g",
				     alpha);
	return 0;
}

/*
 * Two one-sided tests (Schuirmann 1987, J Pharmacokinet Biopharm 15:657):
 * p_low = P[T >= (est - low)/se], p_high = P[T <= (est - high)/se], the
 * TOST p-value is the larger; equivalence at level alpha iff the
 * (1 - 2 alpha) interval lies inside (low, high).  Same numbers as R
 * package equivalence, tost().
 */
int eks_stats_tost_test(eks_stats_tost *out, double estimate, double se,
			double df, double low, double high, double alpha)
{
	double q;
	int rc;

	if ((rc = check_se_df(se, df)) < 0 || (rc = check_alpha(alpha)) < 0)
		return rc;
	if (!isfinite(estimate) || !isfinite(low) || !isfinite(high) ||
	    !(low < high))
		return eks_error_set(EKS_EUSAGE,
				     "the equivalence region needs low < high");
	out->p_low = eks_rm_pt((estimate - low) / se, df, 0);
	out->p_high = eks_rm_pt((estimate - high) / se, df, 1);
	out->p_value = fmax(out->p_low, out->p_high);
	out->conf_level = 1.0 - 2.0 * alpha;
	q = eks_rm_qt(alpha, df, 0);
	out->ci_low = estimate - q * se;
	out->ci_high = estimate + q * se;
	out->equivalent = low < out->ci_low && out->ci_high < high;
	return 0;
}

/* One-sided test against -margin (SPEC 6.4): p = P[T >= (est + M)/se];
 * non-inferior iff the (1 - 2 alpha) interval's lower end is above -M,
 * which is the same decision as p < alpha. */
int eks_stats_noninferiority(eks_stats_noninf *out, double estimate,
			     double se, double df, double margin,
			     double alpha)
{
	double q;
	int rc;

	if ((rc = check_se_df(se, df)) < 0 || (rc = check_alpha(alpha)) < 0)
		return rc;
	if (!isfinite(estimate) || !isfinite(margin) || margin < 0.0)
		return eks_error_set(EKS_EUSAGE,
				     "the margin must be a number >= 0, not %g",
				     margin);
	out->p_value = eks_rm_pt((estimate + margin) / se, df, 0);
	out->conf_level = 1.0 - 2.0 * alpha;
	q = eks_rm_qt(alpha, df, 0);
	out->ci_low = estimate - q * se;
	out->ci_high = estimate + q * se;
	out->noninferior = out->ci_low > -margin;
	return 0;
}

struct ranked {
	double p;
	size_t index;
};

static int by_p(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	/* ties keep their order, as R's order() does */
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * R p.adjust (Holm 1979; Bonferroni): Holm sorts p ascending and takes
 * pmin(1, cummax((n - i + 1) * p[i])), mapped back to the input order.
 */
int eks_stats_p_adjust(double *adjusted, const double *p, size_t count,
		       eks_p_adjust_method method)
{
	struct ranked *r = NULL;
	double n = (double)count, run = 0.0;
	size_t i;
	int rc = 0;

	for (i = 0; i < count; i++)
		if (!(p[i] >= 0.0 && p[i] <= 1.0))
			return eks_error_set(EKS_EINVALID,
					     "p-value %zu must lie between 0 and 1",
					     i + 1);
	switch (method) {
	case EKS_ADJUST_NONE:
		for (i = 0; i < count; i++)
			adjusted[i] = p[i];
		goto done;
	case EKS_ADJUST_BONFERRONI:
		for (i = 0; i < count; i++)
			adjusted[i] = fmin(1.0, n * p[i]);
		goto done;
	case EKS_ADJUST_HOLM:
		break;
	default:
		rc = eks_error_set(EKS_EUSAGE, "unknown p-value adjustment");
		goto done;
	}
	if (count == 0)
		goto done;
	r = malloc(count * sizeof(*r));
	if (!r) {
		rc = eks_error_oom();
		goto done;
	}
	for (i = 0; i < count; i++) {
		r[i].p = p[i];
		r[i].index = i;
	}
	qsort(r, count, sizeof(*r), by_p);
	for (i = 0; i < count; i++) {
		run = fmax(run, (n - (double)i) * r[i].p);
		adjusted[r[i].index] = fmin(1.0, run);
	}
done:
	free(r);
	return rc;
}

/* Kish (1965), Survey Sampling, sec. 5.4: deff = 1 + (m - 1) * icc. */
int eks_stats_design_effect(double *deff, double *effective_n,
			    double cluster_size, double icc, double n_total)
{
	double d;

	if (!(cluster_size >= 1.0) || !isfinite(cluster_size))
		return eks_error_set(EKS_EUSAGE,
				     "cluster size must be at least 1, not %g",
				     cluster_size);
	if (!(icc >= 0.0 && icc <= 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "intra-cluster correlation must lie between 0 and 1, not %g",
				     icc);
	if (!(n_total > 0.0) || !isfinite(n_total))
		return eks_error_set(EKS_EUSAGE,
				     "total n must be positive, not %g", n_total);
	d = 1.0 + (cluster_size - 1.0) * icc;
	if (deff)
		*deff = d;
	if (effective_n)
		*effective_n = n_total / d;
	return 0;
}
