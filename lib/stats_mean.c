/*
 * stats_mean.c - t tests for means, from group summaries (n, mean, sd).
 *
 * Each follows R's t.test.default (R 4.2, src/library/stats/R/t.test.R)
 * step for step, including how it forms the interval
 * (mu + (t +- q) * stderr) and its "data are essentially constant" check,
 * so the numbers agree with R to the last few digits.
 */
#include <math.h>
#include <stdlib.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

#define DBL_EPS 2.220446049250313e-16

/* The common tail of every t test: statistic, two-sided p, interval. */
static int finish_t(eks_stats_result *r, double diff, double mu,
		    double stderr_, double df, double scale)
{
	double q;

	if (!isfinite(diff) || !isfinite(stderr_) || !isfinite(df))
		return eks_error_set(EKS_EINVALID,
				     "the means or sds are too large to compare");
	r->statistic_kind = EKS_STATISTIC_T;
	r->df = df;
	r->se = stderr_;
	if (!(stderr_ > 0.0) || stderr_ < 10.0 * DBL_EPS * scale) {
		eks_stats_result_untestable(r, EKS_STATS_NO_VARIANCE,
					    r->conf_level);
		r->df = df;
		return 0;
	}
	r->statistic = (diff - mu) / stderr_;
	r->p_value = fmin(1.0, 2.0 * eks_rm_pt(-fabs(r->statistic), df, 1));
	q = eks_stats_crit(r->conf_level, df);
	r->ci_low = mu + (r->statistic - q) * stderr_;
	r->ci_high = mu + (r->statistic + q) * stderr_;
	return 0;
}

static int start(eks_stats_result *r, const eks_summary *a,
		 const eks_summary *b, double conf_level)
{
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0 ||
	    (rc = eks_stats_check_summary(a, "A")) < 0 ||
	    (b && (rc = eks_stats_check_summary(b, "B")) < 0))
		return rc;
	r->status = EKS_STATS_OK;
	r->conf_level = conf_level;
	r->group_a = a->mean;
	r->statistic_kind = EKS_STATISTIC_T;
	if (b) {
		r->group_b = b->mean;
		r->estimate = a->mean - b->mean;
	} else {
		r->estimate = a->mean;
	}
	return 0;
}

/* Welch (1947) t test with Satterthwaite df: R t.test(x, y). */
int eks_stats_ttest_welch(eks_stats_result *out, const eks_summary *a,
			  const eks_summary *b, double conf_level)
{
	eks_stats_result r = { 0 };
	double na, nb, sa2, sb2, se, df;
	int rc;

	if ((rc = start(&r, a, b, conf_level)) < 0)
		return rc;
	if (a->n < 2 || b->n < 2) {
		eks_stats_result_untestable(&r, EKS_STATS_TOO_FEW, conf_level);
		goto done;
	}
	na = (double)a->n;
	nb = (double)b->n;
	sa2 = a->sd * a->sd / na;        /* stderrx^2 */
	sb2 = b->sd * b->sd / nb;
	se = sqrt(sa2 + sb2);
	df = 1.0;
	if (se > 0.0) {
		/* stderr^4 / (stderrx^4/(nx-1) + stderry^4/(ny-1)), scaled by
		 * the larger variance so that no power overflows */
		double m = fmax(sa2, sb2), ua = sa2 / m, ub = sb2 / m;

		df = (ua + ub) * (ua + ub) /
			(ua * ua / (na - 1.0) + ub * ub / (nb - 1.0));
	}
	if ((rc = finish_t(&r, r.estimate, 0.0, se, df,
			   fmax(fabs(a->mean), fabs(b->mean)))) < 0)
		return rc;
	/* R forms df without the scaling above; where its stderr^4
	 * overflows, df and p are NaN: no test (SPEC 6.3). */
	if (r.status == EKS_STATS_OK &&
	    !isfinite((sa2 + sb2) * (sa2 + sb2) /
		      (sa2 * sa2 / (na - 1.0) + sb2 * sb2 / (nb - 1.0))))
		eks_stats_result_untestable(&r, EKS_STATS_OVERFLOW, conf_level);
done:
	*out = r;
	return 0;
}

/* Two-sample t test with pooled variance: R t.test(x, y, var.equal = TRUE). */
int eks_stats_ttest_student(eks_stats_result *out, const eks_summary *a,
			    const eks_summary *b, double conf_level)
{
	eks_stats_result r = { 0 };
	double na, nb, df, v = 0.0;
	int rc;

	if ((rc = start(&r, a, b, conf_level)) < 0)
		return rc;
	if (a->n + b->n < 3) {
		eks_stats_result_untestable(&r, EKS_STATS_TOO_FEW, conf_level);
		goto done;
	}
	na = (double)a->n;
	nb = (double)b->n;
	df = na + nb - 2.0;
	if (a->n > 1)
		v += (na - 1.0) * a->sd * a->sd;
	if (b->n > 1)
		v += (nb - 1.0) * b->sd * b->sd;
	v /= df;
	if ((rc = finish_t(&r, r.estimate, 0.0, sqrt(v * (1.0 / na + 1.0 / nb)),
			   df, fmax(fabs(a->mean), fabs(b->mean)))) < 0)
		return rc;
done:
	*out = r;
	return 0;
}

/* One-sample t test: R t.test(x, mu = mu). */
int eks_stats_ttest_one(eks_stats_result *out, const eks_summary *a,
			double mu, double conf_level)
{
	eks_stats_result r = { 0 };
	double n;
	int rc;

	if ((rc = start(&r, a, NULL, conf_level)) < 0)
		return rc;
	if (!isfinite(mu))
		return eks_error_set(EKS_EUSAGE,
				     "the value to compare with is not a number");
	r.group_b = mu;
	if (a->n < 2) {
		eks_stats_result_untestable(&r, EKS_STATS_TOO_FEW, conf_level);
		goto done;
	}
	n = (double)a->n;
	if ((rc = finish_t(&r, a->mean, mu, sqrt(a->sd * a->sd / n), n - 1.0,
			   fabs(a->mean))) < 0)
		return rc;
done:
	*out = r;
	return 0;
}

/* Paired t test: the one-sample test of the differences a[i] - b[i],
 * R t.test(a, b, paired = TRUE). */
int eks_stats_ttest_paired(eks_stats_result *out, const double *a,
			   const double *b, size_t count, double conf_level)
{
	eks_summary s;
	double *d = NULL;
	size_t i;
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0)
		return rc;
	if (count == 0)
		return eks_error_set(EKS_EINVALID, "no pairs to compare");
	d = malloc(count * sizeof(*d));
	if (!d)
		return eks_error_oom();
	for (i = 0; i < count; i++)
		d[i] = a[i] - b[i];
	if ((rc = eks_summary_from_values(&s, d, count)) < 0)
		goto done;
	rc = eks_stats_ttest_one(out, &s, 0.0, conf_level);
done:
	free(d);
	return rc;
}
