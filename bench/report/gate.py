# SPDX-License-Identifier: GPL-2.0
"""The regression gate's test (bench/report/regress, calibrate).

Per interleaved comparison: the new run's per-pair log ratios against the
pooled per-pair log ratios of the baseline runs.

1. Welch's t: d = mean(new) - mean(pooled baseline), se_w^2 =
   var(new)/k_new + var(base)/k_base, Welch-Satterthwaite df.
2. Between runs: the baseline runs' own means vary more than their
   within-run standard errors say whenever something moves a whole run
   (host load, a boot's memory layout).  That run effect hits every pair
   of the new run alike, which Welch's t cannot see.  Its variance tau^2
   is estimated from the baseline runs with DerSimonian and Laird's
   moment estimator (0 when the runs agree within their standard errors)
   and the new run's mean is compared with the distribution of run means:
   se^2 = se_w^2 + tau^2 (1 + 1/R), R baseline runs; df by Satterthwaite
   from se_w^2 (Welch df) and tau^2 (R - 1 df).  With tau^2 = 0 this is
   Welch's test.  With few runs that moment estimate is often 0 even when
   the runs do move (4 runs of a synthetic 15% run effect gave 2%), so:
2b. With 3 or more baseline runs, also the new run's mean against the
   baseline run means as a sample: t = (m_new - mean(m)) / (sd(m)
   sqrt(1 + 1/R)), R - 1 df (a prediction interval for one more run).
   sd(m) holds the within-run and the between-run spread as they were
   measured, whatever their split.  The p of the gate is the larger of
   the two: a change must stand out from the pairs' noise and from the
   runs' noise.  The price: with 3 runs (2 df) only a change of about
   10 sd(m) can fail the check; keep 5 (promote's default).
3. p is two-sided, from Student's t distribution: its CDF through the
   regularized incomplete beta function, evaluated with a continued
   fraction (modified Lentz), not a normal approximation.

A regression: moved the wrong way, p < alpha and |exp(d) - 1| >= the
minimum effect."""
import math

# ALPHA is per report (family-wise, Holm across its gating rows: regress).
ALPHA, MIN_EFFECT, MIN_RUNS = 0.05, 0.10, 3


def _betacf(a, b, x):
    """Continued fraction of the incomplete beta (modified Lentz)."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + num * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < eps:
            break
    return h


def betainc(a, b, x):
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    ln = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) +
          a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(ln) * _betacf(a, b, x) / a
    return 1 - math.exp(ln) * _betacf(b, a, 1 - x) / b


def t_two_sided(t, df):
    """P(|T| >= |t|) for Student's t with df degrees of freedom."""
    if not math.isfinite(t):
        return 0.0
    return betainc(df / 2, 0.5, df / (df + t * t))


def _mv(xs):
    m = sum(xs) / len(xs)
    return m, (sum((x - m) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0)


def _p(d, var, df):
    if var > 0:
        return t_two_sided(d / math.sqrt(var), df)
    return 1.0 if d == 0 else 0.0


def tau2_dl(runs):
    """DerSimonian-Laird between-run variance of run means; runs: lists
    of per-pair log ratios (each of 2 or more)."""
    if len(runs) < 2:
        return 0.0
    ms, ws = [], []
    for r in runs:
        m, v = _mv(r)
        ms.append(m)
        ws.append(1 / max(v / len(r), 1e-12))
    sw = sum(ws)
    mw = sum(w * m for w, m in zip(ws, ms)) / sw
    q = sum(w * (m - mw) ** 2 for w, m in zip(ws, ms))
    c = sw - sum(w * w for w in ws) / sw
    return max(0.0, (q - (len(runs) - 1)) / c) if c > 0 else 0.0


def test(new, base_runs, better, alpha=ALPHA, min_effect=MIN_EFFECT):
    """The gate on one comparison: new (log ratios of this run), base_runs
    (a list of the baseline runs' lists).  A dict: verdict, d, change,
    p, df, se, tau2, runs, k_new, k_base."""
    runs = [r for r in base_runs if len(r) >= 2]
    pooled = [x for r in runs for x in r]
    out = {"runs": len(runs), "k_new": len(new), "k_base": len(pooled), "p": None,
           "p_runs": None, "df": None, "se": None, "tau2": None, "d": None, "change": None}
    if len(new) < 2 or len(pooled) < 2:
        out["verdict"] = "too few blocks"
        return out
    mx, vx = _mv(new)
    my, vy = _mv(pooled)
    a, b = vx / len(new), vy / len(pooled)
    sw2 = a + b
    dfw = sw2 ** 2 / ((a * a / (len(new) - 1)) + (b * b / (len(pooled) - 1))) if sw2 else 1e9
    tau2 = tau2_dl(runs)
    vt = tau2 * (1 + 1 / len(runs))
    se2 = sw2 + vt
    df = dfw if vt == 0 else se2 ** 2 / (sw2 ** 2 / dfw + vt ** 2 / (len(runs) - 1))
    d = mx - my
    p = _p(d, se2, df)
    p_runs = None
    if len(runs) >= MIN_RUNS:
        ms = [_mv(r)[0] for r in runs]
        mm, vm = _mv(ms)
        p_runs = _p(mx - mm, vm * (1 + 1 / len(runs)), len(runs) - 1)
        p = max(p, p_runs)
    change = math.exp(d) - 1
    worse = d > 0 if better == "lower" else d < 0
    big = abs(change) >= min_effect
    out.update(p=p, p_runs=p_runs, df=df, se=math.sqrt(se2), tau2=tau2, d=d, change=change,
               base=math.exp(my), new=math.exp(mx))
    if p < alpha and big:
        out["verdict"] = "regression" if worse else "improved"
    elif p < alpha:
        out["verdict"] = "below min effect"
    else:
        out["verdict"] = "within noise"
    return out
