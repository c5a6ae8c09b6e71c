/*
 * stats_dist.c - the one door into Rmath (Debian r-mathlib).
 *
 * In standalone mode Rmath reports problems by printing to stdout (and a
 * few routines exit), which a library must never do.  Most of its
 * complaints are about arguments outside the domain, so every call here is
 * preceded by a domain check; arguments that would make Rmath talk are
 * answered here (NaN or the limit) without calling it.  The unit test
 * watches stdout while it runs the edge cases.
 */
#include <math.h>

#define MATHLIB_STANDALONE 1
#include <Rmath.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

static int is_int(double x)
{
	return isfinite(x) && floor(x) == x;
}

double eks_rm_pnorm(double x, int lower)
{
	if (isnan(x))
		return NAN;
	return pnorm(x, 0.0, 1.0, lower, 0);
}

double eks_rm_qnorm(double p, int lower)
{
	if (!(p >= 0.0 && p <= 1.0))
		return NAN;
	return qnorm(p, 0.0, 1.0, lower, 0);
}

double eks_rm_pt(double t, double df, int lower)
{
	if (isnan(t) || !(df > 0.0))
		return NAN;
	if (isinf(df))
		return eks_rm_pnorm(t, lower);
	return pt(t, df, lower, 0);
}

double eks_rm_qt(double p, double df, int lower)
{
	if (!(p >= 0.0 && p <= 1.0) || !(df > 0.0))
		return NAN;
	if (isinf(df))
		return eks_rm_qnorm(p, lower);
	if (p == 0.0 || p == 1.0)
		return (p == 0.0) == (lower != 0) ? -INFINITY : INFINITY;
	return qt(p, df, lower, 0);
}

double eks_rm_pnt(double t, double df, double ncp, int lower)
{
	if (isnan(t) || !(df > 0.0) || !isfinite(ncp))
		return NAN;
	if (isinf(t))
		return (t < 0) == (lower != 0) ? 0.0 : 1.0;
	if (isinf(df))
		return eks_rm_pnorm(t - ncp, lower);
	/*
	 * R's pnt (AS 243, Lenth 1989) sums the series for the lower tail of
	 * |t| and warns "full precision may not have been achieved in
	 * 'pnt{final}'" when that tail is the one asked for and exceeds
	 * 1 - 1e-10.  It asks for the lower tail when `lower` XOR t < 0.
	 * Then ask for the other tail first (no warning, u = 1 - tail) and
	 * only call again when u shows that the call will be quiet; else
	 * return 1 - u, which is what R returns up to one rounding.
	 */
	if ((lower != 0) != (t < 0)) {
		double u = pnt(t, df, ncp, !lower, 0);

		if (u < 2e-10)
			return 0.5 - u + 0.5;
	}
	return pnt(t, df, ncp, lower, 0);
}

double eks_rm_pchisq(double x, double df, double ncp, int lower)
{
	if (isnan(x) || !(df >= 0.0) || !isfinite(df) ||
	    !(ncp >= 0.0) || !isfinite(ncp))
		return NAN;
	if (ncp == 0.0)
		return pchisq(x, df, lower, 0);
	return pnchisq(x, df, ncp, lower, 0);
}

double eks_rm_dbinom(double x, double n, double p)
{
	/* Rmath warns (prints) on a non-integer x or n. */
	if (!is_int(x) || !is_int(n) || n < 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	if (x < 0 || x > n)
		return 0.0;
	return dbinom(x, n, p, 0);
}

double eks_rm_pbinom(double x, double n, double p, int lower)
{
	if (isnan(x) || !is_int(n) || n < 0 || !(p >= 0.0 && p <= 1.0))
		return NAN;
	x = floor(x + 1e-7);
	if (x < 0)
		return lower ? 0.0 : 1.0;
	if (x >= n)
		return lower ? 1.0 : 0.0;
	return pbinom(x, n, p, lower, 0);
}

double eks_rm_dhyper(double x, double m, double n, double k, int give_log)
{
	if (!is_int(x) || !is_int(m) || !is_int(n) || !is_int(k) ||
	    m < 0 || n < 0 || k < 0 || k > m + n)
		return NAN;
	if (x < 0 || x > k || x > m || k - x > n)
		return give_log ? -INFINITY : 0.0;
	return dhyper(x, m, n, k, give_log);
}

double eks_rm_phyper(double x, double m, double n, double k, int lower)
{
	if (isnan(x) || !is_int(m) || !is_int(n) || !is_int(k) ||
	    m < 0 || n < 0 || k < 0 || k > m + n)
		return NAN;
	return phyper(floor(x + 1e-7), m, n, k, lower, 0);
}

double eks_rm_qbeta(double p, double a, double b)
{
	if (!(p >= 0.0 && p <= 1.0) || !(a > 0.0) || !(b > 0.0) ||
	    !isfinite(a) || !isfinite(b))
		return NAN;
	if (p == 0.0)
		return 0.0;
	if (p == 1.0)
		return 1.0;
	return qbeta(p, a, b, 1, 0);
}

double eks_stats_crit(double conf_level, double df)
{
	/* R t.test: qt(1 - alpha/2, df); prop.test: qnorm((1 + conf.level)/2) */
	if (isinf(df))
		return eks_rm_qnorm((1.0 + conf_level) / 2.0, 1);
	return eks_rm_qt(1.0 - (1.0 - conf_level) / 2.0, df, 1);
}

/* ------------------------------------------------------------------ public */

static int bad(const char *what)
{
	return eks_error_set(EKS_EUSAGE, "invalid argument to %s", what);
}

/* Standard normal distribution function: R pnorm(x, lower.tail). */
int eks_dist_pnorm(double *out, double x, int lower)
{
	if (isnan(x))
		return bad("pnorm");
	*out = eks_rm_pnorm(x, lower);
	return 0;
}

/* Standard normal quantile: R qnorm(p). */
int eks_dist_qnorm(double *out, double p)
{
	if (!(p >= 0.0 && p <= 1.0))
		return bad("qnorm");
	*out = eks_rm_qnorm(p, 1);
	return 0;
}

/* Student t distribution function: R pt(t, df, lower.tail). */
int eks_dist_pt(double *out, double t, double df, int lower)
{
	if (isnan(t) || !(df > 0.0))
		return bad("pt");
	*out = eks_rm_pt(t, df, lower);
	return 0;
}

/* Student t quantile: R qt(p, df). */
int eks_dist_qt(double *out, double p, double df)
{
	if (!(p >= 0.0 && p <= 1.0) || !(df > 0.0))
		return bad("qt");
	*out = eks_rm_qt(p, df, 1);
	return 0;
}

/* Noncentral t distribution function: R pt(t, df, ncp, lower.tail). */
int eks_dist_pnt(double *out, double t, double df, double ncp, int lower)
{
	if (isnan(t) || !(df > 0.0) || !isfinite(ncp))
		return bad("pt with ncp");
	*out = eks_rm_pnt(t, df, ncp, lower);
	return 0;
}

/* Chi-square distribution function, central or not: R pchisq(x, df, ncp). */
int eks_dist_pchisq(double *out, double x, double df, double ncp, int lower)
{
	if (isnan(x) || !(df >= 0.0) || !isfinite(df) || !(ncp >= 0.0) ||
	    !isfinite(ncp))
		return bad("pchisq");
	*out = eks_rm_pchisq(x, df, ncp, lower);
	return 0;
}

/* Binomial probability: R dbinom(x, n, p); x and n whole numbers. */
int eks_dist_dbinom(double *out, double x, double n, double p)
{
	if (!is_int(x) || !is_int(n) || n < 0 || !(p >= 0.0 && p <= 1.0))
		return bad("dbinom");
	*out = eks_rm_dbinom(x, n, p);
	return 0;
}

/* Binomial distribution function: R pbinom(x, n, p, lower.tail). */
int eks_dist_pbinom(double *out, double x, double n, double p, int lower)
{
	if (isnan(x) || !is_int(n) || n < 0 || !(p >= 0.0 && p <= 1.0))
		return bad("pbinom");
	*out = eks_rm_pbinom(x, n, p, lower);
	return 0;
}

/* Hypergeometric probability: R dhyper(x, m, n, k). */
int eks_dist_dhyper(double *out, double x, double m, double n, double k)
{
	if (!is_int(x) || !is_int(m) || !is_int(n) || !is_int(k) || m < 0 ||
	    n < 0 || k < 0 || k > m + n)
		return bad("dhyper");
	*out = eks_rm_dhyper(x, m, n, k, 0);
	return 0;
}

/* Hypergeometric distribution function: R phyper(x, m, n, k, lower.tail). */
int eks_dist_phyper(double *out, double x, double m, double n, double k,
		    int lower)
{
	if (isnan(x) || !is_int(m) || !is_int(n) || !is_int(k) || m < 0 ||
	    n < 0 || k < 0 || k > m + n)
		return bad("phyper");
	*out = eks_rm_phyper(x, m, n, k, lower);
	return 0;
}
