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

step "cp -r examples/* experiments/ && git commit"
mkdir -p experiments
cp -r "$top/tests/data/examples/uu-molde-outreach" "$top/tests/data/examples/demo-velferdsteknologi" experiments/
git add experiments
git commit -q -m "Add the two example experiments"
git log --oneline

run templates
run new nattilsyn-asker --template did-comparison --title "Digitalt nattilsyn i Asker"
run validate
run validate --format github experiments/uu-molde-outreach

step "(a deliberate mistake) sed -i 's/challenge: demografi/challenge: eldre/' and validate"
sed -i 's/^challenge: demografi/challenge: eldre/' experiments/demo-velferdsteknologi/experiment.yaml
"$EKS" validate || echo "(exit code $?: validate found the problem, as it should)"
git checkout -q -- experiments/demo-velferdsteknologi/experiment.yaml

cat <<MSG

The demo repository is in $demo (ignored by git).  Try next:
  cd $demo
  $EKS help                  # the commands
  $EKS new my-pilot --template two-arm-mean --title "My pilot"
  $EKS validate --format json
  git log --stat             # every change is an ordinary commit
MSG
