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
 * Check the bytes of an experiment.yaml.  `expected_id` is the directory
 * name (NULL to skip).  On return *out (if out is not NULL) holds the
 * protocol as far as it was read, or NULL.  Returns 0 or EKS_EINVALID.
 */
int eks_validate_protocol(eks_protocol **out, const char *path,
			  const char *data, size_t len,
			  const char *expected_id, int strict,
			  eks_diag_list *diags);

/*
 * Check the bytes of a log.yaml against `protocol` (NULL when the protocol
 * itself could not be read).  `settings` gives min_cell (NULL: default).
 */
int eks_validate_log(eks_log **out, const char *path,
		     const char *data, size_t len,
		     const eks_protocol *protocol,
		     const eks_settings *settings, eks_diag_list *diags);

/* Check the bytes of eksperiment.yaml. */
int eks_validate_settings(eks_settings **out, const char *path,
			  const char *data, size_t len, eks_diag_list *diags);

#ifdef __cplusplus
}
#endif
#endif
