/* hello.c - a program built against the installed libeksperiment: it
 * reads an experiment.yaml and prints its id and how many hypotheses it
 * states, or the problems found, as validate would. */
#include <stdio.h>
#include <stdlib.h>
#include <eksperiment.h>

int main(int argc, char **argv)
{
	eks_diag_list diags = EKS_DIAG_LIST_INIT;
	eks_protocol *protocol = NULL;
	char text[1 << 16];
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;
	size_t n = f ? fread(text, 1, sizeof(text), f) : 0;
	int rc;

	if (!f)
		return 2;
	fclose(f);
	rc = eks_validate_protocol(&protocol, argv[1], text, n, NULL, 0, &diags);
	if (rc == 0)
		printf("%s: %zu hypotheses\n", protocol->id, protocol->hypotheses_count);
	else
		printf("%zu errors\n", eks_diag_count(&diags, EKS_DIAG_ERROR));
	eks_protocol_free(protocol);
	eks_diag_list_clear(&diags);
	return rc == 0 ? 0 : 1;
}
