# SPDX-License-Identifier: GPL-2.0
# tracepoints/check: catalog vs trace headers and vs tracefs formats.
. "$(dirname "$0")/../tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
chk=$top/tracepoints/check
fx=$top/tests/host/fixtures/tracepoints
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

o=$("$chk" -c "$fx/cat.json" tree "$fx"); rc=$?
is "$rc" 0 "header with class, DEFINE_EVENT, TRACE_EVENT(_CONDITION), __string, __array matches"
like "$o" "agree on 3 events" "says how many events agree"

sed 's/"u64"/"u32"/' "$fx/cat.json" >"$d/wrongtype.json"
o=$("$chk" -c "$d/wrongtype.json" tree "$fx"); rc=$?
is "$rc" 1 "a field type mismatch fails"
like "$o" "iommufd_ioas_map_start: fields differ: catalog \(u32 iova, u32 ioas_id" "names the event and both layouts"

python3 - "$fx/cat.json" >"$d/missing.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["events"] = c["events"][:1]; print(json.dumps(c))
PY
o=$("$chk" -c "$d/missing.json" tree "$fx"); rc=$?
is "$rc" 1 "an event in the tree but not the catalog fails"
like "$o" "iommufd:iommufd_ioas_map: defined in the tree, not in the catalog" "names it"

o=$("$chk" -c "$fx/cat.json" -t live "$fx/tracefs"); rc=$?
is "$rc" 1 "an event missing from tracefs fails"
like "$o" "^ok 1 catalog live: iommufd:iommufd_ioas_map$" "format file with array field parses"
like "$o" "^not ok 2 catalog live: iommufd:iommufd_ioas_map_start$" "missing event is a failed TAP line"

# --without SYSTEM: a system the kernel does not build (type1 on the compat
# flavour) is left out and said; the others are still checked.
python3 - "$fx/cat.json" "$d/t1.json" <<'PY'
import copy, json, sys
c = json.load(open(sys.argv[1]))
e = copy.deepcopy(c["events"][1])
e["system"], e["name"] = "vfio_iommu_type1", "vfio_iommu_type1_dma_map"
e.pop("class", None)
c["events"].append(e)
json.dump(c, open(sys.argv[2], "w"))
PY
o=$("$chk" -c "$d/t1.json" -t live "$fx/tracefs")
like "$o" "^not ok [0-9]+ catalog live: vfio_iommu_type1:vfio_iommu_type1_dma_map$" \
	"an event of another system missing from tracefs fails"
o=$("$chk" -c "$d/t1.json" -t live --without vfio_iommu_type1 "$fx/tracefs"); rc=$?
! grep -q "catalog live: vfio_iommu_type1:" <<<"$o"
ok $? "--without vfio_iommu_type1: its event is not checked"
like "$o" "^# vfio_iommu_type1: not in this kernel \(--without\), its 1 events not checked$" \
	"--without: says what it left out"
like "$o" "^not ok [0-9]+ catalog live: iommufd:iommufd_ioas_map_start$" "--without: the others still checked"
is "$rc" 1 "--without: a missing event of another system still fails"
o=$("$chk" -c "$d/t1.json" live --without nosuch "$fx/tracefs" 2>&1); rc=$?
is "$rc:$o" "2:check: --without nosuch: no such system in the catalog" "--without an unknown system: exit 2"

# "since": an event of a feature newer than the kernel (the vIOMMU is 6.13,
# the backport is 6.12) is left out and said; on a kernel that has it, its
# absence fails.
python3 - "$fx/cat.json" "$d/since.json" <<'PY'
import copy, json, sys
c = json.load(open(sys.argv[1]))
e = copy.deepcopy(c["events"][1])
e["name"], e["since"] = "iommufd_viommu_alloc", "6.13"
e.pop("class", None)
c["events"].append(e)
json.dump(c, open(sys.argv[2], "w"))
PY
o=$("$chk" -c "$d/since.json" -t -k 6.12 live "$fx/tracefs")
! grep -q "catalog live: iommufd:iommufd_viommu_alloc$" <<<"$o"
ok $? "-k 6.12: an event since 6.13 is not checked"
like "$o" "^# iommufd:iommufd_viommu_alloc: since 6.13, not in 6.12: not checked$" "-k 6.12: says so"
o=$("$chk" -c "$d/since.json" -t -k 7.3 live "$fx/tracefs")
like "$o" "^not ok [0-9]+ catalog live: iommufd:iommufd_viommu_alloc$" "-k 7.3: the event since 6.13 missing fails"
is "$("$chk" -c "$d/since.json" -k 6.12 list | grep -c viommu_alloc):$("$chk" -c "$d/since.json" list | grep -c viommu_alloc)" "0:1" \
	"list: -k 6.12 leaves the event since 6.13 out, without -k every event"
o=$("$chk" -k 7 live "$fx/tracefs" 2>&1); rc=$?
is "$rc:$o" "2:check: -k 7: not a kernel version X.Y" "-k without X.Y: exit 2"
sed 's/"6.13"/"soon"/' "$d/since.json" >"$d/badsince.json"
o=$("$chk" -c "$d/badsince.json" list 2>&1); rc=$?
like "$rc:$o" "^2:check: .*iommufd:iommufd_viommu_alloc.since: not a kernel version X.Y$" "a since that is no version: exit 2"

# Record layout: a u32 before a u64 leaves a 4-byte hole in every record.
mkdir -p "$d/hole/drivers/iommu/iommufd"
sed '/__field(u64, iova)/{N;s/\(.*\)\n\(.*\)/\2\n\1/}' "$fx/drivers/iommu/iommufd/trace.h" \
	>"$d/hole/drivers/iommu/iommufd/trace.h"
python3 - "$fx/cat.json" >"$d/hole.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); f = c["events"][0]["fields"]; f[0], f[1] = f[1], f[0]
print(json.dumps(c))
PY
o=$("$chk" -c "$d/hole.json" tree "$d/hole"); rc=$?
is "$rc" 1 "tree: a field order that leaves a hole fails, the header agreeing"
like "$o" "^iommufd:iommufd_ioas_map_start: 4-byte hole before iova \(offset 12\)" "names the event, the field and the offset"
mkdir -p "$d/tfs/events/iommufd"
cp -r "$fx/tracefs/events/iommufd/iommufd_ioas_map" "$d/tfs/events/iommufd/"
sed -i 's/u8 tag\[4\];\toffset:12;/u8 tag[4];\toffset:16;/' "$d/tfs/events/iommufd/iommufd_ioas_map/format"
o=$("$chk" -c "$fx/cat.json" live "$d/tfs"); rc=$?
is "$rc" 1 "live: a hole in a tracefs format (real offsets) fails"
like "$o" "iommufd:iommufd_ioas_map: 4-byte hole before tag \(offset 16\)" "names it from the format's offsets"
# An enum in __print_symbolic() without TRACE_DEFINE_ENUM() stays a name in
# the format file, which perf and libtraceevent cannot decode.
mkdir -p "$d/sym/events/iommufd"
cp -r "$fx/tracefs/events/iommufd/iommufd_ioas_map" "$d/sym/events/iommufd/"
f=$d/sym/events/iommufd/iommufd_ioas_map/format
sed -i 's/^print fmt: .*/print fmt: "ret=%d code=%s", REC->ret, __print_symbolic(REC->ret, { 0, "ok" }, { (1UL << 2), "four" }, { (unsigned long)0x8ULL, "cast" }, { -1, "neg" }, { '"'"'a'"'"', "chr" })/' "$f"
o=$("$chk" -c "$fx/cat.json" live "$d/sym"); rc=$?
! grep -q "print fmt" <<<"$o"
ok $? "live: numbers, shifts, casts, negatives and char literals in __print_symbolic() pass"
sed -i 's/{ 0, "ok" }/{ IOMMUFD_PAGE_RESP_SUCCESS, "ok" }/' "$f"
o=$("$chk" -c "$fx/cat.json" live "$d/sym"); rc=$?
is "$(grep -c "print fmt" <<<"$o")" 1 "live: an unresolved enum in __print_symbolic() is a problem (one)"
like "$o" "iommufd:iommufd_ioas_map: print fmt: IOMMUFD_PAGE_RESP_SUCCESS is not a number" "names the event and the symbol"

sed 's/"class": "iommufd_ioas_op", //' "$fx/cat.json" >"$d/noclass.json"
o=$("$chk" -c "$d/noclass.json" tree "$fx"); rc=$?
is "$rc" 1 "a DEFINE_EVENT event without its class in the catalog fails"
like "$o" "iommufd_ioas_map_start: class differs: catalog None, the tree iommufd_ioas_op" "names both"

# TP_PROTO: argument names count (a __nullable suffix is what the verifier reads).
python3 - "$fx/cat.json" "$d" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["events"][0]["tp_proto"] = "struct iommufd_ioas *ioas, u64 iova"
c["events"][1]["tp_proto"] = "int ret"
json.dump(c, open(sys.argv[2] + "/proto.json", "w"))
c["events"][0]["tp_proto"] = "struct iommufd_ioas *ioas__nullable, u64 iova"
json.dump(c, open(sys.argv[2] + "/nullable.json", "w"))
c["events"] = c["events"][1:2]
json.dump(c, open(sys.argv[2] + "/live.json", "w"))
PY
o=$("$chk" -c "$d/proto.json" tree "$fx"); rc=$?
is "$rc" 0 "catalog TP_PROTO equal to the header's passes"
o=$("$chk" -c "$d/nullable.json" tree "$fx"); rc=$?
is "$rc" 1 "an argument name that differs from the header's fails"
like "$o" "iommufd_ioas_map_start: TP_PROTO differs: catalog \(struct iommufd_ioas \*ioas__nullable, u64 iova\), the tree \(struct iommufd_ioas \*ioas, u64 iova\)" \
	"names the event and both prototypes"
is "$("$chk" -c "$d/nullable.json" nullable)" "iommufd_ioas_map_start:0" "nullable lists EVENT:INDEX of each __nullable argument"
# A DEFINE_EVENT's own TP_PROTO names are not what the verifier reads.
mkdir -p "$d/tree/drivers/iommu/iommufd"
sed '/^DEFINE_EVENT/{n;s/\*ioas,/*ioas__nullable,/}' "$fx/drivers/iommu/iommufd/trace.h" \
	>"$d/tree/drivers/iommu/iommufd/trace.h"
o=$("$chk" -c "$d/nullable.json" tree "$d/tree"); rc=$?
is "$rc" 1 "__nullable only in a DEFINE_EVENT, not in its class, fails"
like "$o" "but its class iommufd_ioas_op has \(struct iommufd_ioas \*ioas, u64 iova\)" "says the class's names count"
is "$("$chk" -c "$d/proto.json" nullable)" "" "no __nullable argument: an empty list"

# live --btf: the argument names of __bpf_trace_<event> in a BTF, here a
# small object built for the purpose (the verifier matches those names).
btf_obj() {
	printf 'void __bpf_trace_iommufd_ioas_map(void *__data, int %s) {}\n' "$1" >"$d/btf.c"
	clang -g -O2 -target bpf -c "$d/btf.c" -o "$d/btf.o"
}
if command -v clang >/dev/null && command -v bpftool >/dev/null; then
	btf_obj ret
	o=$("$chk" -c "$d/live.json" live --btf "$d/btf.o" "$fx/tracefs"); rc=$?
	is "$rc" 0 "live --btf: the BTF's argument names match the catalog's"
	btf_obj ret__nullable
	o=$("$chk" -c "$d/live.json" live --btf "$d/btf.o" "$fx/tracefs"); rc=$?
	is "$rc" 1 "live --btf: a name that differs in the BTF fails"
	like "$o" "argument names differ: catalog \['ret'\], .*\['ret__nullable'\]" "names both"
	# a DEFINE_EVENT's arguments are those of its class's __bpf_trace_<class>
	python3 - "$d/live.json" "$d/class.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["events"][0]["class"] = "other"
json.dump(c, open(sys.argv[2], "w"))
PY
	sed -i 's/__bpf_trace_iommufd_ioas_map(void \*__data, int ret__nullable)/__bpf_trace_other(void *__data, int ret)/' "$d/btf.c"
	clang -g -O2 -target bpf -c "$d/btf.c" -o "$d/btf.o"
	o=$("$chk" -c "$d/class.json" live --btf "$d/btf.o" "$fx/tracefs"); rc=$?
	is "$rc" 0 "live --btf: a DEFINE_EVENT event is matched through its class's function"
	clang -g -O2 -target bpf -c "$d/btf.c" -o "$d/btf.o"
	o=$("$chk" -c "$d/live.json" live --btf "$d/btf.o" "$fx/tracefs"); rc=$?
	like "$o" "no __bpf_trace_iommufd_ioas_map in" "live --btf: an event missing from the BTF fails"
else
	ok 1 "clang and bpftool are installed (make deps)"
fi

"$chk" bogus >/dev/null 2>&1
is "$?" 2 "unknown command: usage error"
done_testing
