/*
 * init.c - `eksperiment init [dir] [--name N]`: create a repository.
 */
#include <getopt.h>
#include <string.h>

#include "cmd.h"

int cmd_init(int argc, char **argv)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name = NULL, *dir = ".";
	eks_repo *repo = NULL;
	int created = 0, c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		default:
			return cmd_usage("init", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		return cmd_usage("init", "'init' takes at most one directory");
	if (optind < argc)
		dir = argv[optind];

	rc = eks_repo_init(&repo, &created, dir, name, NULL);
	if (rc < 0)
		return cmd_fail(rc, NULL);
	if (created)
		printf("Initialised an eksperiment repository in %s\n", eks_repo_workdir(repo));
	else
		printf("%s is already an eksperiment repository; nothing changed\n",
		       eks_repo_workdir(repo));
	eks_repo_free(repo);
	return EXIT_OK;
}
