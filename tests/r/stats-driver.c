/*
 * stats-driver.c - run statistics cases read from stdin through
 * lib/stats_*.c and print the results, for tests/r/check-r.R.
 *
 * One case a line: a command word and its numbers, separated by spaces.
 * One result line per case: the numbers, or "error <code>".
 *
 *   welch|student   nx x... ny y...           -> t df p lo hi
 *   welch_s|student_s n1 m1 s1 n2 m2 s2        -> t df p lo hi
 *   one             mu n x...                  -> t df p lo hi
 *   paired          n a... b...                -> t df p lo hi
 *   wilson          x n p0 correct conf        -> statistic p lo hi
 *   exact           x n p0 alt conf            -> p lo hi
 *   prop2           method x1 n1 x2 n2 conf    -> estimate statistic p lo hi
 *   fisher          x1 n1 x2 n2 alt            -> p
 *   adjust          method n p...              -> adjusted...
 *   power_t         unknown n delta sd alpha power sides -> answer
 *   power_prop      unknown n p1 p2 alpha power sides    -> answer
 *   did_mean        (n m s) x 4 conf           -> estimate se df p lo hi
 *   did_prop        (x n) x 4 conf             -> estimate se p lo hi
 *   tost            est se df low high alpha   -> p lo hi
 *
 * alt: 0 two-sided, 1 less, 2 greater.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/error.h"
#include "eksperiment/stats.h"

#define MAX_TOKENS 8192

static double tok[MAX_TOKENS];
static size_t ntok, pos;

static double next(void)
{
	return pos < ntok ? tok[pos++] : 0.0;
}

static void print_values(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%.17g", i ? " " : "", v[i]);
	putchar('\n');
}

static void print_t(const eks_stats_result *r)
{
	double v[5] = { r->statistic, r->df, r->p_value, r->ci_low, r->ci_high };

	print_values(v, 5);
}

static int values(eks_summary *s, double *store)
{
	size_t n = (size_t)next(), i;

	for (i = 0; i < n; i++)
		store[i] = next();
	return eks_summary_from_values(s, store, n);
}

static int run(const char *cmd)
{
	static double a[MAX_TOKENS], b[MAX_TOKENS];
	eks_stats_result r;
	eks_summary x, y;
	double v[8];
	int rc = 0;

	if (!strcmp(cmd, "welch") || !strcmp(cmd, "student")) {
		if ((rc = values(&x, a)) < 0 || (rc = values(&y, b)) < 0)
			return rc;
		rc = cmd[0] == 'w' ? eks_stats_ttest_welch(&r, &x, &y, 0.95) :
			eks_stats_ttest_student(&r, &x, &y, 0.95);
		if (rc == 0)
			print_t(&r);
	} else if (!strcmp(cmd, "welch_s") || !strcmp(cmd, "student_s")) {
		x.n = (long long)next();
		x.mean = next();
		x.sd = next();
		y.n = (long long)next();
		y.mean = next();
		y.sd = next();
		rc = cmd[0] == 'w' ? eks_stats_ttest_welch(&r, &x, &y, 0.95) :
			eks_stats_ttest_student(&r, &x, &y, 0.95);
		if (rc == 0)
			print_t(&r);
	} else if (!strcmp(cmd, "one")) {
		double mu = next();

		if ((rc = values(&x, a)) < 0)
			return rc;
		if ((rc = eks_stats_ttest_one(&r, &x, mu, 0.95)) == 0)
			print_t(&r);
	} else if (!strcmp(cmd, "paired")) {
		size_t n = (size_t)next(), i;

		for (i = 0; i < n; i++)
			a[i] = next();
		for (i = 0; i < n; i++)
			b[i] = next();
		if ((rc = eks_stats_ttest_paired(&r, a, b, n, 0.95)) == 0)
			print_t(&r);
	} else if (!strcmp(cmd, "wilson")) {
		long long xx = (long long)next(), n = (long long)next();
		double p0 = next(), correct = next(), conf = next();

		rc = eks_stats_prop1_wilson(&r, xx, n, p0, correct != 0, conf);
		if (rc == 0) {
			v[0] = r.statistic;
			v[1] = r.p_value;
			v[2] = r.ci_low;
			v[3] = r.ci_high;
			print_values(v, 4);
		}
	} else if (!strcmp(cmd, "exact")) {
		long long xx = (long long)next(), n = (long long)next();
		double p0 = next(), alt = next(), conf = next();

		rc = eks_stats_prop1_exact(&r, xx, n, p0, (eks_alternative)alt, conf);
		if (rc == 0) {
			v[0] = r.p_value;
			v[1] = r.ci_low;
			v[2] = r.ci_high;
			print_values(v, 3);
		}
	} else if (!strcmp(cmd, "prop2")) {
		int m = (int)next();
		long long x1 = (long long)next(), n1 = (long long)next();
		long long x2 = (long long)next(), n2 = (long long)next();

		rc = eks_stats_prop2(&r, (eks_prop2_method)m, x1, n1, x2, n2, next());
		if (rc == 0) {
			v[0] = r.estimate;
			v[1] = r.statistic;
			v[2] = r.p_value;
			v[3] = r.ci_low;
			v[4] = r.ci_high;
			print_values(v, 5);
		}
	} else if (!strcmp(cmd, "fisher")) {
		long long x1 = (long long)next(), n1 = (long long)next();
		long long x2 = (long long)next(), n2 = (long long)next();

		rc = eks_stats_fisher_2x2(&v[0], x1, n1, x2, n2,
					  (eks_alternative)next());
		if (rc == 0)
			print_values(v, 1);
	} else if (!strcmp(cmd, "adjust")) {
		int m = (int)next();
		size_t n = (size_t)next(), i;

		for (i = 0; i < n; i++)
			a[i] = next();
		if ((rc = eks_stats_p_adjust(b, a, n, (eks_p_adjust_method)m)) == 0)
			print_values(b, n);
	} else if (!strcmp(cmd, "power_t")) {
		eks_power_t_spec s = EKS_POWER_T_SPEC_INIT;
		int u = (int)next();

		s.n = next();
		s.delta = next();
		s.sd = next();
		s.alpha = next();
		s.power = next();
		s.sides = (int)next();
		if ((rc = eks_power_t_solve(&s, (eks_power_unknown)u)) == 0) {
			v[0] = u == EKS_POWER_SOLVE_POWER ? s.power :
				u == EKS_POWER_SOLVE_N ? s.n : s.delta;
			print_values(v, 1);
		}
	} else if (!strcmp(cmd, "power_prop")) {
		eks_power_prop_spec s = EKS_POWER_PROP_SPEC_INIT;
		int u = (int)next();

		s.n = next();
		s.p1 = next();
		s.p2 = next();
		s.alpha = next();
		s.power = next();
		s.sides = (int)next();
		if ((rc = eks_power_prop_solve(&s, (eks_power_unknown)u)) == 0) {
			v[0] = u == EKS_POWER_SOLVE_POWER ? s.power :
				u == EKS_POWER_SOLVE_N ? s.n : s.p2;
			print_values(v, 1);
		}
	} else if (!strcmp(cmd, "did_mean")) {
		eks_summary g[4];
		int i;

		for (i = 0; i < 4; i++) {
			g[i].n = (long long)next();
			g[i].mean = next();
			g[i].sd = next();
		}
		if ((rc = eks_stats_did_mean(&r, g, next())) == 0) {
			v[0] = r.estimate;
			v[1] = r.se;
			v[2] = r.df;
			v[3] = r.p_value;
			v[4] = r.ci_low;
			v[5] = r.ci_high;
			print_values(v, 6);
		}
	} else if (!strcmp(cmd, "did_prop")) {
		long long xs[4], ns[4];
		int i;

		for (i = 0; i < 4; i++) {
			xs[i] = (long long)next();
			ns[i] = (long long)next();
		}
		if ((rc = eks_stats_did_prop(&r, xs, ns, next())) == 0) {
			v[0] = r.estimate;
			v[1] = r.se;
			v[2] = r.p_value;
			v[3] = r.ci_low;
			v[4] = r.ci_high;
			print_values(v, 5);
		}
	} else if (!strcmp(cmd, "tost")) {
		eks_stats_tost e;
		double est = next(), se = next(), df = next(), lo = next();
		double hi = next();

		if ((rc = eks_stats_tost_test(&e, est, se, df, lo, hi, next())) == 0) {
			v[0] = e.p_value;
			v[1] = e.ci_low;
			v[2] = e.ci_high;
			print_values(v, 3);
		}
	} else {
		rc = eks_error_set(EKS_EUSAGE, "unknown command '%s'", cmd);
	}
	return rc;
}

int main(void)
{
	static char line[1 << 18];
	char cmd[32];

	while (fgets(line, sizeof(line), stdin)) {
		char *p = line, *end;
		int used = 0, rc;

		if (sscanf(p, "%31s%n", cmd, &used) != 1)
			continue;
		p += used;
		ntok = pos = 0;
		for (;;) {
			double d = strtod(p, &end);

			if (end == p || ntok == MAX_TOKENS)
				break;
			tok[ntok++] = d;
			p = end;
		}
		rc = run(cmd);
		if (rc < 0)
			printf("error %d %s\n", rc, eks_error_last()->message);
	}
	return fflush(stdout) != 0;
}
