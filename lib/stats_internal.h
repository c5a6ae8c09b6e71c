/*
 * stats_internal.h - shared helpers of the lib/stats_*.c files.
 *
 * The eks_rm_* functions are the only way into Rmath.  Callers validate
 * their arguments first; the wrappers check the domain once more and
 * return a safe value (0, 1 or NaN as documented) without calling Rmath
 * rather than let it print a warning or return garbage.
 */
#ifndef EKSPERIMENT_STATS_INTERNAL_H
#define EKSPERIMENT_STATS_INTERNAL_H

#include "eksperiment/stats.h"

/* Distribution functions (stats_dist.c).  `lower` as in Rmath. */
double eks_rm_pnorm(double x, int lower);
double eks_rm_qnorm(double p, int lower);
double eks_rm_pt(double t, double df, int lower);
double eks_rm_qt(double p, double df, int lower);
double eks_rm_pnt(double t, double df, double ncp, int lower);
double eks_rm_pchisq(double x, double df, double ncp, int lower);
double eks_rm_dbinom(double x, double n, double p);
double eks_rm_pbinom(double x, double n, double p, int lower);
double eks_rm_dhyper(double x, double m, double n, double k, int give_log);
double eks_rm_phyper(double x, double m, double n, double k, int lower);
double eks_rm_qbeta(double p, double a, double b);  /* lower tail */

/* The two-sided critical value for conf_level on t(df), normal when df is
 * infinite. */
double eks_stats_crit(double conf_level, double df);

/* Argument checks that set the error message (stats_infer.c). */
int eks_stats_check_conf(double conf_level);
int eks_stats_check_counts(long long x, long long n, const char *group);
int eks_stats_check_summary(const eks_summary *s, const char *group);

/* Reset a result to "no test" (status, p = 1, ci = estimate). */
void eks_stats_result_untestable(eks_stats_result *out, eks_stats_status status,
				 double conf_level);

/*
 * Brent's root finder (Brent 1973, "Algorithms for Minimization without
 * Derivatives", ch. 4): a root of f in [lo, hi], where f(lo) and f(hi)
 * differ in sign, to within `tol` (absolute) plus a few ulps.
 * Returns 0, or EKS_ERROR when the bracket is not one or f is not finite.
 */
typedef double (*eks_stats_fn)(double x, void *ctx);
int eks_stats_brent(double *root, eks_stats_fn f, void *ctx,
		    double lo, double hi, double f_lo, double f_hi, double tol);

#endif
