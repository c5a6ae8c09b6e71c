/*
 * stats_prop.c - proportions: one against a value (Wilson score, exact
 * binomial) and two compared (Newcombe, prop.test with and without Yates,
 * Fisher, risk ratio, odds ratio).
 */
#include <math.h>
#include <string.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

/* R's tolerance when deciding which outcomes are "no more probable" than
 * the observed one (binom.test, fisher.test): relErr <- 1 + 1e-7. */
#define REL_ERR (1.0 + 1e-7)

/* Up to this many outcomes the two-sided exact p-values look at each
 * outcome as R does; beyond, they use the unimodality of the
 * distribution and binary search (same sets, O(log n)). */
#define LINEAR_MAX 65536.0

/*
 * Wilson (1927) score interval, with the continuity correction `yates`
 * (0 for none), exactly as R prop.test computes it for one sample:
 *   p.c = x/n +- yates/n, z22n = z^2 / (2n),
 *   bound = (p.c + z22n +- z sqrt(p.c (1 - p.c)/n + z22n/(2n))) / (1 + 2 z22n),
 * clipped at 0 and 1.
 */
static void wilson(double *low, double *high, double x, double n, double z,
		   double yates)
{
	double est = x / n, z22n = z * z / (2.0 * n), pc, l, u;

	pc = est + yates / n;
	u = pc >= 1.0 ? 1.0 :
		(pc + z22n + z * sqrt(pc * (1.0 - pc) / n + z22n / (2.0 * n))) /
		(1.0 + 2.0 * z22n);
	pc = est - yates / n;
	l = pc <= 0.0 ? 0.0 :
		(pc + z22n - z * sqrt(pc * (1.0 - pc) / n + z22n / (2.0 * n))) /
		(1.0 + 2.0 * z22n);
	*low = fmax(l, 0.0);
	*high = fmin(u, 1.0);
}

/* Wilson score interval and score test: R prop.test(x, n, p0, correct). */
int eks_stats_prop1_wilson(eks_stats_result *out, long long x, long long n,
			   double p0, int correct, double conf_level)
{
	eks_stats_result r = { 0 };
	double dx = (double)x, dn = (double)n, yates, e1, e0;
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0 ||
	    (rc = eks_stats_check_counts(x, n, "A")) < 0)
		return rc;
	if (!(p0 > 0.0 && p0 < 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "the proportion to compare with must lie strictly between 0 and 1, not %g",
				     p0);
	r.estimate = r.group_a = dx / dn;
	r.group_b = p0;
	r.se = sqrt(r.estimate * (1.0 - r.estimate) / dn);
	r.conf_level = conf_level;
	r.statistic_kind = EKS_STATISTIC_CHISQ;
	r.df = 1.0;
	yates = correct ? fmin(0.5, fabs(dx - dn * p0)) : 0.0;
	wilson(&r.ci_low, &r.ci_high, dx, dn, eks_stats_crit(conf_level, INFINITY),
	       yates);
	/* sum((|x - E| - YATES)^2 / E) over the events and non-events */
	e1 = dn * p0;
	e0 = dn * (1.0 - p0);
	r.statistic = pow(fabs(dx - e1) - yates, 2.0) / e1 +
		pow(fabs((dn - dx) - e0) - yates, 2.0) / e0;
	r.p_value = eks_rm_pchisq(r.statistic, 1.0, 0.0, 0);
	*out = r;
	return 0;
}

/*
 * How many of the outcomes lo..hi have probability <= limit, for a
 * probability function that is monotone on that range (`rising`: non-
 * decreasing, else non-increasing).  The binomial and hypergeometric
 * probabilities are unimodal, so each side of the mode is monotone and
 * the outcomes counted form one tail: binary search finds its end.
 */
typedef double (*prob_fn)(double i, const double *par);

static double count_at_most(prob_fn f, const double *par, double lo,
			    double hi, double limit, int rising)
{
	double a, b, count = 0.0;

	if (hi < lo)
		return 0.0;
	if (hi - lo + 1.0 <= LINEAR_MAX) {
		double i;

		for (i = lo; i <= hi; i++)
			if (f(i, par) <= limit)
				count++;
		return count;
	}
	if (rising) {
		/* largest i with f(i) <= limit */
		if (f(lo, par) > limit)
			return 0.0;
		a = lo;
		b = hi;
		while (a < b) {
			double mid = a + ceil((b - a) / 2.0);

			if (f(mid, par) <= limit)
				a = mid;
			else
				b = mid - 1.0;
		}
		return a - lo + 1.0;
	}
	/* smallest i with f(i) <= limit */
	if (f(hi, par) > limit)
		return 0.0;
	a = lo;
	b = hi;
	while (a < b) {
		double mid = a + floor((b - a) / 2.0);

		if (f(mid, par) <= limit)
			b = mid;
		else
			a = mid + 1.0;
	}
	return hi - a + 1.0;
}

static double binom_prob(double i, const double *par)
{
	return eks_rm_dbinom(i, par[0], par[1]);
}

/* Two-sided exact binomial p-value, R binom.test: the probability of all
 * outcomes no more likely than x (relative tolerance REL_ERR). */
static double binom_two_sided(double x, double n, double p)
{
	double par[2] = { n, p }, d, m, y;

	if (p == 0.0)
		return x == 0.0;
	if (p == 1.0)
		return x == n;
	d = eks_rm_dbinom(x, n, p);
	m = n * p;
	if (x == m)
		return 1.0;
	if (x < m) {
		y = count_at_most(binom_prob, par, ceil(m), n, d * REL_ERR, 0);
		return eks_rm_pbinom(x, n, p, 1) +
			eks_rm_pbinom(n - y, n, p, 0);
	}
	y = count_at_most(binom_prob, par, 0.0, floor(m), d * REL_ERR, 1);
	return eks_rm_pbinom(y - 1.0, n, p, 1) +
		eks_rm_pbinom(x - 1.0, n, p, 0);
}

/*
 * Exact binomial test with the Clopper & Pearson (1934) interval from beta
 * quantiles: R binom.test(x, n, p0, alternative, conf.level).
 */
int eks_stats_prop1_exact(eks_stats_result *out, long long x, long long n,
			  double p0, eks_alternative alternative,
			  double conf_level)
{
	eks_stats_result r = { 0 };
	double dx = (double)x, dn = (double)n, alpha;
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0 ||
	    (rc = eks_stats_check_counts(x, n, "A")) < 0)
		return rc;
	if (!(p0 >= 0.0 && p0 <= 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "the proportion to compare with must lie between 0 and 1, not %g",
				     p0);
	r.estimate = r.group_a = dx / dn;
	r.group_b = p0;
	r.se = sqrt(r.estimate * (1.0 - r.estimate) / dn);
	r.conf_level = conf_level;
	r.statistic_kind = EKS_STATISTIC_NONE;
	r.df = 0.0;
	switch (alternative) {
	case EKS_ALT_LESS:
		r.p_value = eks_rm_pbinom(dx, dn, p0, 1);
		r.ci_low = 0.0;
		r.ci_high = x == n ? 1.0 :
			eks_rm_qbeta(conf_level, dx + 1.0, dn - dx);
		break;
	case EKS_ALT_GREATER:
		r.p_value = eks_rm_pbinom(dx - 1.0, dn, p0, 0);
		r.ci_low = x == 0 ? 0.0 :
			eks_rm_qbeta(1.0 - conf_level, dx, dn - dx + 1.0);
		r.ci_high = 1.0;
		break;
	case EKS_ALT_TWO_SIDED:
		r.p_value = binom_two_sided(dx, dn, p0);
		alpha = (1.0 - conf_level) / 2.0;
		r.ci_low = x == 0 ? 0.0 :
			eks_rm_qbeta(alpha, dx, dn - dx + 1.0);
		r.ci_high = x == n ? 1.0 :
			eks_rm_qbeta(1.0 - alpha, dx + 1.0, dn - dx);
		break;
	default:
		return eks_error_set(EKS_EUSAGE, "unknown alternative");
	}
	r.p_value = fmin(1.0, r.p_value);
	*out = r;
	return 0;
}

/* ------------------------------------------------------------------ Fisher */

static double hyper_prob(double i, const double *par)
{
	return eks_rm_dhyper(i, par[0], par[1], par[2], 1);
}

/*
 * Two-sided Fisher p as R fisher.test for a 2x2 table: with m = n_a,
 * n = n_b, k = all events and x = x_a, sum the conditional probabilities
 * dhyper(i, m, n, k) of the tables i no more probable than x.  R scales
 * the probabilities by the largest before comparing (exp(log d - max));
 * the linear path does the same.
 */
static double fisher_two_sided(double x, double m, double n, double k)
{
	double lo = fmax(0.0, k - n), hi = fmin(k, m), i, lmax = -INFINITY;
	double par[3] = { m, n, k }, mode, limit, left, right;

	if (hi - lo + 1.0 <= LINEAR_MAX) {
		double dx, sel = 0.0, all = 0.0;

		for (i = lo; i <= hi; i++)
			lmax = fmax(lmax, eks_rm_dhyper(i, m, n, k, 1));
		dx = exp(eks_rm_dhyper(x, m, n, k, 1) - lmax) * REL_ERR;
		for (i = lo; i <= hi; i++) {
			double d = exp(eks_rm_dhyper(i, m, n, k, 1) - lmax);

			all += d;
			if (d <= dx)
				sel += d;
		}
		return fmin(1.0, sel / all);
	}
	/* The probabilities rise up to the mode floor((k+1)(m+1)/(N+2)) and
	 * fall after it: count each side's tail and add the tails with phyper. */
	mode = floor((k + 1.0) * (m + 1.0) / (m + n + 2.0));
	mode = fmin(fmax(mode, lo), hi);
	limit = eks_rm_dhyper(x, m, n, k, 1) + log(REL_ERR);
	left = count_at_most(hyper_prob, par, lo, mode, limit, 1);
	right = count_at_most(hyper_prob, par, mode + 1.0, hi, limit, 0);
	return fmin(1.0, (left > 0 ? eks_rm_phyper(lo + left - 1.0, m, n, k, 1) : 0.0) +
		    (right > 0 ? eks_rm_phyper(hi - right, m, n, k, 0) : 0.0));
}

int eks_stats_fisher_2x2(double *p_value, long long x_a, long long n_a,
			 long long x_b, long long n_b,
			 eks_alternative alternative)
{
	double x = (double)x_a, m = (double)n_a, n = (double)n_b;
	double k = (double)x_a + (double)x_b;
	int rc;

	if ((rc = eks_stats_check_counts(x_a, n_a, "A")) < 0 ||
	    (rc = eks_stats_check_counts(x_b, n_b, "B")) < 0)
		return rc;
	switch (alternative) {
	case EKS_ALT_LESS:
		*p_value = eks_rm_phyper(x, m, n, k, 1);
		return 0;
	case EKS_ALT_GREATER:
		*p_value = eks_rm_phyper(x - 1.0, m, n, k, 0);
		return 0;
	case EKS_ALT_TWO_SIDED:
		*p_value = fisher_two_sided(x, m, n, k);
		return 0;
	}
	return eks_error_set(EKS_EUSAGE, "unknown alternative");
}

/* ------------------------------------------------------------------ two proportions */

/*
 * Pearson chi-square of the 2x2 table against the pooled proportion, with
 * R prop.test's continuity correction `yates`: sum((|x - E| - yates)^2/E).
 * Returns -1 when the pooled proportion is 0 or 1 (no test).
 */
static double pooled_chisq(double xa, double na, double xb, double nb,
			   double yates)
{
	double p = (xa + xb) / (na + nb), obs[4], e[4], s = 0.0;
	int i;

	if (!(p > 0.0 && p < 1.0))
		return -1.0;
	obs[0] = xa;
	obs[1] = xb;
	obs[2] = na - xa;
	obs[3] = nb - xb;
	e[0] = na * p;
	e[1] = nb * p;
	e[2] = na * (1.0 - p);
	e[3] = nb * (1.0 - p);
	for (i = 0; i < 4; i++)
		s += pow(fabs(obs[i] - e[i]) - yates, 2.0) / e[i];
	return s;
}

/* Newcombe (1998) hybrid score interval, method 10: from the Wilson
 * intervals (l1, u1), (l2, u2) of p1 and p2,
 *   L = D - sqrt((p1 - l1)^2 + (u2 - p2)^2),
 *   U = D + sqrt((u1 - p1)^2 + (p2 - l2)^2). */
static void newcombe_at(double *low, double *high, double xa, double na,
			double xb, double nb, double d, double z)
{
	double l1, u1, l2, u2, p1 = xa / na, p2 = xb / nb;

	wilson(&l1, &u1, xa, na, z, 0.0);
	wilson(&l2, &u2, xb, nb, z, 0.0);
	*low = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
	*high = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

static void newcombe(eks_stats_result *r, double xa, double na, double xb,
		     double nb, double z)
{
	newcombe_at(&r->ci_low, &r->ci_high, xa, na, xb, nb, r->estimate, z);
}

/*
 * Katz et al. (1978) log risk ratio and Woolf (1955) log odds ratio, with
 * Wald intervals on the log scale; Haldane's 0.5 added to all four cells
 * when one is 0 (Pagano & Gauvreau, Principles of Biostatistics).
 */
static void log_ratio(eks_stats_result *r, int odds, double xa, double na,
		      double xb, double nb, double z)
{
	double a = xa, b = na - xa, c = xb, d = nb - xb, lr;

	if (a == 0 || b == 0 || c == 0 || d == 0) {
		a += 0.5;
		b += 0.5;
		c += 0.5;
		d += 0.5;
	}
	if (odds) {
		lr = log(a) + log(d) - log(b) - log(c);
		r->se = sqrt(1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d);
	} else {
		lr = log(a / (a + b)) - log(c / (c + d));
		r->se = sqrt(1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d));
	}
	r->estimate = exp(lr);
	r->statistic_kind = EKS_STATISTIC_Z;
	r->df = INFINITY;
	r->statistic = lr / r->se;
	r->p_value = fmin(1.0, 2.0 * eks_rm_pnorm(-fabs(r->statistic), 1));
	r->ci_low = exp(lr - z * r->se);
	r->ci_high = exp(lr + z * r->se);
}

int eks_stats_prop2(eks_stats_result *out, eks_prop2_method method,
		    long long x_a, long long n_a, long long x_b, long long n_b,
		    double conf_level)
{
	eks_stats_result r = { 0 };
	double xa = (double)x_a, na = (double)n_a, xb = (double)x_b;
	double nb = (double)n_b, z, chisq, yates = 0.0, width;
	int rc;

	if ((rc = eks_stats_check_conf(conf_level)) < 0 ||
	    (rc = eks_stats_check_counts(x_a, n_a, "A")) < 0 ||
	    (rc = eks_stats_check_counts(x_b, n_b, "B")) < 0)
		return rc;
	z = eks_stats_crit(conf_level, INFINITY);
	r.conf_level = conf_level;
	r.group_a = xa / na;
	r.group_b = xb / nb;
	r.estimate = eks_stats_prop_difference(x_a, n_a, x_b, n_b);
	r.se = sqrt(r.group_a * (1.0 - r.group_a) / na +
		    r.group_b * (1.0 - r.group_b) / nb);
	r.statistic_kind = EKS_STATISTIC_CHISQ;
	r.df = 1.0;

	switch (method) {
	case EKS_PROP2_RATIO:
	case EKS_PROP2_ODDS_RATIO:
		log_ratio(&r, method == EKS_PROP2_ODDS_RATIO, xa, na, xb, nb, z);
		goto done;
	case EKS_PROP2_NEWCOMBE:
	case EKS_PROP2_FISHER:
		newcombe(&r, xa, na, xb, nb, z);
		break;
	case EKS_PROP2_YATES:
		/* R prop.test: YATES <- min(0.5, abs(DELTA) / sum(1/n)) */
		yates = fmin(0.5, fabs(r.estimate) / (1.0 / na + 1.0 / nb));
		/* fall through */
	case EKS_PROP2_WALD:
		width = z * r.se + yates * (1.0 / na + 1.0 / nb);
		r.ci_low = fmax(r.estimate - width, -1.0);
		r.ci_high = fmin(r.estimate + width, 1.0);
		break;
	default:
		return eks_error_set(EKS_EUSAGE, "unknown method for two proportions");
	}

	if (method == EKS_PROP2_FISHER) {
		double p;

		eks_stats_fisher_2x2(&p, x_a, n_a, x_b, n_b, EKS_ALT_TWO_SIDED);
		r.statistic_kind = EKS_STATISTIC_NONE;
		r.df = 0.0;
		r.p_value = p;
		goto done;
	}
	chisq = pooled_chisq(xa, na, xb, nb, yates);
	if (chisq < 0.0) {
		/* no events at all, or nothing but events: nothing to test */
		r.status = EKS_STATS_NO_VARIANCE;
		r.statistic = 0.0;
		r.p_value = 1.0;
		goto done;
	}
	r.statistic = chisq;
	r.p_value = eks_rm_pchisq(chisq, 1.0, 0.0, 0);
done:
	*out = r;
	return 0;
}

int eks_stats_prop2_auto(eks_prop2_method *out, long long x_a, long long n_a,
			 long long x_b, long long n_b)
{
	double total, events, e[4];
	int rc, i;

	if ((rc = eks_stats_check_counts(x_a, n_a, "A")) < 0 ||
	    (rc = eks_stats_check_counts(x_b, n_b, "B")) < 0)
		return rc;
	total = (double)n_a + (double)n_b;
	events = (double)x_a + (double)x_b;
	e[0] = (double)n_a * events / total;
	e[1] = (double)n_a * (total - events) / total;
	e[2] = (double)n_b * events / total;
	e[3] = (double)n_b * (total - events) / total;
	*out = EKS_PROP2_NEWCOMBE;
	for (i = 0; i < 4; i++)
		if (e[i] < 5.0)
			*out = EKS_PROP2_FISHER;
	return 0;
}

/* ------------------------------------------------------------------ against a margin */

/*
 * p_a - p_b without the rounding of two divisions: (x_a n_b - x_b n_a) /
 * (n_a n_b), each product carried exactly as a pair of doubles (fma), so
 * that 30/100 - 20/100 is 0.1 itself and compares equal to a minimum
 * effect of 0.1 (SPEC 6.3, ties).
 */
double eks_stats_prop_difference(long long x_a, long long n_a, long long x_b,
				 long long n_b)
{
	double xa = (double)x_a, na = (double)n_a, xb = (double)x_b;
	double nb = (double)n_b;
	double h1 = xa * nb, l1 = fma(xa, nb, -h1);
	double h2 = xb * na, l2 = fma(xb, na, -h2);

	return ((h1 - h2) + (l1 - l2)) / (na * nb);
}

/* Beyond this critical value (a one-sided level below 1e-300) an
 * interval that has not reached the margin never will, for our purposes. */
#define Z_MAX 38.0

/* An interval as a function of its critical value z >= 0 (the two-sided
 * level 2 pnorm(z) - 1). */
typedef struct interval_fn {
	eks_prop2_method method;
	double xa, na, xb, nb;
	double d;                /* the estimate */
	double se;               /* Wald se of d (YATES, WALD) */
	double yc;               /* the continuity term YATES * sum(1/n) */
	double delta;            /* the value the bound is compared with */
	int upper;               /* which bound bound_gap() follows */
} interval_fn;

static void interval_at(const interval_fn *f, double z, double *low, double *high)
{
	if (f->method == EKS_PROP2_NEWCOMBE || f->method == EKS_PROP2_FISHER) {
		newcombe_at(low, high, f->xa, f->na, f->xb, f->nb, f->d, z);
		return;
	}
	/* prop.test: d +- (z se + YATES sum(1/n)), clipped to [-1, 1] */
	*low = fmax(f->d - (z * f->se + f->yc), -1.0);
	*high = fmin(f->d + (z * f->se + f->yc), 1.0);
}

static double bound_gap(double z, void *ctx)
{
	interval_fn *f = ctx;
	double low, high;

	interval_at(f, z, &low, &high);
	return (f->upper ? high : low) - f->delta;
}

/*
 * The smallest z >= 0 at which the lower (upper) bound reaches f->delta,
 * moving away from the estimate; INFINITY when it never does.  The bound
 * moves monotonically with z, but may stop at -1 or 1 (prop.test clips
 * its interval there), so the bound can reach delta and stay on it:
 * bisection finds where it first does, to the last bit of z.
 */
static int touching_z(double *z, interval_fn *f, int upper)
{
	double lo = 0.0, hi = Z_MAX, g0;

	f->upper = upper;
	g0 = bound_gap(0.0, f);
	if (g0 == 0.0) {
		*z = 0.0;
		return 0;
	}
	if ((g0 > 0) == (bound_gap(Z_MAX, f) > 0) && bound_gap(Z_MAX, f) != 0.0) {
		*z = INFINITY;
		return 0;
	}
	/* invariant: the bound has not reached delta at lo, has at hi */
	for (;;) {
		double mid = lo + (hi - lo) / 2.0, g;

		if (mid <= lo || mid >= hi)
			break;
		g = bound_gap(mid, f);
		if (g != 0.0 && (g > 0) == (g0 > 0))
			lo = mid;
		else
			hi = mid;
	}
	*z = hi;
	return 0;
}

/*
 * The one-sided p-value of H0: theta <= delta (alternative GREATER) or
 * H0: theta >= delta (LESS) that inverts the interval f: the one-sided
 * level at which the interval's bound touches delta (SPEC 6.3, "one
 * interval, one p").  For GREATER, when the interval at level 0 lies
 * above delta this is 1 - pnorm(z) with z where the lower bound reaches
 * delta; when it lies below, pnorm(z) with z where the upper bound does;
 * when it contains delta (Yates' interval has width at level 0), 0.5.
 */
static int invert_interval(double *p_value, interval_fn *f,
			   eks_alternative alternative)
{
	double low0, high0, z;
	int rc, above;

	interval_at(f, 0.0, &low0, &high0);
	if (low0 <= f->delta && f->delta <= high0) {
		*p_value = 0.5;
		return 0;
	}
	above = low0 > f->delta;
	if ((rc = touching_z(&z, f, !above)) < 0)
		return rc;
	/* the tail beyond z: the p when the data point away from H0 */
	*p_value = isinf(z) ? 0.0 : eks_rm_pnorm(z, 0);
	if (above != (alternative == EKS_ALT_GREATER))
		*p_value = isinf(z) ? 1.0 : eks_rm_pnorm(z, 1);
	return 0;
}

int eks_stats_prop2_p_shifted(double *p_value, eks_prop2_method method,
			      long long x_a, long long n_a, long long x_b,
			      long long n_b, double delta,
			      eks_alternative alternative)
{
	interval_fn f;
	int rc;

	if ((rc = eks_stats_check_counts(x_a, n_a, "A")) < 0 ||
	    (rc = eks_stats_check_counts(x_b, n_b, "B")) < 0)
		return rc;
	if (!isfinite(delta))
		return eks_error_set(EKS_EUSAGE, "the value to compare with is not a number");
	if (alternative != EKS_ALT_GREATER && alternative != EKS_ALT_LESS)
		return eks_error_set(EKS_EUSAGE, "a p against a margin is one-sided");
	if (method == EKS_PROP2_RATIO || method == EKS_PROP2_ODDS_RATIO) {
		eks_stats_result r = { 0 };

		log_ratio(&r, method == EKS_PROP2_ODDS_RATIO, (double)x_a,
			  (double)n_a, (double)x_b, (double)n_b, 1.0);
		return eks_stats_p_value(p_value, log(r.estimate), r.se, INFINITY,
					 delta, alternative);
	}
	memset(&f, 0, sizeof(f));
	f.method = method;
	f.xa = (double)x_a;
	f.na = (double)n_a;
	f.xb = (double)x_b;
	f.nb = (double)n_b;
	f.d = eks_stats_prop_difference(x_a, n_a, x_b, n_b);
	f.delta = delta;
	if (method == EKS_PROP2_YATES || method == EKS_PROP2_WALD) {
		double pa = f.xa / f.na, pb = f.xb / f.nb;

		f.se = sqrt(pa * (1.0 - pa) / f.na + pb * (1.0 - pb) / f.nb);
		if (method == EKS_PROP2_YATES)
			f.yc = fmin(0.5 * (1.0 / f.na + 1.0 / f.nb), fabs(f.d));
	} else if (method != EKS_PROP2_NEWCOMBE && method != EKS_PROP2_FISHER) {
		return eks_error_set(EKS_EUSAGE, "unknown method for two proportions");
	}
	return invert_interval(p_value, &f, alternative);
}

/*
 * One proportion: inverting the Wilson interval is the score test of
 * p0 (Wilson 1927), and inverting Clopper-Pearson's is the exact
 * one-sided binomial test (Clopper & Pearson 1934), so both have a
 * closed form.  A p0 outside (0, 1) lies beyond every bound.
 */
int eks_stats_prop1_p_shifted(double *p_value, int exact, long long x,
			      long long n, double p0,
			      eks_alternative alternative)
{
	double dx = (double)x, dn = (double)n, z;
	int greater = alternative == EKS_ALT_GREATER, rc;

	if ((rc = eks_stats_check_counts(x, n, "A")) < 0)
		return rc;
	if (isnan(p0))
		return eks_error_set(EKS_EUSAGE, "the value to compare with is not a number");
	if (alternative != EKS_ALT_GREATER && alternative != EKS_ALT_LESS)
		return eks_error_set(EKS_EUSAGE, "a p against a margin is one-sided");
	/* At the ends: a lower bound is 0 only for x = 0 and an upper
	 * bound 1 only for x = n, in both intervals. */
	if (greater && (p0 <= 0.0 || p0 >= 1.0)) {
		*p_value = p0 < 0.0 ? 0.0 : p0 == 0.0 ? (x == 0) : 1.0;
		return 0;
	}
	if (!greater && (p0 <= 0.0 || p0 >= 1.0)) {
		*p_value = p0 > 1.0 ? 0.0 : p0 == 1.0 ? (x == n) : 1.0;
		return 0;
	}
	if (exact) {
		/* P[X >= x | p0] and P[X <= x | p0] */
		*p_value = greater ? (x == 0 ? 1.0 : eks_rm_pbinom(dx - 1.0, dn, p0, 0)) :
			eks_rm_pbinom(dx, dn, p0, 1);
		return 0;
	}
	z = (dx / dn - p0) / sqrt(p0 * (1.0 - p0) / dn);
	*p_value = eks_rm_pnorm(z, greater ? 0 : 1);
	return 0;
}
