/*
 * evaluate.h - verdicts on the pre-registered hypotheses (SPEC 6).
 *
 * Pure computation: a parsed protocol and the accumulated observations in,
 * one result per hypothesis out.  No git, no SQLite, no printing.
 */
#ifndef EKSPERIMENT_EVALUATE_H
#define EKSPERIMENT_EVALUATE_H

#include <stddef.h>
#include "accumulate.h"
#include "protocol.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	EKS_VERDICT_SUPPORTED = 0,
	EKS_VERDICT_REFUTED,
	EKS_VERDICT_INCONCLUSIVE,
	EKS_VERDICT_INSUFFICIENT_DATA
} eks_verdict;

/* One (arm, timepoint) an estimate used, with its data. */
typedef struct eks_group_result {
	const char *arm;           /* borrowed from the protocol */
	const char *timepoint;
	int has_data;              /* 0: no observations for this group */
	int is_count;              /* proportion: n and events; else n, mean, sd */
	long long n;
	long long events;
	double mean;
	double sd;
} eks_group_result;

typedef struct eks_hypothesis_result {
	const eks_hypothesis *hypothesis;   /* borrowed */
	const eks_outcome *outcome;         /* borrowed; NULL if unknown */
	const char *method;                 /* method used, e.g. "newcombe" */
	eks_group_result groups[4];
	size_t groups_count;
	int has_estimate;
	double estimate, ci_low, ci_high, conf_level;
	int has_p;                          /* 0: p_value is null (threshold) */
	double p_value, p_adjusted;
	eks_verdict verdict;
	char *reason;                       /* one plain sentence */
	int post_hoc;
} eks_hypothesis_result;

typedef struct eks_evaluation {
	eks_hypothesis_result *results;     /* in the protocol's order */
	size_t count;
	size_t family_size;                 /* confirmatory superiority hypotheses adjusted together */
} eks_evaluation;

/*
 * Evaluate every hypothesis of `protocol` on `cells`.  *out is owned by
 * the caller (eks_evaluation_free) and borrows from `protocol`, which must
 * outlive it.  Odd data (zero cells, n = 1, sd = 0, ...) give a verdict
 * with a reason, never an error; errors are EKS_ENOMEM and EKS_EINVALID
 * for a protocol that did not validate.
 */
int eks_evaluate(eks_evaluation **out, const eks_protocol *protocol,
		 const eks_cells *cells);

void eks_evaluation_free(eks_evaluation *evaluation);

const char *eks_verdict_name(eks_verdict verdict);
eks_verdict eks_verdict_from_name(const char *name, int *ok);

#ifdef __cplusplus
}
#endif
#endif
