/*
 * obsfile.h - observations from a file, for `eksperiment log --file`.
 *
 * CSV: a header row naming columns among outcome, arm, timepoint, n,
 * events, mean, sd, value; then one observation per row.  Rows with a
 * `value` each add one raw value: the values of rows with the same
 * (outcome, arm, timepoint) become one observation.  Fields may be quoted
 * as in RFC 4180; an empty field is absent.
 *
 * YAML: a list of observations written as in log.yaml
 * (`- {outcome: neet, arm: molde, timepoint: t1, n: 120, events: 14}`).
 *
 * Problems are reported with the file's path, line and column, and the
 * row number for CSV.  Observations are checked for form here; against
 * the protocol with eks_observation_check().
 */
#ifndef EKSPERIMENT_OBSFILE_H
#define EKSPERIMENT_OBSFILE_H

#include <stddef.h>
#include "diag.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read CSV bytes.  *out (free each with eks_observation_release, then
 * free()) is set even when there were problems.  EKS_EINVALID on problems. */
int eks_observations_from_csv(eks_observation **out, size_t *count,
			      const char *path, const char *data, size_t len,
			      eks_diag_list *diags);

/* Read a YAML list of observations. */
int eks_observations_from_yaml(eks_observation **out, size_t *count,
			       const char *path, const char *data, size_t len,
			       eks_diag_list *diags);

/* Free an array of observations as returned above.  NULL is fine. */
void eks_observations_free(eks_observation *observations, size_t count);

#ifdef __cplusplus
}
#endif
#endif
