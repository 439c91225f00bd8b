#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# attachsnoop-mock.sh BINDIR: bpf/attachsnoop on PASID attachments, in the
# testbed guest booted without an IOMMU (iommufd selftest mock), TAP.
#
#   testbed/run -i none -- bpf/tests/attachsnoop-mock.sh build/k/<key>
#
# BINDIR/events_pasid's attach_replace_detach test makes a known sequence
# of calls on a mock device (tracepoints/tests/events_pasid.c): its setup
# attaches the RID and moves it to a PASID-compatible HWPT, then attach
# PASID 100, a second attach refused (EBUSY), replace, a replace
# with an IOAS refused (EINVAL, after a failed automatic HWPT), a replace
# of PASID 200 that was never attached (EINVAL), detach, then the RID's
# detach at the device's destruction.  attachsnoop -j must print exactly
# those records with their PASIDs, IDs and errors, and its text output a
# pasid column for them.  Kernels without PASID attach (6.12): SKIP.
#
# Then the vIOMMU objects: BINDIR/events_viommu's alloc test (its fixture
# allocates a vIOMMU and a vDEVICE; the test a second vIOMMU, two refused
# vDEVICEs, a vEVENTQ, a second one refused and one of depth 0): the eight
# allocation records in order, with the new IDs, the vIOMMU each names,
# the guest's device ID, the depth and the errors.  Kernels without the
# vIOMMU events (6.12): SKIP.  Before them, BINDIR/events_access's
# attach_replace_destroy: the four access records, in order, with one
# access, its IOASes and the errors.
# ATTACHSNOOP=path overrides build/bpf/attachsnoop.

set -u
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$top/tests/tap.sh"
. "$top/bpf/tests/lib.sh"
[ -n "${IOASID_GUEST:-}" ] || { echo "runs inside the testbed: testbed/run -i none -- $0 BINDIR" >&2; exit 2; }
bin=${1:?usage: attachsnoop-mock.sh BINDIR}
snoop=${ATTACHSNOOP:-$top/build/bpf/attachsnoop}
gen=$bin/events_pasid
d=$(mktemp -d)
trap 'tool_cleanup; rm -rf "$d"' EXIT

for f in "$snoop" "$gen"; do
	[ -x "$f" ] || { echo "not ok 1 $f not built"; echo "1..1"; exit 1; }
done
echo "# $(uname -r)"

# run NAME GEN TEST FLAGS...: attachsnoop FLAGS around one run of GEN's TEST
run() {
	local name=$1 g=$2 test=$3
	shift 3
	local t="attachsnoop${*:+ $*}"
	start_tool "$snoop" "$name" "$@"
	ok $? "$t starts and attaches"
	"$g" -t "$test" >"$d/$name.gen" 2>&1
	ok $? "$(basename "$g") $test passes with $t attached"
	stop_tool
	is "$?" 0 "$t: SIGTERM, exit 0"
}

# The PASID records (kernels with PASID attach).
pasid_records() {
run json "$gen" attach_replace_detach -j
like "$(cat "$d/json.err")" "^mode: tracepoint" "tracepoint mode"
# The test's own process only; the records in order, as (event, pasid,
# errno or 0); IDs checked against each other.
python3 - "$d/json" >"$d/json.check" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
recs = [r for r in recs if r.get("comm", "").startswith("events_pasid")]
got = [(r["event"], r["pasid"], r["errno"] or 0) for r in recs
       if r["event"] in ("attach", "replace", "detach")]
# the fixture's first: the mock device on the IOAS, then its RID moved to
# the PASID-compatible HWPT
want = [("attach", 0, 0), ("replace", 0, 0), ("attach", 100, 0), ("attach", 100, "EBUSY"), ("replace", 100, 0),
        ("replace", 100, "EINVAL"), ("replace", 200, "EINVAL"),
        ("detach", 100, 0), ("detach", 0, 0)]
bad = []
if got != want:
    bad.append(f"sequence {got}")
dev = {r["dev_id"] for r in recs if r["event"] in ("attach", "replace", "detach")}
if len(dev) != 1 or None in dev:
    bad.append(f"dev_id {dev}")
ev = {(r["event"], r["pasid"], r["errno"] or 0): r for r in recs}
a, b = ev.get(("attach", 100, 0)), ev.get(("replace", 100, 0))
if not a or not b or a["pt_id"] == b["pt_id"]:
    bad.append("attach and replace name the same pt_id")
d = ev.get(("detach", 100, 0))
if not d or not b or d["pt_id"] != b["pt_id"]:
    bad.append("detach does not name the HWPT the replace attached")
# the fixture's automatic HWPT, then the one the IOAS replace aborted
auto = [(r["ret"], r["hwpt_id"] is None) for r in recs
        if r["event"] == "hwpt_alloc" and r.get("automatic")]
if auto != [(0, False), (-22, True)]:
    bad.append(f"automatic HWPT records (ret, no id): {auto}")
print("\n".join(bad) if bad else "ok")
PY
is "$(cat "$d/json.check")" ok "JSON: the 9 device records in order with their PASIDs and errors, one dev_id, the pt_ids, the aborted automatic HWPT"
[ "$(cat "$d/json.check")" = ok ] || sed 's/^/#   /' "$d/json" | head -20

run text "$gen" attach_replace_detach
like "$(cat "$d/text")" "events_pasid.* attach .* 0 .*pasid=100 pt=" "text: a successful PASID attach shows pasid=100"
like "$(cat "$d/text")" "events_pasid.* replace .*EINVAL.*pasid=200" "text: the refused replace of PASID 200"
like "$(cat "$d/text")" "events_pasid.* detach .* 0 .*dev=[0-9]+ pt=" "text: the RID's detach has no pasid column"
}
if "$gen" -l 2>&1 | grep -qw attach_replace_detach; then
	pasid_records
else
	ok 0 "attachsnoop on PASIDs # SKIP events_pasid built without PASID attach ($(uname -r))"
fi

# Emulated-device accesses: events_access's attach_replace_destroy (an
# access attached on create, one refused for an ID that is no IOAS,
# replace onto a second IOAS and to a bad ID; destroyed attached: no
# detach record)
acc=$bin/events_access
if [ ! -x "$acc" ]; then
	ok 1 "$acc not built"
elif [ -d /sys/kernel/tracing/events/iommufd/iommufd_access_attach ]; then
	run ajson "$acc" attach_replace_destroy -j
	like "$(cat "$d/ajson.err")" "emulated-device accesses: iommufd_access_\{attach,replace,detach\}" \
		"banner: accesses traced"
	python3 - "$d/ajson" >"$d/ajson.check" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
recs = [r for r in recs if r.get("comm", "").startswith("events_access")
        and r["event"].startswith("access_")]
got = [(r["event"], r["errno"] or 0) for r in recs]
want = [("access_attach", 0), ("access_attach", "ENOENT"), ("access_replace", 0),
        ("access_replace", "ENOENT")]
bad = []
if got != want:
    bad.append(f"sequence {got}")
else:
    a, a2, r, r2 = recs
    if a["access_id"] is None or {r["access_id"], r2["access_id"]} != {a["access_id"]}:
        bad.append("the records name different accesses")
    if a2["pt_id"] != 0xfff0 or r2["pt_id"] != 0xfff0:
        bad.append("the refused calls do not name the ID asked for")
    if r["pt_id"] == a["pt_id"]:
        bad.append("replace does not name the second IOAS")
print("\n".join(bad) if bad else "ok")
PY
	is "$(cat "$d/ajson.check")" ok "JSON: the 4 access records in order, one access, its IOASes, the errors"
	[ "$(cat "$d/ajson.check")" = ok ] || sed 's/^/#   /' "$d/ajson" | head -20
	run atext "$acc" attach_replace_destroy
	like "$(cat "$d/atext")" "events_acces.* access_replace +ENOENT .*access=[0-9]+ pt=65520" \
		"text: the refused replace with the access and the ID asked for"
else
	ok 0 "attachsnoop on accesses # SKIP no access events ($(uname -r))"
fi

viommu=$bin/events_viommu
if ! "$viommu" -l 2>&1 | grep -qw alloc || [ ! -d /sys/kernel/tracing/events/iommufd/iommufd_viommu_alloc ]; then
	ok 0 "attachsnoop on vIOMMU objects # SKIP no vIOMMU events ($(uname -r))"
	done_testing
	exit
fi
run vjson "$viommu" alloc -j
like "$(cat "$d/vjson.err")" "vIOMMU objects: iommufd_\{viommu,vdevice,veventq\}_alloc" "banner: vIOMMU objects traced"
python3 - "$d/vjson" >"$d/vjson.check" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
recs = [r for r in recs if r.get("comm", "").startswith("events_viommu")
        and r["event"].endswith("_alloc") and r["event"] != "hwpt_alloc"]
got = [(r["event"], r["errno"] or 0) for r in recs]
want = [("viommu_alloc", 0), ("vdevice_alloc", 0), ("viommu_alloc", 0),
        ("vdevice_alloc", "EEXIST"), ("vdevice_alloc", "ENOENT"),
        ("veventq_alloc", 0), ("veventq_alloc", "EEXIST"), ("veventq_alloc", "EINVAL")]
bad = []
if got != want:
    bad.append(f"sequence {got}")
else:
    v1, vd, v2, e1, e2, q, q1, q2 = recs
    if not v1["obj_id"] or v1["obj_id"] == v2["obj_id"] or v1["viommu_id"] != v1["obj_id"]:
        bad.append(f"vIOMMU ids {v1['obj_id']} {v2['obj_id']}")
    if v1["pt_id"] is None or v1["pt_id"] != v2["pt_id"] or v1["dev_id"] != vd["dev_id"]:
        bad.append("the two vIOMMUs name different parents or devices")
    if vd["viommu_id"] != v1["obj_id"] or vd["virt_id"] != 0x99 or vd["obj_id"] is None:
        bad.append(f"fixture vDEVICE {vd}")
    if e1["viommu_id"] != v2["obj_id"] or e1["virt_id"] != 0x9a or e1["obj_id"] is not None:
        bad.append(f"refused vDEVICE {e1}")
    if q["viommu_id"] != v2["obj_id"] or q["depth"] != 2 or q["obj_id"] is None:
        bad.append(f"vEVENTQ {q}")
    if q2["depth"] != 0 or q2["obj_id"] is not None or q1["obj_id"] is not None:
        bad.append("refused vEVENTQs")
print("\n".join(bad) if bad else "ok")
PY
is "$(cat "$d/vjson.check")" ok "JSON: the 8 vIOMMU object records in order, new IDs, vIOMMUs, virt_id, depth, errors"
[ "$(cat "$d/vjson.check")" = ok ] || sed 's/^/#   /' "$d/vjson" | head -20
run vtext "$viommu" alloc
like "$(cat "$d/vtext")" "events_viomm.* vdevice_alloc +0 .*vdevice=[0-9]+ viommu=[0-9]+ dev=[0-9]+ virt_id=0x99" \
	"text: the vDEVICE with the guest's ID"
like "$(cat "$d/vtext")" "events_viomm.* veventq_alloc +EINVAL .*viommu=[0-9]+ type=[0-9]+ depth=0" \
	"text: the refused vEVENTQ with its depth"
done_testing
