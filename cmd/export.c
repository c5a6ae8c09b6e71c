/*
 * export.c - `eksperiment export [--what experiments|observations|
 * hypotheses] [--format json|csv] [--rev R]`: everything of one kind from
 * the index, for spreadsheets and scripts.  Rows are streamed, so the
 * size of the export does not matter.
 */
#include <getopt.h>
#include <string.h>

#include "rows.h"

int cmd_export(int argc, char **argv)
{
	static const struct option options[] = {
		{ "what",   required_argument, NULL, 'w' },
		{ "rev",    required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct rows_output out = { .format = FORMAT_JSON };
	eks_export_what what = EKS_EXPORT_EXPERIMENTS;
	const char *rev = NULL;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	eks_rows *rows = NULL;
	int c, rc, exit_code = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (eks_export_what_from_name(&what, optarg) < 0)
				return cmd_usage("export", "%s", eks_error_last()->message);
			break;
		case 'r':
			rev = optarg;
			break;
		case 'f':
			exit_code = cmd_parse_format(&out.format, "export", optarg,
						     ALLOW_JSON | ALLOW_CSV);
			if (exit_code)
				return exit_code;
			break;
		default:
			return cmd_usage("export", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage("export", "'export' takes no arguments; choose what "
				 "to export with --what");

	if ((exit_code = rows_open_index(&repo, &index, rev, 0)) != 0)
		goto done;
	out.revision = eks_index_commit(index);
	out.json_key = eks_export_what_name(what);
	rc = eks_index_export(&rows, index, what);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	exit_code = rows_print(rows, &out);
	eks_rows_free(rows);
	rows = NULL;
	if (exit_code == EXIT_OK)
		rows_warn_uncommitted(repo, index, NULL, 0, 1);
done:
	eks_rows_free(rows);
	eks_index_free(index);
	eks_repo_free(repo);
	return exit_code;
}
