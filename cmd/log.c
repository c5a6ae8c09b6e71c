/*
 * log.c - `eksperiment log <id> ...`: append one entry to an experiment's
 * trial log and commit it (SPEC 3.1).
 *
 * Everything is checked before anything is written: the experiment's
 * status, every observation against the committed protocol, identity
 * numbers in every text given.  The new log is built from the committed
 * one and committed on top of the commit it was read from.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"

struct log_options {
	const char *id;
	const char *outcome, *arm, *timepoint;
	const char *n, *events, *mean, *sd, *values;
	const char *file;
	const char *note;
	const char *kind;
	const char *source, *supersedes, *message, *author;
	int force;
	int lock_timeout;
};

static int parse_whole(long long *out, const char *flag, const char *text)
{
	char *end;

	errno = 0;
	*out = strtoll(text, &end, 10);
	if (!*text || *end || errno || *text == '+')
		return cmd_usage("log", "%s must be a whole number, not '%s'", flag, text);
	return EXIT_OK;
}

static int parse_real(double *out, const char *flag, const char *text)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (!*text || *end || errno || !isfinite(*out))
		return cmd_usage("log", "%s must be a number with '.' for decimals, not '%s'", flag, text);
	return EXIT_OK;
}

/* The observation given by --outcome/--arm/--timepoint and the value flags. */
static int observation_from_flags(eks_observation *obs, const struct log_options *o)
{
	int rc;

	memset(obs, 0, sizeof(*obs));
	if (!o->outcome || !o->arm || !o->timepoint)
		return cmd_usage("log", "an observation needs --outcome, --arm and --timepoint");
	if (o->values && (o->n || o->events || o->mean || o->sd))
		return cmd_usage("log", "give either --values or --n with --events or --mean/--sd, not both");
	if (!o->values && !o->n)
		return cmd_usage("log", "an observation needs --n (with --events, or --mean and --sd) or --values");
	obs->outcome = (char *)o->outcome;
	obs->arm = (char *)o->arm;
	obs->timepoint = (char *)o->timepoint;
	if (o->n) {
		if ((rc = parse_whole(&obs->n, "--n", o->n)))
			return rc;
		obs->fields |= EKS_OBS_N;
	}
	if (o->events) {
		if ((rc = parse_whole(&obs->events, "--events", o->events)))
			return rc;
		obs->fields |= EKS_OBS_EVENTS;
	}
	if (o->mean) {
		if ((rc = parse_real(&obs->mean, "--mean", o->mean)))
			return rc;
		obs->fields |= EKS_OBS_MEAN;
	}
	if (o->sd) {
		if ((rc = parse_real(&obs->sd, "--sd", o->sd)))
			return rc;
		obs->fields |= EKS_OBS_SD;
	}
	if (o->values) {
		const char *p = o->values;
		size_t alloc = 0;

		for (;;) {
			char item[64], *end;
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			double v;

			if (len == 0 || len >= sizeof(item)) {
				free(obs->values);
				obs->values = NULL;
				return cmd_usage("log", "--values takes numbers separated by commas, as 1.5,2.0,3.25");
			}
			memcpy(item, p, len);
			item[len] = '\0';
			errno = 0;
			v = strtod(item, &end);
			if (*end || errno || !isfinite(v)) {
				free(obs->values);
				obs->values = NULL;
				return cmd_usage("log", "--values: '%s' is not a number (use '.' for decimals)", item);
			}
			if (obs->values_count == alloc) {
				double *grown;
				alloc = alloc ? alloc * 2 : 16;
				grown = realloc(obs->values, alloc * sizeof(double));
				if (!grown) {
					free(obs->values);
					obs->values = NULL;
					return cmd_fail(eks_error_oom(), NULL);
				}
				obs->values = grown;
			}
			obs->values[obs->values_count++] = v;
			if (!comma)
				break;
			p = comma + 1;
		}
		obs->fields |= EKS_OBS_VALUES;
	}
	return EXIT_OK;
}

/* Read the observations of --file (CSV or YAML, by the file's ending). */
static int observations_from_file(eks_observation **list, size_t *count,
				  const char *path, eks_diag_list *diags)
{
	size_t len = strlen(path);
	char *data = NULL;
	size_t size = 0;
	FILE *f;
	int rc;

	*list = NULL;
	*count = 0;
	f = fopen(path, "rb");
	if (!f) {
		cmd_error("cannot read '%s': %s", path, strerror(errno));
		return EXIT_USAGE;
	}
	{
		eks_buf content = EKS_BUF_INIT;
		char chunk[65536];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			if (content.len + n > EKS_YAML_MAX_BYTES) {
				fclose(f);
				eks_buf_dispose(&content);
				cmd_error("'%s' is larger than 16 MiB; split it into smaller files", path);
				return EXIT_PROBLEMS;
			}
			eks_buf_put(&content, chunk, n);
		}
		fclose(f);
		size = content.len;
		data = eks_buf_detach(&content);
	}
	/* Identity numbers are looked for in the raw bytes, before anything else. */
	eks_privacy_scan(path, data, size, diags);
	if (len > 4 && !strcmp(path + len - 4, ".csv"))
		rc = eks_observations_from_csv(list, count, path, data, size, diags);
	else if ((len > 5 && !strcmp(path + len - 5, ".yaml")) ||
		 (len > 4 && !strcmp(path + len - 4, ".yml")))
		rc = eks_observations_from_yaml(list, count, path, data, size, diags);
	else {
		free(data);
		return cmd_usage("log", "--file takes a .csv or a .yaml file, not '%s'", path);
	}
	free(data);
	if (rc < 0 && rc != EKS_EINVALID)
		return cmd_fail(rc, NULL);
	return EXIT_OK;
}

/* "neet@t1, wellbeing@t1": the distinct outcome@timepoint pairs. */
static void summarise(eks_buf *out, const eks_observation *obs, size_t count)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(obs[i].outcome, obs[j].outcome) &&
			    !strcmp(obs[i].timepoint, obs[j].timepoint))
				break;
		if (j < i)
			continue;
		eks_buf_printf(out, "%s%s@%s", i ? ", " : "", obs[i].outcome, obs[i].timepoint);
	}
}

/* Look for identity numbers in a text the user typed on the command line. */
static void scan_text(const char *flag, const char *text, eks_diag_list *diags)
{
	if (text)
		eks_privacy_scan(flag, text, strlen(text), diags);
}

static int parse_options(struct log_options *o, int argc, char **argv)
{
	static const struct option options[] = {
		{ "outcome",      required_argument, NULL, 'O' },
		{ "arm",          required_argument, NULL, 'A' },
		{ "timepoint",    required_argument, NULL, 'T' },
		{ "n",            required_argument, NULL, 'N' },
		{ "events",       required_argument, NULL, 'E' },
		{ "mean",         required_argument, NULL, 'M' },
		{ "sd",           required_argument, NULL, 'S' },
		{ "values",       required_argument, NULL, 'V' },
		{ "file",         required_argument, NULL, 'F' },
		{ "note",         required_argument, NULL, 'n' },
		{ "kind",         required_argument, NULL, 'k' },
		{ "source",       required_argument, NULL, 's' },
		{ "supersedes",   required_argument, NULL, 'u' },
		{ "author",       required_argument, NULL, 'a' },
		{ "force",        no_argument,       NULL, 'f' },
		{ "lock-timeout", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->lock_timeout = EKS_LOCK_TIMEOUT_DEFAULT;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:", options, NULL)) != -1) {
		switch (c) {
		case 'O': o->outcome = optarg; break;
		case 'A': o->arm = optarg; break;
		case 'T': o->timepoint = optarg; break;
		case 'N': o->n = optarg; break;
		case 'E': o->events = optarg; break;
		case 'M': o->mean = optarg; break;
		case 'S': o->sd = optarg; break;
		case 'V': o->values = optarg; break;
		case 'F': o->file = optarg; break;
		case 'n': o->note = optarg; break;
		case 'k': o->kind = optarg; break;
		case 's': o->source = optarg; break;
		case 'u': o->supersedes = optarg; break;
		case 'a': o->author = optarg; break;
		case 'm': o->message = optarg; break;
		case 'f': o->force = 1; break;
		case 'L': {
			long long t;
			if (parse_whole(&t, "--lock-timeout", optarg) || t < 0 || t > 3600)
				return cmd_usage("log", "--lock-timeout takes seconds from 0 to 3600");
			o->lock_timeout = (int)t;
			break;
		}
		default:
			return cmd_usage("log", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cmd_usage("log", "'log' needs exactly one experiment id");
	o->id = argv[optind];
	if (!eks_experiment_id_valid(o->id))
		return cmd_usage("log", "'%s' is not a valid experiment id", o->id);
	if (o->kind && strcmp(o->kind, "note") && strcmp(o->kind, "adjustment"))
		return cmd_usage("log", "--kind is 'note' or 'adjustment', not '%s'", o->kind);
	if (o->kind && !o->note)
		return cmd_usage("log", "--kind %s needs --note with the text", o->kind);
	if (o->note && (o->file || o->outcome || o->values || o->n))
		return cmd_usage("log", "a note is an entry of its own: give --note without observations");
	if (o->file && (o->outcome || o->arm || o->timepoint || o->n || o->events ||
			o->mean || o->sd || o->values))
		return cmd_usage("log", "give the observations either with --file or with flags, not both");
	if (!o->note && !o->file && !o->outcome && !o->values && !o->n)
		return cmd_usage("log", "nothing to log: give an observation (--outcome ...), --file or --note");
	return EXIT_OK;
}

int cmd_log(int argc, char **argv)
{
	struct log_options o;
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_observation flag_obs, *observations = NULL;
	size_t observations_count = 0, i;
	eks_experiment *experiment = NULL;
	const eks_protocol *protocol;
	const eks_log *log;
	eks_repo *repo = NULL;
	eks_entry entry;
	eks_buf new_log = EKS_BUF_INIT, message = EKS_BUF_INIT, what = EKS_BUF_INIT;
	char head[EKS_COMMIT_HEX], commit[EKS_COMMIT_HEX];
	char entry_id[EKS_ENTRY_ID_SIZE], recorded_at[EKS_TIMESTAMP_SIZE];
	char *author = NULL;
	eks_file_change change;
	int exit_code, rc, locked = 0;
	time_t now;

	memset(&flag_obs, 0, sizeof(flag_obs));
	memset(&entry, 0, sizeof(entry));
	exit_code = parse_options(&o, argc, argv);
	if (exit_code)
		return exit_code;

	/* The observations, from flags or a file, checked for form. */
	if (o.file) {
		exit_code = observations_from_file(&observations, &observations_count, o.file, &diags);
		if (exit_code)
			goto done;
	} else if (!o.note) {
		exit_code = observation_from_flags(&flag_obs, &o);
		if (exit_code)
			goto done;
		observations = &flag_obs;
		observations_count = 1;
	}
	scan_text("--note", o.note, &diags);
	scan_text("--source", o.source, &diags);
	scan_text("-m", o.message, &diags);

	exit_code = cmd_open_repo(&repo);
	if (exit_code)
		goto done;
	eks_repo_set_lock_timeout(repo, o.lock_timeout);
	rc = eks_repo_repair(repo);
	if (rc == 0)
		rc = eks_repo_lock(repo, o.lock_timeout);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	locked = 1;
	rc = eks_repo_author(&author, repo, o.author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	scan_text("--author", o.author, &diags);
	cmd_finish_registrations(repo, author);

	/* The committed experiment, which must be valid to be added to. */
	rc = eks_repo_resolve(head, repo, "HEAD");
	if (rc == 0) {
		eks_diag_list problems = EKS_DIAG_LIST_INIT;
		rc = eks_experiment_load(&experiment, repo, head, o.id, &problems);
		if (rc == EKS_EINVALID) {
			cmd_print_diags(stderr, &problems, FORMAT_TEXT);
			cmd_error("the committed files of '%s' have errors; fix them first (see 'eksperiment validate')", o.id);
			exit_code = EXIT_PROBLEMS;
		}
		eks_diag_list_clear(&problems);
		if (rc == EKS_EINVALID)
			goto done;
	}
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	protocol = experiment->protocol;

	/* May this experiment be logged to now? */
	if (eks_status_is_final(protocol->status)) {
		cmd_error("'%s' is %s: its log is closed and nothing more can be logged",
			  o.id, eks_status_name(protocol->status));
		exit_code = EXIT_PROBLEMS;
		goto done;
	}
	if (!eks_status_allows_logging(protocol->status) && !o.force) {
		cmd_error("'%s' is still a %s: register it first ('eksperiment register %s'), or log with --force to record this as data from before registration",
			  o.id, eks_status_name(protocol->status), o.id);
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	/* Every observation against the protocol. */
	for (i = 0; i < observations_count; i++)
		eks_observation_check(&observations[i], protocol,
				      o.file ? o.file : "command line", NULL, &diags);

	log = experiment->log;
	if (o.supersedes) {
		int found = 0;
		for (i = 0; log && i < log->entries_count; i++)
			if (log->entries[i].id && !strcmp(log->entries[i].id, o.supersedes))
				found = 1;
		if (!found) {
			exit_code = cmd_usage("log", "--supersedes '%s': there is no such entry in the log of '%s' (see 'eksperiment history %s')",
					      o.supersedes, o.id, o.id);
			goto done;
		}
	}

	if (eks_diag_count(&diags, EKS_DIAG_ERROR) > 0) {
		eks_diag_sort(&diags);
		eks_diag_unique(&diags);
		cmd_print_diags(stderr, &diags, FORMAT_TEXT);
		cmd_error("nothing was logged");
		exit_code = EXIT_PROBLEMS;
		goto done;
	}

	/* The entry. */
	now = time(NULL);
	rc = eks_entry_id_generate(entry_id, now);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	eks_timestamp_format(recorded_at, now);
	entry.id = entry_id;
	entry.recorded_at = recorded_at;
	entry.recorded_by = author;
	entry.source = (char *)o.source;
	entry.supersedes = (char *)o.supersedes;
	entry.pre_registration = !eks_status_allows_logging(protocol->status);
	if (o.note) {
		entry.kind = o.kind && !strcmp(o.kind, "adjustment") ? EKS_ENTRY_ADJUSTMENT : EKS_ENTRY_NOTE;
		entry.note = (char *)o.note;
		eks_buf_puts(&what, eks_entry_kind_name(entry.kind));
	} else {
		entry.kind = EKS_ENTRY_OBSERVATION;
		entry.observations = observations;
		entry.observations_count = observations_count;
		eks_buf_printf(&what, "%zu observation%s (", observations_count,
			       observations_count == 1 ? "" : "s");
		summarise(&what, observations, observations_count);
		eks_buf_putc(&what, ')');
	}

	rc = eks_log_append_entry(&new_log, experiment->log_text, experiment->log_len, &entry);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}

	/* The new log must read back without errors before it is committed;
	 * warnings about the new entry (small cells) are shown. */
	{
		eks_diag_list check = EKS_DIAG_LIST_INIT;
		eks_log *reread = NULL;
		int first_new_line = 1;

		for (i = 0; i < experiment->log_len; i++)
			if (experiment->log_text[i] == '\n')
				first_new_line++;
		eks_validate_log(&reread, experiment->log_path, new_log.ptr, new_log.len,
				 protocol, experiment->settings, &check);
		eks_log_free(reread);
		if (eks_diag_count(&check, EKS_DIAG_ERROR) > 0) {
			cmd_print_diags(stderr, &check, FORMAT_TEXT);
			eks_diag_list_clear(&check);
			cmd_error("nothing was logged: the log would not be valid");
			exit_code = EXIT_PROBLEMS;
			goto done;
		}
		for (i = 0; i < check.count; i++)
			if (check.items[i].line >= first_new_line)
				cmd_warning("%s", check.items[i].message);
		eks_diag_list_clear(&check);
	}

	eks_buf_printf(&message, "log %s: %s\n", o.id, eks_buf_cstr(&what));
	if (o.message)
		eks_buf_printf(&message, "\n%s\n", o.message);
	eks_buf_printf(&message, "\nEntry: %s\n", entry_id);
	change.path = experiment->log_path;
	change.data = new_log.ptr;
	change.len = new_log.len;
	rc = eks_repo_commit_on(commit, repo, head, &change, 1, eks_buf_cstr(&message), author);
	if (rc < 0) {
		exit_code = cmd_fail(rc, NULL);
		goto done;
	}
	if (eks_repo_warning(repo))
		cmd_warning("%s", eks_repo_warning(repo));
	printf("Logged %s in %s as entry %s (commit %.7s)\n",
	       eks_buf_cstr(&what), o.id, entry_id, commit);
	exit_code = EXIT_OK;
done:
	if (locked)
		eks_repo_unlock(repo);
	if (observations != &flag_obs)
		eks_observations_free(observations, observations_count);
	free(flag_obs.values);
	free(author);
	eks_experiment_free(experiment);
	eks_diag_list_clear(&diags);
	eks_buf_dispose(&new_log);
	eks_buf_dispose(&message);
	eks_buf_dispose(&what);
	eks_repo_free(repo);
	return exit_code;
}
