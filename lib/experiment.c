/*
 * experiment.c - read and parse one committed experiment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksperiment/buf.h"
#include "eksperiment/error.h"
#include "eksperiment/experiment.h"
#include "eksperiment/validate.h"

static char *path_of(const char *id, const char *file)
{
	eks_buf b = EKS_BUF_INIT;

	eks_buf_printf(&b, "experiments/%s/%s", id, file);
	return eks_buf_oom(&b) ? NULL : eks_buf_detach(&b);
}

int eks_experiment_load(eks_experiment **out, eks_repo *repo,
			const char *commit, const char *id,
			eks_diag_list *diags)
{
	eks_experiment *e;
	char *settings_text = NULL;
	size_t settings_len = 0;
	size_t errors_before = eks_diag_count(diags, EKS_DIAG_ERROR);
	int rc;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return eks_error_oom();
	snprintf(e->commit, sizeof(e->commit), "%s", commit);
	e->id = strdup(id);
	e->protocol_path = path_of(id, "experiment.yaml");
	e->log_path = path_of(id, "log.yaml");
	if (!e->id || !e->protocol_path || !e->log_path) {
		rc = eks_error_oom();
		goto fail;
	}

	rc = eks_repo_read(&e->protocol_text, &e->protocol_len, repo, commit, e->protocol_path);
	if (rc == EKS_ENOTFOUND) {
		rc = eks_error_set(EKS_ENOTFOUND, "there is no experiment '%s' in commit %.7s",
				   id, commit);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	rc = eks_repo_read(&e->log_text, &e->log_len, repo, commit, e->log_path);
	if (rc == EKS_ENOTFOUND) {
		e->log_text = strdup("");
		e->log_len = 0;
		rc = e->log_text ? 0 : eks_error_oom();
	}
	if (rc < 0)
		goto fail;

	rc = eks_repo_read(&settings_text, &settings_len, repo, commit, "eksperiment.yaml");
	if (rc == 0) {
		eks_diag_list ignored = EKS_DIAG_LIST_INIT;
		eks_validate_settings(&e->settings, "eksperiment.yaml", settings_text,
				      settings_len, &ignored);
		eks_diag_list_clear(&ignored);
	} else if (rc != EKS_ENOTFOUND) {
		goto fail;
	}
	free(settings_text);
	settings_text = NULL;
	if (!e->settings && eks_settings_default(&e->settings) < 0) {
		rc = EKS_ENOMEM;
		goto fail;
	}

	eks_validate_protocol(&e->protocol, e->protocol_path, e->protocol_text,
			      e->protocol_len, id, 0, diags);
	eks_validate_log(&e->log, e->log_path, e->log_text, e->log_len, e->protocol,
			 e->settings, diags);
	if (!e->log) {
		e->log = calloc(1, sizeof(*e->log));
		if (!e->log) {
			rc = eks_error_oom();
			goto fail;
		}
	}
	*out = e;
	if (!e->protocol || eks_diag_count(diags, EKS_DIAG_ERROR) > errors_before)
		return eks_error_set(EKS_EINVALID, "experiment '%s' has errors in commit %.7s; see 'eksperiment validate --rev %.7s'",
				     id, commit, commit);
	return 0;
fail:
	free(settings_text);
	eks_experiment_free(e);
	return rc;
}

void eks_experiment_free(eks_experiment *e)
{
	if (!e)
		return;
	free(e->id);
	free(e->protocol_path);
	free(e->log_path);
	free(e->protocol_text);
	free(e->log_text);
	eks_protocol_free(e->protocol);
	eks_log_free(e->log);
	eks_settings_free(e->settings);
	free(e);
}
