/*
 * stats_power.c - power and sample size (SPEC 6.5) as R power.t.test and
 * power.prop.test with strict = FALSE, and the Brent root finder they use.
 */
#include <float.h>
#include <math.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

/* Absolute tolerance of the root finder; with Brent's 4*eps*|x| term this
 * pins n, delta and p2 to ~1e-12, far below the 1e-6 the R reference
 * values are checked at. */
#define ROOT_TOL 1e-12

/* The search for n gives up here, like R's 1e7 with extendInt, but wider. */
#define N_MAX 1e9

/*
 * Brent (1973), ch. 4 "zero": keeps a bracket [b, c] with f(b) f(c) <= 0
 * and b the best point so far; tries inverse quadratic interpolation (or
 * the secant through a and b), and falls back to bisection whenever the
 * step would not shrink the bracket fast enough.
 */
int eks_stats_brent(double *root, eks_stats_fn f, void *ctx,
		    double lo, double hi, double f_lo, double f_hi, double tol)
{
	double a = lo, b = hi, c, fa = f_lo, fb = f_hi, fc, d, e;
	int iter;

	if (!isfinite(fa) || !isfinite(fb) || (fa > 0) == (fb > 0)) {
		if (fa == 0.0 || fb == 0.0) {
			*root = fa == 0.0 ? a : b;
			return 0;
		}
		return eks_error_set(EKS_ERROR, "no solution in the search range");
	}
	c = a;
	fc = fa;
	d = e = b - a;
	for (iter = 0; iter < 1000; iter++) {
		double tol1, xm, p, q, r, s;

		if ((fb > 0) == (fc > 0)) {
			c = a;
			fc = fa;
			d = e = b - a;
		}
		if (fabs(fc) < fabs(fb)) {
			a = b;
			b = c;
			c = a;
			fa = fb;
			fb = fc;
			fc = fa;
		}
		tol1 = 2.0 * DBL_EPSILON * fabs(b) + 0.5 * tol;
		xm = 0.5 * (c - b);
		if (fabs(xm) <= tol1 || fb == 0.0) {
			*root = b;
			return 0;
		}
		if (fabs(e) >= tol1 && fabs(fa) > fabs(fb)) {
			s = fb / fa;
			if (a == c) {
				p = 2.0 * xm * s;
				q = 1.0 - s;
			} else {
				q = fa / fc;
				r = fb / fc;
				p = s * (2.0 * xm * q * (q - r) - (b - a) * (r - 1.0));
				q = (q - 1.0) * (r - 1.0) * (s - 1.0);
			}
			if (p > 0.0)
				q = -q;
			else
				p = -p;
			if (2.0 * p < fmin(3.0 * xm * q - fabs(tol1 * q),
					   fabs(e * q))) {
				e = d;
				d = p / q;
			} else {
				d = xm;
				e = d;
			}
		} else {
			d = xm;
			e = d;
		}
		a = b;
		fa = fb;
		b += fabs(d) > tol1 ? d : copysign(tol1, xm);
		fb = f(b, ctx);
		if (!isfinite(fb))
			return eks_error_set(EKS_ERROR,
					     "the power function failed at %g", b);
	}
	return eks_error_set(EKS_ERROR, "the root finder did not converge");
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

	return eks_rm_pnt(qu, nu, sqrt(s->n / s->samples) * s->delta / s->sd, 0);
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

/*
 * Find x in [lo, hi] where f rises through 0.  When f(hi) < 0 the upper
 * end moves out (x 10) up to `max`, as R's uniroot(extendInt = "upX");
 * when f(lo) > 0 already, the root is below `lo`, searched for down to
 * `floor` (where the quantity stops making sense; then `floor` itself).
 */
static int rising_root(double *root, eks_stats_fn f, void *ctx, double lo,
		       double hi, double floor_, double max, const char *what)
{
	double f_lo = f(lo, ctx), f_hi = f(hi, ctx);

	if (!isfinite(f_lo) || !isfinite(f_hi))
		return eks_error_set(EKS_ERROR, "cannot compute the power");
	while (f_hi < 0.0 && hi < max) {
		lo = hi;
		f_lo = f_hi;
		hi = fmin(hi * 10.0, max);
		f_hi = f(hi, ctx);
		if (!isfinite(f_hi))
			return eks_error_set(EKS_ERROR, "cannot compute the power");
	}
	if (f_hi < 0.0)
		return eks_error_set(EKS_ERROR,
				     "no %s up to %g reaches the requested power",
				     what, max);
	if (f_lo > 0.0) {
		hi = lo;
		f_hi = f_lo;
		lo = floor_;
		f_lo = f(lo, ctx);
		if (!isfinite(f_lo))
			return eks_error_set(EKS_ERROR, "cannot compute the power");
		if (f_lo >= 0.0) {
			*root = floor_;
			return 0;
		}
	}
	return eks_stats_brent(root, f, ctx, lo, hi, f_lo, f_hi, ROOT_TOL);
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
	/* at least one degree of freedom: nu = (n - 1) * samples >= 1 */
	if (unknown != EKS_POWER_SOLVE_N &&
	    (!(spec->n >= 1.0 + 1.0 / spec->samples) || spec->n > N_MAX))
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
			return eks_error_set(EKS_ERROR, "cannot compute the power");
		return 0;
	case EKS_POWER_SOLVE_N:
		if (!(spec->delta > 0.0))
			return eks_error_set(EKS_EUSAGE,
					     "delta must be positive to solve for n");
		/* R: uniroot over c(2, 1e7), extendInt = "upX"; the lowest n
		 * with at least one degree of freedom per group is 1 + 1/samples */
		rc = rising_root(&root, t_gap, &c, 2.0, 1e7,
				 1.0 + 1.0 / spec->samples, N_MAX, "n");
		if (rc < 0)
			return rc;
		spec->n = root;
		return 0;
	case EKS_POWER_SOLVE_DELTA:
		/* R: uniroot over sd * c(1e-7, 1e7), extendInt = "upX" */
		rc = rising_root(&root, t_gap, &c, spec->sd * 1e-7,
				 spec->sd * 1e7, spec->sd * 1e-7, spec->sd * 1e7,
				 "difference");
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
	    (!(spec->n > 0.0) || spec->n > N_MAX))
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
		/* R: uniroot over c(1, 1e7), extendInt = "upX" */
		rc = rising_root(&root, prop_gap, &c, 1.0, 1e7, 1e-9, N_MAX, "n");
		if (rc < 0)
			return rc;
		spec->n = root;
		return 0;
	case EKS_POWER_SOLVE_P2: {
		/* R: uniroot over c(p1, 1); the power rises with p2 there */
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
