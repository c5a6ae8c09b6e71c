/*
 * logwrite.h - writing trial-log entries (the other direction of log.h).
 *
 * Entries are appended to log.yaml as one YAML document each, written with
 * libyaml's emitter so that any text (quotes, colons, newlines, non-ASCII
 * letters) round-trips exactly.
 *
 * Each entry is written on a single line, `--- {id: ..., kind: ..., ...}`.
 * That is what makes `merge=union` (.gitattributes) safe: when two
 * branches append entries, git's union merge keeps every line of both,
 * but it also merges lines the two sides share (`---`, `kind: note`) into
 * one, which would break entries written over several lines.  Whole
 * lines, each unique by its id, cannot be mixed up.
 */
#ifndef EKSPERIMENT_LOGWRITE_H
#define EKSPERIMENT_LOGWRITE_H

#include <time.h>
#include "buf.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_ENTRY_ID_SIZE 22     /* 20260115T101500Z-8f3a and a NUL */
#define EKS_TIMESTAMP_SIZE 21    /* 2026-01-15T10:15:00Z and a NUL */

/* RFC 3339 UTC timestamp of `t`: 2026-01-15T10:15:00Z. */
void eks_timestamp_format(char out[EKS_TIMESTAMP_SIZE], time_t t);

/*
 * A new entry id for time `t`: the UTC time and 4 random hex digits
 * (20260115T101500Z-8f3a).  Returns 0, or EKS_ERROR when no randomness is
 * to be had.
 */
int eks_entry_id_generate(char out[EKS_ENTRY_ID_SIZE], time_t t);

/*
 * Append `entry` to `out` as one YAML document on one line (see above).
 * Only the fields that are set are written, except that a disclosure
 * always has its paths and entries, [] when empty.
 */
int eks_entry_write_yaml(eks_buf *out, const eks_entry *entry);

/*
 * Write to `out` the log `log` (`len` bytes, the committed log.yaml) with
 * `entry` appended: the new bytes of log.yaml after the entry.
 */
int eks_log_append_entry(eks_buf *out, const char *log, size_t len,
			 const eks_entry *entry);

#ifdef __cplusplus
}
#endif
#endif
