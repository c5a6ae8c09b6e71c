#!/bin/sh
# eksperiment register, amendments through edit -m, deviations found by
# validate, and post-hoc hypotheses in evaluate (SPEC 5).
. "$(dirname "$0")/lib.sh"

P=experiments/pilot/experiment.yaml
L=experiments/pilot/log.yaml

register_freezes() {
	eks init >/dev/null
	eks new pilot >/dev/null
	draft=$(git rev-parse HEAD)
	run 0 eks register pilot -m "Before the first referral"
	expect_contains out "Registered pilot: the protocol is frozen"
	expect_line $P "status: registered"
	expect_contains $L "kind: registration"
	# (quoted when it starts with a 0, so YAML never reads it as a number)
	grep -Eq "commit_parent: \"?$draft\"?[,}]" $L
	expect_contains $L "note: Before the first referral"
	test "$(git rev-parse 'eksperiment/pilot/registered^{commit}')" = "$(git rev-parse HEAD)"
	test -z "$(git status --porcelain)"
	# the recorded hash is the documented canonical hash of the frozen fields
	hash=$(sed -n 's/^protocol_sha256 //p' out)
	grep -Eq "protocol_sha256: \"?$hash\"?[,}]" $L
	if python3 -c 'import yaml' 2>/dev/null; then
		test "$(python3 "$SRC_ROOT/tests/unit/canonical_check.py" $P)" = "$hash"
	fi
	run 0 eks validate
}
run_test "register freezes the protocol: status, entry with the hash, one commit, tag" register_freezes

register_refusals() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	run 1 eks register pilot
	expect_contains err "only a draft can be registered"
	eks new incomplete >/dev/null
	sed -i '/^  start:/d' experiments/incomplete/experiment.yaml
	git commit -qam "no start date"
	head=$(git rev-parse HEAD)
	run 1 eks register incomplete
	expect_contains err "not complete enough to register"
	test "$(git rev-parse HEAD)" = "$head"
	run 2 eks register nothing-here
	run 2 eks register
}
run_test "registering twice, or an incomplete protocol, is refused" register_refusals

amendment_needs_reason() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	head=$(git rev-parse HEAD)
	EDITOR="sed -i s/minimum_effect:\ 0.05/minimum_effect:\ 0.08/"
	export EDITOR
	grep -q "minimum_effect: 0.05" $P
	run 1 eks edit pilot
	expect_contains err "changes frozen fields"
	expect_contains err "needs its reason"
	test "$(git rev-parse HEAD)" = "$head"
	copy=$(sed -n "s/.*your edit is kept in '\(.*\)'.*/\1/p" err)
	test -f "$copy"
	grep -q "minimum_effect: 0.08" "$copy"
	run 0 eks edit pilot --file "$copy" -m "The funder asked for a larger effect"
	expect_contains out "Recorded a major amendment"
	expect_contains $L "kind: amendment"
	expect_contains $L "class: major"
	expect_contains $L "reason: The funder asked for a larger effect"
	grep -q "minimum_effect: 0.08" $P
	run 0 eks validate
}
run_test "a frozen change needs -m; the edit is kept and becomes an amendment" amendment_needs_reason

deviation_found() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	sed -i 's/minimum_effect: 0.05/minimum_effect: 0.08/' $P
	git commit -qam "quiet change by hand"
	run 1 eks validate
	expect_contains out "deviation from the registered protocol"
	expect_contains out "quiet change by hand"
	grep -q "experiments/pilot/experiment.yaml:[0-9]*:[0-9]*: error: deviation" out
	run 1 eks validate --format json
	expect_contains out "deviation"
	# a non-frozen field may change freely
	git reset -q --hard HEAD~1
	sed -i 's/^title_nb: .*/title_nb: Ny tittel/' $P
	git commit -qam "Norwegian title"
	run 0 eks validate
}
run_test "a hand commit that changes a frozen field is a deviation in validate" deviation_found

history_shows_integrity() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	EDITOR="sed -i s/minimum_effect:\ 0.05/minimum_effect:\ 0.08/" eks edit pilot -m "Agreed with the funder" >/dev/null
	sed -i 's/minimum_effect: 0.08/minimum_effect: 0.1/' $P
	git commit -qam "quiet change by hand"
	run 0 eks history pilot
	expect_contains out "the protocol is registered (frozen) from this commit on"
	expect_contains out "amendment (major): outcomes["
	expect_contains out "DEVIATION: outcomes["
	expect_contains out "(0.08 -> 0.1)"
	run 0 eks history pilot --format json
	python3 - <<'PY'
import json
commits = json.load(open("out"))["commits"]
assert commits[0]["deviations"][0]["new"] == "0.1", commits[0]
assert commits[1]["amendments"][0]["class"] == "major", commits[1]
PY
}
run_test "history shows the registration, amendments and deviations" history_shows_integrity

post_hoc_marked() {
	make_example_repo
	run 0 eks evaluate uu-molde-outreach --format json
	expect_not_contains out '"post_hoc":true'
	sed -i 's/^    minimum_effect: 0.5$/    minimum_effect: 0.3/' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "smaller minimum effect for wellbeing"
	run 0 eks evaluate uu-molde-outreach --format json
	python3 - <<'PY'
import json
h = {x["id"]: x for x in json.load(open("out"))["experiments"][0]["hypotheses"]}
assert h["H3"]["post_hoc"] is True, h["H3"]
assert h["H1"]["post_hoc"] is False and h["H2"]["post_hoc"] is False
PY
	run 0 eks evaluate uu-molde-outreach
	expect_contains out "post hoc"
}
run_test "a hypothesis whose outcome changed after it was observed is post hoc" post_hoc_marked

index_counts_deviations() {
	make_example_repo
	sed -i 's/^    minimum_effect: 0.5$/    minimum_effect: 0.3/' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "quiet change by hand"
	run 0 eks sql "select id, deviations from experiments order by id"
	expect_contains out "uu-molde-outreach"
	grep -E "uu-molde-outreach +1" out
	grep -E "demo-velferdsteknologi +0" out
	run 0 eks sql "select hypothesis_id from verdicts where post_hoc = 1"
	expect_contains out "H3"
	run 0 eks query "deviations > 0"
	expect_contains out "uu-molde-outreach"
	expect_not_contains out "demo-velferdsteknologi"
}
run_test "the index counts deviations and marks post-hoc verdicts" index_counts_deviations

# interrupt_register ID: register ID, but leave it as a register killed
# between its commit and its tag leaves it: the tag's lock file is taken
# (as by a process killed while making the tag), so the tag cannot be
# made; then the lock file goes.  Prints the registration commit.
interrupt_register() {
	mkdir -p .git/refs/tags/eksperiment/$1
	: > .git/refs/tags/eksperiment/$1/registered.lock
	eks register $1 > register.out 2> register.err
	grep -q "the tag could not be made" register.err
	grep -q "tag eksperiment/$1/registered not made yet" register.out
	test -z "$(git tag -l "eksperiment/$1/registered")"
	rm .git/refs/tags/eksperiment/$1/registered.lock
	git rev-parse HEAD
}

# expect_tag_made ID COMMIT: the next write made the tag, as register does.
expect_tag_made() {
	expect_contains err "made the tag eksperiment/$1/registered, which an interrupted register left out"
	test "$(git rev-parse "eksperiment/$1/registered^{commit}")" = "$2"
	test "$(git cat-file -t "eksperiment/$1/registered")" = tag
	test "$(git tag -l --format='%(contents:subject)' "eksperiment/$1/registered")" = "Registration of $1"
	git tag -l --format='%(contents:body)' "eksperiment/$1/registered" |
		grep -Eq '^protocol_sha256 [0-9a-f]{64}$'
	test ! -e .git/eksperiment/registering
}

register_interrupted_before_its_tag() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks new second >/dev/null
	registered=$(interrupt_register pilot)
	# what the history says does not need the tag
	run 0 eks sql "SELECT registered_commit FROM experiments WHERE id = 'pilot'"
	expect_contains out "$registered"
	# read commands leave the tag to the next write
	run 0 eks show pilot
	test -z "$(git tag -l 'eksperiment/pilot/registered')"
	test -f .git/eksperiment/registering
	run 0 eks log second --force --note "Before registration"
	expect_tag_made pilot "$registered"
	# once
	run 0 eks log second --force --note "Again"
	expect_empty err
	run 0 eks validate
}
run_test "the first write after an interrupted register makes the missing tag" register_interrupted_before_its_tag

register_interrupted_then_other_writes() {
	eks init >/dev/null
	eks new pilot >/dev/null
	eks new second >/dev/null
	# status
	registered=$(interrupt_register pilot)
	run 0 eks status pilot active -m "Started"
	expect_tag_made pilot "$registered"
	# register (another experiment)
	registered=$(interrupt_register second)
	run 0 eks new third
	expect_tag_made second "$registered"
	# edit, and register itself
	eks new fourth >/dev/null
	eks new fifth >/dev/null
	registered=$(interrupt_register third)
	EDITOR="sed -i s/^title_nb:.*/title_nb:\ Ny/"
	export EDITOR
	run 0 eks edit fourth
	unset EDITOR
	expect_contains out "fourth"
	expect_tag_made third "$registered"
	registered=$(interrupt_register fourth)
	run 0 eks register fifth
	expect_tag_made fourth "$registered"
	test "$(git rev-parse 'eksperiment/fifth/registered^{commit}')" = "$(git rev-parse HEAD)"
	run 0 eks validate
}
run_test "status, new, edit and register make the missing tag too" register_interrupted_then_other_writes

register_interrupted_before_its_commit() {
	eks init >/dev/null
	eks new pilot >/dev/null
	# a hand edit of the log makes register refuse before its commit
	echo "# by hand" >> experiments/pilot/log.yaml
	run 1 eks register pilot
	test ! -e .git/eksperiment/registering
	git checkout -q experiments/pilot/log.yaml
	eks new second >/dev/null
	test -z "$(git tag -l 'eksperiment/*')"
}
run_test "a register that commits nothing leaves no mark and no tag" register_interrupted_before_its_commit

# SPEC 5: a plain `git push` leaves the tags behind; a clone of that
# remote knows the registration from the history alone.
registered_without_tags_after_a_plain_push() {
	git init -q --bare ../remote.git
	eks init >/dev/null
	eks new pilot >/dev/null
	eks register pilot >/dev/null
	registered=$(git rev-parse 'eksperiment/pilot/registered^{commit}')
	sed -i 's/minimum_effect: 0.05/minimum_effect: 0.08/' $P
	git commit -qam "quiet change by hand"
	git remote add origin ../remote.git
	git push -q origin main
	run 1 eks validate
	cp out ../validate.out
	run 0 eks evaluate --format json
	cp out ../evaluate.out
	run 0 eks diff --since-registration pilot
	cp out ../since.out

	git clone -q ../remote.git ../clone
	cd ../clone
	test -z "$(git tag -l)"
	run 0 eks sql "SELECT registered_commit FROM experiments WHERE id = 'pilot'"
	expect_line out "$registered"
	run 0 eks sql --format csv "SELECT count(*) FROM experiments
	    WHERE registered_at IS NOT NULL AND registered_commit IS NULL"
	expect_line out "0"
	run 0 eks diff --since-registration pilot
	expect_contains out "(frozen, deviation)"
	expect_same ../since.out out
	run 1 eks validate
	expect_contains out "deviation from the registered protocol"
	expect_same ../validate.out out
	run 0 eks evaluate --format json
	python3 -c 'import json, sys; assert json.load(open("out"))["experiments"][0]["family"]["registered"] is True'
	sed 's/"revision":"[0-9a-f]*"//' out > clone.json
	sed 's/"revision":"[0-9a-f]*"//' ../evaluate.out > origin.json
	expect_same origin.json clone.json
	# a rebuilt index says the same
	run 0 eks reindex
	run 0 eks sql "SELECT registered_commit FROM experiments WHERE id = 'pilot'"
	expect_line out "$registered"
	# no write makes a tag here: nothing was interrupted
	run 0 eks status pilot active -m "Started"
	test -z "$(git tag -l)"
}
run_test "after a plain git push, a clone without tags knows the registered commit" registered_without_tags_after_a_plain_push

finish
