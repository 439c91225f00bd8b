# SPDX-License-Identifier: GPL-2.0
"""mkreport's plots: find gnuplot and a terminal, write each plot's .gp
script and .dat data next to its image, and say why a plot is missing."""
import os
import shutil
import subprocess

from mk_benches import PLATFORM


def gnuplot_program():
    """(path, None) or (None, why not)."""
    g = os.environ.get("GNUPLOT")
    if g:
        if os.path.isfile(g) and os.access(g, os.X_OK):
            return g, None
        return None, f"GNUPLOT={g} is not an executable program"
    g = shutil.which("gnuplot")
    if not g:
        return None, "gnuplot is not installed or not in PATH (package gnuplot-nox: make deps)"
    return g, None


def pick_terminal(g):
    try:
        p = subprocess.run([g, "-e", "print GPVAL_TERMINALS"], capture_output=True, text=True,
                           timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{g} did not run: {e}"
    have = set((p.stdout + p.stderr).split())
    if p.returncode != 0 or not have:
        return None, f"{g} failed (exit {p.returncode}): {(p.stderr or p.stdout).strip()[:200]}"
    for term, ext, opts in (("svg", "svg", "size 900,500 dynamic background rgb 'white'"),
                            ("pngcairo", "png", "size 900,500"),
                            ("png", "png", "size 900,500")):
        if term in have:
            return (term, ext, opts), None
    return None, f"{g} has none of the terminals svg, pngcairo, png"


def run_one(g, term, pd, plot, platform):
    """Write and run one plot; (image path or None, error or None)."""
    name, title, body, data = plot
    term_name, ext, opts = term
    with open(os.path.join(pd, name + ".dat"), "w") as f:
        f.write(data)
    script = (f"# SPDX-License-Identifier: GPL-2.0\n# {title} (bench/report/mkreport)\n"
              f"set terminal {term_name} {opts}\nset termoption noenhanced\n"
              f"set output '{name}.{ext}'\n"
              f"DATA = '{name}.dat'\n{body.replace(PLATFORM, platform)}")
    with open(os.path.join(pd, name + ".gp"), "w") as f:
        f.write(script)
    img = os.path.join(pd, f"{name}.{ext}")
    try:
        p = subprocess.run([g, name + ".gp"], capture_output=True, text=True, cwd=pd,
                           timeout=60)
        err = None if p.returncode == 0 else \
            f"gnuplot failed (exit {p.returncode}): {p.stderr.strip()[-300:]}"
    except (OSError, subprocess.TimeoutExpired) as e:
        err = f"gnuplot did not finish: {e}"
    if not err and not (os.path.isfile(img) and os.path.getsize(img) > 0):
        err = "gnuplot wrote no image"
    return (None, err) if err else (f"plots/{name}.{ext}", None)


def make_plots(plots, outdir, disabled, platform):
    """[(file or None, title, error or None, name)], reason all are missing
    or None.  @platform goes into every title."""
    if not plots:
        return [], None
    if disabled:
        return [], "plots disabled (--no-plots)"
    g, why = gnuplot_program()
    if not g:
        return [], why
    term, why = pick_terminal(g)
    if not term:
        return [], why
    pd = os.path.join(outdir, "plots")
    os.makedirs(pd, exist_ok=True)
    done = []
    for plot in plots:
        path, err = run_one(g, term, pd, plot, platform)
        done.append((path, plot[1], err, plot[0]))
    return done, None
