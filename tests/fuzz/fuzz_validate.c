/*
 * fuzz_validate.c - libFuzzer target for the YAML loader and the
 * validators (SPEC 8.2).  Built and run by `make fuzz`.
 *
 * Every input goes through eks_yaml_parse.  When it parses, the same bytes
 * are checked as an experiment.yaml, and as a log.yaml against the
 * protocol read from them (so the cross-checks run too).  Whatever the
 * input, nothing may crash, leak, hang or read out of bounds, and a
 * failure must come with a diagnostic.
 *
 * Build the loader alone (while the validators do not exist yet) with
 * -DEKS_FUZZ_LOADER_ONLY.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "eksperiment/diag.h"
#include "eksperiment/error.h"
#include "eksperiment/yaml.h"
#ifndef EKS_FUZZ_LOADER_ONLY
#include "eksperiment/log.h"
#include "eksperiment/protocol.h"
#include "eksperiment/validate.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_yaml_file *file = NULL;
	const char *text = (const char *)data;
	int rc;

	rc = eks_yaml_parse(&file, "fuzz.yaml", text, size, &diags);
	if (rc == EKS_EINVALID && diags.count == 0)
		abort();        /* refused without saying why */
	if (rc == 0 && (!file || diags.count != 0))
		abort();
#ifndef EKS_FUZZ_LOADER_ONLY
	if (rc == 0) {
		eks_protocol *protocol = NULL;
		eks_log *log = NULL;

		eks_validate_protocol(&protocol, "experiments/fuzz/experiment.yaml",
				      text, size, "fuzz", 1, &diags);
		eks_validate_log(&log, "experiments/fuzz/log.yaml", text, size,
				 protocol, NULL, &diags);
		eks_log_free(log);
		eks_protocol_free(protocol);
	}
#endif
	eks_yaml_file_free(file);
	eks_diag_list_clear(&diags);
	return 0;
}
