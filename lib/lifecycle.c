/*
 * lifecycle.c - which status moves are allowed (SPEC 2.3).
 */
#include "eksperiment/error.h"
#include "eksperiment/lifecycle.h"

/* moves[from] is a bit set of the statuses `from` may move to by
 * `eksperiment status`. */
#define BIT(s) (1u << (s))
static const unsigned moves[] = {
	[EKS_STATUS_DRAFT]      = BIT(EKS_STATUS_WITHDRAWN),
	[EKS_STATUS_REGISTERED] = BIT(EKS_STATUS_ACTIVE) | BIT(EKS_STATUS_WITHDRAWN),
	[EKS_STATUS_ACTIVE]     = BIT(EKS_STATUS_SUSPENDED) | BIT(EKS_STATUS_COMPLETED) |
				  BIT(EKS_STATUS_TERMINATED),
	[EKS_STATUS_SUSPENDED]  = BIT(EKS_STATUS_ACTIVE) | BIT(EKS_STATUS_COMPLETED) |
				  BIT(EKS_STATUS_TERMINATED) | BIT(EKS_STATUS_WITHDRAWN),
	[EKS_STATUS_COMPLETED]  = 0,
	[EKS_STATUS_TERMINATED] = 0,
	[EKS_STATUS_WITHDRAWN]  = 0,
};

int eks_status_move_allowed(eks_status from, eks_status to)
{
	if (from <= EKS_STATUS_UNKNOWN || from > EKS_STATUS_WITHDRAWN ||
	    to <= EKS_STATUS_UNKNOWN || to > EKS_STATUS_WITHDRAWN)
		return 0;
	return (moves[from] & BIT(to)) != 0;
}

int eks_status_allows_logging(eks_status status)
{
	return status == EKS_STATUS_REGISTERED || status == EKS_STATUS_ACTIVE ||
	       status == EKS_STATUS_SUSPENDED;
}

int eks_status_is_final(eks_status status)
{
	return status == EKS_STATUS_COMPLETED || status == EKS_STATUS_TERMINATED ||
	       status == EKS_STATUS_WITHDRAWN;
}

int eks_status_describe_moves(eks_buf *out, eks_status from)
{
	int s, first = 1;

	if (from > EKS_STATUS_UNKNOWN && from <= EKS_STATUS_WITHDRAWN && !moves[from])
		return eks_buf_printf(out, "none: '%s' is final", eks_status_name(from));
	for (s = EKS_STATUS_DRAFT; s <= EKS_STATUS_WITHDRAWN; s++) {
		if (!eks_status_move_allowed(from, (eks_status)s))
			continue;
		eks_buf_printf(out, "%s%s", first ? "" : ", ", eks_status_name((eks_status)s));
		first = 0;
	}
	if (from == EKS_STATUS_DRAFT)
		eks_buf_puts(out, " (and registered, through 'eksperiment register')");
	return eks_buf_oom(out) ? EKS_ENOMEM : 0;
}
