/*
 * evaluate.c - `eksperiment evaluate [id...] [--rev R]
 * [--format text|json|csv] [--fail-on VERDICT]`: verdicts on the
 * pre-registered hypotheses, from committed data (SPEC 6).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "rows.h"
#include "table.h"
#include "view.h"

/* A name of the protocol, as eks_*_name() gives an unknown one. */
static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

static void put_group_json(eks_buf *b, const eks_verdict_group *g)
{
	int first = 1;

	eks_buf_putc(b, '{');
	json_key(b, &first, "arm");
	eks_buf_put_json_string(b, or_unknown(g->arm));
	json_key(b, &first, "timepoint");
	eks_buf_put_json_string(b, or_unknown(g->timepoint));
	json_key(b, &first, "n");
	eks_buf_printf(b, "%lld", g->has_data ? g->n : 0);
	if (g->is_count) {
		json_key(b, &first, "events");
		eks_buf_printf(b, "%lld", g->events);
	} else {
		json_key(b, &first, "mean");
		if (g->has_data)
			json_number(b, g->mean);
		else
			eks_buf_puts(b, "null");
		json_key(b, &first, "sd");
		if (g->has_data)
			json_number(b, g->sd);
		else
			eks_buf_puts(b, "null");
	}
	eks_buf_putc(b, '}');
}

static void json_number_or_null(eks_buf *b, int has, double x)
{
	if (has)
		json_number(b, x);
	else
		eks_buf_puts(b, "null");
}

/* "family": {"hypotheses": [...], "registered": true, "changes": [...]} */
static void put_family_json(eks_buf *b, const eks_evaluated *e)
{
	int first = 1;
	size_t i, n;

	eks_buf_putc(b, '{');
	json_key(b, &first, "hypotheses");
	eks_buf_putc(b, '[');
	for (i = 0; i < e->family_count; i++) {
		if (i)
			eks_buf_putc(b, ',');
		eks_buf_put_json_string(b, or_unknown(e->family[i]));
	}
	eks_buf_putc(b, ']');
	json_key(b, &first, "multiplicity");
	json_string_or_null(b, e->multiplicity);
	json_key(b, &first, "registered");
	eks_buf_puts(b, e->registered_commit ? "true" : "false");
	/* members the registration did not have: made confirmatory
	 * superiority without an amendment, adjusted all the same */
	json_key(b, &first, "not_registered");
	eks_buf_putc(b, '[');
	for (i = 0, n = 0; e->registered_commit && i < e->family_count; i++) {
		if (e->family_registered[i])
			continue;
		if (n++)
			eks_buf_putc(b, ',');
		eks_buf_put_json_string(b, or_unknown(e->family[i]));
	}
	eks_buf_putc(b, ']');
	json_key(b, &first, "changes");
	eks_buf_putc(b, '[');
	for (i = 0; i < e->family_changes_count; i++) {
		const eks_family_change_row *c = &e->family_changes[i];
		int inner = 1;

		if (i)
			eks_buf_putc(b, ',');
		eks_buf_putc(b, '{');
		json_key(b, &inner, "commit");
		eks_buf_put_json_string(b, or_unknown(c->commit));
		json_key(b, &inner, "hypothesis");
		eks_buf_put_json_string(b, or_unknown(c->hypothesis));
		json_key(b, &inner, "change");
		eks_buf_put_json_string(b, c->added ? "added" : "removed");
		eks_buf_putc(b, '}');
	}
	eks_buf_puts(b, "]}");
}

static void put_result_json(eks_buf *b, const eks_verdict_row *r)
{
	int first = 1;
	size_t i;

	eks_buf_putc(b, '{');
	json_key(b, &first, "id");
	eks_buf_put_json_string(b, or_unknown(r->id));
	json_key(b, &first, "outcome");
	eks_buf_put_json_string(b, or_unknown(r->outcome));
	json_key(b, &first, "test");
	eks_buf_put_json_string(b, or_unknown(r->test));
	json_key(b, &first, "estimator");
	eks_buf_put_json_string(b, or_unknown(r->estimator));
	json_key(b, &first, "method");
	eks_buf_put_json_string(b, or_unknown(r->method));
	json_key(b, &first, "family");
	eks_buf_put_json_string(b, or_unknown(r->family));
	json_key(b, &first, "arm");
	eks_buf_put_json_string(b, or_unknown(r->arm));
	json_key(b, &first, "against");
	json_string_or_null(b, r->against);
	if (r->has_against_value) {
		json_key(b, &first, "against_value");
		json_number(b, r->against_value);
	}
	json_key(b, &first, "timepoint");
	eks_buf_put_json_string(b, or_unknown(r->timepoint));
	if (r->baseline) {
		json_key(b, &first, "baseline");
		eks_buf_put_json_string(b, r->baseline);
	}
	json_key(b, &first, "groups");
	eks_buf_putc(b, '[');
	for (i = 0; i < r->groups_count; i++) {
		if (i)
			eks_buf_putc(b, ',');
		put_group_json(b, &r->groups[i]);
	}
	eks_buf_putc(b, ']');
	json_key(b, &first, "estimate");
	json_number_or_null(b, r->has_estimate, r->estimate);
	json_key(b, &first, "ci_low");
	json_number_or_null(b, r->has_interval, r->ci_low);
	json_key(b, &first, "ci_high");
	json_number_or_null(b, r->has_interval, r->ci_high);
	json_key(b, &first, "conf_level");
	json_number(b, r->conf_level);
	json_key(b, &first, "ci_tost_low");
	json_number_or_null(b, r->has_tost, r->ci_tost_low);
	json_key(b, &first, "ci_tost_high");
	json_number_or_null(b, r->has_tost, r->ci_tost_high);
	json_key(b, &first, "p_value");
	json_number_or_null(b, r->has_p, r->p_value);
	json_key(b, &first, "p_adjusted");
	json_number_or_null(b, r->has_p, r->p_adjusted);
	json_key(b, &first, "verdict");
	eks_buf_put_json_string(b, or_unknown(r->verdict));
	json_key(b, &first, "reason");
	eks_buf_put_json_string(b, r->reason ? r->reason : "");
	json_key(b, &first, "post_hoc");
	eks_buf_puts(b, r->post_hoc ? "true" : "false");
	json_key(b, &first, "rewritten");
	eks_buf_puts(b, r->rewritten ? "true" : "false");
	eks_buf_putc(b, '}');
}

/* The experiments to print: those of `ev` without errors. */
#define EACH_SHOWN(ev, e) \
	for (e = (ev)->experiments; e < (ev)->experiments + (ev)->count; e++) \
		if (!e->has_errors)

/*
 * The deviations and log rewrites of the experiments shown (SPEC 5: they
 * stay visible, with the reasons of their disclosures): one integrity
 * record per experiment of `ev`, NULL for those whose history cannot
 * have any (eks_integrity_candidates).
 */
static int load_integrity(eks_integrity ***out, eks_repo *repo, const char *commit,
			  const eks_evaluations *ev)
{
	eks_integrity **in;
	char **candidates = NULL;
	size_t count = 0, i;
	int rc;

	*out = NULL;
	if (!(in = calloc(ev->count + 1, sizeof(*in))))
		return eks_error_oom();
	rc = eks_integrity_candidates(&candidates, &count, repo, commit);
	for (i = 0; rc == 0 && i < ev->count; i++) {
		if (ev->experiments[i].has_errors ||
		    !eks_integrity_is_candidate(candidates, count, ev->experiments[i].id))
			continue;
		rc = eks_integrity_load(&in[i], repo, commit, ev->experiments[i].id);
		if (rc == EKS_ENOTFOUND)
			rc = 0;
	}
	eks_strings_free(candidates, count);
	if (rc < 0) {
		for (i = 0; i < ev->count; i++)
			eks_integrity_free(in[i]);
		free(in);
		return rc;
	}
	*out = in;
	return 0;
}

static void print_json(const char *revision, const eks_evaluations *ev,
		       eks_integrity *const *integrity)
{
	eks_buf b = EKS_BUF_INIT;
	const eks_evaluated *e;
	size_t j, shown = 0;

	eks_buf_puts(&b, "{\"revision\":");
	eks_buf_put_json_string(&b, revision);
	eks_buf_puts(&b, ",\"experiments\":[");
	EACH_SHOWN(ev, e) {
		int first = 1;

		if (shown++)
			eks_buf_putc(&b, ',');
		eks_buf_putc(&b, '{');
		json_key(&b, &first, "id");
		eks_buf_put_json_string(&b, e->id);
		json_key(&b, &first, "status");
		eks_buf_put_json_string(&b, or_unknown(e->status));
		json_key(&b, &first, "family");
		put_family_json(&b, e);
		view_integrity_json(&b, integrity[e - ev->experiments], NULL);
		json_key(&b, &first, "hypotheses");
		eks_buf_putc(&b, '[');
		for (j = 0; j < e->count; j++) {
			if (j)
				eks_buf_putc(&b, ',');
			put_result_json(&b, &e->hypotheses[j]);
		}
		eks_buf_puts(&b, "]}");
		if (b.len > 65536) {
			fputs(eks_buf_cstr(&b), stdout);
			eks_buf_clear(&b);
		}
	}
	eks_buf_puts(&b, "]}\n");
	fputs(eks_buf_cstr(&b), stdout);
	eks_buf_dispose(&b);
}

/* "0.1," or "," for null */
static void put_csv_number(eks_buf *b, int has, double x)
{
	if (has)
		eks_buf_printf(b, "%.15g", x);
	eks_buf_putc(b, ',');
}

static void print_csv(const eks_evaluations *ev)
{
	static const char *const header =
		"experiment,hypothesis,outcome,test,estimator,method,arm,against,timepoint,"
		"estimate,ci_low,ci_high,conf_level,p_value,p_adjusted,verdict,post_hoc,reason,"
		"ci_tost_low,ci_tost_high,rewritten\n";
	const eks_evaluated *e;
	eks_buf b = EKS_BUF_INIT;
	size_t j;

	fputs(header, stdout);
	EACH_SHOWN(ev, e) {
		for (j = 0; j < e->count; j++) {
			const eks_verdict_row *r = &e->hypotheses[j];
			char against[64];

			if (!r->against)
				snprintf(against, sizeof(against), "%.15g", r->against_value);
			eks_buf_clear(&b);
			eks_buf_put_csv_field(&b, e->id);
			eks_buf_printf(&b, ",%s,%s,%s,%s,%s,%s,", or_unknown(r->id), or_unknown(r->outcome),
				       or_unknown(r->test), or_unknown(r->estimator), or_unknown(r->method),
				       or_unknown(r->arm));
			eks_buf_put_csv_field(&b, r->against ? r->against : against);
			eks_buf_printf(&b, ",%s,", or_unknown(r->timepoint));
			put_csv_number(&b, r->has_estimate, r->estimate);
			put_csv_number(&b, r->has_interval, r->ci_low);
			put_csv_number(&b, r->has_interval, r->ci_high);
			eks_buf_printf(&b, "%g,", r->conf_level);
			if (r->has_p)
				eks_buf_printf(&b, "%.15g,%.15g,", r->p_value, r->p_adjusted);
			else
				eks_buf_puts(&b, ",,");
			eks_buf_printf(&b, "%s,%s,", or_unknown(r->verdict), r->post_hoc ? "true" : "false");
			eks_buf_put_csv_field(&b, r->reason ? r->reason : "");
			eks_buf_putc(&b, ',');
			put_csv_number(&b, r->has_tost, r->ci_tost_low);
			if (r->has_tost)
				eks_buf_printf(&b, "%.15g", r->ci_tost_high);
			eks_buf_printf(&b, ",%s\n", r->rewritten ? "true" : "false");
			fputs(eks_buf_cstr(&b), stdout);
		}
	}
	eks_buf_dispose(&b);
}

/* Whether hypothesis `id` is one of experiment `e`'s. */
static int has_hypothesis(const eks_evaluated *e, const char *id)
{
	size_t j;

	for (j = 0; id && j < e->count; j++)
		if (e->hypotheses[j].id && !strcmp(e->hypotheses[j].id, id))
			return 1;
	return 0;
}

/*
 * The family in a sentence: "Family adjusted together (holm): H1, H2, H3
 * (confirmatory superiority as registered in 1a2b3c4; H3 added by the
 * amendment in 5d6e7f8; H4 changed without an amendment, adjusted with
 * them; H5 no longer in the protocol, counted as p = 1)."
 */
static void print_family_text(const eks_evaluated *e)
{
	int none = e->multiplicity && !strcmp(e->multiplicity, "none");
	size_t i;

	if (e->family_count == 0)
		return;
	if (none)
		printf("  Confirmatory family, not adjusted (multiplicity: none): ");
	else
		printf("  Family adjusted together (%s): ", e->multiplicity ? e->multiplicity : "holm");
	for (i = 0; i < e->family_count; i++)
		printf("%s%s", i ? ", " : "", or_unknown(e->family[i]));
	if (e->registered_commit)
		printf(" (confirmatory superiority as registered in %.7s", e->registered_commit);
	else
		printf(" (confirmatory superiority in the protocol");
	for (i = 0; i < e->family_changes_count; i++) {
		const eks_family_change_row *c = &e->family_changes[i];

		printf("; %s %s by the amendment in %.7s", or_unknown(c->hypothesis),
		       c->added ? "added" : "removed", or_unknown(c->commit));
	}
	for (i = 0; e->registered_commit && i < e->family_count; i++)
		if (!e->family_registered[i])
			printf("; %s made confirmatory superiority without an amendment, %s",
			       or_unknown(e->family[i]), none ? "counted in it" : "adjusted with them");
	for (i = 0; i < e->family_count; i++)
		if (!has_hypothesis(e, e->family[i]))
			printf("; %s no longer in the protocol%s", or_unknown(e->family[i]),
			       none ? "" : ", counted as p = 1");
	printf(").\n");
}

static void print_text(const char *revision, const eks_evaluations *ev,
		       eks_integrity *const *integrity)
{
	int color = cmd_use_color(stdout);
	const eks_evaluated *e;
	size_t j;

	printf("Evaluated at commit %.7s\n", revision);
	EACH_SHOWN(ev, e) {
		struct table t;
		static const char *const head[] = {
			"hypothesis", "outcome", "comparison", "method", "estimate",
			"CI", "p", "p adjusted", "verdict"
		};

		printf("\n%s%s%s (%s)\n", color ? "\033[1m" : "", e->id,
		       color ? "\033[0m" : "", or_unknown(e->status));
		if (e->count == 0) {
			printf("  no hypotheses\n");
			continue;
		}
		table_init(&t, 9);
		table_add(&t, head);
		for (j = 0; j < e->count; j++) {
			const eks_verdict_row *r = &e->hypotheses[j];
			char est[32], lo[32], hi[32], ci[160], p[32], pa[32], cmp[200];
			const char *row[9];

			if (r->against)
				snprintf(cmp, sizeof(cmp), "%s vs %s @ %s", or_unknown(r->arm), r->against,
					 or_unknown(r->timepoint));
			else
				snprintf(cmp, sizeof(cmp), "%s vs %g @ %s", or_unknown(r->arm),
					 r->against_value, or_unknown(r->timepoint));
			if (r->has_estimate)
				text_number(est, sizeof(est), r->estimate);
			else
				snprintf(est, sizeof(est), "-");
			if (r->has_interval)
				snprintf(ci, sizeof(ci), "%s to %s", text_number(lo, sizeof(lo), r->ci_low),
					 text_number(hi, sizeof(hi), r->ci_high));
			else
				snprintf(ci, sizeof(ci), "-");
			if (r->has_tost) {
				/* the interval an equivalence verdict is decided on */
				size_t used = strlen(ci);
				snprintf(ci + used, sizeof(ci) - used, "; %g%%: %s to %s",
					 r->tost_conf_level * 100,
					 text_number(lo, sizeof(lo), r->ci_tost_low),
					 text_number(hi, sizeof(hi), r->ci_tost_high));
			}
			if (r->has_p) {
				text_number(p, sizeof(p), r->p_value);
				text_number(pa, sizeof(pa), r->p_adjusted);
			} else {
				snprintf(p, sizeof(p), "-");
				snprintf(pa, sizeof(pa), "-");
			}
			row[0] = or_unknown(r->id);
			row[1] = or_unknown(r->outcome);
			row[2] = cmp;
			row[3] = or_unknown(r->method);
			row[4] = est;
			row[5] = ci;
			row[6] = p;
			row[7] = pa;
			row[8] = or_unknown(r->verdict);
			table_add(&t, row);
		}
		table_print(stdout, &t, 2, color);
		table_release(&t);
		for (j = 0; j < e->count; j++) {
			const eks_verdict_row *r = &e->hypotheses[j];
			printf("  %s: %s%s%s\n", or_unknown(r->id), r->reason ? r->reason : "",
			       r->post_hoc ? " It is post hoc: it changed after its outcome was first observed." : "",
			       r->rewritten ? " Its data come from a log entry that was changed after it was"
					      " committed (a log rewrite; 'eksperiment validate' names it)." : "");
		}
		print_family_text(e);
		view_print_integrity(stdout, e->id, integrity[e - ev->experiments], color, 2);
	}
}

/*
 * Say why experiment `id`, whose files have errors at `commit`, is left
 * out: its diagnostics, or the reason its observations cannot be
 * combined.  The index holds no verdicts for it, so its files are read
 * again here, which only such experiments cost.
 */
static int explain_left_out(eks_repo *repo, const char *commit, const char *id)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_experiment *experiment = NULL;
	eks_cells *cells = NULL;
	eks_evaluation *evaluation = NULL;
	int rc;

	rc = eks_experiment_load(&experiment, repo, commit, id, &diags);
	if (rc == EKS_EINVALID) {
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		cmd_error("'%s' is left out: its files have errors at commit %.7s", id, commit);
		rc = 0;
	} else if (rc == 0) {
		rc = eks_log_accumulate(&cells, experiment->log);
		if (rc == 0)
			rc = eks_evaluate(&evaluation, experiment->protocol, cells, NULL);
		if (rc == EKS_ENOMEM)
			goto done;
		cmd_error("'%s' is left out: %s", id, rc < 0 ? eks_error_last()->message
			  : "the index could not evaluate it; run 'eksperiment reindex'");
		rc = 0;
	}
done:
	eks_diag_list_clear(&diags);
	eks_evaluation_free(evaluation);
	eks_cells_free(cells);
	eks_experiment_free(experiment);
	return rc;
}

static int parse_fail_on(unsigned *mask, const char *value)
{
	const char *p = value;

	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[32];
		int ok = 0;
		eks_verdict v;

		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, p, len);
		name[len] = '\0';
		v = eks_verdict_from_name(name, &ok);
		if (!ok || v == EKS_VERDICT_SUPPORTED)
			return cmd_usage("evaluate", "--fail-on takes refuted, inconclusive or insufficient_data, not '%s'", name);
		*mask |= 1u << v;
		p += len;
		if (*p == ',')
			p++;
	}
	return EXIT_OK;
}

int cmd_evaluate(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rev",     required_argument, NULL, 'r' },
		{ "format",  required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format format = FORMAT_TEXT;
	const char *rev = NULL, *commit;
	unsigned fail_on = 0;
	char **ids = NULL;
	size_t ids_count = 0, i, j;
	eks_evaluations *ev = NULL;
	eks_integrity **integrity = NULL;
	eks_repo *repo = NULL;
	eks_index *index = NULL;
	int c, rc, exit_code, problems = 0, failed = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:f:", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			rev = optarg;
			break;
		case 'f':
			exit_code = cmd_parse_format(&format, "evaluate", optarg,
						     ALLOW_TEXT | ALLOW_JSON | ALLOW_CSV);
			if (exit_code)
				return exit_code;
			break;
		case 'F':
			exit_code = parse_fail_on(&fail_on, optarg);
			if (exit_code)
				return exit_code;
			break;
		default:
			return cmd_usage("evaluate", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (!eks_experiment_id_valid(argv[i]))
			return cmd_usage("evaluate", "'%s' is not a valid experiment id", argv[i]);
	if (optind < argc) {
		ids = argv + optind;
		ids_count = (size_t)(argc - optind);
	}

	/* The verdicts were computed (eks_evaluate) when each experiment
	 * was indexed at this commit; only changed experiments are read. */
	if ((exit_code = rows_open_index(&repo, &index, rev, ROWS_QUIET_INVALID)) != 0)
		goto done;
	commit = eks_index_commit(index);
	if ((rc = eks_index_evaluations(&ev, index, ids, ids_count)) < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	/* An experiment asked for by name that the commit does not have. */
	for (i = 0; i < ids_count; i++) {
		for (j = 0; j < ev->count && strcmp(ev->experiments[j].id, ids[i]); j++)
			;
		if (j == ev->count) {
			eks_experiment *missing = NULL;
			eks_diag_list diags = EKS_DIAG_LIST_INIT;

			rc = eks_experiment_load(&missing, repo, commit, ids[i], &diags);
			eks_experiment_free(missing);
			eks_diag_list_clear(&diags);
			exit_code = cmd_fail(rc < 0 ? rc : eks_error_set(EKS_ENOTFOUND,
					     "there is no experiment '%s' at commit %.7s",
					     ids[i], commit), NULL);
			goto done;
		}
	}
	for (i = 0; i < ev->count; i++) {
		const eks_evaluated *e = &ev->experiments[i];

		if (e->has_errors) {
			if ((rc = explain_left_out(repo, commit, e->id)) < 0) {
				exit_code = cmd_fail(rc, NULL);
				goto done;
			}
			problems = 1;
			continue;
		}
		for (j = 0; j < e->count; j++) {
			int ok = 0;
			eks_verdict v = eks_verdict_from_name(or_unknown(e->hypotheses[j].verdict), &ok);

			if (ok && (fail_on & (1u << v)))
				failed = 1;
		}
	}

	if (format != FORMAT_CSV && (rc = load_integrity(&integrity, repo, commit, ev)) < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	switch (format) {
	case FORMAT_JSON:
		print_json(commit, ev, integrity);
		break;
	case FORMAT_CSV:
		print_csv(ev);
		break;
	default:
		print_text(commit, ev, integrity);
		break;
	}
	rows_warn_uncommitted(repo, index, ids, ids_count, ids == NULL);
	exit_code = problems || failed ? EXIT_PROBLEMS : EXIT_OK;
done:
	for (i = 0; integrity && i < ev->count; i++)
		eks_integrity_free(integrity[i]);
	free(integrity);
	eks_evaluations_free(ev);
	eks_index_free(index);
	eks_repo_free(repo);
	return exit_code;
}
