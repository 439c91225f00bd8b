# SPDX-License-Identifier: GPL-2.0
"""mkreport's environment: what the documents say, what this host says,
what the caller gives (--env, env.json: bench/report/run records the host
load, cores and a dirty tree there), the QEMU modes of the boots behind the
raw documents (their qemu.cmd), and its table."""
import os
import re
import shlex
import subprocess
from collections import Counter

from mk_common import slug

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def run(cmd, timeout=30):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=TOP)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.strip() if p.returncode == 0 else None


def read_first(path):
    try:
        with open(path) as f:
            return f.readline().strip() or None
    except OSError:
        return None


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def qemu_modes(raw):
    """The TCG thread mode and -icount of every boot under RAW, from the
    qemu.cmd that testbed/run writes per boot: "multi (6 boots); single,
    icount shift=0,sleep=off (2 boots)", or None when no boot is there."""
    modes = Counter()
    for d, _, files in os.walk(raw or ""):
        if "qemu.cmd" not in files:
            continue
        try:
            with open(os.path.join(d, "qemu.cmd")) as f:
                argv = shlex.split(f.read())
        except (OSError, ValueError):
            continue
        accel = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-accel"), "")
        m = re.search(r"thread=(\w+)", accel)
        mode = m.group(1) if m else "default"
        if "-icount" in argv[:-1]:
            mode += ", icount " + argv[argv.index("-icount") + 1]
        modes[mode] += 1
    if not modes:
        return None
    return "; ".join(f"{m} ({n} boot{'s' if n > 1 else ''})" for m, n in sorted(modes.items()))


def _from_docs(secs):
    envs = [s.env or {} for s in secs.values()]
    for s in ("faultbench", "invbench"):
        if s in secs:
            envs.append(secs[s].doc.get("environment") or {})

    def first(key):
        for e in envs:
            if e.get(key) not in (None, ""):
                return e[key]
        return None
    return first


def _probe(secs, args, given):
    first = _from_docs(secs)
    kernel = first("kernel")
    if kernel is None and "fio" in secs:
        kernel = secs["fio"].doc.get("kernel")
    key = given.get("kernel_key") or run([os.path.join(TOP, "testbed", "kernel.sh"), "key"])
    series = first("series") or (key.rsplit("-", 1)[-1] if key and "-series-" in key else None)
    qemu = first("qemu")
    if qemu is None and "qemu" not in given:
        v = run(["qemu-system-x86_64", "--version"])
        qemu = v.splitlines()[0] if v else None
    commit = given.get("commit") or run(["git", "rev-parse", "HEAD"])
    dirty = None if "commit" in given else \
        run(["git", "status", "--porcelain", "--untracked-files=no"])
    return {"date": args["date"], "platform": None, "platform_detected": None,
            "emulated": None, "kernel": kernel,
            "kernel_debian": read_first(os.path.join(
                TOP, "patches", os.environ.get("IOASID_BASE") or "6.12", "BASE")),
            "debian": read_first("/etc/debian_version"), "series": series,
            "kernel_key": key, "qemu": qemu, "cpu": first("cpu"), "cpus": first("cpus"),
            "host_cpu": host_cpu(), "host_cores": os.cpu_count(),
            "host_load_start": None, "host_load_end": None,
            "tcg_thread": qemu_modes(args.get("raw")), "icount": None, "allow_dirty": False,
            "inject_slowdown_pct": None, "seed": None, "commit": commit,
            "commit_dirty": bool(dirty) if commit else None}


def gather_env(secs, args, raw_env):
    given = {**raw_env, **args["env"]}      # what is given is not probed
    env = _probe(secs, args, given)
    # Platform: what the documents say, the label from it unless given.
    said = {name: s.platform for name, s in secs.items() if s.platform}
    detected = next(iter(said.values()), None)
    env["platform_detected"] = detected
    for over in (raw_env, args["env"]):
        if "commit" in over and "commit_dirty" not in over:
            env["commit_dirty"] = None
        env.update(over)
    label = args["platform"] or env.get("platform") or (slug(detected) if detected else "unknown")
    env["platform"] = label
    if not isinstance(env.get("emulated"), bool):
        env["emulated"] = (any(slug(v) != "hardware" for v in said.values()) if said
                           else label != "hardware")
    notes = []
    if len({slug(v) for v in said.values()}) > 1:
        notes.append("the inputs disagree about the platform: " +
                     ", ".join(f"{k} says {v!r}" for k, v in said.items()))
    return env, notes


def _dash(v):
    return "-" if v in (None, "", "None") else v


def env_rows(env):
    """(label, value) rows of the environment table."""
    dirty = ""
    if env.get("commit_dirty"):
        dirty = " (uncommitted changes" + (", --allow-dirty)" if env.get("allow_dirty") else ")")
    tcg = env.get("tcg_thread")
    if env.get("icount") not in (None, "", False):
        tcg = f"{_dash(tcg)}, icount {env['icount']}"
    load = "-"
    if env.get("host_load_start") or env.get("host_load_end"):
        load = (f"start {_dash(env.get('host_load_start'))}, "
                f"end {_dash(env.get('host_load_end'))}")
    rows = [("date", env.get("date")),
            ("platform", f"{env['platform']}" + (
                f" (detected: {env['platform_detected']}"
                f"{', emulated' if env.get('emulated') else ''})"
                if env.get("platform_detected") else "")),
            ("kernel", env.get("kernel")), ("Debian kernel source", env.get("kernel_debian")),
            ("Debian release", env.get("debian")), ("series", env.get("series")),
            ("kernel key", env.get("kernel_key")), ("QEMU", env.get("qemu")),
            ("TCG thread mode", tcg),
            ("CPU (guest)", f"{env.get('cpu')}" + (
                f" ({env['cpus']} CPUs)" if env.get("cpus") else "")),
            ("CPU (host)", env.get("host_cpu")), ("host cores", env.get("host_cores")),
            ("host load (1/5/15 min)", load),
            ("project commit", f"{env.get('commit')}{dirty}")]
    if env.get("seed") is not None:
        rows.append(("ABBA order seed", f"{env['seed']} (bench/report/run -S replays the order)"))
    if env.get("inject_slowdown_pct") not in (None, "", 0, "0"):
        rows.append(("**injected slowdown**",
                     f"**iommufd calls made {env['inject_slowdown_pct']}% slower "
                     "(mapbench --inject-slowdown): a calibration run, not a measurement**"))
    return [(k, _dash(v)) for k, v in rows]
