/*
 * settings.c - eksperiment.yaml, the repository settings (SPEC 2.4).
 */
#include <stdlib.h>
#include <string.h>

#include "eksperiment/error.h"
#include "eksperiment/protocol.h"
#include "eksperiment/settings.h"
#include "schema_internal.h"

static const char *const settings_keys[] = { "schema", "name", "privacy", NULL };
static const char *const privacy_keys[] = { "min_cell", NULL };

int eks_settings_default(eks_settings **out)
{
	eks_settings *settings = calloc(1, sizeof(*settings));

	*out = NULL;
	if (!settings)
		return eks_error_oom();
	settings->min_cell = EKS_DEFAULT_MIN_CELL;
	*out = settings;
	return 0;
}

void eks_settings_free(eks_settings *settings)
{
	if (!settings)
		return;
	free(settings->name);
	free(settings);
}

/*
 * See settings.h.  Missing fields keep their defaults (no name, min_cell
 * EKS_DEFAULT_MIN_CELL); a field with a problem keeps its default too.
 */
int eks_settings_parse(eks_settings **out, const eks_node *root,
		       const char *path, eks_diag_list *diags)
{
	eks_settings *settings = NULL;
	const eks_node *privacy;
	eks_buf found = EKS_BUF_INIT;
	char *schema = NULL;
	long long min_cell;
	eks_schema s;
	int rc;

	*out = NULL;
	rc = eks_settings_default(&settings);
	if (rc < 0)
		return rc;
	eks_schema_init(&s, path, diags);
	if (!root || eks_schema_is_null(root)) {
		eks_schema_error_pos(&s, 1, 1, "the settings file is empty: write "
				     "at least 'schema: %s'", EKS_SCHEMA);
		goto done;
	}
	if (root->kind != EKS_NODE_MAP) {
		eks_schema_describe(&found, root);
		eks_schema_error(&s, root, "the settings file must be a mapping of "
				 "keys (schema: …, name: …, privacy: …); found %s",
				 eks_buf_cstr(&found));
		goto done;
	}
	eks_schema_keys(&s, root, settings_keys);
	if (eks_schema_text(&s, root, "schema", EKS_REQUIRED, 0, EKS_SCHEMA,
			    &schema) == EKS_FIELD_OK && strcmp(schema, EKS_SCHEMA))
		eks_schema_error(&s, s.last, "'schema' must be %s (the file format "
				 "this version of eksperiment reads); found '%s'",
				 EKS_SCHEMA, schema);
	eks_schema_text(&s, root, "name", 0, 0, "the name of the repository",
			&settings->name);
	privacy = eks_schema_map(&s, root, "privacy", 0,
				 "a mapping {min_cell: 5}");
	if (privacy) {
		eks_schema_keys(&s, privacy, privacy_keys);
		if (eks_schema_integer(&s, privacy, "min_cell", 0, "a whole number "
				       "≥ 0 (0 turns the small-cell warning off)",
				       &min_cell) == EKS_FIELD_OK) {
			if (min_cell < 0 || min_cell > 1000000000)
				eks_schema_bad_value(&s, s.last, "min_cell", "a whole "
						     "number ≥ 0 (0 turns the "
						     "small-cell warning off)");
			else
				settings->min_cell = (long)min_cell;
		}
	}
done:
	free(schema);
	eks_buf_dispose(&found);
	if (s.oom) {
		eks_settings_free(settings);
		return eks_error_oom();
	}
	*out = settings;
	rc = s.errors ? EKS_EINVALID : 0;
	if (rc)
		eks_error_set(rc, "%s: %zu problem%s found", path ? path : "",
			      s.errors, s.errors == 1 ? "" : "s");
	return rc;
}
