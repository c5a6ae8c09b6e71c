/*
 * settings.h - repository settings (eksperiment.yaml, SPEC 2.4).
 */
#ifndef EKSPERIMENT_SETTINGS_H
#define EKSPERIMENT_SETTINGS_H

#include "diag.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_DEFAULT_MIN_CELL 5

typedef struct eks_settings {
	char *name;           /* NULL when the file gives none */
	long min_cell;        /* privacy.min_cell; 0 turns the warning off */
} eks_settings;

/* Check and read eksperiment.yaml.  *out is always set (defaults for what
 * is missing); free with eks_settings_free.  EKS_EINVALID on errors. */
int eks_settings_parse(eks_settings **out, const eks_node *root,
		       const char *path, eks_diag_list *diags);
/* Defaults, for a repository without a settings file. */
int eks_settings_default(eks_settings **out);
void eks_settings_free(eks_settings *settings);

#ifdef __cplusplus
}
#endif
#endif
