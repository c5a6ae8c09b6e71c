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

# json_near KEY VALUE: ./out is JSON whose KEY is VALUE to 1e-9 relative
# (SPEC 6.5 asks for 1e-6; the tool prints 15 digits).
json_near() {
	python3 -c 'import json, sys
d = json.load(open("out")); k = sys.argv[1]; want = float(sys.argv[2])
assert abs(d[k] - want) <= 1e-9 * abs(want), (k, d[k], want)' "$1" "$2"
}

# json_equal KEY VALUE: ./out is JSON whose KEY is exactly VALUE.
json_equal() {
	python3 -c 'import json, sys
d = json.load(open("out")); k = sys.argv[1]
assert d[k] == float(sys.argv[2]), (k, d[k], sys.argv[2])' "$1" "$2"
}

power_below_two() {
	run 0 eks power --measure mean --delta 20 --sd 1 --format json
	# R: power.t.test(delta = 20, power = .8, tol = 1e-12)$n
	json_near n 1.48852065201127
	json_equal n_per_arm 2
	run 0 eks power --measure mean --delta 50 --sd 1 --format json
	# R: power.t.test(delta = 50, power = .8, tol = 1e-12)$n
	json_near n 1.36840730042041
	run 0 eks power --measure mean --delta 1e6 --sd 1 --format json
	# R: power.t.test(delta = 1e6, power = .8, tol = 1e-12)$n
	json_near n 1.10082339018246
	run 0 eks power --measure mean --delta -20 --sd 1 --sides 1 --format json
	# R: power.t.test(delta = 20, power = .8, alternative = "one.sided",
	#                 tol = 1e-12)$n
	json_near n 1.35555469830648
	json_equal sides 1
	run 0 eks power --measure mean --delta 1e300 --sd 1e-300 --format json
	# R: power.t.test(delta = 1e300, sd = 1e-300, power = .8, tol = 1e-12)$n
	json_near n 1.00210221870482
	run 0 eks power --measure mean --delta 20 --sd 1
	expect_line out "  n per arm:   1.49, so 2 in each arm (the fewest a comparison needs)"
}
run_test "means: n below 2 as R reports it, rounded up to 2 units" power_below_two

power_prop_edges() {
	run 0 eks power --measure proportion --p1 0.001 --p2 0.999 --format json
	# R: power.prop.test(p1 = .001, p2 = .999, power = .8, tol = 1e-12)$n
	json_near n 2.03454905995645
	json_equal n_per_arm 3
	run 0 eks power --measure proportion --p1 0.999 --p2 0.001 --alpha 0.01 --power 0.99 --format json
	# R: power.prop.test(p1 = .999, p2 = .001, sig.level = .01, power = .99,
	#                    tol = 1e-12)$n
	json_near n 3.72192930416452
	run 0 eks power --measure proportion --p1 0.001 --p2 0.999 --alpha 0.1 --power 0.5 --sides 1 --format json
	# R: power.prop.test(p1 = .001, p2 = .999, sig.level = .1, power = .5,
	#                    alternative = "one.sided", tol = 1e-12)$n
	json_near n 0.824481836995543
	json_equal n_per_arm 2
	run 0 eks power --measure proportion --p1 0.5 --p2 0.5001 --format json
	# R: power.prop.test(p1 = .5, p2 = .5001, power = .8, tol = 1e-12)$n
	json_near n 392443981.614164
}
run_test "proportions: extreme shares, one-sided, as R" power_prop_edges

power_for_n() {
	run 0 eks power --measure mean --delta 1 --sd 1 --n 2 --format json
	# R: power.t.test(n = 2, delta = 1)$power
	json_near power 0.0913177843617262
	json_equal n 2
	run 0 eks power --measure mean --delta 0.0001 --sd 1 --n 1e9 --format json
	# R: power.t.test(n = 1e9, delta = 1e-4)$power
	json_near power 0.608765902636564
	run 0 eks power --measure mean --delta 0.000001 --sd 2 --n 1e12 --format json
	# R: power.t.test(n = 1e12, delta = 1e-6, sd = 2)$power
	json_near power 0.0540918623618349
	run 0 eks power --measure proportion --p1 0.2 --p2 0.8 --n 2 --format json
	# R: power.prop.test(n = 2, p1 = .2, p2 = .8)$power
	json_near power 0.17106756412028
}
run_test "power for a given n, from 2 to beyond 1e9" power_for_n

power_no_answer() {
	# R: power.t.test(delta = 1e-5, power = .8)$n is 1.57e11
	run 1 eks power --measure mean --delta 1e-5 --sd 1
	expect_empty out
	expect_contains err "eksperiment: no size up to 1e9 per arm reaches a power of 0.8"
	expect_contains err "a larger --delta, or a lower --power"
	# R: power.t.test(delta = 1e-4, power = .8)$n is 1569775947.8
	run 1 eks power --measure mean --delta 0.0001 --sd 1 --format json
	expect_empty out
	# R: power.prop.test(p1 = .5, p2 = .50001, power = .8)$n is 3.9e10
	run 1 eks power --measure proportion --p1 0.5 --p2 0.50001
	expect_contains err "shares further apart, or a lower --power"
}
run_test "no n up to 1e9 per arm: exit 1, and what to do" power_no_answer

power_out_of_range() {
	run 2 eks power --measure proportion --p1 0 --p2 0.5
	run 2 eks power --measure proportion --p1 0.5 --p2 1
	run 2 eks power --measure proportion --p1 0.3 --p2 0.3
	run 2 eks power --measure proportion --p1 0.2 --p2 0.8 --n 1
	run 2 eks power --measure mean --delta 1 --sd 1 --n 1.5
	run 2 eks power --measure mean --delta 1 --sd 1 --n 1.999
	expect_contains err "--n must be at least 2"
	run 2 eks power --measure mean --delta 1 --sd 1 --power 1
	run 2 eks power --measure mean --delta 1 --sd 1 --power 0.01
	run 2 eks power --measure mean --delta 1 --sd 1 --alpha 0
	run 2 eks power --measure mean --delta 1 --sd 1 --alpha 1
	run 2 eks power --measure mean --delta 1 --sd 1 --sides 3
	run 2 eks power --measure mean --delta 1 --sd 0
}
run_test "arguments out of range: exit 2" power_out_of_range

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
