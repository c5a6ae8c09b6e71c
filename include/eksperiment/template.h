/*
 * template.h - protocol templates for `eksperiment new`.
 *
 * A template is a file <dir>/<name>.yaml whose first line reads
 * `# description: <one line>`.  It contains the placeholders @ID@ and
 * @TITLE@ (the latter inside double quotes), replaced when an experiment is
 * created from it.
 */
#ifndef EKSPERIMENT_TEMPLATE_H
#define EKSPERIMENT_TEMPLATE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_DEFAULT_TEMPLATE "two-arm-proportion"

typedef struct eks_template {
	char *name;          /* file name without .yaml */
	char *description;   /* from the first line, "" when missing */
} eks_template;

/* The templates in `dir`, sorted by name.  EKS_EIO when `dir` cannot be read. */
int eks_template_list(eks_template **out, size_t *count, const char *dir);
void eks_template_list_free(eks_template *templates, size_t count);

/*
 * Read template `name` from `dir` and fill in `id` and `title`.  *out is
 * NUL-terminated and owned by the caller.  EKS_ENOTFOUND for an unknown
 * template (the message lists the known ones), EKS_EUSAGE for a name that
 * is not a plain name.
 */
int eks_template_render(char **out, size_t *len, const char *dir,
			const char *name, const char *id, const char *title);

#ifdef __cplusplus
}
#endif
#endif
