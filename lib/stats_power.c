/*
 * stats_power.c - power and sample size (SPEC 6.5) as R power.t.test and
 * power.prop.test with strict = FALSE, and the root finder they use.
 *
 * R solves with uniroot(), which widens the search interval when the root
 * is outside it (extendInt) and then runs Brent's zero finder on the widened
 * interval.  Near n = 1 the power of power.t.test is not monotone for large
 * delta/sd (Rmath's pnt approximates for tiny df), so the function can cross
 * the requested power more than once; to give R's root there too, both steps
 * below follow R's (R 4.2, src/library/stats/R/optimize.R uniroot and
 * src/library/stats/src/zeroin.c) step for step, on the same formulas and
 * the same Rmath.
 */
#include <float.h>
#include <math.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

/* The tolerance R is asked for (uniroot(tol = 1e-12)); R's default,
 * .Machine$double.eps^0.25 = 1.2e-4, is what makes R's printed n differ
 * from the exact root in the fifth digit. */
#define ROOT_TOL 1e-12

/* R's uniroot(maxiter = 1000): iterations of Brent, and steps widening. */
#define ROOT_MAXIT 1000

/* No n beyond this per arm is searched for: R would go on widening. */
#define N_MAX 1e9

/*
 * Brent (1973), ch. 4 "zero", in the form of R's R_zeroin2 (the C version
 * of netlib's zeroin.c): [b, c] brackets the root, b is the best point so
 * far and a the previous one; each step is inverse quadratic interpolation
 * (the secant when a == c) when it falls well inside the bracket and
 * shrinks fast enough, bisection otherwise, and never shorter than the
 * tolerance.  Same order of operations as R, so the same iterates.
 */
int eks_stats_brent(double *root, eks_stats_fn f, void *ctx,
		    double lo, double hi, double f_lo, double f_hi, double tol)
{
	double a = lo, b = hi, c = lo, fa = f_lo, fb = f_hi, fc = f_lo;
	int iter;

	if (isnan(fa) || isnan(fb))
		return eks_error_set(EKS_ERROR, "cannot compute the power");
	if (fa == 0.0) {
		*root = a;
		return 0;
	}
	if (fb == 0.0) {
		*root = b;
		return 0;
	}
	if ((fa > 0) == (fb > 0))
		return eks_error_set(EKS_ERROR, "no solution in the search range");
	for (iter = 0; iter <= ROOT_MAXIT; iter++) {
		double prev_step = b - a, tol_act, new_step, p, q;

		if (fabs(fc) < fabs(fb)) {
			a = b;
			b = c;
			c = a;
			fa = fb;
			fb = fc;
			fc = fa;
		}
		tol_act = 2.0 * DBL_EPSILON * fabs(b) + tol / 2.0;
		new_step = (c - b) / 2.0;
		if (fabs(new_step) <= tol_act || fb == 0.0) {
			*root = b;
			return 0;
		}
		if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {
			double t1, t2, cb = c - b;

			if (a == c) {
				t1 = fb / fa;
				p = cb * t1;
				q = 1.0 - t1;
			} else {
				q = fa / fc;
				t1 = fb / fc;
				t2 = fb / fa;
				p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
				q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
			}
			if (p > 0.0)
				q = -q;
			else
				p = -p;
			if (p < (0.75 * cb * q - fabs(tol_act * q) / 2.0) &&
			    p < fabs(prev_step * q / 2.0))
				new_step = p / q;
		}
		if (fabs(new_step) < tol_act)
			new_step = new_step > 0.0 ? tol_act : -tol_act;
		a = b;
		fa = fb;
		b += new_step;
		fb = f(b, ctx);
		if (isnan(fb))
			return eks_error_set(EKS_ERROR,
					     "cannot compute the power at %g", b);
		if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
			c = a;
			fc = fa;
		}
	}
	return eks_error_set(EKS_ERROR, "the root finder did not converge");
}

/* ------------------------------------------------------------------ uniroot */

/*
 * A root of f, which rises through 0, as R's uniroot(f, c(lo, hi),
 * extendInt = "upX", tol = 1e-12): while f(lo) > 0 the lower end moves
 * down, and while f(hi) < 0 the upper end moves up, each by 1 % of its
 * starting value (at least 1e-6), doubling every step; then Brent's zero
 * on the widened interval.  Two limits R does not have: the lower end
 * stops at `floor_`, where the formula stops being defined (R fails
 * there with NaN), and the upper end at `max`, beyond which there is no
 * answer (EKS_ERROR, the message naming `what`).
 */
static int upx_root(double *root, eks_stats_fn f, void *ctx, double lo,
		    double hi, double floor_, double max, const char *what)
{
	double f_lo = f(lo, ctx), f_hi = f(hi, ctx), step;
	int it = 0;

	if (isnan(f_lo) || isnan(f_hi))
		return eks_error_set(EKS_EUSAGE,
				     "cannot compute the power for these values");
	step = 0.01 * fmax(1e-4, fabs(lo));
	while (f_lo > 0.0 && lo > floor_) {
		if (++it > ROOT_MAXIT)
			return eks_error_set(EKS_ERROR,
					     "no %s found below %g", what, lo);
		lo = fmax(lo - step, floor_);
		f_lo = f(lo, ctx);
		if (isnan(f_lo))
			return eks_error_set(EKS_EUSAGE,
					     "cannot compute the power at %s = %g",
					     what, lo);
		step *= 2.0;
	}
	if (f_lo > 0.0) {
		/* the requested power is reached at the floor itself */
		*root = floor_;
		return 0;
	}
	step = 0.01 * fmax(1e-4, fabs(hi));
	while (f_hi < 0.0 && hi < max) {
		if (++it > ROOT_MAXIT)
			break;
		hi = fmin(hi + step, max);
		f_hi = f(hi, ctx);
		if (isnan(f_hi))
			return eks_error_set(EKS_EUSAGE,
					     "cannot compute the power at %s = %g",
					     what, hi);
		step *= 2.0;
	}
	if (f_hi < 0.0)
		return eks_error_set(EKS_ERROR,
				     "no %s up to %g reaches the requested power",
				     what, hi);
	return eks_stats_brent(root, f, ctx, lo, hi, f_lo, f_hi, ROOT_TOL);
}

/* ------------------------------------------------------------------ t */

struct t_ctx {
	eks_power_t_spec spec;
	eks_power_unknown unknown;
};

/*
 * R power.t.test, strict = FALSE:
 *   nu = max(1e-7, n - 1) * tsample
 *   power = pt(qt(sig.level/tside, nu, lower = FALSE), nu,
 *              ncp = sqrt(n/tsample) * delta/sd, lower = FALSE)
 */
static double t_power(const eks_power_t_spec *s)
{
	double nu = fmax(1e-7, s->n - 1.0) * s->samples;
	double qu = eks_rm_qt(s->alpha / s->sides, nu, 0);
	double ncp = sqrt(s->n / s->samples) * s->delta / s->sd;

	/* Rmath's pnt with an infinite ncp (delta/sd near DBL_MAX): an
	 * infinite t first, then its normal approximation with mean ncp */
	if (isinf(ncp) && !isnan(qu))
		return qu == INFINITY || ncp < 0 ? 0.0 : 1.0;
	return eks_rm_pnt(qu, nu, ncp, 0);
}

static double t_gap(double x, void *arg)
{
	struct t_ctx *c = arg;
	eks_power_t_spec s = c->spec;

	if (c->unknown == EKS_POWER_SOLVE_N)
		s.n = x;
	else
		s.delta = x;
	return t_power(&s) - s.power;
}

static int check_common(double alpha, int sides)
{
	if (!(alpha > 0.0 && alpha < 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "alpha must lie between 0 and 1, not %g", alpha);
	if (sides != 1 && sides != 2)
		return eks_error_set(EKS_EUSAGE,
				     "sides must be 1 or 2, not %d", sides);
	return 0;
}

static int check_power(double power, double alpha, int sides)
{
	/* below alpha/sides no effect is needed; R fails there too */
	if (!(power > alpha / sides && power < 1.0))
		return eks_error_set(EKS_EUSAGE,
				     "power must lie between %g and 1, not %g",
				     alpha / sides, power);
	return 0;
}

int eks_power_t_solve(eks_power_t_spec *spec, eks_power_unknown unknown)
{
	struct t_ctx c;
	double root;
	int rc;

	if ((rc = check_common(spec->alpha, spec->sides)) < 0)
		return rc;
	if (spec->samples != 1 && spec->samples != 2)
		return eks_error_set(EKS_EUSAGE,
				     "samples must be 1 or 2, not %d", spec->samples);
	if (!(spec->sd > 0.0) || !isfinite(spec->sd))
		return eks_error_set(EKS_EUSAGE,
				     "sd must be a positive number, not %g", spec->sd);
	/* at least one degree of freedom: nu = (n - 1) * samples >= 1; R
	 * takes any n, but below that the power is 0 or an artefact */
	if (unknown != EKS_POWER_SOLVE_N &&
	    (!(spec->n >= 1.0 + 1.0 / spec->samples) || !isfinite(spec->n)))
		return eks_error_set(EKS_EUSAGE,
				     "n must be at least %g, not %g",
				     1.0 + 1.0 / spec->samples, spec->n);
	if (unknown != EKS_POWER_SOLVE_DELTA && !isfinite(spec->delta))
		return eks_error_set(EKS_EUSAGE, "delta must be a number");
	if (unknown != EKS_POWER_SOLVE_POWER &&
	    (rc = check_power(spec->power, spec->alpha, spec->sides)) < 0)
		return rc;
	/* R: two-sided power depends on |delta| only */
	if (spec->sides == 2)
		spec->delta = fabs(spec->delta);

	c.spec = *spec;
	c.unknown = unknown;
	switch (unknown) {
	case EKS_POWER_SOLVE_POWER:
		spec->power = t_power(spec);
		if (!isfinite(spec->power))
			return eks_error_set(EKS_EUSAGE,
					     "cannot compute the power for n = %g, difference %g and sd %g",
					     spec->n, spec->delta, spec->sd);
		return 0;
	case EKS_POWER_SOLVE_N:
		if (!(spec->delta > 0.0))
			return eks_error_set(EKS_EUSAGE,
					     "delta must be positive to solve for n");
		/*
		 * R: uniroot over c(2, 1e7), extendInt = "upX".  When n = 2 is
		 * already enough the lower end moves down, to 0.74 at most:
		 * there, as anywhere with n <= 1, nu = 1e-7 samples, the t
		 * quantile is infinite and the power 0, so R always finds its
		 * root above n = 1 (below 2 it may be an artefact of pnt for
		 * tiny df, but it is R's, and R's own search is repeated).
		 */
		rc = upx_root(&root, t_gap, &c, 2.0, 1e7, 0.0, N_MAX, "n");
		if (rc < 0)
			return rc;
		spec->n = root;
		return 0;
	case EKS_POWER_SOLVE_DELTA:
		/* R: uniroot over sd * c(1e-7, 1e7), extendInt = "upX" */
		rc = upx_root(&root, t_gap, &c, spec->sd * 1e-7, spec->sd * 1e7,
			      -HUGE_VAL, spec->sd * 1e7, "difference");
		if (rc < 0)
			return rc;
		spec->delta = root;
		return 0;
	default:
		break;
	}
	return eks_error_set(EKS_EUSAGE, "cannot solve power.t.test for that");
}

/* ------------------------------------------------------------------ proportions */

struct prop_ctx {
	eks_power_prop_spec spec;
	eks_power_unknown unknown;
};

/*
 * R power.prop.test, strict = FALSE (Fleiss, Tytun & Ury 1980 without
 * continuity correction):
 *   power = pnorm((sqrt(n) |p1 - p2| - qnorm(sig.level/tside, lower = FALSE)
 *                  * sqrt((p1 + p2) (1 - (p1 + p2)/2)))
 *                 / sqrt(p1 (1 - p1) + p2 (1 - p2)))
 */
static double prop_power(const eks_power_prop_spec *s)
{
	double qu = eks_rm_qnorm(s->alpha / s->sides, 0);
	double sum = s->p1 + s->p2;
	double den = sqrt(s->p1 * (1.0 - s->p1) + s->p2 * (1.0 - s->p2));

	return eks_rm_pnorm((sqrt(s->n) * fabs(s->p1 - s->p2) -
			     qu * sqrt(sum * (1.0 - sum / 2.0))) / den, 1);
}

static double prop_gap(double x, void *arg)
{
	struct prop_ctx *c = arg;
	eks_power_prop_spec s = c->spec;

	if (c->unknown == EKS_POWER_SOLVE_N)
		s.n = x;
	else
		s.p2 = x;
	return prop_power(&s) - s.power;
}

static int is_prob(double p)
{
	return p > 0.0 && p < 1.0;
}

int eks_power_prop_solve(eks_power_prop_spec *spec, eks_power_unknown unknown)
{
	struct prop_ctx c;
	double root;
	int rc;

	if ((rc = check_common(spec->alpha, spec->sides)) < 0)
		return rc;
	if (!is_prob(spec->p1))
		return eks_error_set(EKS_EUSAGE,
				     "p1 must lie strictly between 0 and 1, not %g",
				     spec->p1);
	if (unknown != EKS_POWER_SOLVE_P2 && !is_prob(spec->p2))
		return eks_error_set(EKS_EUSAGE,
				     "p2 must lie strictly between 0 and 1, not %g",
				     spec->p2);
	if (unknown != EKS_POWER_SOLVE_N &&
	    (!(spec->n > 0.0) || !isfinite(spec->n)))
		return eks_error_set(EKS_EUSAGE,
				     "n must be positive, not %g", spec->n);
	if (unknown != EKS_POWER_SOLVE_POWER &&
	    (rc = check_power(spec->power, spec->alpha, spec->sides)) < 0)
		return rc;

	c.spec = *spec;
	c.unknown = unknown;
	switch (unknown) {
	case EKS_POWER_SOLVE_POWER:
		spec->power = prop_power(spec);
		return 0;
	case EKS_POWER_SOLVE_N:
		if (spec->p1 == spec->p2)
			return eks_error_set(EKS_EUSAGE,
					     "p1 and p2 must differ to solve for n");
		/*
		 * R: uniroot over c(1, 1e7), extendInt = "upX".  The lower end
		 * moves down from 1 to 0.37 and then to -0.27, where R fails
		 * (NaN); here it stops at 0, where the power is at most
		 * alpha/sides (the pooled variance is the larger), so below
		 * the power asked for, and the root below 0.37 is found too.
		 */
		rc = upx_root(&root, prop_gap, &c, 1.0, 1e7, 0.0, N_MAX, "n");
		if (rc < 0)
			return rc;
		spec->n = root;
		return 0;
	case EKS_POWER_SOLVE_P2: {
		/* R: uniroot over c(p1, 1), extendInt = "yes", which only
		 * widens when f(1) < 0, since f(p1) = alpha/sides - power < 0 */
		double f_lo = prop_gap(spec->p1, &c), f_hi = prop_gap(1.0, &c);

		if (f_hi < 0.0)
			return eks_error_set(EKS_ERROR,
					     "no p2 above %g reaches the requested power with n = %g",
					     spec->p1, spec->n);
		rc = eks_stats_brent(&root, prop_gap, &c, spec->p1, 1.0, f_lo,
				     f_hi, ROOT_TOL);
		if (rc < 0)
			return rc;
		spec->p2 = root;
		return 0;
	}
	default:
		break;
	}
	return eks_error_set(EKS_EUSAGE, "cannot solve power.prop.test for that");
}
