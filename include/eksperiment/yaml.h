/*
 * yaml.h - a YAML loader that keeps the position of every node.
 *
 * Built on libyaml's event parser.  The result is a tree of eks_node: maps,
 * sequences and scalars, each with the line and column (1-based) where it
 * starts, so every later problem can be reported at the right place.
 *
 * The loader is hardened for untrusted input (SPEC 8.2):
 *   - input over EKS_YAML_MAX_BYTES is refused before parsing;
 *   - NUL bytes and invalid UTF-8 are reported with their position;
 *   - nesting deeper than EKS_YAML_MAX_DEPTH is refused;
 *   - aliases (*name) are refused: experiment files never need them, and
 *     refusing them makes "billion laughs" impossible;
 *   - anchors (&name) are refused too, even without an alias: they are
 *     only useful with aliases, and the error then points at the first
 *     place to change;
 *   - a key must be a scalar ("complex keys" such as `[a, b]: 1` are
 *     refused);
 *   - duplicate keys in a mapping are reported;
 *   - tabs used for indentation get a message that says so.
 * The loader never recurses while parsing.  It stops at the first syntax
 * error, encoding problem, complex key or node that is too deep; other
 * problems (duplicate keys, anchors, aliases) are all reported, up to 50
 * per file (10 about anchors and aliases), sorted by position.  A file
 * that is too large gets one diagnostic at 1:1.
 *
 * Positions: lines are counted at LF (as editors and compilers do), and
 * columns in characters, not bytes; a tab counts as one column.  A UTF-8
 * byte order mark at the start is skipped and does not count.
 *
 * Memory: each node is one allocation that also holds its value, tag and
 * child arrays; treat the tree as read-only and free it only with
 * eks_yaml_file_free().
 */
#ifndef EKSPERIMENT_YAML_H
#define EKSPERIMENT_YAML_H

#include <stddef.h>
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_YAML_MAX_BYTES ((size_t)16 * 1024 * 1024)
#define EKS_YAML_MAX_DEPTH 64

typedef enum {
	EKS_NODE_SCALAR,
	EKS_NODE_MAP,
	EKS_NODE_SEQ
} eks_node_kind;

typedef enum {
	EKS_SCALAR_PLAIN,          /* unquoted: may be a number, bool, null */
	EKS_SCALAR_QUOTED,         /* 'single' or "double" quoted: always text */
	EKS_SCALAR_BLOCK           /* | or > block: always text */
} eks_scalar_style;

typedef struct eks_node eks_node;

struct eks_node {
	eks_node_kind kind;
	int line;                  /* 1-based line of the node's first character */
	int col;                   /* 1-based column (in characters) */

	/* EKS_NODE_SCALAR */
	char *value;               /* NUL-terminated UTF-8 */
	size_t value_len;
	eks_scalar_style style;
	char *tag;                 /* explicit tag such as "!!str", or NULL
	                              (scalars only; "tag:yaml.org,2002:x"
	                              is given back as "!!x") */

	/* EKS_NODE_MAP: keys[i] -> items[i]; EKS_NODE_SEQ: items[i] */
	size_t count;
	eks_node **keys;           /* keys are scalar nodes (NULL for SEQ) */
	eks_node **items;
	size_t alloc;
};

/* A file: one or more documents (log.yaml is a stream of entries). */
typedef struct eks_yaml_file {
	char *path;
	size_t count;              /* number of documents */
	eks_node **documents;      /* each a root node; an empty document is NULL */
	int *document_lines;       /* line of each document's start ("---") */
	size_t alloc;
} eks_yaml_file;

/*
 * Parse `len` bytes of `data` (need not be NUL-terminated) as YAML.
 * `path` is used in diagnostics only.
 *
 * On success returns 0 and *out owns the tree (free with eks_yaml_file_free).
 * On a syntax or safety problem returns EKS_EINVALID, adds one or more
 * diagnostics to `diags` and sets *out to NULL.  EKS_ENOMEM on allocation
 * failure.
 */
int eks_yaml_parse(eks_yaml_file **out, const char *path,
		   const char *data, size_t len, eks_diag_list *diags);

/* Read the file at `path` and parse it (refusing files over the size limit
 * without reading them).  EKS_EIO when it cannot be read. */
int eks_yaml_load_file(eks_yaml_file **out, const char *path,
		       eks_diag_list *diags);

void eks_yaml_file_free(eks_yaml_file *file);

/* Look up `key` in a map node; NULL when absent or when `map` is not a map. */
const eks_node *eks_node_get(const eks_node *map, const char *key);

/* The key node belonging to `key` (for positions of "unknown key"). */
const eks_node *eks_node_get_key(const eks_node *map, const char *key);

/* Short human name of a node's kind: "a mapping", "a list", "a text value";
 * "an empty value" for a null scalar and "nothing" for NULL. */
const char *eks_node_kind_name(const eks_node *node);

/* True when a plain scalar spells YAML null (~, null, Null, NULL or empty),
 * when a scalar is tagged !!null, and for NULL (an empty document). */
int eks_node_is_null(const eks_node *node);

#ifdef __cplusplus
}
#endif
#endif
