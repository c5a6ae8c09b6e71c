/*
 * stats_summary.c - n, mean and sd of a group, and pooling of groups.
 */
#include <math.h>
#include <stddef.h>

#include "eksperiment/error.h"
#include "stats_internal.h"

/*
 * Corrected two-pass algorithm (Chan, Golub & LeVeque 1983, "Algorithms
 * for computing the sample variance", Am. Stat. 37:242, eq. 1.7): the
 * first pass finds the mean around a provisional shift (the first value),
 * so the sum never grows with the magnitude of the data; the second sums
 * squared deviations and subtracts the rounding error that the mean
 * carries (the compensation term (sum d)^2 / n).  NIST StRD NumAcc4
 * (values 1e7 +- 0.1) comes out with sd exact to ~1e-9 relative.
 */
int eks_summary_from_values(eks_summary *out, const double *values,
			    size_t count)
{
	double shift, sum = 0.0, mean, ss = 0.0, comp = 0.0, n;
	size_t i;

	if (count == 0)
		return eks_error_set(EKS_EINVALID, "no values to summarise");
	for (i = 0; i < count; i++)
		if (!isfinite(values[i]))
			return eks_error_set(EKS_EINVALID,
					     "value %zu is not a finite number",
					     i + 1);
	n = (double)count;
	shift = values[0];
	for (i = 0; i < count; i++)
		sum += values[i] - shift;
	mean = shift + sum / n;
	for (i = 0; i < count; i++) {
		double d = values[i] - mean;

		ss += d * d;
		comp += d;
	}
	if (!isfinite(mean) || !isfinite(ss))
		return eks_error_set(EKS_EINVALID,
				     "values too large to summarise");
	out->n = (long long)count;
	out->mean = mean;
	if (count < 2) {
		out->sd = 0.0;
	} else {
		double var = (ss - comp * comp / n) / (n - 1.0);

		out->sd = var > 0.0 ? sqrt(var) : 0.0;
	}
	return 0;
}

static int check_group(const eks_summary *g, size_t i)
{
	if (g->n < 0 || !isfinite(g->mean) || !isfinite(g->sd) || g->sd < 0)
		return eks_error_set(EKS_EINVALID,
				     "group %zu: n must be >= 0, the mean a number and the sd >= 0",
				     i + 1);
	return 0;
}

/*
 * Pairwise update of (n, mean, M2) with M2 = sum of squared deviations
 * (Chan, Golub & LeVeque 1979, "Updating formulae and a pairwise algorithm
 * for computing sample variances"):
 *     delta = mean_b - mean_a,  n = n_a + n_b,
 *     mean  = mean_a + delta * n_b / n,
 *     M2    = M2_a + M2_b + delta^2 * n_a * n_b / n.
 * This is exact algebra for the pooled units, so pooling summaries gives
 * what the raw values would have given.
 */
int eks_summary_pool(eks_summary *out, const eks_summary *groups,
		     size_t count)
{
	double n = 0.0, mean = 0.0, m2 = 0.0;
	size_t i;
	int rc;

	for (i = 0; i < count; i++) {
		const eks_summary *g = &groups[i];
		double gn, gm2, delta, total;

		if ((rc = check_group(g, i)) < 0)
			return rc;
		if (g->n == 0)
			continue;
		gn = (double)g->n;
		gm2 = g->n > 1 ? g->sd * g->sd * (gn - 1.0) : 0.0;
		if (n == 0.0) {
			n = gn;
			mean = g->mean;
			m2 = gm2;
			continue;
		}
		total = n + gn;
		delta = g->mean - mean;
		mean += delta * (gn / total);
		m2 += gm2 + delta * delta * (n * gn / total);
		n = total;
	}
	if (n == 0.0)
		return eks_error_set(EKS_EINVALID, "no units to pool");
	if (!isfinite(mean) || !isfinite(m2))
		return eks_error_set(EKS_EINVALID,
				     "values too large to summarise");
	out->n = (long long)n;
	out->mean = mean;
	out->sd = n > 1.0 && m2 > 0.0 ? sqrt(m2 / (n - 1.0)) : 0.0;
	return 0;
}

int eks_summary_add(eks_summary *acc, const eks_summary *more)
{
	eks_summary two[2];

	if (more->n == 0 && acc->n == 0)
		return check_group(more, 1);
	two[0] = *acc;
	two[1] = *more;
	return eks_summary_pool(acc, two, 2);
}
