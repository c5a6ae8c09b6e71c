# check-r-edges.R - `eksperiment evaluate` against an independent R
# reference, end to end through the command line, at the statistical edges.
#
#   Rscript tests/r/check-r-edges.R <eksperiment-binary> [seed]
#
# (make check-r runs it after check-r.R; the seed defaults to $CHECK_R_SEED,
# else 20260115.)  CHECK_R_EDGES_RANDOM=k sets the seeded ordinary cases
# per method and direction (default 3); CHECK_R_KEEP=1 keeps the temporary
# repository and prints where it is, to look at a failing case by hand.
#
# What it covers.  Every method -- newcombe, yates, fisher, wilson, exact,
# welch, student, one_sample_t, katz (estimator ratio), woolf (odds_ratio),
# did_normal, did_welch, and `auto` -- under every test (superiority,
# noninferiority, equivalence, threshold) and both directions, on these
# edges:
#   zero events (one group, every group); all events (one group, every
#   group); one group with none and the other with all events; no variation
#   (sd 0 in one group, in every group, raw values all equal, "essentially
#   constant" data that make R's t.test stop); one observation (n = 1 for
#   means and for proportions); a group without observations; ties exactly
#   at m and at M (30/100 - 20/100 against 0.1, a mean difference on the
#   margin, a ratio of exactly 1 + m, interval bounds placed exactly on m and
#   on the margin); margins of a whole share or more on a difference of
#   shares; small counts (an expected cell below 5 with an
#   asymptotic method); the multiplicity family with a member that has no
#   observations or is not estimable (p counts as 1, holm and bonferroni);
#   and seeded random ordinary cases.
#
# How.  Every case becomes an experiment (experiment.yaml + log.yaml,
# status draft) in ONE temporary repository, committed with plain git; the
# files are checked with `eksperiment validate`, then `eksperiment evaluate
# --format csv` is run once and every hypothesis row is compared field by
# field (method, estimate, ci_low, ci_high, p_value, p_adjusted,
# ci_tost_low, ci_tost_high, verdict) with the reference below.  Numbers
# agree when |ours - R| <= 1e-6 |R| + 1e-12; a null (empty cell) must be
# null and a number a number.  The reasons are checked too: non-empty for
# insufficient_data; never "percentage points" for a ratio or odds ratio
# noninferiority; "small" and "exact" when an asymptotic two-proportion
# method meets an expected cell below 5; both arm ids for did.
#
# The reference is written from the rules (doc/eksperiment-evaluate.txt,
# SPEC 6.2-6.4 and the edge rules of issue 1/9), never from the tool's
# output: R's own functions where R has the method (prop.test, fisher.test,
# binom.test, t.test, p.adjust, pbinom, pnorm, pt, qnorm, qt, uniroot), and
# the named textbook formulas where it has not (Newcombe method 10 from
# prop.test's Wilson intervals, Katz and Woolf with the 0.5 correction,
# difference in differences).  R's t.test stops on "data are essentially
# constant"; that is caught and taken as "R gives no answer".
#
# Output: one FAIL block per disagreeing hypothesis (the case, the YAML
# essentials, ours against R), then a table of hypotheses and failures per
# method x test.  Exit status 1 on any disagreement, 2 when the generated
# files do not validate or the tool cannot be run (a generator problem).

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) stop("usage: check-r-edges.R <eksperiment-binary> [seed]")
BIN <- normalizePath(args[1], mustWork = TRUE)
SEED <- as.integer(if (length(args) >= 2) args[2] else Sys.getenv("CHECK_R_SEED", "20260115"))
set.seed(SEED)
T_START <- Sys.time()

TESTS <- c("superiority", "noninferiority", "equivalence", "threshold")
LABELS <- c("newcombe", "yates", "fisher", "wilson", "exact", "welch", "student",
            "one_sample_t", "katz", "woolf", "did_normal", "did_welch", "auto")
FIELDS_NUM <- c("estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
                "ci_tost_low", "ci_tost_high")

# ===================================================================== ties
# eq(a, b): equal within 1e-9 relative or 1e-12 absolute (the rules' ties).
eq <- function(a, b) abs(a - b) <= max(1e-9 * max(abs(a), abs(b)), 1e-12)
ge <- function(a, b) a > b || eq(a, b)
gt <- function(a, b) a > b && !eq(a, b)
lt <- function(a, b) a < b && !eq(a, b)
le <- function(a, b) a < b || eq(a, b)

# ======================================================== interval helpers
zcrit <- function(conf) qnorm(1 - (1 - conf) / 2)

# Wilson score bounds of x/n at critical value z, exactly as R's prop.test
# (one sample, correct = FALSE) computes them.
wilson_bounds <- function(x, n, z) {
  p <- x / n; z22n <- z^2 / (2 * n)
  r <- z * sqrt(p * (1 - p) / n + z22n / (2 * n))
  c(if (p <= 0) 0 else (p + z22n - r) / (1 + 2 * z22n),
    if (p >= 1) 1 else (p + z22n + r) / (1 + 2 * z22n))
}

# Newcombe (1998) method 10 bounds of x1/n1 - x2/n2 at critical value z.
newcombe_bounds <- function(x1, n1, x2, n2, z) {
  w1 <- wilson_bounds(x1, n1, z); w2 <- wilson_bounds(x2, n2, z)
  p1 <- x1 / n1; p2 <- x2 / n2; d <- p1 - p2
  c(d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
    d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}

# The same interval at a confidence level, from prop.test's own Wilson
# intervals (the man page's REPRODUCING IN R).
newcombe_ci <- function(a, b, conf) {
  w1 <- suppressWarnings(prop.test(a$x, a$n, correct = FALSE, conf.level = conf))$conf.int
  w2 <- suppressWarnings(prop.test(b$x, b$n, correct = FALSE, conf.level = conf))$conf.int
  p1 <- a$x / a$n; p2 <- b$x / b$n
  c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
    p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}

# "The level at which the interval touches the margin", for a family of
# nested intervals bounds(z) (oriented; z the normal critical value):
#   side "low":  H0 effect <= target.  Lower bound above target: the level
#                p = 1 - pnorm(z) where lower(z) = target (0 if it never
#                gets there); upper bound below target: 1 - that level for
#                the upper bound; target inside the z = 0 interval: 0.5.
#   side "high": H0 effect >= target, mirrored.
# Beyond z = 38 the level is below 1e-300: taken as 0.
touch_p <- function(bounds, target, side) {
  b0 <- bounds(0); zmax <- 38
  solve <- function(i) uniroot(function(z) bounds(z)[i] - target, c(0, zmax),
                               tol = 1e-14, maxiter = 1000)$root
  if (side == "low") {
    if (b0[1] > target) {
      if (bounds(zmax)[1] > target) return(0)
      return(pnorm(-solve(1)))
    }
    if (b0[2] < target) {
      if (bounds(zmax)[2] < target) return(1)
      return(pnorm(solve(2)))
    }
  } else {
    if (b0[2] < target) {
      if (bounds(zmax)[2] < target) return(0)
      return(pnorm(-solve(2)))
    }
    if (b0[1] > target) {
      if (bounds(zmax)[1] > target) return(1)
      return(pnorm(solve(1)))
    }
  }
  0.5
}

# A Wald (z or t) form on the working scale w with standard error se.
# s = +1 (increase) or -1 (decrease) orients it; margins come oriented.
wald_fit <- function(method, est, w, se, df, s, logscale) {
  list(method = method, est = est, logscale = logscale, se = se, df = df,
       ci = function(conf) {
         q <- qt(1 - (1 - conf) / 2, df); b <- c(w - q * se, w + q * se)
         if (logscale) exp(b) else b
       },
       p_sup = 2 * pt(-abs(w / se), df),
       p_low = function(Mw) pt((s * w + Mw) / se, df, lower.tail = FALSE),
       p_high = function(Mw) pt((s * w - Mw) / se, df))
}

# ================================================ the reference, per method
# Each fit_* gives: method, est (natural scale), logscale, ci(conf) (natural
# scale), p_sup (two-sided), p_low(Mw) and p_high(Mw) (one-sided against the
# oriented working-scale margin), and for the generator a rough se.
# Groups: proportions list(x, n); means list(n, mean, sd, vec) where vec is
# the raw values, or values with exactly that mean and sd.

diff_prop <- function(a, b) (a$x * b$n - b$x * a$n) / (a$n * b$n)

fit_newcombe <- function(a, b, s, p_of = "newcombe") {
  g1 <- if (s > 0) a else b; g2 <- if (s > 0) b else a   # oriented: better first
  ob <- function(z) newcombe_bounds(g1$x, g1$n, g2$x, g2$n, z)
  p_sup <- if (p_of == "fisher")
    fisher.test(matrix(c(a$x, a$n - a$x, b$x, b$n - b$x), 2))$p.value
  else suppressWarnings(prop.test(c(a$x, b$x), c(a$n, b$n), correct = FALSE))$p.value
  list(method = p_of, est = diff_prop(a, b), logscale = FALSE,
       ci = function(conf) newcombe_ci(a, b, conf), p_sup = p_sup,
       p_low = function(Mw) touch_p(ob, -Mw, "low"),
       p_high = function(Mw) touch_p(ob, Mw, "high"))
}

fit_fisher <- function(a, b, s) fit_newcombe(a, b, s, p_of = "fisher")

fit_yates <- function(a, b, s) {
  pt_ <- function(conf) suppressWarnings(prop.test(c(a$x, b$x), c(a$n, b$n),
                                                   correct = TRUE, conf.level = conf))
  pa <- a$x / a$n; pb <- b$x / b$n; d <- s * (pa - pb)
  se <- sqrt(pa * (1 - pa) / a$n + pb * (1 - pb) / b$n)
  yc <- min(0.5 * (1 / a$n + 1 / b$n), abs(pa - pb))   # prop.test's YATES * sum(1/n)
  list(method = "yates", est = diff_prop(a, b), logscale = FALSE,
       ci = function(conf) pt_(conf)$conf.int, p_sup = pt_(0.95)$p.value,
       # prop.test clips its interval to [-1, 1]: a bound can reach a
       # margin of 1 (and then stays on it), never one beyond
       p_low = function(Mw) {
         t <- -Mw
         if (d - yc > t) { if (t < -1) 0 else pnorm(-(d - yc - t) / se) }
         else if (d + yc < t) { if (t > 1) 1 else pnorm((t - d - yc) / se) } else 0.5
       },
       p_high = function(Mw) {
         t <- Mw
         if (d + yc < t) { if (t > 1) 0 else pnorm(-(t - d - yc) / se) }
         else if (d - yc > t) { if (t < -1) 1 else pnorm((d - yc - t) / se) } else 0.5
       })
}

# Katz (ratio) and Woolf (odds ratio): 0.5 added to every cell when a cell is 0.
fit_logratio <- function(a, b, s, odds) {
  A <- a$x; B <- a$n - a$x; C <- b$x; D <- b$n - b$x
  if (min(A, B, C, D) == 0) { A <- A + .5; B <- B + .5; C <- C + .5; D <- D + .5 }
  if (odds) { est <- (A * D) / (B * C); se <- sqrt(1 / A + 1 / B + 1 / C + 1 / D) }
  else { est <- (A / (A + B)) / (C / (C + D)); se <- sqrt(1 / A - 1 / (A + B) + 1 / C - 1 / (C + D)) }
  wald_fit(if (odds) "woolf" else "katz", est, log(est), se, Inf, s, TRUE)
}
fit_katz <- function(a, b, s) fit_logratio(a, b, s, FALSE)
fit_woolf <- function(a, b, s) fit_logratio(a, b, s, TRUE)

fit_wilson <- function(g, v, s) {
  r <- function(conf) suppressWarnings(prop.test(g$x, g$n, p = v, correct = FALSE,
                                                 conf.level = conf))
  ph <- g$x / g$n
  z0 <- function(p0) (ph - p0) / sqrt(p0 * (1 - p0) / g$n)
  # At p0 = 0 with x = 0 (p0 = 1 with x = n) Wilson's bound equals p0 at
  # every level, so the interval never lies beyond it: p = 1, as the exact
  # method's pbinom gives there (L > -M is false at every level).
  above <- function(p0) if (p0 < 0) 0 else if (p0 == 0) as.numeric(g$x == 0) else
    if (p0 >= 1) 1 else pnorm(z0(p0), lower.tail = FALSE)      # H0: p <= p0
  below <- function(p0) if (p0 > 1) 0 else if (p0 == 1) as.numeric(g$x == g$n) else
    if (p0 <= 0) 1 else pnorm(z0(p0))                          # H0: p >= p0
  list(method = "wilson", est = ph - v, logscale = FALSE,
       ci = function(conf) r(conf)$conf.int - v, p_sup = r(0.95)$p.value,
       p_low = function(Mw) if (s > 0) above(v - Mw) else below(v + Mw),
       p_high = function(Mw) if (s > 0) below(v + Mw) else above(v - Mw))
}

fit_exact <- function(g, v, s) {
  r <- function(conf) binom.test(g$x, g$n, p = v, conf.level = conf)
  above <- function(p0) if (p0 < 0) 0 else   # P(X >= x | p0)
    pbinom(g$x - 1, g$n, min(p0, 1), lower.tail = FALSE)
  below <- function(p0) if (p0 > 1) 0 else   # P(X <= x | p0)
    pbinom(g$x, g$n, max(p0, 0))
  list(method = "exact", est = g$x / g$n - v, logscale = FALSE,
       ci = function(conf) r(conf)$conf.int - v, p_sup = r(0.95)$p.value,
       p_low = function(Mw) if (s > 0) above(v - Mw) else below(v + Mw),
       p_high = function(Mw) if (s > 0) below(v + Mw) else above(v - Mw))
}

fit_t2 <- function(a, b, s, var.equal) {
  tt <- function(conf) t.test(a$vec, b$vec, var.equal = var.equal, conf.level = conf)
  r <- tt(0.95); w <- a$mean - b$mean
  f <- wald_fit(if (var.equal) "student" else "welch", w, w, r$stderr,
                unname(r$parameter), s, FALSE)
  f$ci <- function(conf) as.numeric(tt(conf)$conf.int)
  f$p_sup <- r$p.value
  f
}
fit_welch <- function(a, b, s) fit_t2(a, b, s, FALSE)
fit_student <- function(a, b, s) fit_t2(a, b, s, TRUE)

fit_one_sample_t <- function(g, v, s) {
  tt <- function(conf) t.test(g$vec, mu = v, conf.level = conf)
  r <- tt(0.95); w <- g$mean - v
  f <- wald_fit("one_sample_t", w, w, r$stderr, unname(r$parameter), s, FALSE)
  f$ci <- function(conf) as.numeric(tt(conf)$conf.int) - v
  f$p_sup <- r$p.value
  f
}

# did: groups in the order A@t, A@baseline, B@t, B@baseline.
fit_did_normal <- function(g, s) {
  p <- vapply(g, function(q) q$x / q$n, 0); n <- vapply(g, `[[`, 0, "n")
  est <- (p[1] - p[2]) - (p[3] - p[4])
  wald_fit("did_normal", est, est, sqrt(sum(p * (1 - p) / n)), Inf, s, FALSE)
}

fit_did_welch <- function(g, s) {
  m <- vapply(g, `[[`, 0, "mean"); sd <- vapply(g, `[[`, 0, "sd"); n <- vapply(g, `[[`, 0, "n")
  v <- sd^2 / n; est <- (m[1] - m[2]) - (m[3] - m[4])
  wald_fit("did_welch", est, est, sqrt(sum(v)), sum(v)^2 / sum(v^2 / (n - 1)), s, FALSE)
}

# ================================================== not estimable (rule 2)
# Returns NULL, or a word for why R gives no answer.  `ratio_artefact`
# marks the all-none / all-events ratio and odds ratio, which even a
# threshold test may not decide.
all_zero_or_full <- function(gs) all(vapply(gs, function(q) q$x == 0, TRUE)) ||
  all(vapply(gs, function(q) q$x == q$n, TRUE))

t_constant <- function(stderr, means) stderr < 10 * .Machine$double.eps * max(abs(means))

not_estimable <- function(method, gs, var.equal = FALSE) {
  if (method %in% c("newcombe", "yates", "fisher", "katz", "woolf"))
    return(if (all_zero_or_full(gs)) "no variation in the counts" else NULL)
  if (method == "did_normal")
    return(if (all(vapply(gs, function(q) q$x == 0 || q$x == q$n, TRUE)))
      "every group 0 or n of n" else NULL)
  if (method %in% c("wilson", "exact")) return(NULL)
  sds <- vapply(gs, `[[`, 0, "sd"); ns <- vapply(gs, `[[`, 0, "n")
  means <- vapply(gs, `[[`, 0, "mean")
  if (all(sds == 0)) return("every sd is 0")
  v <- sds^2 / ns
  se <- switch(method,
    welch = sqrt(sum(v)), did_welch = sqrt(sum(v)), one_sample_t = sqrt(v[1]),
    student = sqrt(((ns[1] - 1) * sds[1]^2 + (ns[2] - 1) * sds[2]^2) /
                     (ns[1] + ns[2] - 2) * (1 / ns[1] + 1 / ns[2])))
  if (t_constant(se, means)) return("data are essentially constant")
  NULL
}

# ==================================================== one hypothesis in R
expected_cells <- function(a, b) {
  N <- a$n + b$n; X <- a$x + b$x
  c(a$n * X / N, b$n * X / N, a$n * (N - X) / N, b$n * (N - X) / N)
}

# The method actually used (the `method` column).
resolve_method <- function(h, o, gs) {
  if (h$estimator == "did") return(if (o$measure == "proportion") "did_normal" else "did_welch")
  if (h$estimator == "ratio") return("katz")
  if (h$estimator == "odds_ratio") return("woolf")
  m <- if (is.null(h$method)) "auto" else h$method
  if (o$measure == "proportion" && !is.null(h$value)) return(if (m == "exact") "exact" else "wilson")
  if (o$measure == "mean" && !is.null(h$value)) return("one_sample_t")
  if (o$measure == "mean") return(if (m == "student") "student" else "welch")
  if (m %in% c("newcombe", "yates")) return(m)
  if (h$test != "superiority") return("newcombe")   # fisher and auto alike
  if (m == "fisher") return("fisher")
  # auto, superiority: fisher when an expected cell is below 5.  With a
  # group missing the rules do not say: either is accepted.
  if (any(vapply(gs, is.null, TRUE))) return("newcombe|fisher")
  if (any(expected_cells(gs[[1]], gs[[2]]) < 5)) "fisher" else "newcombe"
}

run_fit <- function(method, h, gs, s) {
  switch(method,
    newcombe = fit_newcombe(gs[[1]], gs[[2]], s), fisher = fit_fisher(gs[[1]], gs[[2]], s),
    yates = fit_yates(gs[[1]], gs[[2]], s), katz = fit_katz(gs[[1]], gs[[2]], s),
    woolf = fit_woolf(gs[[1]], gs[[2]], s), wilson = fit_wilson(gs[[1]], h$value, s),
    exact = fit_exact(gs[[1]], h$value, s), welch = fit_welch(gs[[1]], gs[[2]], s),
    student = fit_student(gs[[1]], gs[[2]], s),
    one_sample_t = fit_one_sample_t(gs[[1]], h$value, s),
    did_normal = fit_did_normal(gs, s), did_welch = fit_did_welch(gs, s))
}

# The estimate alone, for a not-estimable case (finite or not).
estimate_only <- function(method, h, gs) {
  switch(method,
    newcombe = , fisher = , yates = diff_prop(gs[[1]], gs[[2]]),
    katz = fit_katz(gs[[1]], gs[[2]], 1)$est, woolf = fit_woolf(gs[[1]], gs[[2]], 1)$est,
    welch = , student = gs[[1]]$mean - gs[[2]]$mean,
    one_sample_t = gs[[1]]$mean - h$value,
    did_welch = (gs[[1]]$mean - gs[[2]]$mean) - (gs[[3]]$mean - gs[[4]]$mean),
    did_normal = (gs[[1]]$x / gs[[1]]$n - gs[[2]]$x / gs[[2]]$n) -
      (gs[[3]]$x / gs[[3]]$n - gs[[4]]$x / gs[[4]]$n))
}

orient <- function(ci, s, logscale) {
  w <- if (logscale) log(ci) else ci
  if (s > 0) w else rev(-w)
}

null_row <- function(method, verdict = "insufficient_data", estimate = NA)
  list(method = method, estimate = estimate, ci_low = NA, ci_high = NA, p_value = NA,
       p_adjusted = NA, ci_tost_low = NA, ci_tost_high = NA, verdict = verdict,
       status = "missing", p_raw = NA)

# First step: everything up to the p-value; the verdict of a superiority
# hypothesis waits for the multiplicity adjustment (finish_hypothesis).
ref_hypothesis <- function(h, o, gs, conf) {
  method <- resolve_method(h, o, gs)
  s <- if (o$direction == "increase") 1 else -1
  logscale <- h$estimator %in% c("ratio", "odds_ratio")
  wscale <- function(x) if (logscale) log(1 + x) else x
  m <- if (!is.null(h[["m"]])) h[["m"]] else if (!is.null(o[["m"]])) o[["m"]] else 0
  mw <- wscale(m); Mw <- if (is.null(h$margin)) NA else wscale(h$margin)
  alpha <- if (is.null(h$alpha)) 0.05 else h$alpha

  # rule 1: a group without observations, or a mean's group with n < 2
  if (any(vapply(gs, is.null, TRUE)) ||
      (o$measure == "mean" && any(vapply(gs, `[[`, 0, "n") < 2)))
    return(null_row(method))

  # rule 2: not estimable
  why <- not_estimable(method, gs)
  fit <- NULL
  if (is.null(why)) {
    fit <- tryCatch(run_fit(method, h, gs, s), error = function(e) conditionMessage(e))
    if (is.character(fit)) { why <- fit; fit <- NULL }
  }
  if (is.null(why)) {
    ci <- fit$ci(conf)
    if (!is.finite(fit$est) || any(!is.finite(ci)) || ci[2] <= ci[1] || !is.finite(fit$p_sup))
      why <- "R gives no answer"
  }
  if (!is.null(why)) {
    est <- if (is.null(fit)) estimate_only(method, h, gs) else fit$est
    if (!is.finite(est)) est <- NA
    r <- null_row(method, estimate = est)
    r$status <- "not_estimable"; r$why <- why
    ratio_artefact <- logscale && all_zero_or_full(gs)
    if (h$test == "threshold" && !ratio_artefact && !is.na(est)) {
      E <- s * (if (logscale) log(est) else est)
      r$verdict <- if (ge(E, mw)) "supported" else "refuted"
    }
    return(r)
  }

  E <- s * (if (logscale) log(fit$est) else fit$est)
  LU <- orient(ci, s, logscale)
  r <- list(method = method, estimate = fit$est, ci_low = ci[1], ci_high = ci[2],
            p_value = NA, p_adjusted = NA, ci_tost_low = NA, ci_tost_high = NA,
            verdict = NA, status = "ok", p_raw = NA, E = E, L = LU[1], U = LU[2],
            mw = mw, alpha = alpha)
  if (h$test == "superiority") {
    r$p_raw <- r$p_value <- fit$p_sup
  } else if (h$test == "noninferiority") {
    p <- fit$p_low(Mw)
    # self-check of the reference: p < (1 - conf)/2 exactly when L > -M
    if (!eq(LU[1], -Mw) && abs(p - (1 - conf) / 2) > 1e-9 &&
        (p < (1 - conf) / 2) != (LU[1] > -Mw))
      stop(sprintf("reference bug: %s noninferiority p %g against L %g, -M %g",
                   method, p, LU[1], -Mw))
    r$p_value <- r$p_adjusted <- p
    r$verdict <- if (gt(LU[1], -Mw)) "supported" else if (lt(LU[2], -Mw)) "refuted" else "inconclusive"
  } else if (h$test == "equivalence") {
    ct <- fit$ci(1 - 2 * alpha); LUt <- orient(ct, s, logscale)
    r$ci_tost_low <- ct[1]; r$ci_tost_high <- ct[2]
    r$p_value <- r$p_adjusted <- max(fit$p_low(Mw), fit$p_high(Mw))
    r$verdict <- if (gt(LUt[1], -Mw) && lt(LUt[2], Mw)) "supported"
      else if (ge(LU[1], Mw) || le(LU[2], -Mw)) "refuted" else "inconclusive"
  } else {
    r$verdict <- if (ge(E, mw)) "supported" else "refuted"
  }
  r
}

finish_superiority <- function(r, p_adj) {
  r$p_adjusted <- p_adj
  r$verdict <- if (p_adj < r$alpha && gt(r$E, 0) && ge(r$E, r$mw)) "supported"
    else if (lt(r$U, r$mw) || (p_adj < r$alpha && lt(r$E, 0))) "refuted" else "inconclusive"
  r
}

# ==================================================== one experiment in R
find_group <- function(e, outcome, arm, tp) {
  for (ob in e$obs) if (ob$outcome == outcome && ob$arm == arm && ob$tp == tp) {
    if (!is.null(ob$values)) {
      v <- ob$values
      return(list(n = length(v), mean = mean(v), sd = if (length(v) > 1) sd(v) else 0, vec = v))
    }
    if (!is.null(ob$events)) return(list(x = ob$events, n = ob$n))
    vec <- if (ob$sd == 0 || ob$n < 2) rep(ob$mean, ob$n)
      else ob$mean + ob$sd * scale(seq_len(ob$n))[, 1]
    return(list(n = ob$n, mean = ob$mean, sd = if (ob$n > 1) ob$sd else 0, vec = vec))
  }
  NULL
}

hyp_groups <- function(e, h) {
  if (!is.null(h$value)) return(list(find_group(e, h$outcome, h$arm, h$tp)))
  if (h$estimator == "did")
    return(list(find_group(e, h$outcome, h$arm, h$tp), find_group(e, h$outcome, h$arm, h$baseline),
                find_group(e, h$outcome, h$against, h$tp),
                find_group(e, h$outcome, h$against, h$baseline)))
  list(find_group(e, h$outcome, h$arm, h$tp), find_group(e, h$outcome, h$against, h$tp))
}

ref_experiment <- function(e) {
  rows <- lapply(e$hyps, function(h) {
    o <- e$outcomes[[h$outcome]]
    ref_hypothesis(h, o, hyp_groups(e, h), e$conf)
  })
  # multiplicity: confirmatory superiority members; no p counts as 1
  member <- vapply(e$hyps, function(h) h$test == "superiority" &&
                     (is.null(h$family) || h$family == "confirmatory"), TRUE)
  p <- vapply(rows, function(r) if (is.na(r$p_raw)) 1 else r$p_raw, 0)
  adj <- p
  if (any(member) && e$multiplicity != "none")
    adj[member] <- p.adjust(p[member], e$multiplicity)
  for (i in seq_along(rows)) {
    r <- rows[[i]]
    if (e$hyps[[i]]$test == "superiority" && r$status == "ok")
      rows[[i]] <- finish_superiority(r, if (member[i]) adj[i] else r$p_raw)
  }
  rows
}

# ==================================================== building experiments
EXPS <- list()
new_exp <- function(edge, name, conf = 0.95, multiplicity = "holm")
  list(edge = edge, name = name, conf = conf, multiplicity = multiplicity,
       outcomes = list(), obs = list(), hyps = list())
add_outcome <- function(e, id, measure, direction, m = NULL) {
  e$outcomes[[id]] <- list(id = id, measure = measure, direction = direction, m = m); e
}
add_prop <- function(e, outcome, arm, tp, x, n) {
  e$obs[[length(e$obs) + 1]] <- list(outcome = outcome, arm = arm, tp = tp, n = n, events = x); e
}
add_mean <- function(e, outcome, arm, tp, n = NULL, mean = NULL, sd = NULL, values = NULL) {
  e$obs[[length(e$obs) + 1]] <- if (!is.null(values))
    list(outcome = outcome, arm = arm, tp = tp, values = values)
  else list(outcome = outcome, arm = arm, tp = tp, n = n, mean = mean, sd = sd)
  e
}
# label: the method the summary table files it under.  method: what the
# protocol writes (NULL: nothing).  value: against_value, else against B.
add_hyp <- function(e, label, outcome, estimator, test, method = NULL, value = NULL,
                    margin = NULL, m = NULL, alpha = NULL, family = NULL, tp = "t1",
                    baseline = NULL) {
  id <- sprintf("H%d", length(e$hyps) + 1)
  if (estimator == "did" && is.null(baseline)) baseline <- "t0"
  e$hyps[[length(e$hyps) + 1]] <- list(id = id, label = label, outcome = outcome,
    estimator = estimator, test = test, method = method, value = value,
    arm = "tiltak", against = if (is.null(value)) "kontroll" else NULL,
    margin = margin, m = m, alpha = alpha, family = family, tp = tp, baseline = baseline)
  e
}
push <- function(e) { EXPS[[length(EXPS) + 1]] <<- e; invisible(NULL) }

rnd <- function(x, d = 4) signif(x, d)
pick <- function(v) v[sample.int(length(v), 1)]
rdir <- function() pick(c("increase", "decrease"))

# What each label writes and estimates.
label_kind <- function(label) switch(label,
  newcombe = , yates = , fisher = "prop2", katz = "prop2", woolf = "prop2",
  wilson = , exact = "prop1", welch = , student = "mean2", one_sample_t = "mean1",
  did_normal = "did_prop", did_welch = "did_mean")
label_estimator <- function(label) switch(label, katz = "ratio", woolf = "odds_ratio",
  did_normal = , did_welch = "did", "difference")
label_method <- function(label)
  if (label %in% c("katz", "woolf", "did_normal", "did_welch", "one_sample_t")) NULL else label

# Default margins and minimum effects on the natural scale of an estimator.
default_margin <- function(kind, estimator) {
  if (estimator %in% c("ratio", "odds_ratio")) 0.25
  else if (kind %in% c("prop2", "prop1", "did_prop")) 0.1 else 1
}

# The groups of a data list, in the order hyp_groups() gives them: A and B
# at t1; for did A@t1, A@t0, B@t1, B@t0.  NULL: not logged.
add_data <- function(e, kind, data) {
  did <- kind %in% c("did_prop", "did_mean")
  arms <- if (did) c("tiltak", "tiltak", "kontroll", "kontroll") else c("tiltak", "kontroll")
  tps <- if (did) c("t1", "t0", "t1", "t0") else c("t1", "t1")
  for (i in seq_along(data)) {
    d <- data[[i]]
    if (is.null(d)) next
    e <- if (kind %in% c("prop2", "prop1", "did_prop")) add_prop(e, "o1", arms[i], tps[i], d[1], d[2])
      else if (is.list(d)) add_mean(e, "o1", arms[i], tps[i], n = d$n, mean = d$mean, sd = d$sd)
      else add_mean(e, "o1", arms[i], tps[i], values = d)
  }
  e
}

# One experiment holding one hypothesis per test for a data set: kind is
# prop2 | prop1 | mean2 | mean1 | did_prop | did_mean, data the group list.
edge_exp <- function(edge, name, label, kind, data, dir = rdir(), tests = TESTS,
                     estimator = label_estimator(label), method = label_method(label),
                     margin = NULL, m = NULL, value = NULL, conf = 0.95, alpha = NULL) {
  measure <- if (kind %in% c("prop2", "prop1", "did_prop")) "proportion" else "mean"
  e <- add_data(add_outcome(new_exp(edge, name, conf), "o1", measure, dir), kind, data)
  if (is.null(margin)) margin <- default_margin(kind, estimator)
  for (t in tests)
    e <- add_hyp(e, label, "o1", estimator, t, method = method, value = value,
                 margin = if (t %in% c("noninferiority", "equivalence")) margin,
                 m = if (t %in% c("superiority", "threshold")) m, alpha = alpha)
  push(e)
}

# Labels per kind of data, for the edge families.
PROP2 <- c("newcombe", "yates", "fisher", "auto", "katz", "woolf")
PROP1 <- c("wilson", "exact", "auto")
MEAN2 <- c("welch", "student", "auto")
kind_of <- function(label, kind) if (label == "auto") kind else label_kind(label)

prop2_family <- function(edge, name, a, b, labels = PROP2, ...)
  for (l in labels) edge_exp(edge, sprintf("%s-%s", name, l), l, "prop2", list(a, b), ...)
prop1_family <- function(edge, name, g, value, labels = PROP1, ...)
  for (l in labels) edge_exp(edge, sprintf("%s-%s", name, l), l, "prop1", list(g),
                             value = value, ...)
mean2_family <- function(edge, name, a, b, labels = MEAN2, ...)
  for (l in labels) edge_exp(edge, sprintf("%s-%s", name, l), l, "mean2", list(a, b), ...)
mean1_family <- function(edge, name, g, value, ...)
  edge_exp(edge, name, "one_sample_t", "mean1", list(g), value = value, ...)
S <- function(n, mean, sd) list(n = n, mean = mean, sd = sd)   # a summary group

# ----------------------------------------------------------- edge: zero events
cases_zero_events <- function() {
  prop2_family("zero", "zero-one", c(0, 20), c(6, 25))
  prop2_family("zero", "zero-one-rev", c(7, 30), c(0, 30))
  prop2_family("zero", "zero-all", c(0, 20), c(0, 25))
  prop2_family("zero", "zero-all-big", c(0, 400), c(0, 350))
  prop1_family("zero", "zero-value", c(0, 30), 0.1)
  prop1_family("zero", "zero-value-big", c(0, 200), 0.02)
  edge_exp("zero", "zero-did-one", "did_normal", "did_prop", list(c(0, 40), c(5, 40), c(6, 35), c(8, 35)))
  edge_exp("zero", "zero-did-all", "did_normal", "did_prop", list(c(0, 40), c(0, 40), c(0, 35), c(0, 35)))
}

# ------------------------------------------------------ edge: whole-share margins
# "margin: 1" on a difference of shares: prop.test's interval is clipped
# at -1 and 1, so its bound can reach such a margin and stay on it.
cases_wide_margins <- function() {
  for (M in c(1, 1.2)) {
    prop2_family("wide", sprintf("wide-%g", M), c(1, 5), c(29, 30), margin = M,
                 tests = c("noninferiority", "equivalence"))
    prop2_family("wide", sprintf("wide-rev-%g", M), c(8, 10), c(0, 5), margin = M,
                 tests = c("noninferiority", "equivalence"))
    prop1_family("wide", sprintf("wide-value-%g", M), c(2, 30), 0.4, margin = M,
                 tests = c("noninferiority", "equivalence"))
  }
}

# ------------------------------------------------------------ edge: all events
cases_all_events <- function() {
  prop2_family("all", "all-one", c(20, 20), c(14, 25))
  prop2_family("all", "all-every", c(20, 20), c(25, 25))
  prop2_family("all", "none-vs-all", c(0, 15), c(15, 15))
  prop1_family("all", "all-value", c(30, 30), 0.8)
  edge_exp("all", "all-did-mixed", "did_normal", "did_prop", list(c(40, 40), c(0, 40), c(35, 35), c(35, 35)))
  edge_exp("all", "all-did-one", "did_normal", "did_prop", list(c(40, 40), c(30, 40), c(20, 35), c(25, 35)))
}

# ---------------------------------------------------------- edge: no variation
cases_no_variation <- function() {
  mean2_family("novar", "sd0-one", S(12, 5.5, 0), S(15, 4.2, 1.3))
  mean2_family("novar", "sd0-every", S(12, 5.5, 0), S(15, 4.2, 0))
  mean2_family("novar", "sd0-every-same", S(12, 5, 0), S(15, 5, 0), m = 0)
  mean2_family("novar", "raw-equal-every", rep(3.25, 6), rep(2.5, 5))
  mean2_family("novar", "raw-equal-one", rep(3.25, 6), c(2.1, 2.9, 3.3, 2.4, 2.75))
  mean2_family("novar", "essentially-constant", S(10, 1e6, 1e-9), S(10, 1e6 + 1e-8, 1e-9))
  mean1_family("novar", "one-sd0", S(9, 4.4, 0), 4)
  mean1_family("novar", "one-raw-equal", rep(7.5, 5), 7)
  mean1_family("novar", "one-essentially-constant", S(10, 1e6, 1e-9), 1e6 - 1e-7)
  edge_exp("novar", "did-sd0-every", "did_welch", "did_mean",
           list(S(10, 3, 0), S(10, 2, 0), S(12, 4, 0), S(12, 3.5, 0)))
  edge_exp("novar", "did-sd0-one", "did_welch", "did_mean",
           list(S(10, 3, 0), S(10, 2, 1.1), S(12, 4, 0.9), S(12, 3.5, 1.4)))
  edge_exp("novar", "did-raw-equal", "did_welch", "did_mean",
           list(rep(2, 4), rep(1.5, 3), rep(4, 5), rep(3, 4)))
}

# ------------------------------------------------------ edge: one observation
cases_one_observation <- function() {
  mean2_family("one-obs", "mean-n1-raw", 4.2, c(3.1, 3.9, 4.4, 2.8))
  mean2_family("one-obs", "mean-n1-summary", S(1, 4.2, 0), S(8, 3.5, 1.2))
  mean1_family("one-obs", "mean1-n1", 4.2, 3)
  edge_exp("one-obs", "did-mean-n1", "did_welch", "did_mean",
           list(S(10, 3, 1), S(1, 2, 0), S(12, 4, 1.2), S(12, 3.5, 1.4)))
  prop2_family("one-obs", "prop-n1-vs-n1", c(1, 1), c(0, 1))
  prop2_family("one-obs", "prop-n1-vs-many", c(1, 1), c(9, 30))
  prop1_family("one-obs", "prop1-n1-event", c(1, 1), 0.3)
  prop1_family("one-obs", "prop1-n1-none", c(0, 1), 0.3)
  edge_exp("one-obs", "did-prop-n1", "did_normal", "did_prop", list(c(1, 1), c(0, 1), c(3, 10), c(4, 10)))
}

# --------------------------------------------------- edge: a group not logged
cases_missing_group <- function() {
  prop2_family("missing", "prop-b-missing", c(12, 40), NULL)
  mean2_family("missing", "mean-b-missing", S(10, 3, 1), NULL)
  prop1_family("missing", "prop1-missing", NULL, 0.4)
  mean1_family("missing", "mean1-missing", NULL, 3)
  edge_exp("missing", "did-baseline-missing", "did_normal", "did_prop", list(c(9, 30), NULL, c(12, 30), c(11, 30)))
  edge_exp("missing", "did-mean-missing", "did_welch", "did_mean",
           list(S(10, 3, 1), S(10, 2, 1), NULL, S(12, 3.5, 1.4)))
}

# Bound placed exactly on a value: data first, then m or M from R's own
# interval, written with every digit.
bound_tie <- function(label, kind, data, dir, value = NULL, conf = 0.95, alpha = 0.05) {
  estimator <- label_estimator(label)
  measure <- if (kind %in% c("prop2", "prop1", "did_prop")) "proportion" else "mean"
  e <- add_data(add_outcome(new_exp("tie", "probe"), "o1", measure, dir), kind, data)
  h <- list(estimator = estimator, method = label_method(label), value = value,
            test = "noninferiority", outcome = "o1", arm = "tiltak",
            against = if (is.null(value)) "kontroll", tp = "t1", baseline = "t0")
  gs <- hyp_groups(e, h)
  s <- if (dir == "increase") 1 else -1
  fit <- run_fit(resolve_method(h, e$outcomes$o1, gs), h, gs, s)
  logscale <- estimator %in% c("ratio", "odds_ratio")
  back <- function(w) if (logscale) exp(w) - 1 else w   # working -> written
  LU <- orient(fit$ci(conf), s, logscale)
  LUt <- orient(fit$ci(1 - 2 * alpha), s, logscale)
  nm <- function(what) sprintf("tie-%s-%s-%s", what, label, dir)
  # noninferiority: L exactly -M (not supported), U exactly -M (not refuted)
  if (LU[1] < 0) edge_exp("tie", nm("ni-l"), label, kind, data, dir, "noninferiority",
                          margin = back(-LU[1]), value = value, conf = conf)
  if (LU[2] < 0) edge_exp("tie", nm("ni-u"), label, kind, data, dir, "noninferiority",
                          margin = back(-LU[2]), value = value, conf = conf)
  # equivalence: L' exactly -M (not supported); L exactly M (refuted)
  if (LUt[1] < 0 && -LUt[1] > LUt[2])
    edge_exp("tie", nm("eq-l"), label, kind, data, dir, "equivalence",
             margin = back(-LUt[1]), value = value, conf = conf, alpha = alpha)
  if (LU[1] > 0) edge_exp("tie", nm("eq-refuted"), label, kind, data, dir, "equivalence",
                          margin = back(LU[1]), value = value, conf = conf, alpha = alpha)
  # superiority: U exactly m (not refuted)
  if (LU[2] > 0) edge_exp("tie", nm("sup-u"), label, kind, data, dir, "superiority",
                          m = back(LU[2]), value = value, conf = conf)
}

# ---------------------------------------------------- edge: ties at m and M
cases_ties <- function() {
  # 30/100 - 20/100 is exactly 0.1 (computed as (xa nb - xb na)/(na nb))
  for (l in c("newcombe", "yates", "fisher", "auto")) {
    edge_exp("tie", paste0("tie-30-20-", l), l, "prop2", list(c(30, 100), c(20, 100)),
             "increase", c("superiority", "threshold"), m = 0.1)
    edge_exp("tie", paste0("tie-300-200-", l), l, "prop2", list(c(300, 1000), c(200, 1000)),
             "increase", "superiority", m = 0.1)
    edge_exp("tie", paste0("tie-20-30-dec-", l), l, "prop2", list(c(200, 1000), c(300, 1000)),
             "decrease", c("superiority", "threshold"), m = 0.1)
  }
  # a share against a value: 0.3 - 0.2 lands on 0.1
  for (l in PROP1)
    edge_exp("tie", paste0("tie-value-", l), l, "prop1", list(c(300, 1000)), "increase",
             c("superiority", "threshold"), m = 0.1, value = 0.2)
  # a mean difference exactly on m and on the margin
  mean2_family("tie", "tie-mean-m", S(40, 1.3, 0.2), S(40, 1.2, 0.2), dir = "increase",
               tests = c("superiority", "threshold"), m = 0.1)
  mean2_family("tie", "tie-mean-margin", S(40, 1.2, 0.3), S(40, 1.3, 0.3), dir = "increase",
               tests = c("noninferiority", "equivalence"), margin = 0.1)
  mean1_family("tie", "tie-mean1-m", S(30, 0.3, 0.05), 0.2, dir = "increase",
               tests = c("superiority", "threshold"), m = 0.1)
  # a ratio of exactly 1 + m, an odds ratio of exactly 1 + m
  edge_exp("tie", "tie-ratio-1.2", "katz", "prop2", list(c(360, 1000), c(300, 1000)), "increase",
           c("superiority", "threshold"), m = 0.2)
  edge_exp("tie", "tie-ratio-1.2-dec", "katz", "prop2", list(c(300, 1000), c(360, 1000)), "decrease",
           c("superiority", "threshold"), m = 0.2)
  edge_exp("tie", "tie-or-1.5", "woolf", "prop2", list(c(600, 1000), c(500, 1000)), "increase",
           c("superiority", "threshold"), m = 0.5)
  # did on m: (0.3 - 0.1) - (0.2 - 0.1)
  edge_exp("tie", "tie-did-prop", "did_normal", "did_prop",
           list(c(300, 1000), c(100, 1000), c(200, 1000), c(100, 1000)), "increase",
           c("superiority", "threshold"), m = 0.1)
  edge_exp("tie", "tie-did-mean", "did_welch", "did_mean",
           list(S(50, 1.3, 0.2), S(50, 1.1, 0.2), S(50, 1.2, 0.2), S(50, 1.1, 0.2)), "increase",
           c("superiority", "threshold"), m = 0.1)
  # interval bounds exactly on m and on the margin
  for (dir in c("increase", "decrease")) {
    bound_tie("newcombe", "prop2", list(c(45, 120), c(38, 110)), dir)
    bound_tie("yates", "prop2", list(c(45, 120), c(38, 110)), dir)
    bound_tie("katz", "prop2", list(c(45, 120), c(38, 110)), dir)
    bound_tie("woolf", "prop2", list(c(45, 120), c(38, 110)), dir)
    bound_tie("wilson", "prop1", list(c(45, 120)), dir, value = 0.35)
    bound_tie("exact", "prop1", list(c(45, 120)), dir, value = 0.35)
    bound_tie("welch", "mean2", list(S(30, 5.2, 1.1), S(25, 4.9, 1.6)), dir)
    bound_tie("student", "mean2", list(S(30, 5.2, 1.1), S(25, 4.9, 1.6)), dir)
    bound_tie("one_sample_t", "mean1", list(S(30, 5.2, 1.1)), dir, value = 5)
    bound_tie("did_normal", "did_prop", list(c(45, 120), c(40, 120), c(38, 110), c(37, 110)), dir)
    bound_tie("did_welch", "did_mean", list(S(30, 5.2, 1.1), S(30, 5, 1), S(25, 4.9, 1.6), S(25, 4.8, 1.5)), dir)
    # a clear effect, so that L (increase) or U (decrease) lies beyond 0:
    # L exactly M refutes equivalence, U exactly -M does not refute
    # noninferiority
    big <- function(l, k, d, ...) bound_tie(l, k, d, dir, ...)
    for (l in c("newcombe", "yates", "katz", "woolf")) big(l, "prop2", list(c(70, 120), c(38, 110)))
    for (l in c("wilson", "exact")) big(l, "prop1", list(c(70, 120)), value = 0.4)
    for (l in c("welch", "student")) big(l, "mean2", list(S(30, 6.5, 1.1), S(25, 4.9, 1.6)))
    big("one_sample_t", "mean1", list(rnorm(12, 6.5, 1)), value = 5)
    big("did_normal", "did_prop", list(c(70, 120), c(40, 120), c(38, 110), c(37, 110)))
    big("did_welch", "did_mean", list(S(30, 6.5, 1.1), S(30, 5, 1), S(25, 4.9, 1.6), S(25, 4.8, 1.5)))
  }
}

# ------------------------------------------------------ edge: small counts
cases_small_counts <- function() {
  prop2_family("small", "small-2-10-1-12", c(2, 10), c(1, 12))
  prop2_family("small", "small-3-8-9-11", c(3, 8), c(9, 11))
  prop2_family("small", "small-nonevents", c(48, 50), c(44, 50))
  prop2_family("small", "small-big-n-rare", c(3, 500), c(9, 520))
}

# ------------------------------------------- edge: the multiplicity family
cases_family <- function() {
  for (mult in c("holm", "bonferroni", "none")) {
    # three confirmatory superiority hypotheses, the third without observations
    e <- new_exp("family", paste0("family-missing-", mult), multiplicity = mult)
    e <- add_outcome(e, "o1", "proportion", "increase")
    e <- add_outcome(e, "o2", "mean", "increase")
    e <- add_outcome(e, "o3", "proportion", "decrease")
    e <- add_prop(e, "o1", "tiltak", "t1", 45, 100); e <- add_prop(e, "o1", "kontroll", "t1", 30, 100)
    e <- add_mean(e, "o2", "tiltak", "t1", 40, 6.1, 1.7); e <- add_mean(e, "o2", "kontroll", "t1", 38, 5.4, 1.9)
    e <- add_hyp(e, "newcombe", "o1", "difference", "superiority", method = "newcombe")
    e <- add_hyp(e, "welch", "o2", "difference", "superiority", method = "welch")
    e <- add_hyp(e, "auto", "o3", "difference", "superiority")
    push(e)
    # a member not estimable (no events anywhere), an exploratory one, and
    # tests that are not superiority: none of those three count, the first does
    e <- new_exp("family", paste0("family-notest-", mult), multiplicity = mult)
    e <- add_outcome(e, "o1", "proportion", "increase")
    e <- add_outcome(e, "o2", "proportion", "decrease")
    e <- add_outcome(e, "o3", "mean", "decrease", m = 0.2)
    e <- add_prop(e, "o1", "tiltak", "t1", 52, 120); e <- add_prop(e, "o1", "kontroll", "t1", 33, 118)
    e <- add_prop(e, "o2", "tiltak", "t1", 0, 60); e <- add_prop(e, "o2", "kontroll", "t1", 0, 58)
    e <- add_mean(e, "o3", "tiltak", "t0", 30, 8, 2); e <- add_mean(e, "o3", "kontroll", "t0", 30, 8.3, 2.1)
    e <- add_mean(e, "o3", "tiltak", "t1", 30, 6.2, 2); e <- add_mean(e, "o3", "kontroll", "t1", 30, 8.1, 2.2)
    e <- add_hyp(e, "yates", "o1", "difference", "superiority", method = "yates")
    e <- add_hyp(e, "katz", "o1", "ratio", "superiority")
    e <- add_hyp(e, "newcombe", "o2", "difference", "superiority", method = "newcombe")
    e <- add_hyp(e, "did_welch", "o3", "did", "superiority")
    e <- add_hyp(e, "woolf", "o1", "odds_ratio", "superiority", family = "exploratory")
    e <- add_hyp(e, "welch", "o3", "difference", "noninferiority", margin = 0.5)
    e <- add_hyp(e, "fisher", "o1", "difference", "equivalence", method = "fisher", margin = 0.2)
    e <- add_hyp(e, "fisher", "o1", "difference", "superiority", method = "fisher")
    e <- add_hyp(e, "welch", "o3", "difference", "threshold", method = "welch")
    push(e)
  }
  # random families of four
  for (k in 1:4) {
    mult <- pick(c("holm", "bonferroni"))
    e <- new_exp("family", sprintf("family-random-%d", k), multiplicity = mult,
                 conf = pick(c(0.9, 0.95)))
    e <- add_outcome(e, "o1", "proportion", rdir())
    e <- add_outcome(e, "o2", "mean", rdir())
    n <- sample(40:200, 2); p <- runif(2, 0.2, 0.6)
    e <- add_prop(e, "o1", "tiltak", "t1", rbinom(1, n[1], p[1]), n[1])
    e <- add_prop(e, "o1", "kontroll", "t1", rbinom(1, n[2], p[2]), n[2])
    e <- add_mean(e, "o2", "tiltak", "t1", values = round(rnorm(sample(8:30, 1), 5.5, 1.5), 2))
    e <- add_mean(e, "o2", "kontroll", "t1", values = round(rnorm(sample(8:30, 1), 5, 1.5), 2))
    e <- add_hyp(e, "newcombe", "o1", "difference", "superiority", method = "newcombe",
                 alpha = pick(c(0.05, 0.1)))
    e <- add_hyp(e, "katz", "o1", "ratio", "superiority")
    e <- add_hyp(e, "student", "o2", "difference", "superiority", method = "student")
    e <- add_hyp(e, "auto", "o2", "difference", "superiority", method = "auto",
                 tp = if (k %% 2) "t0" else "t1")   # t0 has no data: counts as 1
    push(e)
  }
}

# ----------------------------------------------------- ordinary random cases
random_data <- function(kind) {
  rn <- function() pick(c(8:60, 100, 250, 1000))
  rp <- function(n, p) rbinom(1, n, min(max(p, 0.01), 0.99))
  rmean <- function() {
    n <- sample(2:40, 1); mu <- rnorm(1, 10, 3); sd <- runif(1, 0.3, 4)
    if (runif(1) < 0.5) round(rnorm(n, mu, sd), 3) else S(n, rnd(mu, 5), rnd(sd, 3))
  }
  repeat {
    d <- switch(kind,
      prop2 = { p <- runif(1, 0.05, 0.9); n <- c(rn(), rn())
                list(c(rp(n[1], p + rnorm(1, 0, 0.12)), n[1]), c(rp(n[2], p), n[2])) },
      prop1 = { n <- rn(); list(c(rp(n, runif(1, 0.05, 0.95)), n)) },
      mean2 = { a <- rmean(); b <- rmean()
                if (is.list(b)) b$mean <- rnd(b$mean - rnorm(1, 0, 2), 5) else b <- b - rnorm(1, 0, 2)
                list(a, b) },
      mean1 = list(rmean()),
      did_prop = { n <- replicate(4, rn()); p <- runif(4, 0.1, 0.8)
                   lapply(1:4, function(i) c(rp(n[i], p[i]), n[i])) },
      did_mean = replicate(4, rmean(), simplify = FALSE))
    props <- kind %in% c("prop2", "prop1", "did_prop")
    ok <- if (kind == "prop2") !all_zero_or_full(lapply(d, function(q) list(x = q[1], n = q[2])))
      else if (props) TRUE else all(vapply(d, function(q) if (is.list(q)) q$n else length(q), 0) >= 2)
    if (ok) return(d)
  }
}

cases_random <- function(K = 3) {
  for (label in LABELS) for (dir in c("increase", "decrease")) for (k in seq_len(K)) {
    kind <- if (label == "auto") c("prop2", "prop2", "prop1", "mean2")[k %% 4 + 1] else label_kind(label)
    estimator <- label_estimator(label)
    data <- random_data(kind)
    value <- if (kind == "prop1") rnd(runif(1, 0.1, 0.9), 2)
      else if (kind == "mean1") { g <- data[[1]]; mu <- if (is.list(g)) g$mean else mean(g)
                                  rnd(mu + rnorm(1, 0, 1), 4) }
    conf <- pick(c(0.9, 0.95, 0.95, 0.99))
    e <- add_outcome(new_exp("random", sprintf("random-%s-%s-%d", label, dir, k), conf,
                             pick(c("holm", "bonferroni", "none"))), "o1",
                     if (kind %in% c("prop2", "prop1", "did_prop")) "proportion" else "mean", dir)
    measure <- e$outcomes$o1$measure
    e <- add_data(e, kind, data)
    # the scale of the working estimate, to put margins and m where the
    # verdict could go either way
    h0 <- list(estimator = estimator, method = label_method(label), value = value, test = "threshold")
    rows <- ref_hypothesis(h0, e$outcomes$o1,
                           hyp_groups(e, c(h0, list(outcome = "o1", arm = "tiltak",
                             against = if (is.null(value)) "kontroll", tp = "t1", baseline = "t0"))), 0.95)
    logscale <- estimator %in% c("ratio", "odds_ratio")
    se <- if (rows$status == "ok") (rows$U - rows$L) / (2 * qnorm(0.975)) else 0.1
    eo <- if (rows$status == "ok") rows$E else 0
    back <- function(w) if (logscale) exp(w) - 1 else w
    cap <- if (measure == "proportion" && !logscale) 0.95 else Inf
    if (runif(1) < 0.5)   # sometimes the outcome's minimum effect
      e$outcomes$o1[["m"]] <- rnd(back(abs(eo) * runif(1, 0, 1.5)), 3)
    for (t in TESTS) {
      margin <- if (t %in% c("noninferiority", "equivalence"))
        min(cap, rnd(back(se * runif(1, 0.3, 4) + max(0, -eo) * runif(1, 0, 1.3)), 4))
      # now and then a margin of a whole share or more, as "margin: 1"
      if (!is.null(margin) && cap < Inf && runif(1) < 0.1) margin <- sample(c(1, 1.2), 1)
      m <- if (t %in% c("superiority", "threshold") && runif(1) < 0.4)
        rnd(back(abs(eo) * runif(1, 0, 1.5)), 3)
      e <- add_hyp(e, label, "o1", estimator, t, method = label_method(label), value = value,
                   margin = margin, m = m, alpha = if (runif(1) < 0.5) pick(c(0.025, 0.05, 0.1)),
                   family = if (runif(1) < 0.2) "exploratory")
    }
    push(e)
  }
}

# =================================================================== build
cases_zero_events()
cases_all_events()
cases_wide_margins()
cases_no_variation()
cases_one_observation()
cases_missing_group()
cases_ties()
cases_small_counts()
cases_family()
cases_random(as.integer(Sys.getenv("CHECK_R_EDGES_RANDOM", "3")))

# ids: e0001-<name>, at most 64 characters
for (i in seq_along(EXPS)) {
  EXPS[[i]]$id <- substr(gsub("[^a-z0-9-]", "-", tolower(sprintf("e%04d-%s", i, EXPS[[i]]$name))), 1, 64)
}

# ============================================================ YAML writing
fmt <- function(x) {
  for (d in c(15, 17)) {
    s <- format(x, scientific = FALSE, digits = d, trim = TRUE)
    if (as.numeric(s) == x) return(s)
  }
  s
}

yaml_hyp <- function(h) {
  kv <- c(sprintf("id: %s", h$id), "statement: Edge case.", sprintf("outcome: %s", h$outcome),
          if (is.null(h$value)) sprintf("compare: {arm: %s, against: %s}", h$arm, h$against)
          else sprintf("compare: {arm: %s, against_value: %s}", h$arm, fmt(h$value)),
          sprintf("timepoint: %s", h$tp),
          if (!is.null(h$baseline)) sprintf("baseline: %s", h$baseline),
          sprintf("estimator: %s", h$estimator), sprintf("test: %s", h$test),
          if (!is.null(h$method)) sprintf("method: %s", h$method),
          if (!is.null(h$margin)) sprintf("margin: %s", fmt(h$margin)),
          if (!is.null(h[["m"]])) sprintf("minimum_effect: %s", fmt(h[["m"]])),
          if (!is.null(h$alpha)) sprintf("alpha: %s", fmt(h$alpha)),
          if (!is.null(h$family)) sprintf("family: %s", h$family))
  sprintf("{%s}", paste(kv, collapse = ", "))
}

yaml_outcome <- function(o, primary)
  sprintf("{id: %s, role: %s, title: Outcome %s, measure: %s, direction: %s%s, timepoints: [t0, t1]}",
          o$id, if (primary) "primary" else "secondary", o$id, o$measure, o$direction,
          if (is.null(o[["m"]])) "" else paste0(", minimum_effect: ", fmt(o[["m"]])))

yaml_obs <- function(ob) {
  head <- sprintf("outcome: %s, arm: %s, timepoint: %s", ob$outcome, ob$arm, ob$tp)
  body <- if (!is.null(ob$values)) sprintf("values: [%s]", paste(vapply(ob$values, fmt, ""), collapse = ", "))
    else if (!is.null(ob$events)) sprintf("n: %s, events: %s", fmt(ob$n), fmt(ob$events))
    else sprintf("n: %s, mean: %s, sd: %s", fmt(ob$n), fmt(ob$mean), fmt(ob$sd))
  sprintf("{%s, %s}", head, body)
}

write_experiment <- function(e, dir, i) {
  d <- file.path(dir, "experiments", e$id)
  dir.create(d, recursive = TRUE)
  outs <- vapply(seq_along(e$outcomes), function(k) yaml_outcome(e$outcomes[[k]], k == 1), "")
  writeLines(c(
    "schema: eksperiment/v1", paste0("id: ", e$id), sprintf('title: "Edge case %s"', e$name),
    "challenge: annet", "status: draft", "partners:", "  - {name: Test kommune, role: lead}",
    "design: {allocation: randomized, model: parallel, unit: person}", "existing_data: none",
    "interventions:", "  - {id: iv, name: Intervention}", "arms:",
    "  - {id: tiltak, label: Treated, type: experimental, interventions: [iv]}",
    "  - {id: kontroll, label: Control, type: comparison}",
    "timepoints:", "  - {id: t0}", "  - {id: t1}",
    "outcomes:", paste0("  - ", outs),
    "hypotheses:", paste0("  - ", vapply(e$hyps, yaml_hyp, "")),
    sprintf("analysis: {multiplicity: %s, conf_level: %s}", e$multiplicity, fmt(e$conf))),
    file.path(d, "experiment.yaml"))
  log <- if (length(e$obs)) sprintf(paste0(
    "--- {id: 20260101T000000Z-%04x, kind: observation, recorded_at: 2026-01-01T00:00:00Z, ",
    "recorded_by: Test <t@example.org>, observations: [%s]}"), i,
    paste(vapply(e$obs, yaml_obs, ""), collapse = ", ")) else character(0)
  writeLines(log, file.path(d, "log.yaml"))
}

# Essentials of a case for a FAIL block.
describe <- function(e, h) {
  o <- e$outcomes[[h$outcome]]
  obs <- Filter(function(ob) ob$outcome == h$outcome, e$obs)
  c(sprintf("  outcome:    %s", yaml_outcome(o, TRUE)),
    sprintf("  hypothesis: %s", yaml_hyp(h)),
    sprintf("  analysis:   {multiplicity: %s, conf_level: %s}", e$multiplicity, fmt(e$conf)),
    if (length(obs)) paste0("  log:        ", vapply(obs, yaml_obs, "")) else "  log:        (nothing)")
}

# ===================================================== the repository, run
sh <- function(cmd, args, dir = NULL) {
  err <- tempfile()
  out <- suppressWarnings(system2(cmd, shQuote(c(if (!is.null(dir)) c("-C", dir), args)),
                                  stdout = TRUE, stderr = err))
  st <- attr(out, "status"); if (is.null(st)) st <- 0L
  r <- list(out = out, err = readLines(err), status = st)
  unlink(err)
  r
}

# The repository lives in a temporary directory; CHECK_R_KEEP=1 keeps it.
root <- tempfile("eks-edges-", tmpdir = Sys.getenv("TMPDIR", "/tmp"))
dir.create(root)
done <- function(status) {
  if (nzchar(Sys.getenv("CHECK_R_KEEP"))) cat("check-r-edges: the repository is kept in", repo, "\n")
  else unlink(root, recursive = TRUE)
  quit(status = status)
}
home <- file.path(root, "home"); dir.create(home)
writeLines(c("[user]", "\tname = Edge Tester", "\temail = edges@example.org",
             "[init]", "\tdefaultBranch = main"), file.path(home, ".gitconfig"))
Sys.setenv(HOME = home, GIT_CONFIG_NOSYSTEM = "1", NO_COLOR = "1",
           GIT_AUTHOR_NAME = "Edge Tester", GIT_AUTHOR_EMAIL = "edges@example.org",
           GIT_COMMITTER_NAME = "Edge Tester", GIT_COMMITTER_EMAIL = "edges@example.org")
Sys.unsetenv(c("GIT_DIR", "GIT_WORK_TREE", "VISUAL", "EDITOR", "EKSPERIMENT_TEMPLATES"))
repo <- file.path(root, "repo")

give_up <- function(msg, r) {
  cat("check-r-edges: ", msg, "\n", paste(head(c(r$out, r$err), 60), collapse = "\n"), "\n", sep = "")
  done(2)
}
r <- sh(BIN, c("init", repo)); if (r$status != 0) give_up("eksperiment init failed:", r)
settings <- file.path(repo, "eksperiment.yaml")
writeLines(sub("min_cell: [0-9]+", "min_cell: 0", readLines(settings)), settings)
for (i in seq_along(EXPS)) write_experiment(EXPS[[i]], repo, i)
r <- sh(BIN, "validate", repo)
if (r$status != 0) give_up("the generated experiments do not validate (a bug in check-r-edges.R):", r)
r <- sh("git", c("add", "-A"), repo); if (r$status != 0) give_up("git add failed:", r)
r <- sh("git", c("commit", "-q", "-m", "edge cases"), repo); if (r$status != 0) give_up("git commit failed:", r)

r <- sh(BIN, c("evaluate", "--format", "csv"), repo)
if (r$status != 0)
  cat(sprintf("check-r-edges: evaluate exited %d%s\n", r$status,
              paste0("\n  ", head(r$err, 20), collapse = "")))
csv <- tryCatch(read.csv(text = paste(r$out, collapse = "\n"), colClasses = "character",
                         na.strings = character(0), check.names = FALSE),
                error = function(e) give_up("evaluate --format csv gave no CSV:", r))
for (col in c(FIELDS_NUM, "method", "verdict", "reason"))
  if (!col %in% names(csv)) csv[[col]] <- ""   # a missing column reads as null
key <- paste(csv$experiment, csv$hypothesis)

# ================================================================ compare
num_agree <- function(ours, R) {
  if (is.na(R)) return(ours == "")
  if (ours == "") return(FALSE)
  o <- suppressWarnings(as.numeric(ours))
  !is.na(o) && abs(o - R) <= 1e-6 * abs(R) + 1e-12
}
show_num <- function(x) if (is.na(x)) "null" else sprintf("%.15g", x)
show_ours <- function(x) if (x == "") "null" else x

tab_n <- matrix(0L, length(LABELS), length(TESTS), dimnames = list(LABELS, TESTS))
tab_fail <- tab_n
VERDICTS <- c("supported", "refuted", "inconclusive", "insufficient_data")
tab_verdict <- matrix(0L, length(LABELS), 4, dimnames = list(LABELS, VERDICTS))
failures <- 0L
for (e in EXPS) {
  ref <- ref_experiment(e)
  for (k in seq_along(e$hyps)) {
    h <- e$hyps[[k]]; R <- ref[[k]]
    # a group missing where the case did not mean it: a generator bug
    if (R$status == "missing" && !e$edge %in% c("missing", "one-obs", "family"))
      give_up(sprintf("%s %s has a group without observations (a bug in check-r-edges.R)",
                      e$id, h$id), list(out = describe(e, h), err = character(0)))
    tab_n[h$label, h$test] <- tab_n[h$label, h$test] + 1L
    tab_verdict[h$label, R$verdict] <- tab_verdict[h$label, R$verdict] + 1L
    j <- match(paste(e$id, h$id), key)
    bad <- character(0)
    if (is.na(j)) {
      bad <- "  no row for this hypothesis in the CSV output"
    } else {
      row <- csv[j, ]
      if (!row$method %in% strsplit(R$method, "|", fixed = TRUE)[[1]])
        bad <- c(bad, sprintf("  %-13s ours %-22s R %s", "method", row$method, R$method))
      for (f in FIELDS_NUM)
        if (!num_agree(row[[f]], R[[f]]))
          bad <- c(bad, sprintf("  %-13s ours %-22s R %s", f, show_ours(row[[f]]), show_num(R[[f]])))
      if (row$verdict != R$verdict)
        bad <- c(bad, sprintf("  %-13s ours %-22s R %s", "verdict", row$verdict, R$verdict))
      # the words
      reason <- row$reason
      if (R$verdict == "insufficient_data" && !nzchar(trimws(reason)))
        bad <- c(bad, "  reason        empty for insufficient_data")
      if (h$estimator %in% c("ratio", "odds_ratio") && h$test == "noninferiority" &&
          grepl("percentage point", reason, ignore.case = TRUE))
        bad <- c(bad, sprintf("  reason        a ratio margin in percentage points: %s", reason))
      gs <- hyp_groups(e, h)
      if (R$status == "ok" && h$test != "threshold" &&
          R$method %in% c("newcombe", "yates", "katz", "woolf") &&
          any(expected_cells(gs[[1]], gs[[2]]) < 5) &&
          !(grepl("small", reason, ignore.case = TRUE) && grepl("exact", reason, ignore.case = TRUE)))
        bad <- c(bad, sprintf("  reason        small expected counts not mentioned (\"small\", \"exact\"): %s", reason))
      if (h$estimator == "did" && R$verdict != "insufficient_data" &&
          !(grepl("tiltak", reason, fixed = TRUE) && grepl("kontroll", reason, fixed = TRUE)))
        bad <- c(bad, sprintf("  reason        did without both arms: %s", reason))
    }
    if (length(bad)) {
      failures <- failures + 1L
      tab_fail[h$label, h$test] <- tab_fail[h$label, h$test] + 1L
      cat(sprintf("FAIL %s %s [%s, %s %s, %s]%s\n", e$id, h$id, e$edge, h$label, h$test,
                  e$outcomes[[h$outcome]]$direction,
                  if (is.null(R$why)) "" else sprintf(" (R: not estimable, %s)", R$why)))
      cat(describe(e, h), sep = "\n")
      cat(bad, sep = "\n")
      if (!is.na(j) && nzchar(csv$reason[j])) cat(sprintf("  ours reason:  %s\n", csv$reason[j]))
    }
  }
}

# ================================================================= summary
cat(sprintf("\n%-13s %s\n", "method", paste(sprintf("%16s", TESTS), collapse = "")))
for (l in LABELS)
  cat(sprintf("%-13s %s\n", l, paste(sprintf("%16s", sprintf("%d/%d", tab_fail[l, ], tab_n[l, ])),
                                    collapse = "")))
cat("(failed/hypotheses)\n\nverdicts R expects:\n")
cat(sprintf("%-13s %s\n", "method", paste(sprintf("%18s", VERDICTS), collapse = "")))
for (l in LABELS) cat(sprintf("%-13s %s\n", l, paste(sprintf("%18d", tab_verdict[l, ]), collapse = "")))
cat(sprintf("\n%d experiments, %d hypotheses (seed %d), %d disagreements; %.0f s\n",
            length(EXPS), sum(tab_n), SEED, failures,
            as.numeric(difftime(Sys.time(), T_START, units = "secs"))))
done(if (failures > 0) 1 else 0)
