/*
 * experiment.h - one experiment as committed: its protocol, its log and
 * the repository settings, read from a commit and parsed.
 */
#ifndef EKSPERIMENT_EXPERIMENT_H
#define EKSPERIMENT_EXPERIMENT_H

#include <stddef.h>
#include "diag.h"
#include "log.h"
#include "protocol.h"
#include "settings.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct eks_experiment {
	char *id;
	char commit[EKS_COMMIT_HEX];   /* the commit it was read from */
	char *protocol_path;           /* experiments/<id>/experiment.yaml */
	char *log_path;                /* experiments/<id>/log.yaml */
	char *protocol_text;
	size_t protocol_len;
	char *log_text;                /* "" when the experiment has no log yet */
	size_t log_len;
	eks_protocol *protocol;
	eks_log *log;                  /* never NULL after a successful load */
	eks_settings *settings;        /* never NULL after a successful load */
} eks_experiment;

/*
 * Read experiment `id` as it is in `commit` (hex) and parse it.
 * EKS_ENOTFOUND (with a message) when the commit has no such experiment.
 * EKS_EINVALID when its protocol or log has errors: they are added to
 * `diags`, and *out still holds what could be read.  Warnings are added to
 * `diags` too.
 */
int eks_experiment_load(eks_experiment **out, eks_repo *repo,
			const char *commit, const char *id,
			eks_diag_list *diags);

void eks_experiment_free(eks_experiment *experiment);

#ifdef __cplusplus
}
#endif
#endif
