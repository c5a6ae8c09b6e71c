/*
 * protocol.h - the experiment protocol (experiment.yaml), in memory.
 *
 * eks_protocol_parse() both checks a parsed experiment.yaml against every
 * rule of SPEC 2.1 and builds this structure.  Strings are owned by the
 * protocol and freed by eks_protocol_free().  Fields missing from the file
 * are NULL (strings) or have has_* == 0 (numbers).
 */
#ifndef EKSPERIMENT_PROTOCOL_H
#define EKSPERIMENT_PROTOCOL_H

#include <stddef.h>
#include "diag.h"
#include "yaml.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EKS_SCHEMA "eksperiment/v1"

typedef enum {
	EKS_STATUS_UNKNOWN = 0,
	EKS_STATUS_DRAFT, EKS_STATUS_REGISTERED, EKS_STATUS_ACTIVE,
	EKS_STATUS_SUSPENDED, EKS_STATUS_COMPLETED, EKS_STATUS_TERMINATED,
	EKS_STATUS_WITHDRAWN
} eks_status;

typedef enum { EKS_MEASURE_UNKNOWN = 0, EKS_MEASURE_PROPORTION, EKS_MEASURE_MEAN } eks_measure;
typedef enum { EKS_DIRECTION_UNKNOWN = 0, EKS_DIRECTION_INCREASE, EKS_DIRECTION_DECREASE } eks_direction;
typedef enum {
	EKS_ESTIMATOR_UNKNOWN = 0, EKS_ESTIMATOR_DIFFERENCE, EKS_ESTIMATOR_RATIO,
	EKS_ESTIMATOR_ODDS_RATIO, EKS_ESTIMATOR_DID
} eks_estimator;
typedef enum {
	EKS_TEST_UNKNOWN = 0, EKS_TEST_SUPERIORITY, EKS_TEST_NONINFERIORITY,
	EKS_TEST_EQUIVALENCE, EKS_TEST_THRESHOLD
} eks_test;
typedef enum {
	EKS_METHOD_UNKNOWN = 0, EKS_METHOD_AUTO, EKS_METHOD_NEWCOMBE, EKS_METHOD_YATES,
	EKS_METHOD_FISHER, EKS_METHOD_WILSON, EKS_METHOD_EXACT, EKS_METHOD_WELCH,
	EKS_METHOD_STUDENT
} eks_method;
typedef enum { EKS_FAMILY_UNKNOWN = 0, EKS_FAMILY_CONFIRMATORY, EKS_FAMILY_EXPLORATORY } eks_family;
typedef enum {
	EKS_MULTIPLICITY_UNKNOWN = 0, EKS_MULTIPLICITY_HOLM, EKS_MULTIPLICITY_BONFERRONI,
	EKS_MULTIPLICITY_NONE
} eks_multiplicity;

typedef struct eks_partner {
	char *name;
	char *role;            /* lead | partner | comparison_site | funder | research */
	char *kommunenummer;   /* 4 digits, or NULL */
	char *level;           /* free text, or NULL */
} eks_partner;

typedef struct eks_intervention {
	char *id;
	char *name;
	char *description;
} eks_intervention;

typedef struct eks_arm {
	char *id;
	char *label;
	char *type;            /* experimental | comparison | no_intervention | active_comparator */
	char **interventions;  /* intervention ids */
	size_t interventions_count;
	char **sites;
	size_t sites_count;
} eks_arm;

typedef struct eks_timepoint {
	char *id;
	char *label;
	char *date;            /* YYYY-MM-DD or NULL */
} eks_timepoint;

typedef struct eks_outcome {
	char *id;
	char *role;            /* primary | secondary | guardrail | other */
	char *title;
	eks_measure measure;
	eks_direction direction;
	char *unit;
	int has_minimum_effect;
	double minimum_effect;
	char **timepoints;
	size_t timepoints_count;
} eks_outcome;

typedef struct eks_hypothesis {
	char *id;
	char *statement;
	char *outcome;
	char *arm;             /* compare.arm */
	char *against;         /* compare.against, or NULL */
	int has_against_value; /* compare.against_value */
	double against_value;
	char *timepoint;
	char *baseline;        /* did only */
	eks_estimator estimator;
	eks_test test;         /* default superiority */
	int has_margin;
	double margin;
	int has_minimum_effect;
	double minimum_effect; /* overrides the outcome's */
	eks_method method;     /* default auto */
	double alpha;          /* default 0.05 */
	eks_family family;     /* default confirmatory */
} eks_hypothesis;

typedef struct eks_protocol {
	char *path;            /* where it was read from (for messages) */
	char *schema;
	char *id;
	char *title;
	char *title_nb;
	char *summary;
	char *challenge;
	char *phase;
	int evidence_level;    /* 0 when absent */
	eks_status status;
	char *start_date;
	char *end_date;

	eks_partner *partners;           size_t partners_count;
	char *allocation;
	char *model;
	char *unit;
	char *existing_data;
	eks_intervention *interventions; size_t interventions_count;
	eks_arm *arms;                   size_t arms_count;
	eks_timepoint *timepoints;       size_t timepoints_count;
	eks_outcome *outcomes;           size_t outcomes_count;
	eks_hypothesis *hypotheses;      size_t hypotheses_count;

	eks_multiplicity multiplicity;   /* default holm */
	double conf_level;               /* default 0.95 */
	char *analysis_plan;

	const eks_node *root;            /* borrowed: the parsed tree, if kept */

	/* Private: hash tables behind the look-ups by id, built by
	 * eks_protocol_parse.  NULL in a protocol built by hand (the
	 * look-ups then search the lists). */
	struct eks_protocol_index *index;
} eks_protocol;

/* Most items a list of the protocol may have (arms, outcomes, ...); more
 * is reported as an error, which keeps every check linear or small. */
#define EKS_PROTOCOL_MAX_ITEMS 1000

typedef struct eks_protocol_options {
	/* The directory name the file lives in (experiments/<id>/); when set,
	 * the id inside must equal it.  NULL skips the check. */
	const char *expected_id;
	/* --strict: completeness checks for registration. */
	int strict;
} eks_protocol_options;

#define EKS_PROTOCOL_OPTIONS_INIT { NULL, 0 }

/*
 * Check `root` (the single document of experiment.yaml) against SPEC 2.1
 * and build the protocol.  Every problem is added to `diags` with its
 * position, under `path`.  Returns 0 when there were no errors (warnings
 * are fine), EKS_EINVALID when there were; in both cases *out receives the
 * protocol as far as it could be read (may be NULL when the root is not a
 * map), which the caller frees.
 */
int eks_protocol_parse(eks_protocol **out, const eks_node *root,
		       const char *path, const eks_protocol_options *opts,
		       eks_diag_list *diags);

void eks_protocol_free(eks_protocol *protocol);

/* Look-ups by local id; NULL when absent.  Borrowed. */
const eks_outcome *eks_protocol_outcome(const eks_protocol *p, const char *id);
const eks_arm *eks_protocol_arm(const eks_protocol *p, const char *id);
const eks_timepoint *eks_protocol_timepoint(const eks_protocol *p, const char *id);
const eks_hypothesis *eks_protocol_hypothesis(const eks_protocol *p, const char *id);
int eks_outcome_has_timepoint(const eks_outcome *o, const char *timepoint);

/* Names <-> enums.  *_name() returns a static string ("?" when unknown). */
const char *eks_status_name(eks_status s);
eks_status eks_status_from_name(const char *name);
const char *eks_measure_name(eks_measure m);
const char *eks_direction_name(eks_direction d);
const char *eks_estimator_name(eks_estimator e);
const char *eks_test_name(eks_test t);
const char *eks_method_name(eks_method m);
eks_method eks_method_from_name(const char *name);
const char *eks_family_name(eks_family f);
const char *eks_multiplicity_name(eks_multiplicity m);

/* Id rules of SPEC 2: experiment ids and local ids. */
int eks_experiment_id_valid(const char *id);
int eks_local_id_valid(const char *id);

#ifdef __cplusplus
}
#endif
#endif
