/*
 * canonical_internal.h - the normalised value tree behind the canonical
 * JSON (canonical.c) and the field-level diff (diff.c).
 *
 * A YAML node tree is turned into a tree of eks_cv: every scalar resolved
 * to its JSON type and canonical token (canonical.h, rules 4 to 6), null
 * mapping entries dropped, and, for a protocol, the documented defaults
 * filled in (rule 3).  Members of an object keep the order of the file
 * (filled defaults last); writers sort them.  x-* members are kept but
 * marked, so the diff can still report them; writers and comparisons skip
 * them on request.
 */
#ifndef EKS_CANONICAL_INTERNAL_H
#define EKS_CANONICAL_INTERNAL_H

#include <stddef.h>

#include "eksperiment/buf.h"
#include "eksperiment/yaml.h"

typedef enum {
	EKS_CV_NULL, EKS_CV_BOOL, EKS_CV_NUMBER, EKS_CV_STRING,
	EKS_CV_OBJECT, EKS_CV_ARRAY
} eks_cv_type;

typedef struct eks_cv eks_cv;

struct eks_cv {
	eks_cv_type type;
	/* Scalars: the canonical JSON token ("\"text\"", 0.05, true, null),
	 * owned.  For a value JSON cannot hold (.inf, a tag that does not fit)
	 * `bad` is set and the token is not JSON but still unique to the
	 * value, so comparisons work on invalid files too. */
	char *token;
	int bad;
	const char *raw;        /* scalars: the text as written (borrowed) */
	size_t raw_len;
	int line, col;          /* where the value starts (0: unknown) */

	/* As a member of an object: its key (borrowed) and where it is. */
	const char *key;
	size_t key_len;
	int key_line, key_col;
	int ext;                /* the key starts with "x-" */
	int filled;             /* a default filled in, not written */

	/* Objects: members; arrays: elements. */
	eks_cv *items;
	size_t count;
};

/* Flags of eks_cv_build. */
#define EKS_CV_PROTOCOL  0x1   /* fill in the protocol defaults (rule 3) */

/* Flags of eks_cv_write and eks_cv_equal. */
#define EKS_CV_SKIP_EXT  0x1   /* leave x-* members out */
#define EKS_CV_STRICT    0x2   /* fail (EKS_EINVALID) on a bad scalar */

/* Build the tree of `node` (NULL: a null value) into *out, which the
 * caller releases with eks_cv_release.  EKS_ENOMEM. */
int eks_cv_build(eks_cv *out, const eks_node *node, unsigned flags);
void eks_cv_release(eks_cv *cv);

/* Append the canonical JSON of `cv` (with SKIP_EXT, x-* members left out;
 * with STRICT, EKS_EINVALID on a bad scalar and the message says where). */
int eks_cv_write(eks_buf *out, const eks_cv *cv, unsigned flags);

/* Whether two values are the same data (their canonical JSON would be
 * equal); `flags` as eks_cv_write, STRICT ignored. */
int eks_cv_equal(const eks_cv *a, const eks_cv *b, unsigned flags);

/* The member of an object named `key`, or NULL. */
const eks_cv *eks_cv_member(const eks_cv *obj, const char *key,
			    size_t key_len);

/* The text of a scalar as a person reads it: as written, except that a
 * string that would read as a number, bool or null without quotes (and
 * the empty string) is shown in JSON quotes, so 1506 and "1506" differ.
 * Objects and lists: their canonical JSON (with `flags`). */
int eks_cv_show(eks_buf *out, const eks_cv *cv, unsigned flags);

/* Whether the text of a key starts with "x-". */
int eks_cv_is_ext_key(const char *key, size_t len);

#endif
