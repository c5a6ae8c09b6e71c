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
	const char *method;                 /* the method used, never "auto" */
	eks_group_result groups[4];
	size_t groups_count;
	int has_estimate;                   /* 0: estimate is null */
	double estimate;
	int has_interval;                   /* 0: ci_low, ci_high are null */
	double ci_low, ci_high, conf_level;
	int has_tost;                       /* equivalence: the interval it decides on */
	double ci_tost_low, ci_tost_high, tost_conf_level;
	int has_p;                          /* 0: p_value and p_adjusted are null */
	double p_value, p_adjusted;
	int in_family;                      /* adjusted with the multiplicity family */
	eks_verdict verdict;
	char *reason;                       /* one plain sentence */
	int post_hoc;
	int rewritten;                      /* its data come from a rewritten
	                                       log entry (SPEC 5; set by the
	                                       caller, as post_hoc) */
} eks_hypothesis_result;

typedef struct eks_evaluation {
	eks_hypothesis_result *results;     /* in the protocol's order */
	size_t count;
	/* The multiplicity family (SPEC 6.4): the hypothesis ids adjusted
	 * together, members without a p-value counting as p = 1; the
	 * registered family when one was given, else the protocol's
	 * confirmatory superiority hypotheses. */
	char **family;
	size_t family_size;
	int family_registered;
	/* family[0 .. family_registered_count - 1] are the registered
	 * members; the rest were added without an amendment */
	size_t family_registered_count;
} eks_evaluation;

/* What eks_evaluate needs besides the protocol and the data. */
typedef struct eks_evaluate_options {
	/* The hypotheses registered as confirmatory superiority, as amended
	 * since (eks_integrity's family); NULL for a protocol that was never
	 * registered, whose family is that of the protocol itself. */
	char *const *registered_family;
	size_t registered_family_count;
} eks_evaluate_options;

#define EKS_EVALUATE_OPTIONS_INIT { NULL, 0 }

/*
 * Evaluate every hypothesis of `protocol` on `cells` (SPEC 6.3-6.4).
 * `options` may be NULL.  *out is owned by the caller
 * (eks_evaluation_free) and borrows from `protocol`, which must outlive
 * it.  Odd data (zero cells, n = 1, sd = 0, ...) give a verdict with a
 * reason, never an error; errors are EKS_ENOMEM and EKS_EINVALID for a
 * protocol that did not validate.
 */
int eks_evaluate(eks_evaluation **out, const eks_protocol *protocol,
		 const eks_cells *cells, const eks_evaluate_options *options);

void eks_evaluation_free(eks_evaluation *evaluation);

const char *eks_verdict_name(eks_verdict verdict);
eks_verdict eks_verdict_from_name(const char *name, int *ok);

#ifdef __cplusplus
}
#endif
#endif
