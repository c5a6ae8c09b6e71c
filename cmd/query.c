/*
 * query.c - `eksperiment query <expression> [--rev R] [--format
 * text|json|csv]`: the experiments that match a filter in the language of
 * SPEC 4.2, answered from the index.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

/* The message, a caret under the column, and the fields. */
static int report(const char *expr, int column)
{
	const char *message = eks_error_last()->message;
	const char *const *f;
	eks_buf fields = EKS_BUF_INIT;

	cmd_error("%s", message);
	if (column > 0)
		rows_point_at(expr, column);
	if (!strstr(message, "fields are")) {
		for (f = eks_query_fields(); *f; f++)
			eks_buf_printf(&fields, "%s%s", fields.len ? ", " : "", *f);
		cmd_error("the fields are: %s", eks_buf_cstr(&fields));
	}
	eks_buf_dispose(&fields);
	fprintf(stderr, "eksperiment: see 'eksperiment help query'\n");
	return EXIT_USAGE;
}

int cmd_query(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rev",    required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct rows_output out = {
		.format = FORMAT_TEXT, .json_key = "experiments",
		.text_columns = rows_experiment_columns,
		.noun = "experiment", .nouns = "experiments", .collect_ids = 1
	};
	const char *rev = NULL;
	char *expr = NULL;
	eks_query *query = NULL;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	eks_rows *rows = NULL;
	int c, rc, column = 0, exit_code = EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			rev = optarg;
			break;
		case 'f':
			exit_code = cmd_parse_format(&out.format, "query", optarg,
						     ALLOW_TEXT | ALLOW_JSON | ALLOW_CSV);
			if (exit_code)
				return exit_code;
			break;
		default:
			return cmd_usage("query", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cmd_usage("query", "'query' needs an expression, such as "
				 "'status = active and partner = 1506'");
	/* Words given separately are one expression, as if quoted together. */
	if (!(expr = rows_join_args(argc - optind, argv + optind)))
		return cmd_fail(eks_error_oom(), NULL);

	rc = eks_query_compile(&query, expr, &column);
	if (rc == EKS_EUSAGE) {
		exit_code = report(expr, column);
		goto done;
	}
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if ((exit_code = rows_open_index(&repo, &index, rev, 0)) != 0)
		goto done;
	out.revision = eks_index_commit(index);
	rc = eks_index_experiments(&rows, index, query);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	exit_code = rows_print(rows, &out);
	eks_rows_free(rows);
	rows = NULL;
	if (exit_code == EXIT_OK)
		rows_warn_uncommitted(repo, index, out.ids, out.ids_count, 0);
done:
	eks_strings_free(out.ids, out.ids_count);
	eks_rows_free(rows);
	eks_index_free(index);
	eks_repo_free(repo);
	eks_query_free(query);
	free(expr);
	return exit_code;
}
