/*
 * lifecycle.h - the status lifecycle of an experiment (SPEC 2.3).
 *
 *   draft       -> registered (only through `register`), withdrawn
 *   registered  -> active, withdrawn
 *   active      -> suspended, completed, terminated
 *   suspended   -> active, completed, terminated, withdrawn
 *   completed, terminated, withdrawn: final
 */
#ifndef EKSPERIMENT_LIFECYCLE_H
#define EKSPERIMENT_LIFECYCLE_H

#include "buf.h"
#include "protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Whether `from` may move to `to` by `eksperiment status` (the move to
 * registered is `eksperiment register`'s alone, so it is not allowed here). */
int eks_status_move_allowed(eks_status from, eks_status to);

/* Whether entries may be logged in `status` (registered, active, suspended). */
int eks_status_allows_logging(eks_status status);

/* A final status (completed, terminated, withdrawn). */
int eks_status_is_final(eks_status status);

/*
 * Append the moves `eksperiment status` allows from `from` to `out` as
 * "active, withdrawn" (or "none: <status> is final").
 */
int eks_status_describe_moves(eks_buf *out, eks_status from);

#ifdef __cplusplus
}
#endif
#endif
