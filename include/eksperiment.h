/*
 * eksperiment.h - the public API of libeksperiment.
 */
#ifndef EKSPERIMENT_H
#define EKSPERIMENT_H

#include "eksperiment/error.h"
#include "eksperiment/buf.h"
#include "eksperiment/diag.h"
#include "eksperiment/yaml.h"
#include "eksperiment/protocol.h"
#include "eksperiment/log.h"
#include "eksperiment/settings.h"
#include "eksperiment/privacy.h"
#include "eksperiment/validate.h"
#include "eksperiment/store.h"
#include "eksperiment/text.h"
#include "eksperiment/template.h"
#include "eksperiment/check.h"
#include "eksperiment/logwrite.h"
#include "eksperiment/lifecycle.h"
#include "eksperiment/stats.h"
#include "eksperiment/accumulate.h"
#include "eksperiment/obsfile.h"
#include "eksperiment/yamledit.h"
#include "eksperiment/experiment.h"
#include "eksperiment/history.h"
#include "eksperiment/evaluate.h"
#include "eksperiment/query.h"
#include "eksperiment/index.h"
#include "eksperiment/sha256.h"
#include "eksperiment/canonical.h"
#include "eksperiment/diff.h"
#include "eksperiment/integrity.h"
#include "eksperiment/disclose.h"
#include "eksperiment/registration.h"

#endif
