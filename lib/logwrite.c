/*
 * logwrite.c - turning a log entry into YAML with libyaml's emitter.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

#include "eksperiment/error.h"
#include "eksperiment/logwrite.h"

void eks_timestamp_format(char out[EKS_TIMESTAMP_SIZE], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, EKS_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int eks_entry_id_generate(char out[EKS_ENTRY_ID_SIZE], time_t t)
{
	unsigned char random[2];
	struct tm tm;
	char stamp[17];
	ssize_t n = -1;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, random, sizeof(random));
		close(fd);
	}
	if (n != (ssize_t)sizeof(random))
		return eks_error_set(EKS_ERROR, "cannot read /dev/urandom for a new entry id");
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(out, EKS_ENTRY_ID_SIZE, "%s-%02x%02x", stamp, random[0], random[1]);
	return 0;
}

typedef struct writer {
	yaml_emitter_t emitter;
	int failed;
} writer;

static int write_to_buf(void *data, unsigned char *bytes, size_t size)
{
	return eks_buf_put(data, (const char *)bytes, size) == 0;
}

static void emit(writer *w, yaml_event_t *event)
{
	if (w->failed) {
		yaml_event_delete(event);
		return;
	}
	if (!yaml_emitter_emit(&w->emitter, event))
		w->failed = 1;
}

/*
 * True when plain text would be read back as something other than text:
 * a number, a boolean, null, or nothing.  Such text is written quoted.
 */
static int looks_typed(const char *s)
{
	static const char *const words[] = {
		"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n", NULL
	};
	const char *const *w;
	char *end;

	if (!*s)
		return 1;
	for (w = words; *w; w++)
		if (!strcasecmp(s, *w))
			return 1;
	errno = 0;
	(void)strtod(s, &end);
	if (*end == '\0')
		return 1;
	return s[0] == '.' || s[0] == '0' || s[0] == '+' || s[0] == '-';
}

static void scalar(writer *w, const char *text, int quote)
{
	yaml_event_t event;
	yaml_scalar_style_t style = quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					  : YAML_ANY_SCALAR_STYLE;

	if (!w->failed &&
	    !yaml_scalar_event_initialize(&event, NULL, NULL, (yaml_char_t *)text,
					  (int)strlen(text), 1, 1, style)) {
		w->failed = 1;
		return;
	}
	emit(w, &event);
}

static void text(writer *w, const char *value)
{
	/* A line break must not break the entry's one line: quoted text
	 * writes it as \n. */
	scalar(w, value, looks_typed(value) || strpbrk(value, "\r\n") != NULL);
}

static void key_text(writer *w, const char *key, const char *value)
{
	if (!value)
		return;
	scalar(w, key, 0);
	text(w, value);
}

static void number(writer *w, double value)
{
	char out[40];

	/* The shortest form that reads back as the same double. */
	snprintf(out, sizeof(out), "%.15g", value);
	if (strtod(out, NULL) != value)
		snprintf(out, sizeof(out), "%.17g", value);
	scalar(w, out, 0);
}

static void integer(writer *w, long long value)
{
	char out[32];

	snprintf(out, sizeof(out), "%lld", value);
	scalar(w, out, 0);
}

static void start_mapping(writer *w, int flow)
{
	yaml_event_t event;

	if (!w->failed &&
	    !yaml_mapping_start_event_initialize(&event, NULL, NULL, 1,
			flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)) {
		w->failed = 1;
		return;
	}
	emit(w, &event);
}

static void end_mapping(writer *w)
{
	yaml_event_t event;

	if (!w->failed && !yaml_mapping_end_event_initialize(&event)) {
		w->failed = 1;
		return;
	}
	emit(w, &event);
}

static void start_sequence(writer *w, int flow)
{
	yaml_event_t event;

	if (!w->failed &&
	    !yaml_sequence_start_event_initialize(&event, NULL, NULL, 1,
			flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE)) {
		w->failed = 1;
		return;
	}
	emit(w, &event);
}

static void end_sequence(writer *w)
{
	yaml_event_t event;

	if (!w->failed && !yaml_sequence_end_event_initialize(&event)) {
		w->failed = 1;
		return;
	}
	emit(w, &event);
}

static void observation(writer *w, const eks_observation *o)
{
	size_t i;

	start_mapping(w, 1);
	key_text(w, "outcome", o->outcome);
	key_text(w, "arm", o->arm);
	key_text(w, "timepoint", o->timepoint);
	if (o->fields & EKS_OBS_N) {
		scalar(w, "n", 0);
		integer(w, o->n);
	}
	if (o->fields & EKS_OBS_EVENTS) {
		scalar(w, "events", 0);
		integer(w, o->events);
	}
	if (o->fields & EKS_OBS_MEAN) {
		scalar(w, "mean", 0);
		number(w, o->mean);
	}
	if (o->fields & EKS_OBS_SD) {
		scalar(w, "sd", 0);
		number(w, o->sd);
	}
	if (o->fields & EKS_OBS_VALUES) {
		scalar(w, "values", 0);
		start_sequence(w, 1);
		for (i = 0; i < o->values_count; i++)
			number(w, o->values[i]);
		end_sequence(w);
	}
	end_mapping(w);
}

static void text_list(writer *w, const char *key, char *const *items,
		      size_t count)
{
	size_t i;

	scalar(w, key, 0);
	start_sequence(w, 1);
	for (i = 0; i < count; i++)
		text(w, items[i]);
	end_sequence(w);
}

/* commit, paths, entries, reason, keep (SPEC 2.2).  Both lists are
 * written even when empty, so that every disclosure shows what it does
 * and does not cover. */
static void disclosure(writer *w, const eks_entry *entry)
{
	key_text(w, "commit", entry->disclosure_commit);
	text_list(w, "paths", entry->disclosure_paths,
		  entry->disclosure_paths_count);
	text_list(w, "entries", entry->disclosure_entries,
		  entry->disclosure_entries_count);
	key_text(w, "reason", entry->disclosure_reason);
	key_text(w, "keep", entry->disclosure_keep);
}

int eks_entry_write_yaml(eks_buf *out, const eks_entry *entry)
{
	yaml_event_t event;
	writer w;
	size_t i;

	memset(&w, 0, sizeof(w));
	if (!yaml_emitter_initialize(&w.emitter))
		return eks_error_oom();
	yaml_emitter_set_output(&w.emitter, write_to_buf, out);
	yaml_emitter_set_unicode(&w.emitter, 1);
	yaml_emitter_set_width(&w.emitter, -1);
	yaml_emitter_set_indent(&w.emitter, 2);

	if (yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING))
		emit(&w, &event);
	else
		w.failed = 1;
	if (!w.failed && yaml_document_start_event_initialize(&event, NULL, NULL, NULL, 0))
		emit(&w, &event);
	else
		w.failed = 1;

	start_mapping(&w, 1);
	key_text(&w, "id", entry->id);
	key_text(&w, "kind", eks_entry_kind_name(entry->kind));
	key_text(&w, "recorded_at", entry->recorded_at);
	key_text(&w, "recorded_by", entry->recorded_by);
	if (entry->kind == EKS_ENTRY_DISCLOSURE)
		disclosure(&w, entry);
	if (entry->pre_registration) {
		scalar(&w, "pre_registration", 0);
		scalar(&w, "true", 0);
	}
	key_text(&w, "from", entry->status_from);
	key_text(&w, "to", entry->status_to);
	key_text(&w, "reason", entry->status_reason);
	key_text(&w, "protocol_sha256", entry->protocol_sha256);
	key_text(&w, "commit_parent", entry->commit_parent);
	if (entry->amendment_paths_count)
		text_list(&w, "paths", entry->amendment_paths,
			  entry->amendment_paths_count);
	key_text(&w, "class", entry->amendment_class);
	if (!entry->status_reason)
		key_text(&w, "reason", entry->amendment_reason);
	key_text(&w, "source", entry->source);
	key_text(&w, "supersedes", entry->supersedes);
	if (entry->observations_count) {
		scalar(&w, "observations", 0);
		start_sequence(&w, 1);
		for (i = 0; i < entry->observations_count; i++)
			observation(&w, &entry->observations[i]);
		end_sequence(&w);
	}
	key_text(&w, "note", entry->note);
	end_mapping(&w);

	if (!w.failed && yaml_document_end_event_initialize(&event, 1))
		emit(&w, &event);
	else
		w.failed = 1;
	if (!w.failed && yaml_stream_end_event_initialize(&event))
		emit(&w, &event);
	else
		w.failed = 1;

	if (w.failed) {
		int rc = eks_error_set(EKS_ERROR, "cannot write the log entry as YAML: %s",
				       w.emitter.problem ? w.emitter.problem : "out of memory");
		yaml_emitter_delete(&w.emitter);
		return rc;
	}
	yaml_emitter_delete(&w.emitter);
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}

int eks_log_append_entry(eks_buf *out, const char *log, size_t len,
			 const eks_entry *entry)
{
	eks_buf_put(out, log, len);
	if (len && log[len - 1] != '\n')
		eks_buf_putc(out, '\n');
	if (eks_buf_oom(out))
		return EKS_ENOMEM;
	return eks_entry_write_yaml(out, entry);
}
