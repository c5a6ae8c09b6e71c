#!/bin/sh
# eksperiment new and eksperiment templates.
. "$(dirname "$0")/lib.sh"

new_from_default_template() {
	eks init >/dev/null
	run 0 eks new nattilsyn-baerum --title "Digitalt nattilsyn i Bærum"
	expect_contains out "Created experiments/nattilsyn-baerum/experiment.yaml"
	expect_contains experiments/nattilsyn-baerum/experiment.yaml "id: nattilsyn-baerum"
	expect_contains experiments/nattilsyn-baerum/experiment.yaml 'title: "Digitalt nattilsyn i Bærum"'
	test -f experiments/nattilsyn-baerum/log.yaml
	test -z "$(git status --porcelain)"
	git log -1 --format=%s | grep -qx "new nattilsyn-baerum: Digitalt nattilsyn i Bærum"
	run 0 eks validate
	expect_contains out "no problems found"
}
run_test "new creates, validates and commits an experiment" new_from_default_template

every_template_is_valid() {
	eks init >/dev/null
	eks templates | awk '{print $1}' > names
	test "$(wc -l < names)" -ge 4
	while read -r name; do
		eks new "x-$name" --template "$name" >/dev/null
	done < names
	run 0 eks validate
	expect_contains out "no problems found"
}
run_test "every template creates a valid experiment" every_template_is_valid

title_is_escaped() {
	eks init >/dev/null
	run 0 eks new quoted --title 'A "quoted" title: with \ backslash # and hash'
	run 0 eks validate --format json
	expect_contains out '"errors":0'
}
run_test "a title with quotes, colons and backslashes stays valid" title_is_escaped

bad_ids_refused() {
	eks init >/dev/null
	run 2 eks new -dash
	for id in ../escape Upper "" a/b "$(printf 'x%.0s' $(seq 70))"; do
		run 2 eks new "$id"
		expect_contains err "not a valid experiment id"
	done
	test ! -e experiments
	test ! -e ../escape
	test "$(git rev-list --count HEAD)" = 1
}
run_test "ids that are not valid (path traversal, capitals, too long) are refused" bad_ids_refused

existing_id_refused() {
	eks init >/dev/null
	eks new pilot >/dev/null
	run 2 eks new pilot
	expect_contains err "already exists"
	test "$(git rev-list --count HEAD)" = 2
}
run_test "new refuses an id that exists" existing_id_refused

unknown_template() {
	eks init >/dev/null
	run 2 eks new pilot --template nonesuch
	expect_contains err "no template named 'nonesuch'"
	expect_contains err "two-arm-proportion"
	test ! -e experiments/pilot
}
run_test "an unknown template is refused with the list of templates" unknown_template

identity_number_in_title() {
	eks init >/dev/null
	fnr=$(make_fnr 150390)
	run 1 eks new pilot --title "Kari $fnr"
	expect_contains err "identity number"
	expect_not_contains err "$fnr"
	test ! -e experiments/pilot
	test "$(git rev-list --count HEAD)" = 1
}
run_test "an identity number in the title is refused and never echoed" identity_number_in_title

templates_lists() {
	run 0 eks templates
	expect_contains out "two-arm-proportion"
	expect_contains out "did-comparison"
	expect_contains out "single-arm-benchmark"
	expect_contains out "two-arm-mean"
}
run_test "templates lists the templates with a description" templates_lists

templates_override() {
	mkdir tpl
	printf '# description: my own\nschema: eksperiment/v1\n' > tpl/mine.yaml
	EKSPERIMENT_TEMPLATES=$PWD/tpl
	export EKSPERIMENT_TEMPLATES
	run 0 eks templates
	expect_line out "mine  my own"
}
run_test "EKSPERIMENT_TEMPLATES overrides the template directory" templates_override

templates_beside_installed_binary() {
	mkdir -p inst/bin inst/share/eksperiment/templates
	cp "$EKSPERIMENT" inst/bin/eksperiment
	cp "$SRC_ROOT"/templates/*.yaml inst/share/eksperiment/templates/
	run 0 inst/bin/eksperiment templates
	expect_contains out "two-arm-proportion"
}
run_test "an installed binary finds the templates under its own prefix" templates_beside_installed_binary

new_outside_repository() {
	run 3 eks new pilot
	expect_contains err "not an eksperiment repository"
}
run_test "new outside a repository exits 3" new_outside_repository

finish
