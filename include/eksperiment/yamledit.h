/*
 * yamledit.h - changing one value of a YAML file in place, keeping every
 * comment and all formatting around it (used for the `status:` field).
 */
#ifndef EKSPERIMENT_YAMLEDIT_H
#define EKSPERIMENT_YAMLEDIT_H

#include <stddef.h>
#include "buf.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Write `text` to `out` with the single-line scalar `node` (parsed from
 * this very text) replaced by `value`, written plain.  The value must be a
 * plain word (letters, digits, '_', '-').  EKS_EUSAGE when the node is not
 * a one-line scalar or `value` is not a plain word.
 */
int eks_yaml_replace_scalar(eks_buf *out, const char *text, size_t len,
			    const eks_node *node, const char *value);

#ifdef __cplusplus
}
#endif
#endif
