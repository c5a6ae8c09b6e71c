/*
 * gen.c - write a synthetic experiment repository for the benchmarks.
 *
 *   gen <dir> <experiments> <observations-per-experiment> [seed]
 *
 * Writes <dir>/eksperiment.yaml, <dir>/.gitattributes and, for each
 * experiment, <dir>/experiments/<id>/experiment.yaml and log.yaml, valid
 * per SPEC 2.1 and 2.2: varied challenges, statuses (registered, active,
 * completed), partners with quoted kommunenummer, two arms, one to three
 * outcomes (proportion and mean), one to three hypotheses whose estimator
 * and test fit the outcome's measure, and a log whose observation entries
 * hold exactly <observations-per-experiment> observations in all.
 *
 * Proportions keep events >= 5 and n - events >= 5 (no small-cell
 * warnings, SPEC 8.3); no number in the output has 11 digits.  The same
 * seed always gives the same bytes.  Stand-alone: it does not use the
 * project library, so it builds even when the library does not.
 *
 * On stdout it prints one line naming a good target for a `log` benchmark:
 *   <experiment-id> <outcome> <arm> <timepoint>
 * (an active experiment with a proportion outcome; the outcome is measured
 * at that timepoint).
 */
#define _POSIX_C_SOURCE 200809L   /* gmtime_r, mkdir */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_OUTCOMES 3
#define MAX_TIMEPOINTS 3
#define MAX_COMBOS (MAX_OUTCOMES * MAX_TIMEPOINTS * 2)

/* ---------------------------------------------------------------- random */

/* splitmix64 (Steele, Lea and Flood 2014): small, fast, and the same
 * sequence on every platform, which is all the generator needs. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned rnd(unsigned n)
{
	return n ? (unsigned)(rng_next() % n) : 0;
}

/* Uniform in [lo, hi]. */
static int rnd_range(int lo, int hi)
{
	return lo + (int)rnd((unsigned)(hi - lo + 1));
}

/* Uniform in [0, 1). */
static double rnd_unit(void)
{
	return (double)(rng_next() >> 11) * (1.0 / 9007199254740992.0);
}

/* Approximately normal (sum of uniforms, Irwin-Hall), mean 0, sd 1. */
static double rnd_normal(void)
{
	double s = 0;
	int i;

	for (i = 0; i < 12; i++)
		s += rnd_unit();
	return s - 6.0;
}

/* ------------------------------------------------------------ the pools */

struct kommune {
	const char *nummer;
	const char *name;
	const char *slug;     /* ascii, for ids and e-mail domains */
	const char *county;
};

/* Real-looking municipality numbers (2024 numbering) and names. */
static const struct kommune kommuner[] = {
	{ "0301", "Oslo kommune", "oslo", "Oslo kommune" },
	{ "1506", "Molde kommune", "molde", "Møre og Romsdal fylkeskommune" },
	{ "1505", "Kristiansund kommune", "kristiansund", "Møre og Romsdal fylkeskommune" },
	{ "1508", "Ålesund kommune", "alesund", "Møre og Romsdal fylkeskommune" },
	{ "1577", "Volda kommune", "volda", "Møre og Romsdal fylkeskommune" },
	{ "3201", "Bærum kommune", "baerum", "Akershus fylkeskommune" },
	{ "3203", "Asker kommune", "asker", "Akershus fylkeskommune" },
	{ "3205", "Lillestrøm kommune", "lillestrom", "Akershus fylkeskommune" },
	{ "3301", "Drammen kommune", "drammen", "Buskerud fylkeskommune" },
	{ "3905", "Tønsberg kommune", "tonsberg", "Vestfold fylkeskommune" },
	{ "3907", "Sandefjord kommune", "sandefjord", "Vestfold fylkeskommune" },
	{ "4001", "Porsgrunn kommune", "porsgrunn", "Telemark fylkeskommune" },
	{ "4003", "Skien kommune", "skien", "Telemark fylkeskommune" },
	{ "3403", "Hamar kommune", "hamar", "Innlandet fylkeskommune" },
	{ "3405", "Lillehammer kommune", "lillehammer", "Innlandet fylkeskommune" },
	{ "3407", "Gjøvik kommune", "gjovik", "Innlandet fylkeskommune" },
	{ "4204", "Kristiansand kommune", "kristiansand", "Agder fylkeskommune" },
	{ "4203", "Arendal kommune", "arendal", "Agder fylkeskommune" },
	{ "1103", "Stavanger kommune", "stavanger", "Rogaland fylkeskommune" },
	{ "1108", "Sandnes kommune", "sandnes", "Rogaland fylkeskommune" },
	{ "1106", "Haugesund kommune", "haugesund", "Rogaland fylkeskommune" },
	{ "4601", "Bergen kommune", "bergen", "Vestland fylkeskommune" },
	{ "4640", "Sogndal kommune", "sogndal", "Vestland fylkeskommune" },
	{ "5001", "Trondheim kommune", "trondheim", "Trøndelag fylkeskommune" },
	{ "5006", "Steinkjer kommune", "steinkjer", "Trøndelag fylkeskommune" },
	{ "1804", "Bodø kommune", "bodo", "Nordland fylkeskommune" },
	{ "1833", "Rana kommune", "rana", "Nordland fylkeskommune" },
	{ "5501", "Tromsø kommune", "tromso", "Troms fylkeskommune" },
	{ "5601", "Alta kommune", "alta", "Finnmark fylkeskommune" },
	{ "1813", "Brønnøy kommune", "bronnoy", "Nordland fylkeskommune" },
};

static const char *const first_names[] = {
	"Kari", "Ola", "Ingrid", "Per", "Sigrid", "Lars", "Astrid", "Nils",
	"Marit", "Jon", "Hanne", "Eirik", "Solveig", "Tor", "Liv", "Anders",
};
static const char *const last_names[] = {
	"Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen",
	"Dahl", "Lie", "Bakken", "Strand", "Moen", "Lund", "Solberg",
};
static const char *const research_partners[] = {
	"NTNU", "OsloMet", "Høgskolen i Molde", "Universitetet i Bergen",
	"Nordlandsforskning", "NORCE", "Fafo", "SINTEF",
};
static const char *const funders[] = {
	"KS", "Norges forskningsråd", "Husbanken", "Helsedirektoratet",
};

struct outcome_kind {
	const char *id;
	const char *title;
	int proportion;       /* 1: proportion, 0: mean */
	const char *direction;
	const char *unit;
	double base;          /* share (proportion) or mean */
	double sd;            /* mean only */
	double min_effect;
	double margin;        /* for difference tests; ratios use 0.1-0.25 */
};

struct topic {
	const char *challenge;
	const char *slug;
	const char *title;
	const char *title_nb;
	const char *intervention_id;
	const char *intervention_name;
	const char *intervention_description;
	const char *unit;
	struct outcome_kind outcomes[3];
};

static const struct topic topics[] = {
	{ "ungt_utenforskap", "outreach", "Outreach youth team and NEET share among young people",
	  "Oppsøkende ungdomsteam og andel unge utenfor arbeid og utdanning",
	  "outreach", "Oppsøkende ungdomsteam",
	  "A home visit within 14 days of a signal from school or NAV, then weekly follow-up",
	  "person",
	  { { "neet", "Share of referred young people (16-25) who are NEET", 1, "decrease", "share", 0.30, 0, 0.05, 0.05 },
	    { "wellbeing", "Self-reported wellbeing score (0-10)", 0, "increase", "points", 6.5, 1.9, 0.5, 0.4 },
	    { "in_school", "Share enrolled in education after 12 months", 1, "increase", "share", 0.45, 0, 0.05, 0.05 } } },
	{ "ungt_utenforskap", "mentor", "Mentors for pupils at risk of dropping out of upper secondary school",
	  "Mentorordning for elever i faresonen for å slutte i videregående",
	  "mentor", "Mentorordning", "Weekly meetings with a trained adult mentor for one school year",
	  "person",
	  { { "completion", "Share completing the school year", 1, "increase", "share", 0.70, 0, 0.05, 0.04 },
	    { "absence_days", "Days of absence per pupil per term", 0, "decrease", "days", 9.0, 4.5, 1.0, 0.8 },
	    { "dropout", "Share who leave school during the year", 1, "decrease", "share", 0.15, 0, 0.03, 0.03 } } },
	{ "ungt_utenforskap", "jobcoach", "Job coaching in ordinary workplaces for young adults on benefits",
	  "Jobbcoaching i ordinære virksomheter for unge på ytelser",
	  "jobcoach", "Jobbcoach", "Individual placement and support with a coach at the workplace",
	  "person",
	  { { "employed", "Share in paid work after 12 months", 1, "increase", "share", 0.25, 0, 0.05, 0.05 },
	    { "hours_worked", "Hours of paid work per week", 0, "increase", "hours per week", 11.0, 7.0, 2.0, 1.5 },
	    { "on_benefits", "Share receiving benefits after 12 months", 1, "decrease", "share", 0.60, 0, 0.05, 0.05 } } },
	{ "demografi", "nightcare", "Digital night supervision in home care",
	  "Digitalt nattilsyn i hjemmetjenesten",
	  "sensors", "Digitalt nattilsyn", "Motion and door sensors with night-time alerts to a response team",
	  "person",
	  { { "night_visits", "Physical night visits per recipient per month", 0, "decrease", "visits per month", 17.0, 6.0, 2.0, 1.5 },
	    { "fall_admission", "Share with a fall-related emergency admission", 1, "decrease", "share", 0.12, 0, 0.02, 0.03 },
	    { "satisfaction", "Satisfaction with the service (1-5)", 0, "increase", "points", 3.9, 0.8, 0.2, 0.2 } } },
	{ "demografi", "dispenser", "Electronic medicine dispensers for home-care recipients",
	  "Elektronisk medisineringsstøtte for hjemmeboende",
	  "dispenser", "Medisindispenser", "A locked dispenser that reminds and releases the right dose",
	  "person",
	  { { "missed_doses", "Missed doses per recipient per month", 0, "decrease", "doses per month", 4.0, 2.5, 1.0, 0.7 },
	    { "med_visits", "Share still needing daily medicine visits", 1, "decrease", "share", 0.55, 0, 0.10, 0.05 },
	    { "readmission", "Share readmitted to hospital within 30 days", 1, "decrease", "share", 0.18, 0, 0.03, 0.03 } } },
	{ "demografi", "reablement", "Everyday rehabilitation before home-care services are granted",
	  "Hverdagsrehabilitering før vedtak om hjemmetjenester",
	  "reablement", "Hverdagsrehabilitering", "An intensive period of training in daily activities at home",
	  "person",
	  { { "care_hours", "Home-care hours per week after 3 months", 0, "decrease", "hours per week", 6.0, 3.5, 1.0, 0.8 },
	    { "independent", "Share managing without home care after 3 months", 1, "increase", "share", 0.35, 0, 0.05, 0.05 },
	    { "adl_score", "Daily living score (COPM, 1-10)", 0, "increase", "points", 5.5, 1.8, 0.5, 0.4 } } },
	{ "klima_miljo", "sorting", "Door-to-door guidance on household waste sorting",
	  "Veiledning om kildesortering hjemme hos innbyggerne",
	  "guidance", "Sorteringsveiledning", "A visit with practical advice and free sorting bins",
	  "household",
	  { { "sorted_share", "Share of households sorting food waste correctly", 1, "increase", "share", 0.55, 0, 0.05, 0.05 },
	    { "residual_kg", "Residual waste per household per month", 0, "decrease", "kg per month", 28.0, 9.0, 2.0, 2.0 },
	    { "complaints", "Share of households filing a collection complaint", 1, "decrease", "share", 0.10, 0, 0.02, 0.02 } } },
	{ "klima_miljo", "ebike", "Lending electric bicycles to commuters",
	  "Utlån av elsykler til pendlere",
	  "ebike", "Elsykkelutlån", "Three months of free use of an electric bicycle",
	  "person",
	  { { "car_trips", "Car trips to work per week", 0, "decrease", "trips per week", 6.5, 2.8, 1.0, 0.8 },
	    { "cycles", "Share cycling to work at least twice a week", 1, "increase", "share", 0.20, 0, 0.05, 0.05 },
	    { "km_cycled", "Kilometres cycled per week", 0, "increase", "km per week", 22.0, 15.0, 5.0, 4.0 } } },
	{ "klima_miljo", "energy", "Energy advice for owners of detached houses",
	  "Energirådgivning for eiere av eneboliger",
	  "advice", "Energirådgivning", "A home visit by an energy adviser and a written action plan",
	  "household",
	  { { "kwh", "Electricity use per household per month", 0, "decrease", "kWh per month", 1450.0, 420.0, 60.0, 50.0 },
	    { "measures", "Share carrying out at least one measure", 1, "increase", "share", 0.30, 0, 0.05, 0.05 },
	    { "heat_pump", "Share installing a heat pump", 1, "increase", "share", 0.15, 0, 0.03, 0.03 } } },
	{ "annet", "digital", "Digital application for housing support with guidance",
	  "Digital søknad om bostøtte med veiledning",
	  "digital", "Digital søknad med veiledning", "An online form with a caseworker on call by chat",
	  "person",
	  { { "processing_days", "Days from application to decision", 0, "decrease", "days", 24.0, 11.0, 3.0, 2.0 },
	    { "complete", "Share of applications complete at first submission", 1, "increase", "share", 0.60, 0, 0.05, 0.05 },
	    { "appeals", "Share of decisions appealed", 1, "decrease", "share", 0.08, 0, 0.02, 0.02 } } },
	{ "annet", "letters", "Plain-language decision letters",
	  "Klarspråk i vedtaksbrev",
	  "plain_letters", "Klarspråksbrev", "Decision letters rewritten in plain language and tested with users",
	  "person",
	  { { "calls", "Share of recipients calling to ask about the letter", 1, "decrease", "share", 0.25, 0, 0.05, 0.04 },
	    { "understood", "Share who understood the decision", 1, "increase", "share", 0.62, 0, 0.05, 0.05 },
	    { "call_minutes", "Minutes of follow-up calls per letter", 0, "decrease", "minutes", 7.5, 4.0, 1.0, 0.8 } } },
	{ "annet", "library", "Open library with self-service in the evenings",
	  "Meråpent bibliotek på kveldstid",
	  "open_library", "Meråpent bibliotek", "Self-service access with the library card from 7 to 23",
	  "municipality",
	  { { "visits", "Visits per 1000 inhabitants per week", 0, "increase", "visits", 85.0, 25.0, 8.0, 6.0 },
	    { "young_share", "Share of visitors under 25", 1, "increase", "share", 0.28, 0, 0.04, 0.04 },
	    { "loans", "Loans per 1000 inhabitants per week", 0, "increase", "loans", 60.0, 20.0, 6.0, 5.0 } } },
};

struct timepoint_set {
	int count;
	const char *ids[MAX_TIMEPOINTS];
	const char *labels[MAX_TIMEPOINTS];
	int months[MAX_TIMEPOINTS];
};

static const struct timepoint_set timepoint_sets[] = {
	{ 2, { "t0", "t1" }, { "baseline", "12 months" }, { 0, 12 } },
	{ 3, { "t0", "t1", "t2" }, { "baseline", "6 months", "12 months" }, { 0, 6, 12 } },
	{ 2, { "before", "after" }, { "6 months before start", "months 7-12 after start" }, { 0, 12 } },
	{ 3, { "baseline", "m6", "m18" }, { "at referral", "6 months", "18 months" }, { 0, 6, 18 } },
};

static const char *const phases[] = { "explore", "test", "test", "adjust", "scale" };
static const char *const statuses[] = { "registered", "active", "active", "active", "completed" };
static const char *const sources[] = {
	"Municipal case records", "NAV register extract", "SSB table 12423",
	"Care records, monthly aggregates", "Questionnaire, paper and web",
	"School administration system", "Service desk statistics",
};

/* ------------------------------------------------------------ output */

static const char *out_dir;

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		die("cannot create '%s': %s", path, strerror(errno));
}

static FILE *open_out(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write '%s': %s", path, strerror(errno));
	return f;
}

static void close_out(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("cannot write '%s': %s", path, strerror(errno));
}

/* ------------------------------------------------------------ dates */

/* Days since 1970-01-01 of a civil date (Hinnant's days_from_civil). */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void format_date(char out[11], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* recorded_at (RFC 3339) and the matching entry id prefix. */
static void format_stamp(char rfc[21], char compact[17], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(rfc, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(compact, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* ------------------------------------------------------------ one experiment */

struct outcome {
	const struct outcome_kind *kind;
	const char *role;
	int timepoints[MAX_TIMEPOINTS];   /* indexes into the set */
	int timepoints_count;
	double arm_shift;                 /* true effect in arm a, for the data */
	int has_minimum_effect;
};

struct experiment {
	char id[80];
	const struct topic *topic;
	const struct kommune *lead, *other;
	const char *status;
	const struct timepoint_set *tps;
	struct outcome outcomes[MAX_OUTCOMES];
	int outcomes_count;
	char arms[2][32];
	time_t start;
	char person[2][96];
	char email_domain[64];
};

static int outcome_has_timepoint(const struct outcome *o, int tp)
{
	int i;

	for (i = 0; i < o->timepoints_count; i++)
		if (o->timepoints[i] == tp)
			return 1;
	return 0;
}

static void write_hypothesis(FILE *f, const struct experiment *e, int index,
			     const struct outcome *o, int family_exploratory)
{
	const struct outcome_kind *k = o->kind;
	const char *estimator = "difference", *test = "superiority";
	const char *method = NULL;
	int against_value = 0, did = 0;
	int last_tp = o->timepoints[o->timepoints_count - 1];
	unsigned r = rnd(100);
	double margin = 0;

	if (o->timepoints_count >= 2 && r < 20) {
		estimator = "did";
		did = 1;
		test = rnd(4) ? "superiority" : "threshold";
	} else if (r < 30) {
		against_value = 1;
		test = rnd(3) ? "superiority" : "threshold";
		if (k->proportion && !strcmp(test, "superiority"))
			method = rnd(2) ? "wilson" : (rnd(2) ? "exact" : NULL);
	} else {
		if (k->proportion) {
			unsigned s = rnd(10);
			estimator = s < 6 ? "difference" : s < 8 ? "ratio" : "odds_ratio";
		}
		r = rnd(100);
		if (r < 60) {
			test = "superiority";
		} else if (r < 80) {
			test = "noninferiority";
		} else if (r < 92) {
			test = "equivalence";
		} else {
			test = "threshold";
		}
		if (!strcmp(test, "noninferiority") || !strcmp(test, "equivalence"))
			margin = strcmp(estimator, "difference") ? 0.1 + 0.05 * rnd(4) : k->margin;
		if (!strcmp(estimator, "difference") && !strcmp(test, "superiority") && rnd(3) == 0) {
			static const char *const prop_methods[] = { "newcombe", "yates", "fisher", "auto" };
			static const char *const mean_methods[] = { "welch", "student", "auto" };
			method = k->proportion ? prop_methods[rnd(4)] : mean_methods[rnd(3)];
		}
	}

	fprintf(f, "  - id: H%d\n", index + 1);
	if (against_value)
		fprintf(f, "    statement: In the %s arm the outcome '%s' is better than the national benchmark.\n",
			e->arms[0], k->id);
	else if (did)
		fprintf(f, "    statement: The outcome %s improves more from %s to %s in the %s arm than in the %s arm.\n",
			k->id, e->tps->labels[o->timepoints[0]], e->tps->labels[last_tp],
			e->arms[0], e->arms[1]);
	else
		fprintf(f, "    statement: At %s, %c%s is %s with the intervention than without it.\n",
			e->tps->labels[last_tp], k->title[0] | 0x20, k->title + 1,
			!strcmp(test, "noninferiority") ? "not meaningfully worse" :
			!strcmp(test, "equivalence") ? "about the same" :
			!strcmp(k->direction, "increase") ? "higher" : "lower");
	fprintf(f, "    outcome: %s\n", k->id);
	if (against_value) {
		/* The benchmark is the usual level; a share lies in (0, 1). */
		fprintf(f, k->proportion ? "    compare: {arm: %s, against_value: %.2f}\n" :
			"    compare: {arm: %s, against_value: %.1f}\n", e->arms[0], k->base);
	} else {
		fprintf(f, "    compare: {arm: %s, against: %s}\n", e->arms[0], e->arms[1]);
	}
	fprintf(f, "    timepoint: %s\n", e->tps->ids[last_tp]);
	if (did)
		fprintf(f, "    baseline: %s\n", e->tps->ids[o->timepoints[0]]);
	fprintf(f, "    estimator: %s\n", estimator);
	fprintf(f, "    test: %s\n", test);
	if (margin > 0)
		fprintf(f, "    margin: %g\n", margin);
	if (method)
		fprintf(f, "    method: %s\n", method);
	/* A threshold test needs a minimum_effect (register checks it). */
	if (!strcmp(test, "threshold") && !o->has_minimum_effect)
		fprintf(f, "    minimum_effect: %g\n",
			strcmp(estimator, "ratio") && strcmp(estimator, "odds_ratio") ? k->min_effect : 0.1);
	else if (rnd(5) == 0 && !strcmp(estimator, "difference"))
		fprintf(f, "    minimum_effect: %g\n", k->min_effect * 2);
	if (rnd(6) == 0) {
		/* drawn for every test, so the rest of the stream is as before;
		 * a noninferiority test has no use for alpha (validate warns) */
		const char *alpha = rnd(2) ? "0.1" : "0.025";

		if (strcmp(test, "noninferiority"))
			fprintf(f, "    alpha: %s\n", alpha);
	}
	if (family_exploratory)
		fputs("    family: exploratory\n", f);
}

static void write_protocol(const struct experiment *e, const char *path)
{
	FILE *f = open_out(path);
	const struct topic *t = e->topic;
	char date[11];
	int i, j, hyps, randomized = rnd(3) == 0;

	fputs("schema: eksperiment/v1\n", f);
	fprintf(f, "id: %s\n", e->id);
	fprintf(f, "title: %s in %s\n", t->title, e->lead->name);
	fprintf(f, "title_nb: %s i %s\n", t->title_nb, e->lead->name);
	if (rnd(4))
		fprintf(f, "summary: >-\n  Tests whether %s improves outcomes for\n"
			"  the people it serves in %s, compared with %s.\n",
			t->intervention_name, e->lead->name, e->other->name);
	fprintf(f, "challenge: %s\n", t->challenge);
	fprintf(f, "phase: %s\n", phases[rnd(ARRAY_SIZE(phases))]);
	if (rnd(3))
		fprintf(f, "evidence_level: %d\n", rnd_range(1, 5));
	fprintf(f, "status: %s\n", e->status);
	format_date(date, e->start);
	fprintf(f, "dates:\n  start: %s\n", date);
	format_date(date, e->start + (time_t)rnd_range(400, 800) * 86400);
	fprintf(f, "  end: %s\n", date);

	fputs("partners:\n", f);
	fprintf(f, "  - {name: %s, role: lead, kommunenummer: \"%s\", level: municipality}\n",
		e->lead->name, e->lead->nummer);
	fprintf(f, "  - {name: %s, role: %s, kommunenummer: \"%s\", level: municipality}\n",
		e->other->name, randomized ? "partner" : "comparison_site", e->other->nummer);
	if (rnd(2))
		fprintf(f, "  - {name: %s, role: partner, level: county}\n", e->lead->county);
	if (rnd(2))
		fprintf(f, "  - {name: %s, role: research}\n",
			research_partners[rnd(ARRAY_SIZE(research_partners))]);
	if (rnd(2))
		fprintf(f, "  - {name: %s, role: funder, level: national}\n",
			funders[rnd(ARRAY_SIZE(funders))]);

	fprintf(f, "design:\n  allocation: %s\n  model: %s\n  unit: %s\n",
		randomized ? "randomized" : "non_randomized",
		randomized || rnd(2) ? "parallel" : "before_after", t->unit);
	fprintf(f, "existing_data: %s\n", rnd(3) ? "none" : "exists_not_accessed");

	fputs("interventions:\n", f);
	fprintf(f, "  - id: %s\n    name: %s\n", t->intervention_id, t->intervention_name);
	if (rnd(3))
		fprintf(f, "    description: %s\n", t->intervention_description);

	fputs("arms:\n", f);
	fprintf(f, "  - {id: %s, label: With %s, type: experimental, interventions: [%s]",
		e->arms[0], t->intervention_name, t->intervention_id);
	if (!randomized)
		fprintf(f, ", sites: [\"%s\"]", e->lead->nummer);
	fputs("}\n", f);
	fprintf(f, "  - {id: %s, label: Usual services, type: %s", e->arms[1],
		rnd(3) ? "comparison" : "no_intervention");
	if (!randomized)
		fprintf(f, ", sites: [\"%s\"]", e->other->nummer);
	fputs("}\n", f);

	fputs("timepoints:\n", f);
	for (i = 0; i < e->tps->count; i++) {
		fprintf(f, "  - {id: %s, label: %s", e->tps->ids[i], e->tps->labels[i]);
		if (e->tps->ids[i][0] == 't' || e->tps->ids[i][0] == 'm') {
			format_date(date, e->start + (time_t)e->tps->months[i] * 30 * 86400);
			fprintf(f, ", date: %s", date);
		}
		fputs("}\n", f);
	}

	fputs("outcomes:\n", f);
	for (i = 0; i < e->outcomes_count; i++) {
		const struct outcome *o = &e->outcomes[i];
		fprintf(f, "  - id: %s\n    role: %s\n    title: %s\n    measure: %s\n",
			o->kind->id, o->role, o->kind->title,
			o->kind->proportion ? "proportion" : "mean");
		fprintf(f, "    unit: %s\n    direction: %s\n", o->kind->unit, o->kind->direction);
		if (o->has_minimum_effect)
			fprintf(f, "    minimum_effect: %g\n", o->kind->min_effect);
		fputs("    timepoints: [", f);
		for (j = 0; j < o->timepoints_count; j++)
			fprintf(f, "%s%s", j ? ", " : "", e->tps->ids[o->timepoints[j]]);
		fputs("]\n", f);
	}

	fputs("hypotheses:\n", f);
	hyps = rnd_range(1, 3);
	for (i = 0; i < hyps; i++) {
		/* The first hypothesis is on the primary outcome; the others on
		 * any outcome. */
		const struct outcome *o = &e->outcomes[i ? rnd((unsigned)e->outcomes_count) : 0];
		write_hypothesis(f, e, i, o, i > 0 && rnd(3) == 0);
	}

	if (rnd(4)) {
		static const char *const mult[] = { "holm", "holm", "bonferroni", "none" };
		fprintf(f, "analysis:\n  multiplicity: %s\n", mult[rnd(4)]);
		if (rnd(2))
			fprintf(f, "  conf_level: %s\n", rnd(4) ? "0.95" : "0.9");
		if (rnd(2))
			fputs("  plan: >-\n    Confirmatory hypotheses are adjusted together;\n"
			      "    data come from municipal records at each timepoint.\n", f);
	}
	close_out(f, path);
}

/* One observation of (outcome, arm, timepoint) at the given position. */
static void write_observation(FILE *f, const struct experiment *e, const struct outcome *o,
			      int arm, int tp, int raw)
{
	const struct outcome_kind *k = o->kind;
	double better = !strcmp(k->direction, "increase") ? 1 : -1;
	double effect = arm == 0 && tp > 0 ? o->arm_shift * better : 0;

	fprintf(f, "  - {outcome: %s, arm: %s, timepoint: %s, ", k->id, e->arms[arm],
		e->tps->ids[tp]);
	if (k->proportion) {
		int n = rnd_range(30, 400), events;
		double p = k->base + effect + 0.03 * rnd_normal();

		if (p < 0.02)
			p = 0.02;
		if (p > 0.98)
			p = 0.98;
		events = (int)(p * n + 0.5);
		if (events < 5)
			events = 5;
		if (events > n - 5)
			events = n - 5;
		fprintf(f, "n: %d, events: %d}\n", n, events);
	} else if (raw) {
		int count = rnd_range(3, 8), i;

		fputs("values: [", f);
		for (i = 0; i < count; i++) {
			double v = k->base + effect * k->sd + k->sd * rnd_normal();
			if (v < 0)
				v = 0;
			fprintf(f, "%s%.1f", i ? ", " : "", v);
		}
		fputs("]}\n", f);
	} else {
		int n = rnd_range(10, 200);
		double mean = k->base + effect * k->sd + 0.1 * k->sd * rnd_normal();
		double sd = k->sd * (0.8 + 0.4 * rnd_unit());

		if (mean < 0.1 * k->base)
			mean = 0.1 * k->base;
		fprintf(f, "n: %d, mean: %.2f, sd: %.2f}\n", n, mean, sd);
	}
}

static time_t write_entry_head(FILE *f, const struct experiment *e, time_t t,
			       const char *kind, char last_id[32])
{
	char rfc[21], compact[17];

	format_stamp(rfc, compact, t);
	snprintf(last_id, 32, "%s-%04x", compact, rnd(65536));
	fprintf(f, "---\nid: %s\nkind: %s\nrecorded_at: %s\n", last_id, kind, rfc);
	fprintf(f, "recorded_by: %s\n", e->person[rnd(2)]);
	return t;
}

static void write_log(const struct experiment *e, const char *path, int observations)
{
	FILE *f = open_out(path);
	struct { int outcome, arm, tp; } combos[MAX_COMBOS];
	int combos_count, remaining = observations, tp = 0, entries_left;
	int supersede, last_tp = 0, last_m = 0, last_start = 0;
	char last_id[32] = "", last_obs_id[32] = "";
	time_t t = e->start - (time_t)rnd_range(3, 20) * 86400 + rnd(36000);
	long span, step;
	int active = strcmp(e->status, "registered") != 0;

	/* Registration, then the move to active (SPEC 2.3). */
	write_entry_head(f, e, t, "registration", last_id);
	fputs("protocol_sha256: 0000000000000000000000000000000000000000000000000000000000000000\n", f);
	fputs("note: Registered before the first participant was included.\n", f);
	t = e->start + rnd(36000);
	if (active) {
		write_entry_head(f, e, t, "status", last_id);
		fputs("from: registered\nto: active\nreason: Recruitment started.\n", f);
	}

	/* Observation entries spread over at most 375-675 days after the start
	 * (a step of 1.5 times the average at most, for at most obs/2 entries).
	 * Registered experiments log too (SPEC 3.1 allows it). */
	entries_left = observations / 2 + 1;   /* at most: entries hold >= 2 */
	span = (long)rnd_range(250, 450) * 86400;
	step = span / entries_left;
	if (step < 60)
		step = 60;
	while (remaining > 0) {
		int i, o, a, m, start;

		t += step / 2 + (time_t)rnd((unsigned)step);
		if (rnd(12) == 0) {
			int adjustment = rnd(2);
			write_entry_head(f, e, t, adjustment ? "adjustment" : "note", last_id);
			fprintf(f, "note: %s\n", adjustment ?
				"Follow-up meetings moved to afternoons after feedback from participants." :
				"Two staff members on leave this month; data collection continued as planned.");
			t += 3600 + rnd(7200);
		}

		/* A correction repeats the delivery it supersedes. */
		supersede = last_obs_id[0] && rnd(40) == 0;
		if (supersede)
			tp = last_tp;

		/* Each entry reports one timepoint: every outcome measured there,
		 * for both arms, as a data delivery would. */
		combos_count = 0;
		for (o = 0; o < e->outcomes_count; o++) {
			if (!outcome_has_timepoint(&e->outcomes[o], tp))
				continue;
			for (a = 0; a < 2; a++) {
				combos[combos_count].outcome = o;
				combos[combos_count].arm = a;
				combos[combos_count].tp = tp;
				combos_count++;
			}
		}
		m = rnd_range(2, 6);
		start = (int)rnd((unsigned)combos_count);
		if (supersede) {
			m = last_m;
			start = last_start;
		}
		if (m > combos_count)
			m = combos_count;
		if (m > remaining)
			m = remaining;

		write_entry_head(f, e, t, "observation", last_id);
		if (rnd(3) == 0)
			fprintf(f, "source: %s\n", sources[rnd(ARRAY_SIZE(sources))]);
		if (supersede)
			fprintf(f, "supersedes: %s\nnote: Corrects a delivery that counted some people twice.\n",
				last_obs_id);
		fputs("observations:\n", f);
		for (i = 0; i < m; i++) {
			int c = (start + i) % combos_count;
			write_observation(f, e, &e->outcomes[combos[c].outcome], combos[c].arm,
					  combos[c].tp, rnd(8) == 0);
		}
		memcpy(last_obs_id, last_id, sizeof(last_obs_id));
		last_tp = tp;
		last_m = m;
		last_start = start;
		remaining -= m;
		tp = (tp + 1) % e->tps->count;
	}

	if (!strcmp(e->status, "completed")) {
		t += 86400 + rnd(86400);
		write_entry_head(f, e, t, "status", last_id);
		fputs("from: active\nto: completed\nreason: The last follow-up data were delivered.\n", f);
	}
	close_out(f, path);
}

static void build_experiment(struct experiment *e, int index)
{
	unsigned k, other;
	int i, j, pick[3] = { 0, 1, 2 };
	const char *fn, *ln;

	e->topic = &topics[rnd(ARRAY_SIZE(topics))];
	k = rnd(ARRAY_SIZE(kommuner));
	other = (k + 1 + rnd(ARRAY_SIZE(kommuner) - 1)) % ARRAY_SIZE(kommuner);
	e->lead = &kommuner[k];
	e->other = &kommuner[other];
	e->status = statuses[rnd(ARRAY_SIZE(statuses))];
	e->tps = &timepoint_sets[rnd(ARRAY_SIZE(timepoint_sets))];
	snprintf(e->id, sizeof(e->id), "%s-%s-%05d", e->topic->slug, e->lead->slug, index + 1);

	if (rnd(3) == 0) {
		snprintf(e->arms[0], sizeof(e->arms[0]), "intervention");
		snprintf(e->arms[1], sizeof(e->arms[1]), "control");
	} else {
		snprintf(e->arms[0], sizeof(e->arms[0]), "%s", e->lead->slug);
		snprintf(e->arms[1], sizeof(e->arms[1]), "%s", e->other->slug);
	}

	/* Start between 2021-01-01 and 2024-06-30: with a log spread over at
	 * most 700 days, every time stays in the past. */
	e->start = (time_t)(days_from_civil(2021, 1, 1) + rnd(1276)) * 86400 + 8 * 3600;

	/* 1-3 distinct outcomes in a shuffled order; the first is primary and
	 * measured at every timepoint, the others at all or only the last. */
	for (i = 2; i > 0; i--) {
		j = (int)rnd((unsigned)i + 1);
		int tmp = pick[i];
		pick[i] = pick[j];
		pick[j] = tmp;
	}
	e->outcomes_count = rnd_range(1, 3);
	for (i = 0; i < e->outcomes_count; i++) {
		struct outcome *o = &e->outcomes[i];
		static const char *const roles[] = { "secondary", "secondary", "guardrail", "other" };

		o->kind = &e->topic->outcomes[pick[i]];
		o->role = i == 0 ? "primary" : roles[rnd(4)];
		if (i == 0 || rnd(2)) {
			o->timepoints_count = e->tps->count;
			for (j = 0; j < e->tps->count; j++)
				o->timepoints[j] = j;
		} else {
			o->timepoints_count = 1;
			o->timepoints[0] = e->tps->count - 1;
		}
		o->has_minimum_effect = rnd(5) != 0;
		o->arm_shift = o->kind->proportion ? o->kind->min_effect * (rnd_unit() * 2 - 0.5)
						   : rnd_unit() * 0.6 - 0.1;
	}

	for (i = 0; i < 2; i++) {
		fn = first_names[rnd(ARRAY_SIZE(first_names))];
		ln = last_names[rnd(ARRAY_SIZE(last_names))];
		snprintf(e->person[i], sizeof(e->person[i]), "%s %s <%c%s.%c%s@%s.kommune.example>",
			 fn, ln, fn[0] + 32, fn + 1, ln[0] + 32, ln + 1, e->lead->slug);
	}
}

int main(int argc, char **argv)
{
	char path[4096], *end;
	long experiments, observations;
	unsigned long long seed = 1;
	int i, target_printed = 0;
	FILE *f;

	if (argc < 4 || argc > 5) {
		fputs("usage: gen <dir> <experiments> <observations-per-experiment> [seed]\n", stderr);
		return 2;
	}
	out_dir = argv[1];
	experiments = strtol(argv[2], &end, 10);
	if (*end || experiments < 1 || experiments > 1000000)
		die("experiments must be a number from 1 to 1000000");
	observations = strtol(argv[3], &end, 10);
	if (*end || observations < 1 || observations > 100000)
		die("observations per experiment must be a number from 1 to 100000");
	if (argc == 5) {
		seed = strtoull(argv[4], &end, 10);
		if (*end)
			die("the seed must be a number");
	}
	rng_state = seed * 0x2545f4914f6cdd1dULL + 0x1234567ULL;

	make_dir(out_dir);
	snprintf(path, sizeof(path), "%s/eksperiment.yaml", out_dir);
	f = open_out(path);
	fprintf(f, "schema: eksperiment/v1\nname: Synthetic benchmark repository (%ld experiments, seed %llu)\n"
		"privacy:\n  min_cell: 5\n", experiments, seed);
	close_out(f, path);
	snprintf(path, sizeof(path), "%s/.gitattributes", out_dir);
	f = open_out(path);
	fputs("experiments/*/log.yaml merge=union\n", f);
	close_out(f, path);
	snprintf(path, sizeof(path), "%s/experiments", out_dir);
	make_dir(path);

	for (i = 0; i < experiments; i++) {
		struct experiment e;

		memset(&e, 0, sizeof(e));
		build_experiment(&e, i);
		snprintf(path, sizeof(path), "%s/experiments/%s", out_dir, e.id);
		make_dir(path);
		snprintf(path, sizeof(path), "%s/experiments/%s/experiment.yaml", out_dir, e.id);
		write_protocol(&e, path);
		snprintf(path, sizeof(path), "%s/experiments/%s/log.yaml", out_dir, e.id);
		write_log(&e, path, (int)observations);

		if (!target_printed && !strcmp(e.status, "active")) {
			int o;
			for (o = 0; o < e.outcomes_count; o++) {
				if (!e.outcomes[o].kind->proportion)
					continue;
				printf("%s %s %s %s\n", e.id, e.outcomes[o].kind->id, e.arms[0],
				       e.tps->ids[e.outcomes[o].timepoints[e.outcomes[o].timepoints_count - 1]]);
				target_printed = 1;
				break;
			}
		}
	}
	if (!target_printed)
		fputs("gen: no active experiment with a proportion outcome; use more experiments\n", stderr);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write to standard output");
	return 0;
}
