/*
 * stats.h - the statistics engine behind `evaluate` and `power` (SPEC 6).
 *
 * Pure computation: no files, no git, no SQLite, no printing.  Every
 * function returns 0 or a negative EKS_E* code (EKS_EUSAGE for an argument
 * the caller should not have passed, such as conf_level = 1.5; EKS_EINVALID
 * for impossible data, such as more events than units) and writes its
 * results into an out-struct.  The message is in eks_error_last().
 *
 * Results follow R (stats package, R 4.2) wherever R has the method, and
 * use R's own distribution functions (Rmath, Debian r-mathlib), so a
 * reviewer can reproduce every number with the R call named next to each
 * function.  Rmath is never called with arguments it would complain about,
 * so nothing here ever prints.
 *
 * Data that are valid but do not allow a test (sd = 0 everywhere, no events
 * and no non-events to compare, fewer than two units for a mean) are not an
 * error: the function returns 0 and sets `status` in the result, so the
 * caller can report "insufficient_data" with eks_stats_status_reason().
 * Such results never contain NaN: see eks_stats_result.
 */
#ifndef EKSPERIMENT_STATS_H
#define EKSPERIMENT_STATS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ status */

typedef enum {
	EKS_STATS_OK = 0,
	/* Too few units for the method (a mean needs n >= 2 to have an sd). */
	EKS_STATS_TOO_FEW,
	/* No variation to test against: every value equal (sd = 0), or no
	 * group with both events and non-events.  The statistic is undefined. */
	EKS_STATS_NO_VARIANCE,
	/* The numbers are too large for the method as R computes it: R's
	 * t.test gives NaN degrees of freedom and no p-value (Welch with a
	 * variance near 1e300), so there is no test here either. */
	EKS_STATS_OVERFLOW
} eks_stats_status;

/* One plain-language sentence (no trailing period) saying why a result
 * with this status has no test, e.g. for the `reason` of a verdict.
 * Static string; "" for EKS_STATS_OK. */
const char *eks_stats_status_reason(eks_stats_status status);

/* ------------------------------------------------------------------ results */

typedef enum {
	EKS_STATISTIC_NONE = 0,
	EKS_STATISTIC_Z,          /* standard normal */
	EKS_STATISTIC_T,          /* Student t with `df` degrees of freedom */
	EKS_STATISTIC_CHISQ       /* chi-square with `df` degrees of freedom */
} eks_statistic_kind;

typedef enum {
	EKS_ALT_TWO_SIDED = 0,
	EKS_ALT_LESS,             /* H1: the parameter is below the null value */
	EKS_ALT_GREATER           /* H1: the parameter is above the null value */
} eks_alternative;

/*
 * The result of one test with its interval.
 *
 * `estimate` is on the natural scale: a difference (A - B), a ratio, an
 * odds ratio, or for one-sample methods the group's own proportion or mean
 * (as R reports it: the interval is for the proportion or mean itself, the
 * caller subtracts the benchmark when it wants A - value).
 *
 * `se` is the standard error the interval was built from: of the
 * difference for differences, of log(estimate) for ratio and odds_ratio.
 * For the proportion methods whose interval is not of the form
 * estimate +- z*se (newcombe, fisher, yates, wilson, exact), `se` is the
 * unpooled Wald standard error of the estimate, which is what margin
 * tests use (eks_stats_noninferiority).
 *
 * When status != EKS_STATS_OK there is no test: statistic = 0, se = 0,
 * p_value = 1 and, unless the method says otherwise, ci_low = ci_high =
 * estimate.  No field is ever NaN.
 */
typedef struct eks_stats_result {
	eks_stats_status status;
	double estimate;
	double group_a;           /* proportion or mean of A (one-sample: of the arm) */
	double group_b;           /* of B (one-sample: the null value) */
	double se;
	double statistic;
	eks_statistic_kind statistic_kind;
	double df;                /* of the statistic; INFINITY for z */
	double ci_low, ci_high;
	double conf_level;
	double p_value;           /* two-sided unless a function says otherwise */
} eks_stats_result;

/* ------------------------------------------------------------------ summaries */

/* A group of measurements as n, mean and (sample, n - 1) standard
 * deviation.  sd is ignored when n = 1. */
typedef struct eks_summary {
	long long n;
	double mean;
	double sd;
} eks_summary;

/*
 * Mean and sample sd of `count` values with the corrected two-pass
 * algorithm (Chan, Golub & LeVeque 1983), exact to the last digits on the
 * NIST StRD NumAcc tests.  count = 1 gives sd = 0.  EKS_EINVALID for
 * count = 0 or a value that is not a finite number.
 */
int eks_summary_from_values(eks_summary *out, const double *values,
			    size_t count);

/*
 * Combine `count` group summaries into the summary of all their units, as
 * if the values had been pooled (Chan, Golub & LeVeque 1979 pairwise
 * update).  Groups with n = 0 are skipped; EKS_EINVALID when a group has
 * n < 0, sd < 0 or a number that is not finite, or when nothing is left.
 */
int eks_summary_pool(eks_summary *out, const eks_summary *groups,
		     size_t count);

/* Add `more` to `acc` in place (eks_summary_pool of the two).  An `acc`
 * with n = 0 is empty: it becomes `more`. */
int eks_summary_add(eks_summary *acc, const eks_summary *more);

/* ------------------------------------------------------------------ means */

/* Welch two-sample t test of A - B = 0: R t.test(x, y).  n < 2 in a group
 * gives status EKS_STATS_TOO_FEW; (nearly) zero variance as R's "data are
 * essentially constant" gives EKS_STATS_NO_VARIANCE. */
int eks_stats_ttest_welch(eks_stats_result *out, const eks_summary *a,
			  const eks_summary *b, double conf_level);

/* Student two-sample t test with pooled variance:
 * R t.test(x, y, var.equal = TRUE).  Needs n_a + n_b >= 3. */
int eks_stats_ttest_student(eks_stats_result *out, const eks_summary *a,
			    const eks_summary *b, double conf_level);

/* One-sample t test of mean = mu: R t.test(x, mu = mu).  estimate is the
 * mean, the interval is for the mean, group_b = mu. */
int eks_stats_ttest_one(eks_stats_result *out, const eks_summary *a,
			double mu, double conf_level);

/* Paired t test of a - b: R t.test(a, b, paired = TRUE); estimate is the
 * mean difference.  EKS_EINVALID when a value is not finite. */
int eks_stats_ttest_paired(eks_stats_result *out, const double *a,
			   const double *b, size_t count, double conf_level);

/* ------------------------------------------------------------------ proportions */

/*
 * Wilson score interval and score test of one proportion against p0:
 * R prop.test(x, n, p0, correct = FALSE), or with `correct` the continuity
 * corrected version R prop.test(x, n, p0).  Statistic: chi-square, 1 df.
 * EKS_EINVALID unless 0 <= x <= n and n >= 1; EKS_EUSAGE unless 0 < p0 < 1.
 */
int eks_stats_prop1_wilson(eks_stats_result *out, long long x, long long n,
			   double p0, int correct, double conf_level);

/*
 * Exact binomial test and Clopper-Pearson interval: R binom.test(x, n, p0,
 * alternative).  The interval is one-sided for one-sided alternatives, as
 * in R.  0 <= p0 <= 1.  No statistic (statistic_kind NONE).
 */
int eks_stats_prop1_exact(eks_stats_result *out, long long x, long long n,
			  double p0, eks_alternative alternative,
			  double conf_level);

typedef enum {
	EKS_PROP2_NEWCOMBE = 0,   /* Newcombe CI + pooled z test (no correction) */
	EKS_PROP2_YATES,          /* R prop.test(x, n): Wald CI and test, corrected */
	EKS_PROP2_FISHER,         /* Fisher exact p + Newcombe CI */
	EKS_PROP2_WALD,           /* R prop.test(x, n, correct = FALSE): Wald CI */
	EKS_PROP2_RATIO,          /* risk ratio A/B, Katz log CI */
	EKS_PROP2_ODDS_RATIO      /* odds ratio, Woolf log CI */
} eks_prop2_method;

/*
 * Compare two proportions x_a/n_a and x_b/n_b with `method`; the estimate
 * is p_a - p_b for the difference methods (group_a = p_a, group_b = p_b).
 *
 *   NEWCOMBE  CI: Newcombe (1998) hybrid score, method 10; p: the pooled
 *             two-proportion z test, as R prop.test(x, n, correct = FALSE)
 *             (statistic: chi-square, 1 df).
 *   YATES     CI and p as R prop.test(x, n) (statistic: chi-square).
 *   FISHER    p as R fisher.test (two-sided); CI as NEWCOMBE; no
 *             statistic (statistic_kind NONE).
 *   WALD      CI and p as R prop.test(x, n, correct = FALSE).
 *   RATIO     p_a / p_b, Katz log-scale Wald CI; p from log(RR)/se (z).
 *   ODDS_RATIO  Woolf log-scale Wald CI; p from log(OR)/se (z).
 *
 * RATIO and ODDS_RATIO add 0.5 to all four cells when any cell is 0
 * (the estimate too), so they always have a test.  When there are no
 * events at all, or nothing but events (0/n_a and 0/n_b, n_a/n_a and
 * n_b/n_b), the pooled chi-square of NEWCOMBE, YATES and WALD is 0/0:
 * status EKS_STATS_NO_VARIANCE, statistic 0, p_value 1, while the Newcombe
 * interval is still given (FISHER: status OK, p = 1, exact).
 * EKS_EINVALID unless 0 <= x <= n and n >= 1 in both groups.
 */
int eks_stats_prop2(eks_stats_result *out, eks_prop2_method method,
		    long long x_a, long long n_a, long long x_b, long long n_b,
		    double conf_level);

/* SPEC 6.2 `auto`: fills *out with EKS_PROP2_FISHER when any expected
 * cell count of the 2x2 table is below 5, else EKS_PROP2_NEWCOMBE. */
int eks_stats_prop2_auto(eks_prop2_method *out, long long x_a, long long n_a,
			 long long x_b, long long n_b);

/* p_a - p_b computed as (x_a n_b - x_b n_a) / (n_a n_b), so that
 * 30/100 - 20/100 is exactly 0.1 (SPEC 6.3); eks_stats_prop2() reports
 * this as the estimate of every difference method. */
double eks_stats_prop_difference(long long x_a, long long n_a, long long x_b,
				 long long n_b);

/*
 * The one-sided p-value against a shifted null, found by inverting the
 * interval of `method` (SPEC 6.3, "one interval, one p"): for
 * EKS_ALT_GREATER, of H0: theta <= delta, the one-sided level at which
 * the interval's lower bound reaches delta; for EKS_ALT_LESS, of
 * H0: theta >= delta, the same with the upper bound.  So at every level c
 * the c-interval lies above delta exactly when the GREATER p is below
 * (1 - c)/2.  Used for margins (noninferiority, equivalence).
 *
 * theta is p_a - p_b for NEWCOMBE and FISHER (Newcombe's interval,
 * inverted numerically), YATES and WALD (prop.test's interval, with and
 * without correction; when delta lies inside the corrected interval of
 * level 0, 0.5); log(RR) or log(OR) for RATIO and ODDS_RATIO (their
 * log-scale Wald intervals, so delta is on the log scale).
 */
int eks_stats_prop2_p_shifted(double *p_value, eks_prop2_method method,
			      long long x_a, long long n_a, long long x_b,
			      long long n_b, double delta,
			      eks_alternative alternative);

/*
 * The same for one proportion p against p0: inverting the Wilson
 * interval (exact = 0) gives the one-sided score test of p0, inverting
 * Clopper-Pearson's (exact = 1) the one-sided exact binomial test,
 * R binom.test(x, n, p0, alternative)$p.value.  p0 may lie outside
 * (0, 1) (a value minus a margin): then every bound lies on one side.
 */
int eks_stats_prop1_p_shifted(double *p_value, int exact, long long x,
			      long long n, double p0,
			      eks_alternative alternative);

/*
 * Fisher's exact test p-value for the 2x2 table with columns A and B
 * (events x, non-events n - x): R fisher.test(matrix(c(x_a, n_a - x_a,
 * x_b, n_b - x_b), 2), alternative).  Two-sided p sums the tables no more
 * probable than the observed one, with R's relative tolerance 1 + 1e-7.
 */
int eks_stats_fisher_2x2(double *p_value, long long x_a, long long n_a,
			 long long x_b, long long n_b,
			 eks_alternative alternative);

/* ------------------------------------------------------------------ generic inference */

/* Interval estimate +- q*se with q the (1 + conf_level)/2 quantile of t
 * with df degrees of freedom (df = INFINITY: normal).  EKS_EUSAGE unless
 * se > 0 and df > 0. */
int eks_stats_interval(double *low, double *high, double estimate, double se,
		       double df, double conf_level);

/* p-value of (estimate - null_value)/se on t(df) or normal (df = INFINITY)
 * for `alternative`.  EKS_EUSAGE unless se > 0 and df > 0. */
int eks_stats_p_value(double *p_value, double estimate, double se, double df,
		      double null_value, eks_alternative alternative);

/* Combine two independent estimates into a - b with se = sqrt(se_a^2 +
 * se_b^2) and normal (z) inference against 0: the group-level
 * difference-in-differences of two changes.  Both se >= 0; when both are
 * 0 the status is EKS_STATS_NO_VARIANCE. */
int eks_stats_difference(eks_stats_result *out, double estimate_a,
			 double se_a, double estimate_b, double se_b,
			 double conf_level);

/*
 * Difference in differences, (A@t - A@base) - (B@t - B@base), SPEC 6.2.
 * Groups in the order A@t, A@base, B@t, B@base.
 *
 * Proportions: estimate from the four proportions, SE = sqrt(sum p(1-p)/n),
 * normal CI and p.  Means: SE = sqrt(sum s^2/n), Welch-Satterthwaite
 * df = (sum v)^2 / sum(v^2/(n - 1)) with v = s^2/n, t CI and p; a group
 * with n < 2 gives status EKS_STATS_TOO_FEW.
 */
int eks_stats_did_prop(eks_stats_result *out, const long long x[4],
		       const long long n[4], double conf_level);
int eks_stats_did_mean(eks_stats_result *out, const eks_summary groups[4],
		       double conf_level);

/* Equivalence by two one-sided tests (Schuirmann 1987), SPEC 6.3. */
typedef struct eks_stats_tost {
	double p_low;             /* H0: theta <= low, H1: theta > low */
	double p_high;            /* H0: theta >= high, H1: theta < high */
	double p_value;           /* max(p_low, p_high) */
	double ci_low, ci_high;   /* the (1 - 2*alpha) interval */
	double conf_level;        /* 1 - 2*alpha */
	int equivalent;           /* low < ci_low and ci_high < high */
} eks_stats_tost;

/* TOST of an estimate with standard error se on t(df) (INFINITY: normal)
 * against the region (low, high), as R equivalence::tost.  EKS_EUSAGE
 * unless se > 0, df > 0, low < high and 0 < alpha < 0.5. */
int eks_stats_tost_test(eks_stats_tost *out, double estimate, double se,
			double df, double low, double high, double alpha);

/* Non-inferiority against a margin, SPEC 6.3-6.4. */
typedef struct eks_stats_noninf {
	double p_value;           /* one-sided, H0: theta <= -margin */
	double ci_low, ci_high;   /* the (1 - 2*alpha) interval */
	double conf_level;        /* 1 - 2*alpha */
	int noninferior;          /* ci_low > -margin */
} eks_stats_noninf;

/*
 * One-sided test of H0: theta <= -margin against H1: theta > -margin for
 * an estimate oriented so that larger is better.  For two proportions the
 * Newcombe interval has no single se: pass the unpooled Wald se that
 * eks_stats_prop2() puts in `se` with df = INFINITY, so the p-value is the
 * Wald z test against the margin (Blackwelder 1982).
 */
int eks_stats_noninferiority(eks_stats_noninf *out, double estimate,
			     double se, double df, double margin,
			     double alpha);

/* ------------------------------------------------------------------ multiplicity */

typedef enum {
	EKS_ADJUST_NONE = 0,
	EKS_ADJUST_HOLM,
	EKS_ADJUST_BONFERRONI
} eks_p_adjust_method;

/* Adjusted p-values as R p.adjust(p, method): `adjusted` has room for
 * `count` values (it may be `p` itself).  EKS_EINVALID when a p-value is
 * outside [0, 1]; EKS_ENOMEM. */
int eks_stats_p_adjust(double *adjusted, const double *p, size_t count,
		       eks_p_adjust_method method);

/* ------------------------------------------------------------------ planning */

typedef enum {
	EKS_POWER_SOLVE_POWER = 0,
	EKS_POWER_SOLVE_N,
	EKS_POWER_SOLVE_DELTA,    /* power.t.test: the detectable difference */
	EKS_POWER_SOLVE_P2        /* power.prop.test: the detectable p2 > p1 */
} eks_power_unknown;

/* The parameters of R power.t.test(strict = FALSE); the unknown one is
 * filled in by eks_power_t_solve. */
typedef struct eks_power_t_spec {
	double n;                 /* per group (pairs for one-sample/paired) */
	double delta;             /* true difference in means */
	double sd;
	double alpha;             /* sig.level */
	double power;
	int sides;                /* 2 (two-sided) or 1 */
	int samples;              /* 2 two-sample, 1 one-sample or paired */
} eks_power_t_spec;

#define EKS_POWER_T_SPEC_INIT { 0.0, 0.0, 1.0, 0.05, 0.0, 2, 2 }

/* The parameters of R power.prop.test(strict = FALSE). */
typedef struct eks_power_prop_spec {
	double n;                 /* per group */
	double p1, p2;
	double alpha;
	double power;
	int sides;
} eks_power_prop_spec;

#define EKS_POWER_PROP_SPEC_INIT { 0.0, 0.0, 0.0, 0.05, 0.0, 2 }

/*
 * Solve for `unknown` (POWER, N or DELTA) as R power.t.test, with the
 * noncentral t and R's own search (uniroot's widening, then Brent's zero
 * as R_zeroin2) to 1e-12: R with tol = 1e-12 gives the same root (R's
 * default tol, 1.2e-4, is coarser).  N may come out below 2 (just above 1
 * at least), as R's does when n = 2 already gives the power.
 * EKS_EUSAGE for impossible parameters (alpha, power or sides out of
 * range, sd <= 0, a given n below 1 + 1/samples); EKS_ERROR, a request
 * with no answer, when no n up to 1e9 (or no delta up to 1e7 sd) reaches
 * the power.
 */
int eks_power_t_solve(eks_power_t_spec *spec, eks_power_unknown unknown);

/*
 * Solve for `unknown` (POWER, N or P2) as R power.prop.test, searched for
 * as R does (N may come out below 1 where R's is; where R's search passes
 * n = 0 and fails, the root of the same formula).  P2 is looked for above
 * p1, as R does; by the symmetry of the formula, the detectable p2 below
 * p1 is 1 - (the p2 above 1 - p1).  EKS_EUSAGE for impossible parameters
 * (a share outside (0, 1), equal shares for N, alpha or power out of
 * range); EKS_ERROR when no n up to 1e9 (or no p2 up to 1) reaches the
 * power.
 */
int eks_power_prop_solve(eks_power_prop_spec *spec, eks_power_unknown unknown);

/* ------------------------------------------------------------------ designs */

/* Kish (1965) design effect 1 + (m - 1) * icc for clusters of size m, and
 * the effective sample size n_total / deff.  Either out may be NULL. */
int eks_stats_design_effect(double *deff, double *effective_n,
			    double cluster_size, double icc, double n_total);

/* ------------------------------------------------------------------ distributions */

/*
 * Checked access to the Rmath distribution functions (same results as R's
 * functions of the same name).  EKS_EUSAGE for arguments outside the
 * domain, instead of a NaN or a warning.  `lower` selects the lower tail
 * P[X <= x]; otherwise the upper tail P[X > x].  df may be INFINITY for t.
 */
int eks_dist_pnorm(double *out, double x, int lower);
int eks_dist_qnorm(double *out, double p);
int eks_dist_pt(double *out, double t, double df, int lower);
int eks_dist_qt(double *out, double p, double df);
int eks_dist_pnt(double *out, double t, double df, double ncp, int lower);
int eks_dist_pchisq(double *out, double x, double df, double ncp, int lower);
int eks_dist_dbinom(double *out, double x, double n, double p);
int eks_dist_pbinom(double *out, double x, double n, double p, int lower);
int eks_dist_dhyper(double *out, double x, double m, double n, double k);
int eks_dist_phyper(double *out, double x, double m, double n, double k,
		    int lower);

#ifdef __cplusplus
}
#endif
#endif
