# SPDX-License-Identifier: GPL-2.0
# ioasid-top --prometheus end to end on the host kernel (fallback mode:
# the ioctls it decodes): the file it writes passes `promtool check
# metrics`, Debian's prometheus-node-exporter serves it through its
# textfile collector on 127.0.0.1, and the scraped values are what a
# process did (7 failed IOAS maps and 3 failed unmaps of IOAS 7).  A
# broken file is refused by both checkers (they can fail); the file is
# gone after ioasid-top exits.  node_exporter and promtool are taken from
# bookworm's packages with apt-get download + dpkg -x into the cache
# (testbed/fetch-source): never installed, so no service starts.
# IOASID_TOP_BIN=path skips the build.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${IOASID_CACHE:-$HOME/.cache/ioasid-trace}
d=$(mktemp -d)
tp= np= hp=
cleanup() {
	[ -n "$hp" ] && kill "$hp" 2>/dev/null
	[ -n "$tp" ] && kill "$tp" 2>/dev/null
	[ -n "$np" ] && kill "$np" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

skip_all() {
	echo "ok 1 ioasid-top --prometheus # SKIP $*"
	echo "1..1"
	exit 0
}
[ "$(id -u)" = 0 ] || skip_all "not root: BPF needs CAP_BPF and CAP_PERFMON"

# fetch PKG: the unpacked package's root (bookworm's candidate version)
fetch() {
	local v
	v=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ { print $2 }')
	[ -n "$v" ] && [ "$v" != "(none)" ] || { echo "no candidate for $1" >&2; return 1; }
	"$top/testbed/fetch-source" "$1" "$v" "$cache/debs/$1-$v"
}
ne=$(fetch prometheus-node-exporter 2>"$d/fetch.err")/usr/bin/prometheus-node-exporter &&
	pt=$(fetch prometheus 2>>"$d/fetch.err")/usr/bin/promtool &&
	[ -x "$ne" ] && [ -x "$pt" ]
ok $? "node_exporter and promtool from Debian's packages (unpacked, not installed)"
[ -x "${pt:-}" ] && [ -x "${ne:-}" ] || { sed 's/^/#   /' "$d/fetch.err"; done_testing; exit 1; }

t=${IOASID_TOP_BIN:-}
if [ -z "$t" ]; then
	make -s -C "$top" build/tools/ioasid-top/ioasid-top >"$d/make.log" 2>&1
	ok $? "ioasid-top builds"
	t=$top/build/tools/ioasid-top/ioasid-top
fi

mkdir "$d/textfile"
prom=$d/textfile/ioasid.prom
"$t" -d 1 --prometheus "$prom" >"$d/out" 2>"$d/err" &
tp=$!
wait_tracing "$tp" "$d/err"
if ! grep -q '^Tracing' "$d/err"; then
	grep -qE "not allowed to load BPF|has no BTF|cannot load BPF" "$d/err" &&
		skip_all "BPF unavailable: $(head -1 "$d/err")"
	ok 1 "ioasid-top --prometheus starts: $(head -1 "$d/err")"
	done_testing
	exit 1
fi
# the process stays until the scrape: an exited one's rows leave the
# file at the next refresh, as its series end in Prometheus.  It names
# itself with bytes that are not UTF-8, a quote and a backslash: the
# collector refuses a whole file for one such label value.
PYTHONPATH=$top/tests python3 - >"$d/py.pid" <<'PY' &
import ctypes, os, sys, time
from iommufd import IOAS_MAP, IOAS_MAP_FMT, IOAS_UNMAP, IOAS_UNMAP_FMT, on_null
ctypes.CDLL(None).prctl(15, b'\xff\xfe"x\\y\xc0\x80', 0, 0, 0)  # PR_SET_NAME
print(os.getpid())
sys.stdout.flush()
on_null(IOAS_MAP, IOAS_MAP_FMT, 40, 0, 7, 0, 0, 8192, 0, n=7)
on_null(IOAS_UNMAP, IOAS_UNMAP_FMT, 24, 7, 0, 8192, n=3)
time.sleep(60)
PY
hp=$!
for i in $(seq 50); do [ -s "$d/py.pid" ] && break; sleep 0.1; done
pid=$(cat "$d/py.pid")
sleep 2.5	# two refreshes after the ioctls
is "$(wc -c <"$d/out")" 0 "--prometheus alone: nothing on stdout"
ls "$d/textfile" >"$d/ls"
is "$(cat "$d/ls")" "ioasid.prom" "the file (its temporary ones are hidden: not *.prom)"
cp "$prom" "$d/snap.prom"
# every series once (node_exporter drops duplicates without a scrape error)
dups=$(grep -v '^#' "$d/snap.prom" | sed 's/ [^ ]*$//' | sort | uniq -d | head -3)
is "$dups" "" "no series twice"
"$pt" check metrics <"$d/snap.prom" >"$d/lint" 2>&1
ok $? "promtool check metrics: no problem$(sed 's/^/; /' "$d/lint" | head -3 | tr -d '\n')"

# node_exporter, only its textfile collector, on a free port of 127.0.0.1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ne" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$d/textfile" >"$d/ne.log" 2>&1 &
np=$!
scrape() {
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
		"http://127.0.0.1:$port/metrics"
}
for i in $(seq 50); do scrape >"$d/scrape" 2>/dev/null && break; sleep 0.2; done
ok $? "node_exporter serves http://127.0.0.1:$port/metrics"
python3 - "$d/scrape" "$pid" <<'PY'
import re, sys
text, pid = open(sys.argv[1]).read(), sys.argv[2]
def value(name, **labels):
    for l in text.splitlines():
        m = re.match(r"^%s(?:\{(.*)\})? (\S+)$" % name, l)
        if m and all('%s="%s"' % kv in (m.group(1) or "") for kv in labels.items()):
            return float(m.group(2))
got = {
    "map errors": value("ioasid_dma_errors_total", pid=pid, backend="iommufd", op="map"),
    "unmap errors": value("ioasid_dma_errors_total", pid=pid, backend="iommufd", op="unmap"),
    "maps": value("ioasid_dma_ops_total", pid=pid, backend="iommufd", op="map"),
    "scrape error": value("node_textfile_scrape_error"),
    "info": value("ioasid_top_info", mode="syscalls"),
}
print("# scraped: %s" % got)
sys.exit(0 if got == {"map errors": 7, "unmap errors": 3, "maps": 0, "scrape error": 0, "info": 1} else 1)
PY
ok $? "the scrape: 7 failed maps and 3 failed unmaps of that pid, no textfile error, the mode"
grep -q '^ioasid_iotlb_syncs_total' "$d/scrape"
is "$?" 1 "fallback: the families it cannot see are not written as zeros"

# one writer per file: a second ioasid-top on the same path is refused
timeout 10 "$t" -d 1 --prometheus "$prom" >"$d/o2" 2>"$d/e2"
is "$?:$(grep -c '^ioasid-top: ' "$d/e2")" "1:1" "a second --prometheus on the same file: exit 1, one message"
like "$(cat "$d/e2")" "ioasid.prom is written by another ioasid-top \(pid $tp\): one per file" \
	"...naming the writer's pid"
grep -q "ioasid_dma_errors_total{pid=\"$pid\",.*op=\"map\"} 7$" "$prom"
ok $? "...and the first one's file is left as it was"

# both checkers refuse a broken file
printf '# TYPE ioasid_bad counter\nioasid_bad{pid="1} 1\n' >"$d/textfile/bad.prom"
"$pt" check metrics <"$d/textfile/bad.prom" >/dev/null 2>&1
is "$?" 1 "promtool refuses a malformed file"
scrape >"$d/scrape2" 2>/dev/null
like "$(cat "$d/scrape2")" '^node_textfile_scrape_error 1$' "node_exporter reports it as a textfile error"
rm -f "$d/textfile/bad.prom"

# a write that fails is said once and retried: the counters go on
mv "$d/textfile" "$d/moved"
sleep 2.5
mv "$d/moved" "$d/textfile"
sleep 1.5
kill -0 "$tp" 2>/dev/null
ok $? "the directory gone for 2 s: ioasid-top goes on"
like "$(cat "$d/err")" "cannot write .*ioasid.prom: No such file or directory \(retrying each refresh\)" \
	"the failure said"
is "$(grep -c 'cannot write' "$d/err")" 1 "once"
like "$(cat "$d/err")" "ioasid.prom written again" "and the recovery"
grep -q "ioasid_dma_errors_total{pid=\"$pid\",.*op=\"map\"} 7$" "$prom"
ok $? "the file again, the counters since start"

kill -HUP "$tp"
wait "$tp"
is "$?" 0 "SIGHUP (a logout): exit 0"
tp=
[ -z "$(ls -A "$d/textfile")" ]
ok $? "the file is removed at exit, no temporary one left: no stale counters exported"
kill "$np" 2>/dev/null
wait "$np" 2>/dev/null
np=

# --prometheus runs until stopped
for args in "-1" "-n 3" "1 3"; do
	# shellcheck disable=SC2086
	"$t" --prometheus "$d/x.prom" $args >"$d/o" 2>"$d/e"
	is "$?:$(grep -c '^ioasid-top: ' "$d/e")" "2:1" "--prometheus $args: exit 2, one message"
done

# bad path: one message, exit 1
"$t" --prometheus "$d/nosuchdir/x.prom" >"$d/o" 2>"$d/e"
rc=$?
is "$rc:$(grep -c '^ioasid-top: ' "$d/e")" "1:1" "a path in no directory: exit 1, one message"
like "$(cat "$d/e")" "cannot write .*nosuchdir/x.prom: No such file or directory" "the message names the path and why"
done_testing
