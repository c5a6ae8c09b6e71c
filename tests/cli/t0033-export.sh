#!/bin/sh
# eksperiment export: everything of one kind, as JSON or CSV.
. "$(dirname "$0")/lib.sh"

export_experiments() {
	make_example_repo
	run 0 eks export
	expect_empty err
	expect_contains out "{\"revision\":\"$(git rev-parse HEAD)\",\"experiments\":[{\"id\":\"demo-velferdsteknologi\""
	test "$(wc -l < out)" = 1
	run 0 eks export --what experiments --format csv
	expect_line out "id,title,title_nb,challenge,phase,status,allocation,model,unit,start_date,end_date,registered_at,registered_commit,evidence_level,n_entries,last_recorded_at,deviations"
	test "$(wc -l < out)" = 3
}
run_test "export gives the experiments by default" export_experiments

export_observations() {
	make_example_repo
	cat >> experiments/demo-velferdsteknologi/log.yaml <<'LOG'
---
id: 20260501T070000Z-beef
kind: observation
recorded_at: 2026-05-01T07:00:00Z
recorded_by: Test Person <test@kommune.example>
observations:
  - {outcome: night_visits, arm: usual, timepoint: after, values: [12.5, 14, 9.25]}
LOG
	git commit -qam "raw values by hand"
	run 0 eks export --what observations --format csv
	expect_line out "experiment_id,entry_id,outcome_id,arm_id,timepoint_id,n,events,mean,sd,value,recorded_at"
	expect_line out "uu-molde-outreach,20260210T091000Z-0e5f,neet,molde,t1,120,14,,,,2026-02-10T09:10:00Z"
	expect_line out "demo-velferdsteknologi,20251015T070000Z-9a2b,night_visits,supervised,before,64,,18.2,6.1,,2025-10-15T07:00:00Z"
	expect_line out "demo-velferdsteknologi,20260501T070000Z-beef,night_visits,usual,after,,,,,9.25,2026-05-01T07:00:00Z"
	test "$(wc -l < out)" = 16
	run 0 eks export --what observations
	expect_contains out "\"observations\":[{\"experiment_id\":\"demo-velferdsteknologi\""
	expect_contains out '"n":null,"events":null,"mean":null,"sd":null,"value":12.5'
}
run_test "observations: one row each, raw values one row per value" export_observations

export_hypotheses() {
	make_example_repo
	run 0 eks export --what hypotheses --format csv
	expect_line out "experiment_id,id,outcome_id,test,estimator,method,alpha,margin,family,statement,verdict,estimate,ci_low,ci_high,p_value,p_adjusted,post_hoc"
	grep -q '^demo-velferdsteknologi,H1,night_visits,superiority,did,auto,0.05,,confirmatory,.*,supported,' out
	grep -q '^uu-molde-outreach,H2,neet,superiority,did,auto,0.05,,exploratory,' out
	test "$(wc -l < out)" = 6
	run 0 eks export --what hypotheses
	expect_contains out '"hypotheses":[{"experiment_id":"demo-velferdsteknologi","id":"H1"'
	expect_contains out '"verdict":"supported"'
}
run_test "hypotheses come with their verdicts" export_hypotheses

export_errors() {
	make_example_repo
	run 2 eks export --what verdicts
	expect_contains err "use experiments, observations or hypotheses"
	run 2 eks export --format text
	expect_contains err "json, csv"
	run 2 eks export observations
	expect_contains err "--what"
	run 2 eks export --rev nowhere
	run 0 eks export --rev HEAD~1
	expect_contains out '"experiments":[]'
}
run_test "bad options are usage errors; --rev reads another commit" export_errors

export_help() {
	run 0 eks export --help
	expect_contains out "eksperiment-export"
}
run_test "export --help shows the manual" export_help

finish
