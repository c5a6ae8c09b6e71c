/*
 * reindex.c - `eksperiment reindex`: rebuild the index from the
 * repository at HEAD, in one transaction.  Never needed for correctness
 * (every read command brings the index up to date by itself); useful
 * after a crash of the disk, or to measure.
 */
#include <getopt.h>

#include "rows.h"

int cmd_reindex(int argc, char **argv)
{
	static const struct option options[] = {
		{ NULL, 0, NULL, 0 }
	};
	const eks_index_update *update;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	int c, exit_code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1)
		return cmd_usage("reindex", "unknown option: '%s'", argv[optind - 1]);
	if (optind < argc)
		return cmd_usage("reindex", "'reindex' takes no arguments");

	if ((exit_code = rows_open_index(&repo, &index, NULL, ROWS_REBUILD)) != 0)
		return exit_code;
	update = eks_index_last_update(index);
	printf("indexed %zu experiment%s (%zu observation%s) at commit %.7s in %.2f s\n",
	       update->experiments, update->experiments == 1 ? "" : "s",
	       update->observations, update->observations == 1 ? "" : "s",
	       eks_index_commit(index), update->seconds);
	eks_index_free(index);
	eks_repo_free(repo);
	return EXIT_OK;
}
