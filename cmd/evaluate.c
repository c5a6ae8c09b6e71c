/*
 * evaluate.c - `eksperiment evaluate [id...] [--rev R]
 * [--format text|json|csv] [--fail-on VERDICT]`: verdicts on the
 * pre-registered hypotheses, from committed data (SPEC 6).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "table.h"

/* One evaluated experiment. */
struct evaluated {
	eks_experiment *experiment;
	eks_cells *cells;
	eks_evaluation *evaluation;
};

static void put_group_json(eks_buf *b, const eks_group_result *g)
{
	int first = 1;

	eks_buf_putc(b, '{');
	json_key(b, &first, "arm");
	eks_buf_put_json_string(b, g->arm);
	json_key(b, &first, "timepoint");
	eks_buf_put_json_string(b, g->timepoint);
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

static void put_result_json(eks_buf *b, const eks_hypothesis_result *r)
{
	const eks_hypothesis *h = r->hypothesis;
	int first = 1;
	size_t i;

	eks_buf_putc(b, '{');
	json_key(b, &first, "id");
	eks_buf_put_json_string(b, h->id);
	json_key(b, &first, "outcome");
	eks_buf_put_json_string(b, h->outcome);
	json_key(b, &first, "test");
	eks_buf_put_json_string(b, eks_test_name(h->test));
	json_key(b, &first, "estimator");
	eks_buf_put_json_string(b, eks_estimator_name(h->estimator));
	json_key(b, &first, "method");
	eks_buf_put_json_string(b, r->method);
	json_key(b, &first, "family");
	eks_buf_put_json_string(b, eks_family_name(h->family));
	json_key(b, &first, "arm");
	eks_buf_put_json_string(b, h->arm);
	json_key(b, &first, "against");
	json_string_or_null(b, h->against);
	if (h->has_against_value) {
		json_key(b, &first, "against_value");
		json_number(b, h->against_value);
	}
	json_key(b, &first, "timepoint");
	eks_buf_put_json_string(b, h->timepoint);
	if (h->baseline) {
		json_key(b, &first, "baseline");
		eks_buf_put_json_string(b, h->baseline);
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
	r->has_estimate ? json_number(b, r->estimate) : (void)eks_buf_puts(b, "null");
	json_key(b, &first, "ci_low");
	r->has_estimate ? json_number(b, r->ci_low) : (void)eks_buf_puts(b, "null");
	json_key(b, &first, "ci_high");
	r->has_estimate ? json_number(b, r->ci_high) : (void)eks_buf_puts(b, "null");
	json_key(b, &first, "conf_level");
	json_number(b, r->conf_level);
	json_key(b, &first, "p_value");
	r->has_p ? json_number(b, r->p_value) : (void)eks_buf_puts(b, "null");
	json_key(b, &first, "p_adjusted");
	r->has_p ? json_number(b, r->p_adjusted) : (void)eks_buf_puts(b, "null");
	json_key(b, &first, "verdict");
	eks_buf_put_json_string(b, eks_verdict_name(r->verdict));
	json_key(b, &first, "reason");
	eks_buf_put_json_string(b, r->reason ? r->reason : "");
	json_key(b, &first, "post_hoc");
	eks_buf_puts(b, r->post_hoc ? "true" : "false");
	eks_buf_putc(b, '}');
}

static void print_json(const char *revision, const struct evaluated *list, size_t count)
{
	eks_buf b = EKS_BUF_INIT;
	size_t i, j;

	eks_buf_puts(&b, "{\"revision\":");
	eks_buf_put_json_string(&b, revision);
	eks_buf_puts(&b, ",\"experiments\":[");
	for (i = 0; i < count; i++) {
		const struct evaluated *e = &list[i];
		int first = 1;

		if (i)
			eks_buf_putc(&b, ',');
		eks_buf_putc(&b, '{');
		json_key(&b, &first, "id");
		eks_buf_put_json_string(&b, e->experiment->id);
		json_key(&b, &first, "status");
		eks_buf_put_json_string(&b, eks_status_name(e->experiment->protocol->status));
		json_key(&b, &first, "hypotheses");
		eks_buf_putc(&b, '[');
		for (j = 0; j < e->evaluation->count; j++) {
			if (j)
				eks_buf_putc(&b, ',');
			put_result_json(&b, &e->evaluation->results[j]);
		}
		eks_buf_puts(&b, "]}");
	}
	eks_buf_puts(&b, "]}\n");
	fputs(eks_buf_cstr(&b), stdout);
	eks_buf_dispose(&b);
}

static void print_csv(const struct evaluated *list, size_t count)
{
	static const char *const header =
		"experiment,hypothesis,outcome,test,estimator,method,arm,against,timepoint,"
		"estimate,ci_low,ci_high,conf_level,p_value,p_adjusted,verdict,post_hoc,reason\n";
	size_t i, j;

	fputs(header, stdout);
	for (i = 0; i < count; i++) {
		for (j = 0; j < list[i].evaluation->count; j++) {
			const eks_hypothesis_result *r = &list[i].evaluation->results[j];
			const eks_hypothesis *h = r->hypothesis;
			eks_buf b = EKS_BUF_INIT;
			char against[64];

			if (!h->against)
				snprintf(against, sizeof(against), "%.15g", h->against_value);
			eks_buf_put_csv_field(&b, list[i].experiment->id);
			eks_buf_printf(&b, ",%s,%s,%s,%s,%s,%s,", h->id, h->outcome,
				       eks_test_name(h->test), eks_estimator_name(h->estimator),
				       r->method, h->arm);
			eks_buf_put_csv_field(&b, h->against ? h->against : against);
			eks_buf_printf(&b, ",%s,", h->timepoint);
			if (r->has_estimate)
				eks_buf_printf(&b, "%.15g,%.15g,%.15g,", r->estimate, r->ci_low, r->ci_high);
			else
				eks_buf_puts(&b, ",,,");
			eks_buf_printf(&b, "%g,", r->conf_level);
			if (r->has_p)
				eks_buf_printf(&b, "%.15g,%.15g,", r->p_value, r->p_adjusted);
			else
				eks_buf_puts(&b, ",,");
			eks_buf_printf(&b, "%s,%s,", eks_verdict_name(r->verdict),
				       r->post_hoc ? "true" : "false");
			eks_buf_put_csv_field(&b, r->reason);
			eks_buf_putc(&b, '\n');
			fputs(eks_buf_cstr(&b), stdout);
			eks_buf_dispose(&b);
		}
	}
}

static void print_text(const char *revision, const struct evaluated *list, size_t count)
{
	int color = cmd_use_color(stdout);
	size_t i, j;

	printf("Evaluated at commit %.7s\n", revision);
	for (i = 0; i < count; i++) {
		const struct evaluated *e = &list[i];
		struct table t;
		static const char *const head[] = {
			"hypothesis", "outcome", "comparison", "method", "estimate",
			"CI", "p", "p adjusted", "verdict"
		};

		printf("\n%s%s%s (%s)\n", color ? "\033[1m" : "", e->experiment->id,
		       color ? "\033[0m" : "", eks_status_name(e->experiment->protocol->status));
		if (e->evaluation->count == 0) {
			printf("  no hypotheses\n");
			continue;
		}
		table_init(&t, 9);
		table_add(&t, head);
		for (j = 0; j < e->evaluation->count; j++) {
			const eks_hypothesis_result *r = &e->evaluation->results[j];
			const eks_hypothesis *h = r->hypothesis;
			char est[32], lo[32], hi[32], ci[80], p[32], pa[32], cmp[200];
			const char *row[9];

			if (h->against)
				snprintf(cmp, sizeof(cmp), "%s vs %s @ %s", h->arm, h->against, h->timepoint);
			else
				snprintf(cmp, sizeof(cmp), "%s vs %g @ %s", h->arm, h->against_value, h->timepoint);
			if (r->has_estimate) {
				text_number(est, sizeof(est), r->estimate);
				snprintf(ci, sizeof(ci), "%s to %s", text_number(lo, sizeof(lo), r->ci_low),
					 text_number(hi, sizeof(hi), r->ci_high));
			} else {
				snprintf(est, sizeof(est), "-");
				snprintf(ci, sizeof(ci), "-");
			}
			if (r->has_p) {
				text_number(p, sizeof(p), r->p_value);
				text_number(pa, sizeof(pa), r->p_adjusted);
			} else {
				snprintf(p, sizeof(p), "-");
				snprintf(pa, sizeof(pa), "-");
			}
			row[0] = h->id;
			row[1] = h->outcome;
			row[2] = cmp;
			row[3] = r->method;
			row[4] = est;
			row[5] = ci;
			row[6] = p;
			row[7] = pa;
			row[8] = eks_verdict_name(r->verdict);
			table_add(&t, row);
		}
		table_print(stdout, &t, 2, color);
		table_release(&t);
		for (j = 0; j < e->evaluation->count; j++) {
			const eks_hypothesis_result *r = &e->evaluation->results[j];
			printf("  %s: %s%s\n", r->hypothesis->id, r->reason ? r->reason : "",
			       r->post_hoc ? " (post hoc: changed after its outcome was first observed)" : "");
		}
	}
}

/*
 * Mark the hypotheses changed after their outcome was first observed
 * (SPEC 5).  Only an experiment with observations can have such changes,
 * so the history is read only for those.
 */
static int mark_post_hoc(struct evaluated *e, eks_repo *repo, const char *commit,
			 char *const *candidates, size_t candidates_count)
{
	eks_integrity *in = NULL;
	size_t i;
	int rc;

	if (!eks_integrity_is_candidate(candidates, candidates_count, e->experiment->id))
		return 0;       /* its protocol never changed after it was created */
	for (i = 0; i < e->cells->count; i++)
		if (e->cells->items[i].observations)
			break;
	if (i == e->cells->count)
		return 0;
	rc = eks_integrity_load(&in, repo, commit, e->experiment->id);
	if (rc < 0)
		return rc;
	for (i = 0; i < e->evaluation->count; i++)
		e->evaluation->results[i].post_hoc =
			eks_integrity_is_post_hoc(in, e->evaluation->results[i].hypothesis->id);
	eks_integrity_free(in);
	return 0;
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
	const char *rev = "HEAD";
	unsigned fail_on = 0;
	char commit[EKS_COMMIT_HEX];
	char **ids = NULL, **dirty = NULL, **candidates = NULL;
	size_t ids_count = 0, dirty_count = 0, candidates_count = 0, count = 0, i, j;
	struct evaluated *list = NULL;
	eks_repo *repo = NULL;
	int c, rc, exit_code, problems = 0, failed = 0, own_ids = 0;

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

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		return exit_code;
	rc = eks_repo_resolve(commit, repo, rev);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_repo_dirty_experiments(&dirty, &dirty_count, repo) == 0 && dirty_count > 0)
		cmd_warning("%zu experiment file%s ha%s uncommitted changes (for example '%s'); evaluate reads commit %.7s",
			    dirty_count, dirty_count == 1 ? "" : "s", dirty_count == 1 ? "s" : "ve",
			    dirty[0], commit);

	if (optind < argc) {
		ids = argv + optind;
		ids_count = (size_t)(argc - optind);
	} else {
		rc = eks_repo_experiments(&ids, &ids_count, repo, commit);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		own_ids = 1;
	}

	rc = eks_integrity_candidates(&candidates, &candidates_count, repo, commit);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	list = calloc(ids_count ? ids_count : 1, sizeof(*list));
	if (!list) {
		exit_code = cmd_fail(eks_error_oom(), NULL);
		goto done;
	}
	for (i = 0; i < ids_count; i++) {
		eks_diag_list diags = EKS_DIAG_LIST_INIT;
		struct evaluated *e = &list[count];

		rc = eks_experiment_load(&e->experiment, repo, commit, ids[i], &diags);
		if (rc == EKS_ENOTFOUND && !own_ids) {
			eks_diag_list_clear(&diags);
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		if (rc == EKS_EINVALID) {
			cmd_print_diags(stderr, &diags, FORMAT_TEXT);
			cmd_error("'%s' is left out: its files have errors at commit %.7s", ids[i], commit);
			problems = 1;
		} else if (rc < 0) {
			eks_diag_list_clear(&diags);
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		eks_diag_list_clear(&diags);
		if (rc < 0) {
			eks_experiment_free(e->experiment);
			e->experiment = NULL;
			continue;
		}
		rc = eks_log_accumulate(&e->cells, e->experiment->log);
		if (rc == 0)
			rc = eks_evaluate(&e->evaluation, e->experiment->protocol, e->cells);
		if (rc < 0) {
			cmd_error("'%s' is left out: %s", ids[i], eks_error_last()->message);
			problems = 1;
			eks_cells_free(e->cells);
			eks_experiment_free(e->experiment);
			memset(e, 0, sizeof(*e));
			continue;
		}
		rc = mark_post_hoc(e, repo, commit, candidates, candidates_count);
		if (rc < 0) {
			exit_code = cmd_fail(rc, NULL);
			goto done;
		}
		for (j = 0; j < e->evaluation->count; j++)
			if (fail_on & (1u << e->evaluation->results[j].verdict))
				failed = 1;
		count++;
	}

	switch (format) {
	case FORMAT_JSON:
		print_json(commit, list, count);
		break;
	case FORMAT_CSV:
		print_csv(list, count);
		break;
	default:
		print_text(commit, list, count);
		break;
	}
	exit_code = problems || failed ? EXIT_PROBLEMS : EXIT_OK;
done:
	for (i = 0; list && i < ids_count; i++) {
		eks_evaluation_free(list[i].evaluation);
		eks_cells_free(list[i].cells);
		eks_experiment_free(list[i].experiment);
	}
	free(list);
	if (own_ids)
		eks_strings_free(ids, ids_count);
	eks_strings_free(dirty, dirty_count);
	eks_strings_free(candidates, candidates_count);
	eks_repo_free(repo);
	return exit_code;
}
