/*
 * history.c - `eksperiment history <id> [--format text|json]`: the
 * timeline of one experiment, newest first as `git log` shows it: every
 * commit that changed experiments/<id>/ (made by eksperiment or by plain
 * git) and what it did (eks_history_load).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "eksperiment/history.h"
#include "view.h"

#define HISTORY_SUMMARY_WIDTH 60

static void utc_time(char out[32], long long t, int rfc3339)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, 32, "?");
		return;
	}
	strftime(out, 32, rfc3339 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M", &tm);
}

static const char *change_type(eks_change_kind kind)
{
	switch (kind) {
	case EKS_CHANGE_CREATED:       return "created";
	case EKS_CHANGE_DELETED:       return "deleted";
	case EKS_CHANGE_PROTOCOL:      return "protocol_changed";
	case EKS_CHANGE_ENTRY_ADDED:   return "entry_added";
	case EKS_CHANGE_ENTRY_CHANGED: return "entry_changed";
	case EKS_CHANGE_ENTRY_REMOVED: return "entry_removed";
	case EKS_CHANGE_FILE_ADDED:    return "file_added";
	case EKS_CHANGE_FILE_CHANGED:  return "file_changed";
	case EKS_CHANGE_FILE_REMOVED:  return "file_removed";
	}
	return "?";
}

/* Append `s` cut to `width` characters, "..." marking a cut. */
static void put_cut(eks_buf *b, const char *s, size_t width)
{
	size_t chars = 0;

	for (; s && *s; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80 && chars++ == width) {
			eks_buf_puts(b, "...");
			return;
		}
		eks_buf_putc(b, *s);
	}
}

/* One line saying what a change was, for people. */
static void describe_change(eks_buf *b, const eks_change *c)
{
	size_t i;

	switch (c->kind) {
	case EKS_CHANGE_CREATED:
		eks_buf_puts(b, "experiment created");
		break;
	case EKS_CHANGE_DELETED:
		eks_buf_puts(b, "experiment removed");
		break;
	case EKS_CHANGE_PROTOCOL:
		if (c->unreadable) {
			eks_buf_puts(b, "protocol changed (a version of it is not valid YAML)");
			break;
		}
		if (!c->fields_count) {
			eks_buf_puts(b, "protocol changed: comments or layout only");
			break;
		}
		eks_buf_puts(b, "protocol changed: ");
		for (i = 0; i < c->fields_count; i++)
			eks_buf_printf(b, "%s%s", i ? ", " : "", c->fields[i]);
		break;
	case EKS_CHANGE_ENTRY_ADDED:
		eks_buf_printf(b, "%s  ", c->entry_id ? c->entry_id : "(entry without an id)");
		put_cut(b, c->summary ? c->summary : "entry", HISTORY_SUMMARY_WIDTH);
		break;
	case EKS_CHANGE_ENTRY_CHANGED:
	case EKS_CHANGE_ENTRY_REMOVED:
		eks_buf_puts(b, "log rewritten: ");
		if (c->entry_id)
			eks_buf_printf(b, "entry %s", c->entry_id);
		else
			eks_buf_puts(b, "an entry without an id");
		if (c->entry_kind)
			eks_buf_printf(b, " (%s)", eks_entry_kind_name(c->entry_kind));
		eks_buf_puts(b, c->kind == EKS_CHANGE_ENTRY_CHANGED ? " changed" : " removed");
		break;
	case EKS_CHANGE_FILE_ADDED:
		eks_buf_printf(b, "file %s added", c->path);
		break;
	case EKS_CHANGE_FILE_CHANGED:
		eks_buf_printf(b, "file %s changed%s", c->path,
			       c->unreadable ? " (it is not valid YAML)" : "");
		break;
	case EKS_CHANGE_FILE_REMOVED:
		eks_buf_printf(b, "file %s removed", c->path);
		break;
	}
}

/* Print the amendments and deviations (SPEC 5) made by commit `c`. */
static void print_integrity_text(const eks_integrity *in, const char *commit, int color)
{
	size_t i;

	for (i = 0; in && i < in->amendments_count; i++)
		if (!strcmp(in->amendments[i].commit, commit))
			printf("      - amendment (%s): %s\n",
			       eks_diff_class_name(in->amendments[i].amend_class), in->amendments[i].path);
	for (i = 0; in && i < in->deviations_count; i++) {
		const eks_deviation *d = &in->deviations[i];
		if (strcmp(d->commit, commit))
			continue;
		printf("      - %sDEVIATION%s: %s %s without an amendment (%s -> %s)\n",
		       color ? "\033[1;31m" : "", color ? "\033[0m" : "", d->path,
		       d->kind == EKS_DIFF_ADDED ? "added" : d->kind == EKS_DIFF_REMOVED ? "removed" : "changed",
		       d->old_value ? d->old_value : "(none)", d->new_value ? d->new_value : "(none)");
		if (d->disclosure_entry)
			printf("        disclosed in %s: %s\n", d->disclosure_entry, d->disclosure_reason);
	}
	for (i = 0; in && i < in->rewrites_count; i++) {
		const eks_rewrite *r = &in->rewrites[i];
		if (strcmp(r->commit, commit))
			continue;
		if (r->removed)
			printf("      - %sLOG REWRITE%s: entry %s removed (it was: %s)\n",
			       color ? "\033[1;31m" : "", color ? "\033[0m" : "", r->entry_id,
			       r->old_value ? r->old_value : "");
		else
			printf("      - %sLOG REWRITE%s: entry %s: %s %s -> %s\n",
			       color ? "\033[1;31m" : "", color ? "\033[0m" : "", r->entry_id, r->path,
			       r->old_value ? r->old_value : "(none)", r->new_value ? r->new_value : "(none)");
		if (r->disclosure_entry)
			printf("        disclosed in %s: %s\n", r->disclosure_entry, r->disclosure_reason);
	}
	if (in && in->registered && !strcmp(in->registration_commit, commit))
		printf("      - the protocol is registered (frozen) from this commit on\n");
}

static void put_integrity_json(eks_buf *j, const eks_integrity *in, const char *commit)
{
	size_t i;
	int first = 1;

	eks_buf_puts(j, ",\"amendments\":[");
	for (i = 0; in && i < in->amendments_count; i++) {
		if (strcmp(in->amendments[i].commit, commit))
			continue;
		if (!first)
			eks_buf_putc(j, ',');
		first = 0;
		eks_buf_puts(j, "{\"path\":");
		view_json_string(j, in->amendments[i].path);
		eks_buf_puts(j, ",\"class\":");
		view_json_string(j, eks_diff_class_name(in->amendments[i].amend_class));
		eks_buf_putc(j, '}');
	}
	eks_buf_putc(j, ']');
	view_integrity_json(j, in, commit);
}

static void print_text(const eks_history *h, const eks_integrity *in)
{
	int color = cmd_use_color(stdout);
	eks_buf line = EKS_BUF_INIT;
	char when[32];
	size_t i, j;

	printf("History of %s, newest first (from commit %.7s)\n", h->id, h->revision);
	for (i = 0; i < h->commits_count; i++) {
		const eks_history_commit *c = &h->commits[i];

		utc_time(when, c->time, 0);
		putchar('\n');
		if (color)
			printf("\033[33m%.7s\033[0m", c->id);
		else
			printf("%.7s", c->id);
		printf("  %s  %s%s\n", when, c->author_name,
		       c->parents_count > 1 ? "  (merge)" : "");
		printf("    %s\n", c->subject);
		if (!c->changes_count && c->parents_count > 1)
			printf("      - brings the changes of its branches together\n");
		for (j = 0; j < c->changes_count; j++) {
			eks_buf_clear(&line);
			describe_change(&line, &c->changes[j]);
			printf("      - %s\n", eks_buf_cstr(&line));
		}
		print_integrity_text(in, c->id, color);
	}
	eks_buf_dispose(&line);
}

static int print_json(const eks_history *h, const eks_integrity *in)
{
	eks_buf j = EKS_BUF_INIT;
	char when[32];
	size_t i, k, f;
	int rc;

	eks_buf_puts(&j, "{\"revision\":");
	view_json_string(&j, h->revision);
	eks_buf_puts(&j, ",\"experiment\":");
	view_json_string(&j, h->id);
	eks_buf_puts(&j, ",\"commits\":[");
	for (i = 0; i < h->commits_count; i++) {
		const eks_history_commit *c = &h->commits[i];

		if (i)
			eks_buf_putc(&j, ',');
		utc_time(when, c->time, 1);
		eks_buf_puts(&j, "{\"commit\":");
		view_json_string(&j, c->id);
		eks_buf_puts(&j, ",\"author\":");
		view_json_string(&j, c->author_name);
		eks_buf_puts(&j, ",\"email\":");
		view_json_string(&j, c->author_email);
		eks_buf_puts(&j, ",\"date\":");
		view_json_string(&j, when);
		eks_buf_puts(&j, ",\"subject\":");
		view_json_string(&j, c->subject);
		eks_buf_printf(&j, ",\"merge\":%s,\"changes\":[",
			       c->parents_count > 1 ? "true" : "false");
		for (k = 0; k < c->changes_count; k++) {
			const eks_change *ch = &c->changes[k];

			if (k)
				eks_buf_putc(&j, ',');
			eks_buf_puts(&j, "{\"type\":");
			view_json_string(&j, change_type(ch->kind));
			switch (ch->kind) {
			case EKS_CHANGE_PROTOCOL:
				eks_buf_puts(&j, ",\"fields\":");
				if (ch->unreadable) {
					eks_buf_puts(&j, "null");
					break;
				}
				eks_buf_putc(&j, '[');
				for (f = 0; f < ch->fields_count; f++) {
					if (f)
						eks_buf_putc(&j, ',');
					view_json_string(&j, ch->fields[f]);
				}
				eks_buf_putc(&j, ']');
				break;
			case EKS_CHANGE_ENTRY_ADDED:
			case EKS_CHANGE_ENTRY_CHANGED:
			case EKS_CHANGE_ENTRY_REMOVED:
				eks_buf_puts(&j, ",\"entry\":");
				view_json_string(&j, ch->entry_id);
				eks_buf_puts(&j, ",\"kind\":");
				view_json_string(&j, ch->entry_kind ?
						 eks_entry_kind_name(ch->entry_kind) : NULL);
				if (ch->kind != EKS_CHANGE_ENTRY_ADDED)
					break;
				eks_buf_puts(&j, ",\"recorded_at\":");
				view_json_string(&j, ch->recorded_at);
				eks_buf_puts(&j, ",\"recorded_by\":");
				view_json_string(&j, ch->recorded_by);
				eks_buf_puts(&j, ",\"summary\":");
				view_json_string(&j, ch->summary);
				break;
			case EKS_CHANGE_FILE_ADDED:
			case EKS_CHANGE_FILE_CHANGED:
			case EKS_CHANGE_FILE_REMOVED:
				eks_buf_puts(&j, ",\"path\":");
				view_json_string(&j, ch->path);
				break;
			default:
				break;
			}
			eks_buf_putc(&j, '}');
		}
		eks_buf_putc(&j, ']');
		put_integrity_json(&j, in, c->id);
		eks_buf_putc(&j, '}');
	}
	eks_buf_puts(&j, "]}\n");
	rc = eks_buf_oom(&j) ? EKS_ENOMEM : 0;
	if (rc == 0)
		fputs(eks_buf_cstr(&j), stdout);
	eks_buf_dispose(&j);
	return rc;
}

int cmd_history(int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum cmd_format format = FORMAT_TEXT;
	eks_history *history = NULL;
	eks_integrity *integrity = NULL;
	eks_repo *repo = NULL;
	const char *id;
	int c, rc, exit_code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((exit_code = cmd_parse_format(&format, "history", optarg,
							  ALLOW_TEXT | ALLOW_JSON)))
				return exit_code;
			break;
		default:
			return cmd_usage("history", "unknown option or missing value: '%s'",
					 argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("history", "'history' needs exactly one experiment id");
	id = argv[optind];
	if (!eks_experiment_id_valid(id))
		return cmd_usage("history", "'%s' is not a valid experiment id", id);

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		goto done;
	rc = eks_repo_repair(repo);
	if (rc == 0)
		rc = eks_history_load(&history, repo, NULL, id);
	if (rc == 0)
		rc = eks_integrity_load(&integrity, repo, history->revision, id);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	view_warn_uncommitted(repo, id, history->revision);
	if (format == FORMAT_JSON) {
		if (print_json(history, integrity) < 0)
			exit_code = cmd_fail(EKS_ENOMEM, NULL);
	} else {
		print_text(history, integrity);
	}
done:
	eks_integrity_free(integrity);
	eks_history_free(history);
	eks_repo_free(repo);
	return exit_code;
}
