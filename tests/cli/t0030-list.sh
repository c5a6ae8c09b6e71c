#!/bin/sh
# eksperiment list: the experiments from the index, with filters.
. "$(dirname "$0")/lib.sh"

list_all() {
	make_example_repo
	run 0 eks list
	expect_empty err
	head -1 out | grep -q '^id  *status  *challenge  *end  *entries  *title$'
	expect_contains out "demo-velferdsteknologi  active"
	expect_contains out "uu-molde-outreach       registered  ungt_utenforskap  2026-12-31  4        Outreach youth team"
	expect_line out "2 experiments at commit $(git rev-parse --short=7 HEAD)"
	test "$(wc -l < out)" = 4
	# the first run built the index; it is a cache in .git
	test -f .git/eksperiment/index.sqlite
}
run_test "list shows every experiment and names the commit" list_all

list_filters() {
	make_example_repo
	run 0 eks list --status active
	expect_contains out "demo-velferdsteknologi"
	expect_not_contains out "uu-molde-outreach"
	expect_line out "1 experiment at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks list --status active,registered
	expect_contains out "2 experiments"
	run 0 eks list --status completed --status registered
	expect_contains out "uu-molde-outreach"
	expect_contains out "1 experiment at"
	run 0 eks list --challenge demografi
	expect_contains out "demo-velferdsteknologi"
	expect_contains out "1 experiment at"
	run 0 eks list --partner 1506
	expect_contains out "uu-molde-outreach"
	expect_contains out "1 experiment at"
	run 0 eks list --partner "MOLDE"
	expect_contains out "uu-molde-outreach"
	run 0 eks list --partner bærum
	expect_contains out "demo-velferdsteknologi"
	expect_contains out "1 experiment at"
	run 0 eks list --partner 1506 --partner Bærum
	expect_contains out "2 experiments"
	run 0 eks list --partner "Kari's kommune"
	expect_line out "no experiments at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks list --status active --partner 1506
	expect_contains out "no experiments at"
}
run_test "--status, --challenge and --partner filter; options combine" list_filters

list_bad_values() {
	make_example_repo
	run 2 eks list --status activ
	expect_contains err "did you mean 'active'"
	expect_not_contains err "column"
	expect_empty out
	run 2 eks list --challenge youth
	expect_contains err "ungt_utenforskap"
	run 2 eks list --colour
	expect_contains err "unknown option"
	run 2 eks list --status
	run 2 eks list uu-molde-outreach
	expect_contains err "eksperiment query"
	run 2 eks list --format yaml
	expect_contains err "text, json, csv"
	run 2 eks list --rev no-such-branch
	expect_contains err "no-such-branch"
	mkdir ../elsewhere
	cd ../elsewhere
	run 3 eks list
	expect_contains err "eksperiment"
}
run_test "bad options and values are usage errors; outside a repository exits 3" list_bad_values

list_formats() {
	make_example_repo
	run 0 eks list --format json
	expect_contains out "{\"revision\":\"$(git rev-parse HEAD)\",\"experiments\":[{\"id\":\"demo-velferdsteknologi\""
	expect_contains out '"evidence_level":3,"n_entries":4,"last_recorded_at":"2026-02-10T09:10:00Z","deviations":0}'
	expect_contains out '"registered_at":null'
	test "$(wc -l < out)" = 1
	if command -v python3 >/dev/null; then
		python3 -c 'import json,sys; d=json.load(open("out")); assert len(d["experiments"]) == 2'
	fi
	run 0 eks list --format csv --status registered
	expect_line out "id,title,title_nb,challenge,phase,status,allocation,model,unit,start_date,end_date,registered_at,registered_commit,evidence_level,n_entries,last_recorded_at,deviations"
	expect_contains out "uu-molde-outreach,Outreach youth team and NEET share among young people in Molde,"
	# registered by the commit that added it (no tag: SPEC 5)
	expect_contains out ",2025-01-20T10:02:11Z,$(git rev-parse HEAD),3,4,2026-02-10T09:10:00Z,0"
	test "$(wc -l < out)" = 2
}
run_test "json and csv give every column" list_formats

list_follows_git() {
	make_example_repo
	run 0 eks list
	first=$(git rev-parse HEAD)
	git rm -rq experiments/demo-velferdsteknologi
	git commit -qm "remove the demo by hand"
	run 0 eks list
	expect_not_contains out "demo-velferdsteknologi"
	expect_contains out "1 experiment at"
	git mv experiments/uu-molde-outreach experiments/uu-molde
	sed -i 's/^id: uu-molde-outreach$/id: uu-molde/' experiments/uu-molde/experiment.yaml
	git commit -qam "rename by hand"
	run 0 eks list
	expect_contains out "uu-molde  "
	expect_not_contains out "uu-molde-outreach"
	run 0 eks list --rev "$first"
	expect_contains out "demo-velferdsteknologi"
	expect_contains out "uu-molde-outreach"
	expect_line out "2 experiments at commit $(git rev-parse --short=7 "$first")"
	git checkout -q "$first"
	run 0 eks list
	expect_contains out "2 experiments"
	git checkout -q main
	run 0 eks list
	expect_contains out "1 experiment at"
}
run_test "list follows hand commits, renames, deletions and checkouts" list_follows_git

list_warns() {
	make_example_repo
	echo "# a change" >> experiments/uu-molde-outreach/experiment.yaml
	run 0 eks list
	expect_contains err "experiments/uu-molde-outreach/experiment.yaml' has uncommitted changes"
	expect_contains out "2 experiments"
	git checkout -q -- experiments
	sed -i 's/^status: active$/status: running/' experiments/demo-velferdsteknologi/experiment.yaml
	git commit -qam "a mistake"
	run 0 eks list
	expect_contains err "'demo-velferdsteknologi' has errors at commit"
	expect_contains err "eksperiment validate --rev"
	expect_contains out "demo-velferdsteknologi"
}
run_test "uncommitted changes and experiments with errors are named on stderr" list_warns

list_empty() {
	eks init >/dev/null
	run 0 eks list
	expect_line out "no experiments at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks list --format json
	expect_line out "{\"revision\":\"$(git rev-parse HEAD)\",\"experiments\":[]}"
}
run_test "a repository without experiments lists none" list_empty

list_terminal() {
	command -v script >/dev/null || return 0
	make_example_repo
	COLUMNS=80 script -qc "$EKSPERIMENT list" /dev/null > tty.out </dev/null
	tr -d '\r' < tty.out | sed 's/\x1b\[[0-9;]*m//g' > tty.txt
	expect_contains tty.txt "2 experiments at commit"
	# the title gives way; the ids stay whole
	expect_contains tty.txt "uu-molde-outreach       registered  ungt_uten…  2026-12-31  4        Outreach y…"
	sed 's/…/./g' tty.txt | awk 'NR < 4 && length > 80 { bad = 1 } END { exit bad }'
	COLUMNS=40 script -qc "$EKSPERIMENT list" /dev/null > tty.out </dev/null
	tr -d '\r' < tty.out | sed 's/\x1b\[[0-9;]*m//g; s/…/./g' > tty.txt
	awk 'NR < 4 && length > 54 { bad = 1 } END { exit bad }' tty.txt
	# not on a terminal: nothing is cut
	run 0 eks list
	expect_contains out "Outreach youth team and NEET share among young people in Molde"
}
run_test "on a terminal the table is cut to its width" list_terminal

list_help() {
	run 0 eks list --help
	expect_contains out "eksperiment-list - the experiments, a line each"
	run 0 eks help list
}
run_test "list --help shows the manual" list_help

finish
