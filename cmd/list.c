/*
 * list.c - `eksperiment list [--status S] [--challenge C] [--partner P]
 * [--rev R] [--format text|json|csv]`: the experiments, a line each, from
 * the index (SPEC 4).
 *
 * The options are turned into an expression of the query language and
 * compiled like `query` does, so that a mistyped status gets the same
 * "did you mean" and the values reach SQL only as bound parameters.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

/* Append `value` as a single-quoted value of the query language. */
static void put_quoted(eks_buf *b, const char *value, size_t len)
{
	size_t i;

	eks_buf_putc(b, '\'');
	for (i = 0; i < len; i++) {
		if (value[i] == '\'')
			eks_buf_putc(b, '\'');
		eks_buf_putc(b, value[i]);
	}
	eks_buf_putc(b, '\'');
}

/* `field in ('a', 'b')` for a comma-separated list of values. */
static void add_in(eks_buf *expr, const char *field, const char *values)
{
	const char *p = values;
	int first = 1;

	eks_buf_printf(expr, "%s%s in (", expr->len ? " and " : "", field);
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *start = p, *end = p + len;

		while (start < end && *start == ' ')
			start++;
		while (end > start && end[-1] == ' ')
			end--;
		if (!first)
			eks_buf_puts(expr, ", ");
		put_quoted(expr, start, (size_t)(end - start));
		first = 0;
		if (!p[len])
			break;
		p += len + 1;
	}
	eks_buf_putc(expr, ')');
}

/* A kommunenummer is four digits; anything else is part of a name. */
static int is_kommunenummer(const char *s)
{
	return strlen(s) == 4 && strspn(s, "0123456789") == 4;
}

/* The query's message without " at column N", which means nothing to
 * someone who wrote options rather than an expression. */
static void print_option_error(const char *message)
{
	eks_buf b = EKS_BUF_INIT;
	const char *p = message, *at;

	while ((at = strstr(p, " at column ")) != NULL) {
		const char *digits = at + strlen(" at column ");
		size_t n = strspn(digits, "0123456789");

		eks_buf_put(&b, p, (size_t)(at - p));
		if (n == 0)
			eks_buf_puts(&b, " at column ");
		p = digits + n;
	}
	eks_buf_puts(&b, p);
	cmd_error("%s", eks_buf_cstr(&b));
	eks_buf_dispose(&b);
}

int cmd_list(int argc, char **argv)
{
	static const struct option options[] = {
		{ "status",    required_argument, NULL, 's' },
		{ "challenge", required_argument, NULL, 'c' },
		{ "partner",   required_argument, NULL, 'p' },
		{ "rev",       required_argument, NULL, 'r' },
		{ "format",    required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct rows_output out = {
		.format = FORMAT_TEXT, .json_key = "experiments",
		.text_columns = rows_experiment_columns,
		.noun = "experiment", .nouns = "experiments", .collect_ids = 1
	};
	eks_buf expr = EKS_BUF_INIT, partners = EKS_BUF_INIT;
	eks_buf statuses = EKS_BUF_INIT, challenges = EKS_BUF_INIT;
	const char *rev = NULL;
	eks_query *query = NULL;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	eks_rows *rows = NULL;
	int c, rc, exit_code = EXIT_OK, partner_count = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 's':
			eks_buf_printf(&statuses, "%s%s", statuses.len ? "," : "", optarg);
			break;
		case 'c':
			eks_buf_printf(&challenges, "%s%s", challenges.len ? "," : "", optarg);
			break;
		case 'p':
			eks_buf_puts(&partners, partner_count++ ? " or " : "");
			eks_buf_puts(&partners, is_kommunenummer(optarg) ? "partner = "
								       : "partner ~ ");
			put_quoted(&partners, optarg, strlen(optarg));
			break;
		case 'r':
			rev = optarg;
			break;
		case 'f':
			exit_code = cmd_parse_format(&out.format, "list", optarg,
						     ALLOW_TEXT | ALLOW_JSON | ALLOW_CSV);
			if (exit_code)
				goto done;
			break;
		default:
			exit_code = cmd_usage("list", "unknown option or missing value: '%s'",
					      argv[optind - 1]);
			goto done;
		}
	}
	if (optind < argc) {
		exit_code = cmd_usage("list", "'list' takes no arguments, only options; "
				      "to filter with an expression, use 'eksperiment "
				      "query'");
		goto done;
	}
	/* Values of one option are alternatives; the options must all hold. */
	if (statuses.len)
		add_in(&expr, "status", statuses.ptr);
	if (challenges.len)
		add_in(&expr, "challenge", challenges.ptr);
	if (partner_count)
		eks_buf_printf(&expr, "%s(%s)", expr.len ? " and " : "",
			       eks_buf_cstr(&partners));
	if (eks_buf_oom(&expr) || eks_buf_oom(&partners) ||
	    eks_buf_oom(&statuses) || eks_buf_oom(&challenges)) {
		exit_code = cmd_fail(eks_error_oom(), NULL);
		goto done;
	}
	if (expr.len) {
		rc = eks_query_compile(&query, expr.ptr, NULL);
		if (rc == EKS_EUSAGE) {
			print_option_error(eks_error_last()->message);
			exit_code = cmd_usage("list", "check the value of --status, "
					      "--challenge or --partner");
			goto done;
		}
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
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
	eks_buf_dispose(&expr);
	eks_buf_dispose(&partners);
	eks_buf_dispose(&statuses);
	eks_buf_dispose(&challenges);
	return exit_code;
}
