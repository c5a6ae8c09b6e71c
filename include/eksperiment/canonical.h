/*
 * canonical.h - the canonical JSON of a protocol's frozen fields and its
 * SHA-256, the `protocol_sha256` of a registration (SPEC 5).
 *
 * The canonical JSON is built from the parsed YAML tree of experiment.yaml
 * (eks_yaml_parse), so every frozen field counts as it is written, not as
 * the program happens to read it.  The rules below are the whole contract:
 * anyone can recompute the hash from them (tests/unit/canonical_check.py
 * does, in Python, with a YAML parser of its own).
 *
 * CANONICAL FORM (eksperiment/v1)
 *
 *  1. Fields.  The JSON document is one object holding the FROZEN top-level
 *     fields of the protocol that are present: id, title, design,
 *     existing_data, interventions, arms, timepoints, outcomes, hypotheses,
 *     analysis.  Every other top-level key (schema, status, title_nb,
 *     summary, challenge, phase, evidence_level, dates, partners, x-*) is
 *     left out.  Below a frozen field everything written is included,
 *     except as rules 2 and 3 say.
 *
 *  2. Extensions.  A mapping key that starts with "x-" is never frozen: it
 *     and its value are left out, at every depth.
 *
 *  3. Absent values and defaults.  A mapping entry whose value is null (a
 *     plain empty value, ~, null, Null, NULL, or a value tagged !!null)
 *     counts as absent and is left out.  Then the documented defaults are
 *     filled in where absent, so that writing a default explicitly is no
 *     change:
 *       - in every hypothesis (each mapping in the `hypotheses` list):
 *         test: superiority, method: auto, alpha: 0.05,
 *         family: confirmatory;
 *       - in `analysis`: multiplicity: holm, conf_level: 0.95; when the
 *         protocol has no `analysis` (or it is null), `analysis` is the
 *         object of these two defaults.
 *     Nothing else is filled in.  Null items of a list are kept as null.
 *
 *  4. Scalars.  A quoted ('...' or "...") or block (| or >) scalar is a
 *     string.  A plain scalar is read with the YAML 1.2 core schema:
 *       null    ~ null Null NULL or empty
 *       bool    true True TRUE false False FALSE   -> true / false
 *       int     [-+]?[0-9]+ (decimal, leading zeros allowed: 0301 is 301)
 *               0o[0-7]+ (octal), 0x[0-9a-fA-F]+ (hexadecimal)
 *       float   [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
 *       .inf, -.inf, .nan (any of the core spellings): NOT allowed, JSON
 *               cannot hold them; hashing fails with EKS_EINVALID
 *       anything else is a string.
 *     An explicit tag overrides: !!str and the non-specific ! make a
 *     string; !!null, !!bool, !!int, !!float read the text as that type
 *     (!!float also accepts the int forms) and the hash fails when the text
 *     is not of that type; any other tag makes a string.  Mapping keys are
 *     always their text as written.
 *
 *  5. Numbers.  Ints and floats alike are the nearest IEEE 754 double to
 *     the value written (round half to even), written as ECMAScript's
 *     Number::toString does (ECMA-262, 7.1.12.1; the rule of RFC 8785,
 *     JSON Canonicalization Scheme, 3.2.2.3): take the shortest decimal
 *     digit string s (k digits, no trailing zeros) and exponent n such
 *     that s x 10^(n-k) reads back as the same double (among equally short
 *     ones the nearest); then
 *       0 and -0            -> 0
 *       k <= n <= 21        -> s followed by n-k zeros          (1e10 -> 10000000000)
 *       0 < n <= 21         -> s with a '.' after n digits      (1.5)
 *       -6 < n <= 0         -> "0." then -n zeros then s        (5e-2 -> 0.05)
 *       otherwise           -> d[.ddd]e+X or d[.ddd]e-X with X = |n-1|
 *                              (1e21 -> 1e+21, 1.5e-7 -> 1.5e-7)
 *     with a leading '-' for negative numbers.  So 1, 1.0 and +1 are all 1;
 *     0.05 and 5e-2 are both 0.05; integers beyond 2^53 lose precision as
 *     they would in any JSON reader.
 *
 *  6. Strings are written in double quotes as their UTF-8 bytes, with the
 *     only escapes \" \\ \b \f \n \r \t and \u00xx (two lowercase hex
 *     digits) for the other bytes below 0x20; every other character,
 *     including '/', DEL and non-ASCII, is written as itself.  No Unicode
 *     normalisation is done.
 *
 *  7. Objects have their keys sorted by comparing the UTF-8 bytes of the
 *     keys (unsigned, shorter first when one is a prefix of the other);
 *     lists keep their order.  No whitespace anywhere: "," and ":" are not
 *     followed by spaces, and there is no trailing newline.
 *
 * The hash is the SHA-256 (FIPS 180-4) of the bytes of the canonical JSON,
 * written as 64 lowercase hex digits.
 */
#ifndef EKSPERIMENT_CANONICAL_H
#define EKSPERIMENT_CANONICAL_H

#include "buf.h"
#include "sha256.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Append the canonical JSON of the frozen fields of `root` (the document
 * node of experiment.yaml) to `out`.  Returns 0, EKS_EINVALID when `root`
 * is NULL or not a mapping, or when a frozen value cannot be written as
 * JSON (.inf, .nan, a tag that does not fit its text: the message gives
 * line and column), EKS_ENOMEM.  On failure `out` may hold part of the
 * text.
 */
int eks_protocol_canonical_json(eks_buf *out, const eks_node *root);

/*
 * The protocol hash: SHA-256 of the canonical JSON of `root`, as 64
 * lowercase hex digits and a NUL in `out`.  Errors as
 * eks_protocol_canonical_json (`out` is then the empty string).
 */
int eks_protocol_hash(char out[EKS_SHA256_HEX_SIZE], const eks_node *root);

/*
 * Append the canonical JSON of any YAML node to `out` by rules 3 to 7,
 * without filling in protocol defaults and keeping x-* keys (a log entry,
 * a settings file).  NULL is written as null.  Errors as above.
 */
int eks_yaml_canonical_json(eks_buf *out, const eks_node *node);

#ifdef __cplusplus
}
#endif
#endif
