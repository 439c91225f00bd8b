# SPDX-License-Identifier: GPL-2.0
# lib/benchstat.c: statistics against hand-computed values (even, odd, one
# and no samples), type-7 percentiles, the JSON members, line reading,
# the platform rule, and the environment objects against /proc and /sys.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/benchstat_test" "$top/tests/host/benchstat_test.c" \
	"$top/lib/benchstat.c" "$top/lib/json.c" "$top/lib/sysinfo.c" "$top/lib/tracefs.c" -lm 2>"$d/cc.err"
ok $? "benchstat_test builds without warnings"
[ -s "$d/cc.err" ] && sed 's/^/#   /' "$d/cc.err"
printf 'first line\nsecond\n' >"$d/two"
: >"$d/empty"
# A fake tracefs (TRACEFS, lib/tracefs): the series' two map events.
mkdir -p "$d/tr/events/iommufd/iommufd_ioas_map" "$d/tr/events/vfio_iommu_type1/vfio_iommu_type1_dma_map"
TRACEFS=$d/tr "$d/benchstat_test" "$d/two" "$d/empty" "$d/nonexistent" >"$d/out" 2>&1
is "$?" 0 "benchstat_test runs"
get() { sed -n "/^--- /q; s/^$1 //p" "$d/out"; }	# the lines before the JSON

# Percentile p of sorted 1 2 3 4 at position p/100 * 3, interpolated.
is "$(get pct_0) $(get pct_25) $(get pct_50) $(get pct_99) $(get pct_100)" "1 1.75 2.5 3.97 4" \
	"bstat_pct: p0, p25 (pos 0.75), p50 (pos 1.5), p99 (pos 2.97), p100 of 1..4"
is "$(get pct_one_50)" 7 "bstat_pct: one sample is every percentile"
# Fields: n median p99 min max mean cv.
# 4 1 3 2: mean 2.5, median (2+3)/2, sd = sqrt((2.25+0.25+0.25+2.25)/3)
# = 1.2909944487, cv = sd / 2.5.
is "$(get even)" "4 2.5 3.97 1 4 2.5 0.5163977795" "bstat_of, even N=4: median between the middle two, sample CV"
is "$(get even_after)" "1 2 3 4" "bstat_of sorts the samples in place"
# 10 50 20 40 30: median 30, p99 at 3.96 = 40 + 0.96 * 10, sd = sqrt(1000/4)
# = 15.8113883008, cv = sd / 30.
is "$(get odd)" "5 30 49.6 10 50 30 0.5270462767" "bstat_of, odd N=5: the middle sample"
is "$(get one)" "1 7 7 7 7 7 0" "bstat_of, N=1: every statistic the sample, CV 0"
is "$(get same)" "3 5 5 5 5 5 0" "bstat_of, equal samples: CV 0"
# -1 1: the mean is 0; the CV would divide by it and is given as 0.
is "$(get zero_mean)" "2 0 0.98 -1 1 0 0" "bstat_of, mean 0: CV 0, not inf or nan"
is "$(get empty)" "0 nan nan nan nan nan nan" "bstat_of, N=0: every statistic NAN"
is "$(get u64_rc) $(get u64)" "0 3 2 2.98 1 3 2 0.5" "bstat_of_u64 of 3 1 2: sd 1 over mean 2"
is "$(get u64_after)" "3 1 2" "bstat_of_u64 leaves the samples as they are"
is "$(get u64_empty_rc) $(get u64_empty)" "0 0 nan nan nan nan nan nan" "bstat_of_u64, N=0: 0 and NAN"
is "$(get now_monotonic)" 1 "bstat_now_ns: non-zero, does not go back"

is "$(get line)" "[first line]" "bstat_read_line: the first line, newline stripped"
is "$(get line_small)" "[fir]" "bstat_read_line: cut to the buffer"
is "$(get line_empty) $(get line_missing)" "[] []" "bstat_read_line: empty or missing file gives \"\""

# The platform rule (benchstat.h) from what detection saw.
sig=$(get platform_sig) sig=${sig#[} sig=${sig%]}
dmi=$(get platform_dmi) dmi=${dmi#[} dmi=${dmi%]}
if ! grep -qw hypervisor /proc/cpuinfo; then want=hardware
elif [ "$sig" = TCGTCGTCGTCG ]; then want="QEMU TCG"
elif [ "${sig:0:9}" = KVMKVMKVM ]; then [ "${dmi:0:4}" = QEMU ] && want="QEMU KVM" || want=KVM
elif [ "${dmi:0:4}" = QEMU ]; then want="QEMU (unknown accelerator)"
else want="hypervisor ${sig:-(no signature)}"
fi
is "$(get platform_name)" "$want" "bstat_platform_detect: the name follows the rule (sig '$sig', DMI '$dmi')"
is "$(get platform)" "$want" "bstat_platform: the same name"
[ -r /sys/class/dmi/id/sys_vendor ] && want=$(head -1 /sys/class/dmi/id/sys_vendor) || want=
is "$dmi" "$want" "bstat_platform_detect: DMI vendor from sysfs"
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1)
is "$(get cpu)" "[$cpu]" "bstat_cpu: the first model name of /proc/cpuinfo"
is "$(get cpu_model)" "[${cpu:-unknown}]" "bstat_cpu_model: the same, or unknown"
is "$(get series_events)" 1 "bstat_series_events: both map events in tracefs"
rm -r "$d/tr/events/vfio_iommu_type1"
TRACEFS=$d/tr "$d/benchstat_test" >"$d/out2" 2>&1
is "$(sed -n 's/^series_events //p' "$d/out2")" 0 "bstat_series_events: iommufd's alone is not enough"

# The JSON documents, against hand values and this host's /proc and /sys.
doc() { sed -n "/^--- $1\$/{n;p}" "$d/out"; }
py() {
	python3 - "$@" <<'EOF'
import json, math, os, sys
what, text = sys.argv[1], sys.argv[2]
d = json.loads(text)
def line(p):
    try:
        return open(p).readline().rstrip("\n")
    except OSError:
        return ""
if what == "stats":
    o, e = d["odd"], d["empty"]
    ok = (list(o) == ["n", "median", "p99", "min", "max", "mean", "cv"] and
          [o[k] for k in ("n", "median", "min", "max", "mean")] == [5, 30, 10, 50, 30] and
          math.isclose(o["p99"], 49.6) and math.isclose(o["cv"], math.sqrt(250) / 30) and
          e["n"] == 0 and all(e[k] is None for k in e if k != "n"))
elif what in ("environment", "environment_given"):
    e = d["environment"]
    u = os.uname()
    given = what == "environment_given"
    ok = (list(e) == ["kernel", "kernel_version", "machine", "series_events", "platform",
                      "platform_detected", "cpu", "cpus", "clock"] and
          (e["kernel"], e["kernel_version"], e["machine"]) == (u.release, u.version, u.machine) and
          isinstance(e["series_events"], bool) and e["platform_detected"] is not given and
          (e["platform"] == "lab rack 3") is given and e["cpus"] == os.cpu_count() and
          e["clock"] == "CLOCK_MONOTONIC")
else:
    e = d["env"]
    mem = [int(l.split()[1]) * 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0]
    hp = line("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages")
    ok = (list(e) == ["kernel", "machine", "series_events", "series", "platform", "hypervisor_sig",
                      "dmi_vendor", "cpu", "cpus", "mem_total", "thp_enabled", "hugepages_2m_free"] and
          e["series"] == (None if what == "env_noseries" else "abc123") and
          (e["kernel"], e["machine"]) == (os.uname().release, os.uname().machine) and
          isinstance(e["series_events"], bool) and e["cpus"] == os.cpu_count() and
          e["mem_total"] == mem and
          e["thp_enabled"] == line("/sys/kernel/mm/transparent_hugepage/enabled") and
          e["hugepages_2m_free"] == (int(hp) if hp else -1))
if not ok:
    print("#   " + text)
sys.exit(0 if ok else 1)
EOF
}
py stats "$(doc stats)"
ok $? "bstat_json: the seven members in order, N=0's statistics null"
py environment "$(doc environment)"
ok $? "bstat_env_json: kernel, machine, platform detected, CPUs, clock"
py environment_given "$(doc environment_given)"
ok $? "bstat_env_json with a platform: that one, platform_detected false"
py env "$(doc env)"
ok $? "bstat_env_begin + bstat_host_json: every member, MemTotal, THP, free 2 MiB pages"
py env_noseries "$(doc env_noseries)"
ok $? "bstat_host_json without a series: null"
is "$(sed -n '/^--- print$/,$p' "$d/out" | sed 1d | tr '\n' '|')" \
	"kernel $(uname -r), $(uname -m), platform lab rack 3 (given)|cpu ${cpu} x $(nproc)|" \
	"bstat_env_print: two lines"
done_testing
