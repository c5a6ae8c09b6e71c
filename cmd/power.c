/*
 * power.c - `eksperiment power ...`: sample size per arm, or power for a
 * given size, as R's power.prop.test and power.t.test (SPEC 6.5).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "table.h"

/*
 * The library's answer to exit codes (SPEC 3.2): a size or power that
 * cannot be had (EKS_ERROR: no n up to 1e9 per arm reaches the power) is a
 * request with no answer, exit 1, said in plain words with what to change;
 * an argument out of range is a usage error, exit 2; anything else exit 3.
 */
static int solve_failed(int rc, const char *measure, double power,
			double p1, double p2, double delta, double sd)
{
	if (rc != EKS_ERROR)
		return cmd_fail(rc, NULL);
	if (!strcmp(measure, "proportion"))
		cmd_error("no size up to 1e9 per arm reaches a power of %g: "
			  "%g against %g is too small a difference to detect; "
			  "plan for shares further apart, or a lower --power",
			  power, p1, p2);
	else
		cmd_error("no size up to 1e9 per arm reaches a power of %g: "
			  "a difference of %g with sd %g is too small to detect; "
			  "plan for a larger --delta, or a lower --power",
			  power, fabs(delta), sd);
	return EXIT_PROBLEMS;
}

/* Whole units per arm for a solved n: rounded up, and never below the 2
 * that --n accepts (R's n can be below 2, even below 1 for proportions). */
static double whole_units(double n)
{
	return fmax(2.0, ceil(n - 1e-9));
}

static int number_option(double *out, const char *flag, const char *text)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (!*text || *end || errno || !isfinite(*out))
		return cmd_usage("power", "%s must be a number with '.' for decimals, not '%s'", flag, text);
	return EXIT_OK;
}

int cmd_power(int argc, char **argv)
{
	static const struct option options[] = {
		{ "measure", required_argument, NULL, 'm' },
		{ "p1",      required_argument, NULL, '1' },
		{ "p2",      required_argument, NULL, '2' },
		{ "delta",   required_argument, NULL, 'd' },
		{ "sd",      required_argument, NULL, 's' },
		{ "alpha",   required_argument, NULL, 'a' },
		{ "power",   required_argument, NULL, 'p' },
		{ "n",       required_argument, NULL, 'n' },
		{ "sides",   required_argument, NULL, 'S' },
		{ "format",  required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *measure = NULL;
	double p1 = NAN, p2 = NAN, delta = NAN, sd = 1.0, alpha = 0.05, power = NAN, n = NAN, sides = 2;
	int have_sd = 0;
	enum cmd_format format = FORMAT_TEXT;
	eks_power_unknown unknown;
	double result_n, result_power;
	eks_buf out = EKS_BUF_INIT;
	int c, rc, exit_code;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		exit_code = EXIT_OK;
		switch (c) {
		case 'm': measure = optarg; break;
		case '1': exit_code = number_option(&p1, "--p1", optarg); break;
		case '2': exit_code = number_option(&p2, "--p2", optarg); break;
		case 'd': exit_code = number_option(&delta, "--delta", optarg); break;
		case 's': exit_code = number_option(&sd, "--sd", optarg); have_sd = 1; break;
		case 'a': exit_code = number_option(&alpha, "--alpha", optarg); break;
		case 'p': exit_code = number_option(&power, "--power", optarg); break;
		case 'n': exit_code = number_option(&n, "--n", optarg); break;
		case 'S': exit_code = number_option(&sides, "--sides", optarg); break;
		case 'f':
			exit_code = cmd_parse_format(&format, "power", optarg, ALLOW_TEXT | ALLOW_JSON);
			break;
		default:
			return cmd_usage("power", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
		if (exit_code)
			return exit_code;
	}
	if (optind < argc)
		return cmd_usage("power", "'power' takes only options, not '%s'", argv[optind]);
	if (!measure || (strcmp(measure, "proportion") && strcmp(measure, "mean")))
		return cmd_usage("power", "give --measure proportion (with --p1 and --p2) or --measure mean (with --delta and --sd)");
	if (!isnan(power) && !isnan(n))
		return cmd_usage("power", "give either --power (to get the size per arm) or --n (to get the power), not both");
	if (isnan(power) && isnan(n))
		power = 0.8;            /* the usual planning target, as in SPEC 6.5 */
	if (sides != 1 && sides != 2)
		return cmd_usage("power", "--sides is 1 or 2");
	if (!(alpha > 0 && alpha < 1))
		return cmd_usage("power", "--alpha must lie between 0 and 1");
	if (!isnan(power) && !(power > alpha && power < 1))
		return cmd_usage("power", "--power must lie between --alpha and 1, for example 0.8");
	if (!isnan(n) && !(n >= 2))
		return cmd_usage("power", "--n must be at least 2 per arm");
	unknown = isnan(power) ? EKS_POWER_SOLVE_POWER : EKS_POWER_SOLVE_N;

	if (!strcmp(measure, "proportion")) {
		eks_power_prop_spec spec = EKS_POWER_PROP_SPEC_INIT;

		if (isnan(p1) || isnan(p2))
			return cmd_usage("power", "--measure proportion needs --p1 and --p2 (the expected shares in the two arms)");
		if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1) || p1 == p2)
			return cmd_usage("power", "--p1 and --p2 must be different shares between 0 and 1");
		spec.p1 = p1;
		spec.p2 = p2;
		spec.alpha = alpha;
		spec.sides = (int)sides;
		spec.power = power;
		spec.n = n;
		rc = eks_power_prop_solve(&spec, unknown);
		if (rc < 0)
			return solve_failed(rc, measure, power, p1, p2, delta, sd);
		result_n = spec.n;
		result_power = spec.power;
	} else {
		eks_power_t_spec spec = EKS_POWER_T_SPEC_INIT;

		if (isnan(delta))
			return cmd_usage("power", "--measure mean needs --delta (the difference in means to detect) and --sd");
		if (!have_sd || !(sd > 0) || delta == 0)
			return cmd_usage("power", "--measure mean needs --sd above 0 and a --delta other than 0");
		spec.delta = fabs(delta);
		spec.sd = sd;
		spec.alpha = alpha;
		spec.sides = (int)sides;
		spec.power = power;
		spec.n = n;
		rc = eks_power_t_solve(&spec, unknown);
		if (rc < 0)
			return solve_failed(rc, measure, power, p1, p2, delta, sd);
		result_n = spec.n;
		result_power = spec.power;
	}

	if (format == FORMAT_JSON) {
		int first = 1;
		eks_buf_putc(&out, '{');
		json_key(&out, &first, "measure");
		eks_buf_put_json_string(&out, measure);
		json_key(&out, &first, "solved_for");
		eks_buf_put_json_string(&out, unknown == EKS_POWER_SOLVE_N ? "n" : "power");
		json_key(&out, &first, "n");
		json_number(&out, result_n);
		json_key(&out, &first, "n_per_arm");
		json_number(&out, whole_units(result_n));
		json_key(&out, &first, "power");
		json_number(&out, result_power);
		json_key(&out, &first, "alpha");
		json_number(&out, alpha);
		json_key(&out, &first, "sides");
		json_number(&out, sides);
		if (!strcmp(measure, "proportion")) {
			json_key(&out, &first, "p1");
			json_number(&out, p1);
			json_key(&out, &first, "p2");
			json_number(&out, p2);
		} else {
			json_key(&out, &first, "delta");
			json_number(&out, fabs(delta));
			json_key(&out, &first, "sd");
			json_number(&out, sd);
		}
		eks_buf_puts(&out, "}\n");
	} else {
		if (!strcmp(measure, "proportion"))
			eks_buf_printf(&out, "Two proportions, %g against %g (as R power.prop.test)\n", p1, p2);
		else
			eks_buf_printf(&out, "Two means, difference %g with sd %g (as R power.t.test)\n",
				       fabs(delta), sd);
		eks_buf_printf(&out, "  alpha:       %g, %s\n", alpha, sides == 2 ? "two-sided" : "one-sided");
		if (unknown == EKS_POWER_SOLVE_N) {
			eks_buf_printf(&out, "  power:       %g\n", result_power);
			eks_buf_printf(&out, "  n per arm:   %.2f, so %.0f in each arm%s\n", result_n,
				       whole_units(result_n),
				       result_n < 2.0 ? " (the fewest a comparison needs)" : "");
		} else {
			eks_buf_printf(&out, "  n per arm:   %g\n", result_n);
			eks_buf_printf(&out, "  power:       %.4f\n", result_power);
		}
	}
	fputs(eks_buf_cstr(&out), stdout);
	eks_buf_dispose(&out);
	return EXIT_OK;
}
