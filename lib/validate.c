/*
 * validate.c - checking the bytes of one file the way `eksperiment
 * validate` does: privacy scan, YAML parse, then the model's checks.
 *
 * Each function collects the problems of its file in a list of its own,
 * sorts them by position and appends them to the caller's list, so that a
 * run over many files never re-sorts what earlier files reported.
 */
#include <string.h>

#include "eksperiment/error.h"
#include "eksperiment/privacy.h"
#include "eksperiment/validate.h"
#include "eksperiment/yaml.h"
#include "schema_internal.h"

eks_file_kind eks_file_kind_of(const char *path)
{
	const char *base;

	if (!path)
		return EKS_FILE_OTHER;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "experiment.yaml"))
		return EKS_FILE_PROTOCOL;
	if (!strcmp(base, "log.yaml"))
		return EKS_FILE_LOG;
	if (!strcmp(base, "eksperiment.yaml"))
		return EKS_FILE_SETTINGS;
	return EKS_FILE_OTHER;
}

/* Sort the file's problems, hand them to the caller, and say how it went. */
static int finish(eks_diag_list *diags, eks_diag_list *local, int rc,
		  const char *path)
{
	size_t errors = eks_diag_count(local, EKS_DIAG_ERROR);

	eks_diag_sort(local);
	if (eks_diag_move(diags, local) < 0) {
		eks_diag_list_clear(local);
		return EKS_ENOMEM;
	}
	if (rc == EKS_ENOMEM)
		return rc;
	if (errors)
		return eks_error_set(EKS_EINVALID, "%s: %zu problem%s found",
				     path ? path : "", errors,
				     errors == 1 ? "" : "s");
	return 0;
}

/*
 * Parse the bytes into a single document.  Returns 0 with *root (may be
 * NULL for an empty file), EKS_EINVALID when the YAML is broken, or
 * EKS_ENOMEM.
 */
static int single_document(eks_yaml_file **file, const eks_node **root,
			   const char *path, const char *data, size_t len,
			   const char *what, eks_diag_list *local)
{
	int rc;

	*root = NULL;
	rc = eks_yaml_parse(file, path, data, len, local);
	if (rc < 0)
		return rc;
	if ((*file)->count > 1)
		eks_diag_add(local, EKS_DIAG_ERROR, path,
			     (*file)->document_lines[1], 1,
			     "%s holds one document, but a second one starts "
			     "here: remove this '---' and what follows, or merge "
			     "it into the first", what);
	if ((*file)->count)
		*root = (*file)->documents[0];
	return 0;
}

int eks_validate_protocol(eks_protocol **out, const char *path,
			  const char *data, size_t len,
			  const char *expected_id, int strict,
			  eks_diag_list *diags)
{
	eks_protocol_options opts = EKS_PROTOCOL_OPTIONS_INIT;
	eks_diag_list local = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_protocol *protocol = NULL;
	const eks_node *root;
	int rc;

	if (out)
		*out = NULL;
	eks_privacy_scan(path, data, len, &local);
	rc = single_document(&file, &root, path, data, len, "experiment.yaml",
			     &local);
	if (rc < 0)
		goto done;
	opts.expected_id = expected_id;
	opts.strict = strict;
	rc = eks_protocol_parse(&protocol, root, path, &opts, &local);
	if (protocol)
		protocol->root = NULL;   /* the tree is freed below */
	if (out) {
		*out = protocol;
		protocol = NULL;
	}
done:
	eks_protocol_free(protocol);
	eks_yaml_file_free(file);
	return finish(diags, &local, rc, path);
}

int eks_validate_log(eks_log **out, const char *path,
		     const char *data, size_t len,
		     const eks_protocol *protocol,
		     const eks_settings *settings, eks_diag_list *diags)
{
	eks_diag_list local = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_log *log = NULL;
	int rc;

	if (out)
		*out = NULL;
	eks_privacy_scan(path, data, len, &local);
	rc = eks_yaml_parse(&file, path, data, len, &local);
	if (rc < 0)
		goto done;
	rc = eks_log_parse(&log, file, protocol, &local);
	if (log)
		eks_log_check_small_cells(log, protocol, settings ?
					  settings->min_cell : EKS_DEFAULT_MIN_CELL,
					  &local);
	if (out) {
		*out = log;
		log = NULL;
	}
done:
	eks_log_free(log);
	eks_yaml_file_free(file);
	return finish(diags, &local, rc, path);
}

int eks_validate_settings(eks_settings **out, const char *path,
			  const char *data, size_t len, eks_diag_list *diags)
{
	eks_diag_list local = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	eks_settings *settings = NULL;
	const eks_node *root;
	int rc;

	if (out)
		*out = NULL;
	eks_privacy_scan(path, data, len, &local);
	rc = single_document(&file, &root, path, data, len, "eksperiment.yaml",
			     &local);
	if (rc < 0)
		goto done;
	rc = eks_settings_parse(&settings, root, path, &local);
	if (out) {
		*out = settings;
		settings = NULL;
	}
done:
	eks_settings_free(settings);
	eks_yaml_file_free(file);
	return finish(diags, &local, rc, path);
}
