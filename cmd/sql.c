/*
 * sql.c - `eksperiment sql <statement> [--rev R] [--format
 * text|json|csv]`: one read-only SQL statement over the views of the
 * index (SPEC 4.1).  The library refuses anything that would write.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

int cmd_sql(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rev",    required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct rows_output out = {
		.format = FORMAT_TEXT, .json_key = NULL, .text_columns = NULL,
		.noun = "row", .nouns = "rows"
	};
	const char *rev = NULL;
	char *statement = NULL;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	eks_rows *rows = NULL;
	int c, rc, offset = -1, exit_code = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			rev = optarg;
			break;
		case 'f':
			exit_code = cmd_parse_format(&out.format, "sql", optarg,
						     ALLOW_TEXT | ALLOW_JSON | ALLOW_CSV);
			if (exit_code)
				return exit_code;
			break;
		default:
			return cmd_usage("sql", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cmd_usage("sql", "'sql' needs a statement, such as "
				 "\"SELECT id, status FROM experiments\"");
	if (!(statement = rows_join_args(argc - optind, argv + optind)))
		return cmd_fail(eks_error_oom(), NULL);

	if ((exit_code = rows_open_index(&repo, &index, rev, 0)) != 0)
		goto done;
	out.revision = eks_index_commit(index);
	rc = eks_index_sql(&rows, index, statement, &offset);
	if (rc == EKS_EUSAGE) {
		cmd_error("%s", eks_error_last()->message);
		if (offset >= 0)
			rows_point_at_byte(statement, offset);
		fprintf(stderr, "eksperiment: the views are experiments, partners, arms, "
			"interventions, outcomes, hypotheses, observations, entries "
			"and verdicts; see 'eksperiment help sql'\n");
		exit_code = EXIT_USAGE;
		goto done;
	}
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
	free(statement);
	return exit_code;
}
