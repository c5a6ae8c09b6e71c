# check-r.R - cross-check lib/stats_*.c against R on random cases.
#
#   Rscript tests/r/check-r.R <stats-driver> [seed] [cases-per-method]
#
# Generates random cases for every method, runs them through the driver
# (tests/r/stats-driver.c) and through R itself (t.test, prop.test,
# binom.test, fisher.test, p.adjust, power.t.test, power.prop.test, and for
# the methods base R lacks -- Newcombe's interval, Katz and Woolf log
# intervals, difference in differences, TOST -- their textbook formulas),
# and reports the largest relative difference per method.  A value fails
# when |ours - R| > 1e-6 |R| + 1e-14; a case marked with an error code
# (power beyond n = 1e9) fails unless the driver refuses it with that
# code.  Exit status 1 on any failure.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: check-r.R <stats-driver> [seed] [cases-per-method]")
driver <- args[1]
seed <- if (length(args) >= 2) as.integer(args[2]) else 20260115L
K <- if (length(args) >= 3) as.integer(args[3]) else 25L
set.seed(seed)

cases <- list()
add <- function(method, line, expect, error = NULL)
  cases[[length(cases) + 1L]] <<- list(method = method, line = line,
                                       expect = unname(as.numeric(expect)),
                                       error = error)
num <- function(...) paste(sprintf("%.17g", c(...)), collapse = " ")
tres <- function(tt) c(tt$statistic, tt$parameter, tt$p.value, tt$conf.int)
alts <- c("two.sided", "less", "greater")

# data with a random location and scale, sometimes far from 0 (stability)
rdata <- function(n, m = NULL, s = NULL) {
  if (is.null(m)) m <- sample(c(0, 10, 1e3, 1e6), 1) + rnorm(1, 0, 5)
  if (is.null(s)) s <- runif(1, 0.05, 5) * 10^sample(-1:2, 1)
  rnorm(n, m, s)
}

# ---------------------------------------------------------------- t tests
for (i in seq_len(K)) {
  nx <- sample(2:60, 1); ny <- sample(2:60, 1)
  x <- rdata(nx)
  y <- rdata(ny, mean(x) + rnorm(1) * sd(x), sd(x) * runif(1, 0.3, 3))
  add("welch", paste("welch", nx, num(x), ny, num(y)), tres(t.test(x, y)))
  add("student", paste("student", nx, num(x), ny, num(y)),
      tres(t.test(x, y, var.equal = TRUE)))
  add("welch_summary", paste("welch_s", nx, num(mean(x), sd(x)), ny, num(mean(y), sd(y))),
      tres(t.test(x, y)))
  add("student_summary", paste("student_s", nx, num(mean(x), sd(x)), ny, num(mean(y), sd(y))),
      tres(t.test(x, y, var.equal = TRUE)))
  mu <- mean(x) + rnorm(1) * sd(x) / 2
  add("one_sample", paste("one", num(mu), nx, num(x)), tres(t.test(x, mu = mu)))
  b <- x + rnorm(nx, rnorm(1) * sd(x) / 3, sd(x) / 2)
  if (nx >= 2) add("paired", paste("paired", nx, num(x), num(b)),
                   tres(t.test(x, b, paired = TRUE)))
}
# huge groups from summaries
for (i in seq_len(3)) {
  n1 <- 1e9; n2 <- sample(c(1e6, 1e9), 1)
  m1 <- 10 + rnorm(1, 0, 1e-4); m2 <- 10; s1 <- runif(1, 1, 3); s2 <- runif(1, 1, 3)
  se <- sqrt(s1^2 / n1 + s2^2 / n2); df <- se^4 / ((s1^2 / n1)^2 / (n1 - 1) + (s2^2 / n2)^2 / (n2 - 1))
  t <- (m1 - m2) / se; q <- qt(0.975, df)
  add("welch_summary", paste("welch_s", n1, num(m1, s1), n2, num(m2, s2)),
      c(t, df, 2 * pt(-abs(t), df), (t - q) * se, (t + q) * se))
}

# ---------------------------------------------------------------- one proportion
rcount <- function() sample(c(1:40, 50, 100, 925, 1e4, 1e6, 1e9), 1)
for (i in seq_len(K)) {
  n <- rcount(); x <- rbinom(1, n, runif(1))
  p0 <- runif(1, 0.01, 0.99); correct <- sample(0:1, 1)
  conf <- sample(c(0.8, 0.9, 0.95, 0.99), 1)
  r <- suppressWarnings(prop.test(x, n, p0, correct = correct == 1, conf.level = conf))
  add("wilson", paste("wilson", x, n, num(p0), correct, conf),
      c(r$statistic, r$p.value, r$conf.int))
}
for (i in seq_len(K)) {
  n <- sample(c(1:60, 100, 925, 5000, 1e5), 1); p0 <- sample(c(runif(1), 0.5, 0, 1), 1,
                                                           prob = c(.8, .1, .05, .05))
  x <- rbinom(1, n, if (p0 %in% c(0, 1)) runif(1) else p0 * runif(1, 0.7, 1.3) %% 1)
  alt <- sample(0:2, 1); conf <- sample(c(0.9, 0.95, 0.99), 1)
  r <- binom.test(x, n, p0, alternative = alts[alt + 1], conf.level = conf)
  add("exact", paste("exact", x, n, num(p0), alt, conf), c(r$p.value, r$conf.int))
}

# ---------------------------------------------------------------- two proportions
wilson_ci <- function(x, n, conf)
  suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = conf)$conf.int)
newcombe <- function(x1, n1, x2, n2, conf) {
  # Newcombe (1998) method 10
  p1 <- x1 / n1; p2 <- x2 / n2; a <- wilson_ci(x1, n1, conf); b <- wilson_ci(x2, n2, conf)
  c(p1 - p2 - sqrt((p1 - a[1])^2 + (b[2] - p2)^2), p1 - p2 + sqrt((a[2] - p1)^2 + (p2 - b[1])^2))
}
logratio <- function(x1, n1, x2, n2, conf, odds) {
  a <- x1; b <- n1 - x1; c <- x2; d <- n2 - x2
  if (min(a, b, c, d) == 0) { a <- a + .5; b <- b + .5; c <- c + .5; d <- d + .5 }
  if (odds) { l <- log(a * d / (b * c)); se <- sqrt(1/a + 1/b + 1/c + 1/d) }
  else { l <- log((a / (a + b)) / (c / (c + d))); se <- sqrt(1/a - 1/(a + b) + 1/c - 1/(c + d)) }
  z <- qnorm((1 + conf) / 2)
  c(exp(l), l / se, 2 * pnorm(-abs(l / se)), exp(l - z * se), exp(l + z * se))
}
rtable <- function() {
  repeat {
    n1 <- rcount(); n2 <- if (runif(1) < .5) n1 else rcount()
    p <- runif(1, 0.02, 0.98)
    x1 <- rbinom(1, n1, p); x2 <- rbinom(1, n2, min(1, max(0, p + rnorm(1, 0, 0.1))))
    if (x1 + x2 > 0 && x1 + x2 < n1 + n2) return(c(x1, n1, x2, n2))
  }
}
for (i in seq_len(K)) {
  t <- rtable(); x1 <- t[1]; n1 <- t[2]; x2 <- t[3]; n2 <- t[4]
  conf <- sample(c(0.9, 0.95, 0.99), 1)
  line <- function(m) paste("prop2", m, x1, n1, x2, n2, conf)
  r0 <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = FALSE, conf.level = conf))
  r1 <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = TRUE, conf.level = conf))
  d <- x1 / n1 - x2 / n2
  add("newcombe", line(0), c(d, r0$statistic, r0$p.value, newcombe(x1, n1, x2, n2, conf)))
  add("yates", line(1), c(d, r1$statistic, r1$p.value, r1$conf.int))
  add("wald", line(3), c(d, r0$statistic, r0$p.value, r0$conf.int))
  add("ratio", line(4), logratio(x1, n1, x2, n2, conf, FALSE))
  add("odds_ratio", line(5), logratio(x1, n1, x2, n2, conf, TRUE))
  if (n1 + n2 <= 2e6) {
    pf <- fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2))$p.value
    add("fisher+newcombe", line(2), c(d, 0, pf, newcombe(x1, n1, x2, n2, conf)))
  }
}
for (i in seq_len(K)) {
  n1 <- sample(c(1:50, 200, 1000, 150000), 1); n2 <- sample(c(1:50, 200, 1000, 150000), 1)
  p <- runif(1); x1 <- rbinom(1, n1, p); x2 <- rbinom(1, n2, p * runif(1, 0.8, 1.2) %% 1)
  alt <- sample(0:2, 1)
  add("fisher", paste("fisher", x1, n1, x2, n2, alt),
      fisher.test(matrix(c(x1, n1 - x1, x2, n2 - x2), 2), alternative = alts[alt + 1])$p.value)
}

# ---------------------------------------------------------------- multiplicity
for (i in seq_len(K)) {
  n <- sample(1:12, 1); p <- sample(c(runif(n)^3, 0.01, 0.02, 0.02), n, replace = TRUE)
  m <- sample(1:2, 1)
  add(c("", "holm", "bonferroni")[m + 1], paste("adjust", m, n, num(p)),
      p.adjust(p, c("none", "holm", "bonferroni")[m + 1]))
}

# ---------------------------------------------------------------- power
for (i in seq_len(K)) {
  sides <- sample(1:2, 1); alpha <- sample(c(0.01, 0.05, 0.1), 1)
  sd <- runif(1, 0.5, 3); delta <- sd * runif(1, 0.05, 1.5)
  n <- runif(1, 3, 300); power <- runif(1, 0.5, 0.99)
  alt <- c("one.sided", "two.sided")[sides]
  add("power_t_power", paste("power_t 0", num(n, delta, sd, alpha, 0, sides)),
      power.t.test(n = n, delta = delta, sd = sd, sig.level = alpha, alternative = alt)$power)
  add("power_t_n", paste("power_t 1", num(0, delta, sd, alpha, power, sides)),
      power.t.test(delta = delta, sd = sd, sig.level = alpha, power = power,
                   alternative = alt, tol = 1e-12)$n)
  add("power_t_delta", paste("power_t 2", num(n, 0, sd, alpha, power, sides)),
      power.t.test(n = n, delta = NULL, sd = sd, sig.level = alpha, power = power,
                   alternative = alt, tol = 1e-12)$delta)
}
for (i in seq_len(K)) {
  sides <- sample(1:2, 1); alpha <- sample(c(0.01, 0.05, 0.1), 1)
  p1 <- runif(1, 0.02, 0.9); p2 <- p1 + (1 - p1) * runif(1, 0.03, 0.6)
  n <- runif(1, 20, 3000); power <- runif(1, 0.5, 0.99)
  alt <- c("one.sided", "two.sided")[sides]
  add("power_prop_power", paste("power_prop 0", num(n, p1, p2, alpha, 0, sides)),
      power.prop.test(n = n, p1 = p1, p2 = p2, sig.level = alpha, alternative = alt)$power)
  add("power_prop_n", paste("power_prop 1", num(0, p1, p2, alpha, power, sides)),
      power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power,
                      alternative = alt, tol = 1e-12)$n)
  reach <- power.prop.test(n = n, p1 = p1, p2 = 1, sig.level = alpha, alternative = alt)$power
  if (reach > power)
    add("power_prop_p2", paste("power_prop 3", num(n, p1, 0, alpha, power, sides)),
        power.prop.test(n = n, p1 = p1, p2 = NULL, sig.level = alpha, power = power,
                        alternative = alt, tol = 1e-12)$p2)
}

# power at the edges: n below 2 (and below 1), extreme shares, one-sided,
# alpha 0.01-0.2, power 0.5-0.999, sizes near the 1e9 limit.  R's own
# answer wherever R gives one (tol = 1e-12); beyond n = 1e9 per arm the
# driver must refuse with EKS_ERROR (-1), a request with no answer.
rpower <- function() sample(c(runif(1, 0.5, 0.999), 0.5, 0.8, 0.999), 1)
ralpha <- function() sample(c(runif(1, 0.01, 0.2), 0.01, 0.2), 1)
# R's answer, or NULL where R stops (a warning alone does not count)
r_n <- function(expr) tryCatch(suppressWarnings(expr), error = function(e) NULL)
for (i in seq_len(K)) {
  sides <- sample(1:2, 1); alpha <- ralpha(); power <- rpower()
  alt <- c("one.sided", "two.sided")[sides]
  sd <- 10^runif(1, -3, 3)
  # delta/sd from 2 (n near 5) to 1e6 (n just above 1)
  delta <- sd * 10^runif(1, log10(2), 6)
  n <- r_n(power.t.test(delta = delta, sd = sd, sig.level = alpha, power = power,
                        alternative = alt, tol = 1e-12)$n)
  if (!is.null(n))
    add("power_t_n_edge", paste("power_t 1", num(0, delta, sd, alpha, power, sides)), n)
  # tiny delta/sd: n near and beyond 1e9
  delta <- sd * 10^runif(1, -5, -3.5)
  n <- r_n(power.t.test(delta = delta, sd = sd, sig.level = alpha, power = power,
                        alternative = alt, tol = 1e-12)$n)
  line <- paste("power_t 1", num(0, delta, sd, alpha, power, sides))
  if (!is.null(n) && n <= 1e9) add("power_t_n_edge", line, n)
  if (!is.null(n) && n > 1.001e9) add("power_t_n_none", line, NA, error = -1L)
  # power for n from 2 to 1e12
  n <- sample(c(2, runif(1, 2, 3), 10^runif(1, 6, 12)), 1)
  delta <- sd * 10^runif(1, -6, 1.5)
  add("power_t_pw_edge", paste("power_t 0", num(n, delta, sd, alpha, 0, sides)),
      power.t.test(n = n, delta = delta, sd = sd, sig.level = alpha,
                   alternative = alt)$power)
}
# and on a grid, where power.t.test's power is not monotone in n (pnt
# approximates for tiny df) and R's answer depends on R's search
# (1e305: the noncentrality overflows to Inf for large n, which R answers)
for (ratio in c(3, 20, 50, 100, 1e3, 1e6, 1e305)) for (power in c(0.5, 0.8, 0.99, 0.999))
  for (alpha in c(0.01, 0.2)) for (sides in 1:2) {
    alt <- c("one.sided", "two.sided")[sides]
    add("power_t_n_edge", paste("power_t 1", num(0, ratio, 1, alpha, power, sides)),
        power.t.test(delta = ratio, sig.level = alpha, power = power,
                     alternative = alt, tol = 1e-12)$n)
  }
rshare <- function() sample(c(1e-3, 1e-2, runif(1, 1e-3, 0.05), runif(1, 0.05, 0.95)), 1)
for (i in seq_len(K)) {
  sides <- sample(1:2, 1); alpha <- ralpha(); power <- rpower()
  alt <- c("one.sided", "two.sided")[sides]
  p1 <- rshare(); p2 <- 1 - rshare()
  if (runif(1) < 0.5) { t <- p1; p1 <- p2; p2 <- t }
  if (p1 == p2) next
  line <- paste("power_prop 1", num(0, p1, p2, alpha, power, sides))
  n <- r_n(power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power,
                           alternative = alt, tol = 1e-12)$n)
  if (!is.null(n)) {
    add("power_prop_n_edge", line, n)
  } else {
    # R's lower end passes 0 (NaN) when n is below 0.37: the root of the
    # same formula, searched for between 0 and 1
    f <- function(n) power.prop.test(n = n, p1 = p1, p2 = p2, sig.level = alpha,
                                     alternative = alt)$power - power
    add("power_prop_n_tiny", line, uniroot(f, c(0, 1), tol = 1e-12)$root)
  }
  # shares a hair apart: n near and beyond 1e9
  p2 <- p1 + sample(c(-1, 1), 1) * min(p1, 1 - p1) * 10^runif(1, -6, -3)
  n <- r_n(power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power,
                           alternative = alt, tol = 1e-12)$n)
  line <- paste("power_prop 1", num(0, p1, p2, alpha, power, sides))
  if (!is.null(n) && n <= 1e9) add("power_prop_n_edge", line, n)
  if (!is.null(n) && n > 1.001e9) add("power_prop_n_none", line, NA, error = -1L)
  n <- sample(c(2, runif(1, 2, 3), 10^runif(1, 6, 12)), 1)
  add("power_prop_pw_edge", paste("power_prop 0", num(n, p1, p2, alpha, 0, sides)),
      power.prop.test(n = n, p1 = p1, p2 = p2, sig.level = alpha,
                      alternative = alt)$power)
}

for (p in list(c(1e-3, 0.999), c(0.999, 1e-3), c(0.01, 0.99), c(1e-3, 0.5)))
  for (power in c(0.5, 0.9, 0.999)) for (alpha in c(0.01, 0.05, 0.2)) for (sides in 1:2) {
    alt <- c("one.sided", "two.sided")[sides]
    line <- paste("power_prop 1", num(0, p[1], p[2], alpha, power, sides))
    n <- r_n(power.prop.test(p1 = p[1], p2 = p[2], sig.level = alpha, power = power,
                             alternative = alt, tol = 1e-12)$n)
    if (!is.null(n)) {
      add("power_prop_n_edge", line, n)
    } else {
      f <- function(n) power.prop.test(n = n, p1 = p[1], p2 = p[2], sig.level = alpha,
                                       alternative = alt)$power - power
      add("power_prop_n_tiny", line, uniroot(f, c(0, 1), tol = 1e-12)$root)
    }
  }

# ---------------------------------------------------------------- designs
for (i in seq_len(K)) {
  g <- t(replicate(4, c(sample(2:500, 1), rnorm(1, 10, 2), runif(1, 0.5, 4))))
  conf <- sample(c(0.9, 0.95, 0.99), 1)
  v <- g[, 3]^2 / g[, 1]; se <- sqrt(sum(v)); df <- sum(v)^2 / sum(v^2 / (g[, 1] - 1))
  est <- (g[1, 2] - g[2, 2]) - (g[3, 2] - g[4, 2]); q <- qt(1 - (1 - conf) / 2, df)
  add("did_mean", paste("did_mean", num(t(g)), conf),
      c(est, se, df, 2 * pt(-abs(est / se), df), est - q * se, est + q * se))
  n <- sample(c(10:500, 1e6), 4, replace = TRUE); x <- rbinom(4, n, runif(4, 0.05, 0.95))
  p <- x / n; se <- sqrt(sum(p * (1 - p) / n)); est <- (p[1] - p[2]) - (p[3] - p[4])
  z <- qnorm((1 + conf) / 2)
  add("did_prop", paste("did_prop", num(rbind(x, n)), conf),
      c(est, se, 2 * pnorm(-abs(est / se)), est - z * se, est + z * se))
  est <- rnorm(1, 0, 0.3); se <- runif(1, 0.05, 0.4); df <- sample(c(Inf, 5, 30, 27.3), 1)
  m <- runif(1, 0.1, 1); alpha <- sample(c(0.025, 0.05, 0.1), 1)
  q <- qt(1 - alpha, df)
  add("tost", paste("tost", num(est, se), if (is.infinite(df)) "inf" else num(df), num(-m, m, alpha)),
      c(max(pt((est + m) / se, df, lower.tail = FALSE), pt((est - m) / se, df)),
        est - q * se, est + q * se))
}

# ---------------------------------------------------------------- run and compare
input <- tempfile()
writeLines(vapply(cases, `[[`, "", "line"), input)
out <- system2(driver, stdin = input, stdout = TRUE)
unlink(input)
if (length(out) != length(cases))
  stop(sprintf("driver gave %d results for %d cases", length(out), length(cases)))

methods <- unique(vapply(cases, `[[`, "", "method"))
worst <- setNames(numeric(length(methods)), methods)
count <- setNames(integer(length(methods)), methods)
failed <- 0L
for (i in seq_along(cases)) {
  cs <- cases[[i]]
  count[cs$method] <- count[cs$method] + 1L
  if (!is.null(cs$error)) {
    # a refusal expected, with this error code
    if (!startsWith(out[i], paste("error", cs$error, ""))) {
      cat(sprintf("FAIL %s: %s, expected error %d\n  case: %s\n", cs$method, out[i],
                  cs$error, substr(cs$line, 1, 200)))
      failed <- failed + 1L
    }
    next
  }
  if (startsWith(out[i], "error")) {
    cat(sprintf("FAIL %s: %s\n  case: %s\n", cs$method, out[i], substr(cs$line, 1, 200)))
    failed <- failed + 1L
    next
  }
  got <- as.numeric(strsplit(out[i], " ")[[1]])
  want <- cs$expect
  if (length(got) != length(want)) {
    cat(sprintf("FAIL %s: %d values, R has %d\n", cs$method, length(got), length(want)))
    failed <- failed + 1L
    next
  }
  same <- (got == want) | (is.finite(want) & abs(got - want) <= 1e-6 * abs(want) + 1e-14)
  rel <- ifelse(got == want, 0, abs(got - want) / pmax(abs(want), 1e-300))
  worst[cs$method] <- max(worst[cs$method], rel[is.finite(rel) & abs(want) > 1e-14], 0)
  if (!all(same)) {
    cat(sprintf("FAIL %s\n  case: %s\n  ours: %s\n  R:    %s\n", cs$method,
                substr(cs$line, 1, 200), num(got), num(want)))
    failed <- failed + 1L
  }
}
cat(sprintf("%-18s %6s  %s\n", "method", "cases", "max relative difference"))
for (m in methods) cat(sprintf("%-18s %6d  %.3g\n", m, count[m], worst[m]))
cat(sprintf("%d cases (seed %d), %d failed; largest relative difference %.3g\n",
            length(cases), seed, failed, max(worst)))
quit(status = if (failed > 0) 1 else 0)
