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

#endif
