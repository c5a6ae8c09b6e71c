/*
 * templates.c - `eksperiment templates`: list the protocol templates.
 */
#include <string.h>

#include "cmd.h"

int cmd_templates(int argc, char **argv)
{
	eks_template *templates;
	size_t count, i, width = 0;
	int rc;

	if (argc > 1)
		return cmd_usage("templates", "'templates' takes no arguments");
	rc = eks_template_list(&templates, &count, cmd_template_dir());
	if (rc < 0)
		return cmd_fail(rc, NULL);
	for (i = 0; i < count; i++)
		if (strlen(templates[i].name) > width)
			width = strlen(templates[i].name);
	for (i = 0; i < count; i++)
		printf("%-*s  %s\n", (int)width, templates[i].name, templates[i].description);
	if (count == 0)
		cmd_warning("no templates in '%s'", cmd_template_dir());
	eks_template_list_free(templates, count);
	return EXIT_OK;
}
