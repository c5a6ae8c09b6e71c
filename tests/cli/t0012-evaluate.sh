#!/bin/sh
# eksperiment evaluate: verdicts from committed data, formats, --fail-on.
. "$(dirname "$0")/lib.sh"

evaluate_text() {
	make_example_repo
	run 0 eks evaluate
	expect_contains out "Evaluated at commit $(git rev-parse --short=7 HEAD)"
	expect_contains out "uu-molde-outreach (registered)"
	expect_contains out "demo-velferdsteknologi (active)"
	grep -E '^  H1 +neet +molde vs kristiansund @ t1 +newcombe' out
	expect_contains out "after adjusting for 2 confirmatory hypotheses"
	expect_empty err
}
run_test "evaluate prints a table and a reason per hypothesis, naming the commit" evaluate_text

evaluate_json() {
	make_example_repo
	run 0 eks evaluate uu-molde-outreach --format json
	python3 - "$(git rev-parse HEAD)" <<'PY'
import json, sys
doc = json.load(open("out"))
assert doc["revision"] == sys.argv[1], doc["revision"]
(e,) = doc["experiments"]
assert e["id"] == "uu-molde-outreach" and e["status"] == "registered"
h = {x["id"]: x for x in e["hypotheses"]}
h1 = h["H1"]
for key in ("id", "outcome", "test", "estimator", "method", "arm", "against", "timepoint",
            "groups", "estimate", "ci_low", "ci_high", "conf_level", "p_value",
            "p_adjusted", "verdict", "reason", "post_hoc"):
    assert key in h1, key
assert h1["method"] == "newcombe"
assert h1["groups"] == [{"arm": "molde", "timepoint": "t1", "n": 120, "events": 14},
                        {"arm": "kristiansund", "timepoint": "t1", "n": 118, "events": 25}]
# R: prop.test(c(14, 25), c(120, 118), correct = FALSE)$p.value
assert abs(h1["p_value"] - 0.0472832262) < 1e-9
assert abs(h1["p_adjusted"] - 0.09456645239) < 1e-9
assert h1["verdict"] == "inconclusive"
assert h["H2"]["p_adjusted"] == h["H2"]["p_value"]
assert h["H2"]["baseline"] == "t0" and len(h["H2"]["groups"]) == 4
assert h["H3"]["groups"][0] == {"arm": "molde", "timepoint": "t1", "n": 96, "mean": 6.9, "sd": 1.8}
PY
}
run_test "--format json has every field of SPEC 6.1 with R's numbers" evaluate_json

evaluate_csv() {
	make_example_repo
	run 0 eks evaluate --format csv
	head -1 out | grep -q '^experiment,hypothesis,outcome,test,estimator,method,arm,against,timepoint,estimate,ci_low,ci_high,conf_level,p_value,p_adjusted,verdict,post_hoc,reason,ci_tost_low,ci_tost_high,rewritten$'
	test "$(wc -l < out)" = 6
	grep -q '^demo-velferdsteknologi,H1,night_visits,superiority,did,did_welch,supervised,usual,after,' out
}
run_test "--format csv gives one row per hypothesis" evaluate_csv

evaluate_fail_on() {
	make_example_repo
	run 1 eks evaluate --fail-on inconclusive
	run 0 eks evaluate --fail-on refuted
	run 0 eks evaluate demo-velferdsteknologi --fail-on refuted,insufficient_data
	run 2 eks evaluate --fail-on supported
	run 2 eks evaluate --fail-on maybe
}
run_test "--fail-on exits 1 when a verdict matches" evaluate_fail_on

evaluate_no_data() {
	make_example_repo
	eks new pilot --template two-arm-mean >/dev/null
	run 0 eks evaluate pilot --format json
	grep -q '"verdict":"insufficient_data"' out
	grep -q '"estimate":null' out
	run 1 eks evaluate pilot --fail-on insufficient_data
}
run_test "an experiment without observations is insufficient_data" evaluate_no_data

evaluate_reads_commits() {
	make_example_repo
	first=$(git rev-parse HEAD)
	eks log uu-molde-outreach --outcome wellbeing --arm molde --timepoint t1 --n 500 --mean 8 --sd 1 >/dev/null
	run 0 eks evaluate uu-molde-outreach --format json --rev "$first"
	grep -q "\"revision\":\"$first\"" out
	grep -q '"n":96,"mean":6.9' out
	run 0 eks evaluate uu-molde-outreach --format json
	grep -q '"n":596' out
	echo "# hand edit" >> experiments/uu-molde-outreach/log.yaml
	run 0 eks evaluate uu-molde-outreach
	expect_contains err "uncommitted changes"
}
run_test "evaluate reads commits (--rev, HEAD) and warns about uncommitted changes" evaluate_reads_commits

evaluate_errors() {
	run 3 eks evaluate
	make_example_repo
	run 2 eks evaluate no-such-experiment
	expect_contains err "no-such-experiment"
	run 2 eks evaluate --rev does-not-exist
	run 2 eks evaluate --format xml
	run 2 eks evaluate ../etc
}
run_test "unknown experiment, revision or format exit 2; outside a repository 3" evaluate_errors

evaluate_broken_experiment() {
	make_example_repo
	sed -i 's/^challenge: demografi/challenge: eldre/' experiments/demo-velferdsteknologi/experiment.yaml
	git commit -qam "break it by hand"
	run 1 eks evaluate
	expect_contains err "'demo-velferdsteknologi' is left out"
	expect_contains out "uu-molde-outreach"
}
run_test "an experiment with errors is left out with its problems, exit 1" evaluate_broken_experiment

# SPEC 6.4: the family is the registered one, changed by amendments only,
# and a member without a p-value counts as p = 1.
# R: p <- prop.test(c(40, 70), c(200, 200), correct = FALSE)$p.value
#    p.adjust(c(p, 1), "holm")[1] = 0.00156249237864345
#    p.adjust(c(p, 1, 1), "holm")[1] = 0.00234373856796517
evaluate_registered_family() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	eks log pilot --outcome neet --arm outreach --timepoint t12 --n 200 --events 40 >/dev/null
	eks log pilot --outcome neet --arm usual --timepoint t12 --n 200 --events 70 >/dev/null
	before=$(git rev-parse HEAD)
	family_is() {
		python3 - "$@" <<'PY'
import json, sys
want_family, want_p, want_changes = sys.argv[1].split(","), float(sys.argv[2]), sys.argv[3]
(e,) = json.load(open("out"))["experiments"]
h = {x["id"]: x for x in e["hypotheses"]}
assert e["family"]["hypotheses"] == want_family, e["family"]
assert e["family"]["registered"] is True
changes = ",".join(c["hypothesis"] + ":" + c["change"] for c in e["family"]["changes"])
assert changes == want_changes, changes
assert abs(h["H1"]["p_value"] - 0.000781246189321724) < 1e-12
assert abs(h["H1"]["p_adjusted"] - want_p) < 1e-12, h["H1"]["p_adjusted"]
# H2 has no observations: no p, and it counts as p = 1 for the others
assert h["H2"]["verdict"] == "insufficient_data" and h["H2"]["p_adjusted"] is None
PY
	}
	run 0 eks evaluate pilot --format json
	family_is H1,H2 0.00156249237864345 ""

	# an amendment makes the exploratory H3 confirmatory: from its commit on
	EDITOR="sed -i s/family:\ exploratory/family:\ confirmatory/" \
		eks edit pilot -m "The steering group asked for H3 as a confirmatory test" >/dev/null
	amended=$(git rev-parse HEAD)
	run 0 eks evaluate pilot --format json
	family_is H1,H2,H3 0.00234373856796517 H3:added
	run 0 eks evaluate pilot
	expect_contains out "Family adjusted together (holm): H1, H2, H3 (confirmatory superiority as registered in"
	expect_contains out "H3 added by the amendment in $(git rev-parse --short=7 "$amended")"
	expect_contains out "H2 and H3, without a superiority p-value, count as p = 1"

	# a deviation (H2 made exploratory by hand, no amendment) changes nothing
	sed -i 's/^    outcome: education$/    outcome: education\n    family: exploratory/' \
		experiments/pilot/experiment.yaml
	git commit -qam "H2 is only exploratory"
	run 1 eks validate
	run 0 eks evaluate pilot --format json
	family_is H1,H2,H3 0.00234373856796517 H3:added

	# deviations that remove H3 and add H4: H3 still counts (as p = 1),
	# H4 is adjusted with the family, and the text says both
	python3 - experiments/pilot/experiment.yaml <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
start = text.index("  - id: H3\n")
end = text.index("\nanalysis:")
h4 = text[text.index("  - id: H1\n"):text.index("  - id: H2\n")].replace("id: H1", "id: H4")
open(path, "w").write(text[:start] + h4 + text[end:])
PY
	git commit -qam "H3 out, H4 in"
	run 0 eks evaluate pilot --format json
	python3 - <<'PY'
import json
(e,) = json.load(open("out"))["experiments"]
assert e["family"]["hypotheses"] == ["H1", "H2", "H3", "H4"], e["family"]
assert e["family"]["not_registered"] == ["H4"], e["family"]
assert e["family"]["multiplicity"] == "holm"
PY
	run 0 eks evaluate pilot
	expect_contains out "H4 made confirmatory superiority without an amendment, adjusted with them"
	expect_contains out "H3 no longer in the protocol, counted as p = 1"

	# the family as it stood before the amendment
	run 0 eks evaluate pilot --format json --rev "$before"
	family_is H1,H2 0.00156249237864345 ""
}
run_test "the family is the registered one, as amended; a member without p counts as 1" evaluate_registered_family

# SPEC 6.3: a comparison without an answer has no interval and no p.
evaluate_not_estimable() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	eks log pilot --outcome neet --arm outreach --timepoint t12 --n 40 --events 0 >/dev/null
	eks log pilot --outcome neet --arm usual --timepoint t12 --n 38 --events 0 >/dev/null
	run 0 eks evaluate pilot --format csv
	python3 - <<'PY'
import csv
rows = {r["hypothesis"]: r for r in csv.DictReader(open("out"))}
h1 = rows["H1"]
assert h1["verdict"] == "insufficient_data", h1
assert h1["estimate"] == "0" and h1["ci_low"] == h1["ci_high"] == "", h1
assert h1["p_value"] == h1["p_adjusted"] == "", h1
assert "No unit had the event 'neet' in either arm (0 of 40 in outreach at t12 and 0 of 38 in usual at t12)" in h1["reason"], h1["reason"]
PY
	run 0 eks evaluate pilot
	expect_contains out "H1: No unit had the event 'neet' in either arm"
}
run_test "no events in either arm: insufficient_data with the estimate and the reason" evaluate_not_estimable

finish
