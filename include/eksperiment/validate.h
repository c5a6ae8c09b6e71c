/*
 * validate.h - checking files the way `eksperiment validate` does.
 *
 * Ties loader, protocol, log, settings and privacy checks together for one
 * file or one experiment directory.  Knows nothing about git: callers hand
 * in bytes.
 */
#ifndef EKSPERIMENT_VALIDATE_H
#define EKSPERIMENT_VALIDATE_H

#include <stddef.h>
#include "diag.h"
#include "protocol.h"
#include "log.h"
#include "settings.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_FILE_OTHER = 0,
	EKS_FILE_PROTOCOL,     /* experiments/<id>/experiment.yaml */
	EKS_FILE_LOG,          /* experiments/<id>/log.yaml */
	EKS_FILE_SETTINGS      /* eksperiment.yaml */
} eks_file_kind;

/* What a path names, from its file name. */
eks_file_kind eks_file_kind_of(const char *path);

/*
 * Check the bytes of an experiment.yaml: privacy scan, YAML, then SPEC 2.1
 * (with completeness when `strict`; the caller turns warnings into errors
 * for --strict with eks_diag_promote_warnings).  `expected_id` is the
 * directory name (NULL to skip).  On return *out (if out is not NULL)
 * holds the protocol as far as it was read, or NULL when the YAML did not
 * parse; its `root` is NULL (the tree is not kept).  The problems of the
 * file are appended to `diags` sorted by position.  Returns 0 (warnings
 * are fine), EKS_EINVALID when there were errors, or EKS_ENOMEM.
 */
int eks_validate_protocol(eks_protocol **out, const char *path,
			  const char *data, size_t len,
			  const char *expected_id, int strict,
			  eks_diag_list *diags);

/*
 * Check the bytes of a log.yaml against `protocol` (NULL when the protocol
 * itself could not be read: then only the form is checked), and warn about
 * small cells.  `settings` gives min_cell (NULL: EKS_DEFAULT_MIN_CELL).
 * *out (if out is not NULL) gets the log, or NULL when the YAML did not
 * parse.  Returns as eks_validate_protocol.
 */
int eks_validate_log(eks_log **out, const char *path,
		     const char *data, size_t len,
		     const eks_protocol *protocol,
		     const eks_settings *settings, eks_diag_list *diags);

/* Check the bytes of eksperiment.yaml.  *out (if out is not NULL) gets
 * the settings, or NULL when the YAML did not parse. */
int eks_validate_settings(eks_settings **out, const char *path,
			  const char *data, size_t len, eks_diag_list *diags);

#ifdef __cplusplus
}
#endif
#endif
