# SPDX-License-Identifier: GPL-2.0
"""mkreport's environment: what the documents say, what this host says,
what the caller gives (--env, env.json: bench/report/run records the host
load, cores, TCG thread mode and a dirty tree there), and its table."""
import os
import subprocess

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
            "tcg_thread": None, "icount": None, "allow_dirty": False,
            "inject_slowdown_pct": None, "commit": commit,
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
    if env.get("inject_slowdown_pct") not in (None, "", 0, "0"):
        rows.append(("**injected slowdown**",
                     f"**iommufd calls made {env['inject_slowdown_pct']}% slower "
                     "(mapbench --inject-slowdown): a calibration run, not a measurement**"))
    return [(k, _dash(v)) for k, v in rows]
