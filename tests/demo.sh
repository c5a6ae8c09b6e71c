#!/bin/sh
# The demo that `make run` shows: a sample repository with the example
# experiments, validated.  Usage: tests/demo.sh <path to eksperiment binary>
set -eu
EKS=$1
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$top/demo

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { step "eksperiment $*"; "$EKS" "$@"; }

rm -rf "$demo"
mkdir -p "$demo"
cd "$demo"

# The demo commits as its own identity when git has none configured.
git init -q .
if [ -z "$(git config user.name || true)" ] || [ -z "$(git config user.email || true)" ]; then
	git config user.name "Demo Bruker"
	git config user.email "demo@kommune.example"
fi

run init --name "Partnerskap for radikal innovasjon - demo"

step "cp examples/*/experiment.yaml experiments/*/ && git commit   (protocols written by hand)"
for id in uu-molde-outreach demo-velferdsteknologi; do
	mkdir -p "experiments/$id"
	cp "$top/tests/data/examples/$id/experiment.yaml" "experiments/$id/"
done
# Both protocols start as drafts, to be registered below.
sed -i 's/^status: .*/status: draft/' experiments/*/experiment.yaml
git add experiments
git commit -q -m "Add the protocols of two example experiments"
git log --oneline

run templates
run new nattilsyn-asker --template did-comparison --title "Digitalt nattilsyn i Asker"
run validate

# Before the first referral: freeze the protocol, then start.
run register uu-molde-outreach -m "Approved by the steering group before the first referral"
run status uu-molde-outreach active -m "First referrals received"
run register demo-velferdsteknologi -m "Approved before the sensors were installed"
run status demo-velferdsteknologi active -m "Sensors installed in two districts"

# The trial logs, entered as a team would: a CSV from the register, single
# observations from the command line, and notes about what was adjusted.
cat > baseline.csv <<'CSV'
outcome,arm,timepoint,n,events
neet,molde,t0,120,41
neet,kristiansund,t0,118,39
CSV
run log uu-molde-outreach --file baseline.csv --source "Referral register, baseline"
run log uu-molde-outreach --kind adjustment --note "Home visits now also offered on Saturdays after feedback from the youth council."
run log uu-molde-outreach --outcome neet --arm molde --timepoint t1 --n 120 --events 14 --source "NAV and county follow-up service"
run log uu-molde-outreach --outcome neet --arm kristiansund --timepoint t1 --n 118 --events 25
run log uu-molde-outreach --outcome wellbeing --arm molde --timepoint t1 --n 96 --mean 6.9 --sd 1.8
run log uu-molde-outreach --outcome wellbeing --arm kristiansund --timepoint t1 --n 90 --mean 6.4 --sd 2.0
cat > care.csv <<'CSV'
outcome,arm,timepoint,n,events,mean,sd
night_visits,supervised,before,64,,18.2,6.1
night_visits,usual,before,71,,17.5,5.8
night_visits,supervised,after,61,,9.4,5.2
night_visits,usual,after,69,,16.9,6.0
fall_admission,supervised,after,61,7,,
fall_admission,usual,after,69,8,,
CSV
run log demo-velferdsteknologi --file care.csv --source "Care records, monthly aggregates"
rm -f baseline.csv care.csv

# A change to the registered protocol is an amendment, with its reason ...
sed 's/^    minimum_effect: 0.5$/    minimum_effect: 0.4/' experiments/uu-molde-outreach/experiment.yaml > amended.yaml
run edit uu-molde-outreach --file amended.yaml -m "The steering group lowered the minimum effect for wellbeing"
rm -f amended.yaml
# ... and one committed by hand without it is a deviation, visible for ever.
step "sed -i 's/margin: 0.03/margin: 0.05/' ... && git commit -am   (a quiet hand change)"
sed -i 's/^    margin: 0.03$/    margin: 0.05/' experiments/demo-velferdsteknologi/experiment.yaml
git commit -q -am "Widen the guardrail margin"
"$EKS" validate || echo "(exit code $?: validate reports the deviation, and will in every later check)"

run show uu-molde-outreach
run history uu-molde-outreach
run evaluate
run power --measure proportion --p1 0.21 --p2 0.12
run status demo-velferdsteknologi completed -m "The trial period is over; the districts keep the sensors."

# Questions across experiments, answered from the index (a cache in .git).
run list
run query 'partner = 1506 and status in (registered, active)'
run query 'hypothesis.verdict = supported'
run sql "SELECT e.challenge, v.verdict, count(*) AS hypotheses FROM verdicts v JOIN experiments e ON e.id = v.experiment_id GROUP BY 1, 2 ORDER BY 1, 2"
step "eksperiment sql \"DELETE FROM x_partner\"   (sql only reads)"
"$EKS" sql "DELETE FROM x_partner" || echo "(exit code $?: refused, as it should be)"

step "(a deliberate mistake) sed -i 's/challenge: demografi/challenge: eldre/' and validate"
sed -i 's/^challenge: demografi/challenge: eldre/' experiments/demo-velferdsteknologi/experiment.yaml
"$EKS" validate || echo "(exit code $?: validate found the problem, as it should)"
git checkout -q -- experiments/demo-velferdsteknologi/experiment.yaml

step "git log --oneline   (every record is an ordinary commit)"
git log --oneline

cat <<MSG

The demo repository is in $demo (ignored by git).  Try next:
  cd $demo
  $EKS help                  # the commands
  $EKS new my-pilot --template two-arm-mean --title "My pilot"
  $EKS evaluate --format json
  $EKS query 'challenge = demografi and status = completed'
  $EKS export --what observations --format csv
  $EKS log uu-molde-outreach --note "What happened today"
  git log --stat             # every change is an ordinary commit
MSG
