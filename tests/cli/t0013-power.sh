#!/bin/sh
# eksperiment power: as R power.prop.test and power.t.test.
. "$(dirname "$0")/lib.sh"

power_proportions() {
	run 0 eks power --measure proportion --p1 0.5 --p2 0.75 --power 0.9 --format json
	# R: power.prop.test(p1 = .5, p2 = .75, power = .9) -> n = 76.7069285
	python3 -c 'import json; d = json.load(open("out")); assert abs(d["n"] - 76.7069285) < 1e-6, d; assert d["n_per_arm"] == 77'
	run 0 eks power --measure proportion --p1 0.5 --p2 0.75 --n 50 --format json
	python3 -c 'import json; d = json.load(open("out")); assert abs(d["power"] - 0.7401659) < 1e-7, d'
	run 0 eks power --measure proportion --p1 0.21 --p2 0.12
	expect_contains out "n per arm:"
	expect_contains out "power:       0.8"
}
run_test "proportions: n for a power, power for an n, 0.8 by default" power_proportions

power_means() {
	run 0 eks power --measure mean --delta 1 --sd 1 --n 20 --format json
	# R: power.t.test(n = 20, delta = 1) -> power = 0.8689528
	python3 -c 'import json; d = json.load(open("out")); assert abs(d["power"] - 0.8689528) < 1e-7, d'
	run 0 eks power --measure mean --delta 1 --sd 1 --power 0.9 --sides 1 --format json
	python3 -c 'import json; d = json.load(open("out")); assert abs(d["n"] - 17.8471206) < 1e-6, d'
}
run_test "means: noncentral t as R power.t.test" power_means

power_errors() {
	run 2 eks power
	run 2 eks power --measure proportion --p1 0.2
	run 2 eks power --measure proportion --p1 0.2 --p2 0.2
	run 2 eks power --measure proportion --p1 0.2 --p2 1.3
	run 2 eks power --measure mean --delta 1
	run 2 eks power --measure mean --delta 1 --sd 1 --n 20 --power 0.8
	run 2 eks power --measure mean --delta abc --sd 1
	run 2 eks power --measure count --p1 0.1 --p2 0.2
	expect_contains err "--measure proportion"
}
run_test "missing or impossible values are usage errors" power_errors

finish
