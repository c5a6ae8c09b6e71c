/*
 * privacy.h - keeping personal data out of git history (SPEC 8.3).
 */
#ifndef EKSPERIMENT_PRIVACY_H
#define EKSPERIMENT_PRIVACY_H

#include <stddef.h>
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * True when the 11 digits at `d` form a valid Norwegian national identity
 * number (fødselsnummer), D-number (day + 40) or H-number (month + 40):
 * a valid date in the first six digits and both mod-11 control digits right.
 */
int eks_fnr_valid(const char d[11]);

/*
 * Scan raw bytes (comments included) for identity numbers: 11 digits not
 * part of a longer run of digits.  Each one found adds an error at its line
 * and column that never repeats the number.  Returns how many were found.
 */
int eks_privacy_scan(const char *path, const char *data, size_t len,
		     eks_diag_list *diags);

#ifdef __cplusplus
}
#endif
#endif
