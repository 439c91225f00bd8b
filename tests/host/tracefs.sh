# SPDX-License-Identifier: GPL-2.0
# lib/tracefs.c: records, their task and time, out of the trace text.
. "$(dirname "$0")/../tap.sh"
. "$(dirname "$0")/../hostlib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
scratch

gcc -Wall -Wextra -Werror -O2 -I"$top/lib" -o "$d/t" "$top/tests/host/tracefs_test.c" \
	"$top/lib/tracefs.c" 2>"$d/cc.err"
ok $? "tracefs_test builds without warnings"

# As tracefs prints them: a comm with a dash and a space, <...>, 9 decimals.
cat >"$d/trace" <<'T'
# tracer: nop
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
  dma probe-x-412     [001] .....   120.000250: iommufd_ioas_map_start: ioas_id=1 caller=ioctl iova=0x0 length=0x1000 prot=0x7 flags=0x1
  dma probe-x-412     [001] .....   120.000262: iommufd_ioas_map: ioas_id=1 caller=ioctl iova=0x10000 length=0x1000 prot=0x7 flags=0x1 ret=0
           <...>-7     [000] d..1.     5.123456789: iommufd_ioas_map_start: ioas_id=2 caller=vfio_compat iova=0x0 length=0x2000 prot=0x7 flags=0x0
          qemu-9-99     (   90) [001] .....     6.000001: iommufd_ioas_map: ioas_id=3 caller=ioctl iova=0x0 length=0x1000 prot=0x7 flags=0x0 ret=0
 broken line: iommufd_ioas_map_start: no header
T
is "$("$d/t" "$d/trace" iommufd_ioas_map_start 0)" "0 412 120000250000 3" \
	"a comm with a dash and a space: pid 412, microseconds as ns"
is "$("$d/t" "$d/trace" iommufd_ioas_map 0)" "0 412 120000262000 2" "the end record"
is "$("$d/t" "$d/trace" iommufd_ioas_map 1)" "0 99 6000001000 2" \
	"options/record-tgid: the pid before \"(tgid)\", a comm with a digit after a dash"
is "$("$d/t" "$d/trace" iommufd_ioas_map_start 1)" "0 7 5123456789 3" \
	"<...> and nine decimals"
is "$("$d/t" "$d/trace" iommufd_ioas_map_start 2 | cut -d' ' -f1)" -22 \
	"a line without a header: -EINVAL"
is "$("$d/t" "$d/trace" iommufd_ioas_map_start 3 | cut -d' ' -f1)" -2 "no such record: -ENOENT"
is "$("$d/t" "$d/trace" iommufd_ioas_map ioas_id 3)" 1 "trace_find: the record whose field has the value"
is "$("$d/t" "$d/trace" iommufd_ioas_map iova 0x10000)" 0 "trace_find: a hex field"
is "$("$d/t" "$d/trace" iommufd_ioas_map ioas_id 2)" -1 "trace_find: none (ioas_id 2 is a _start's): -1"
off=$("$d/t" "$d/trace" iommufd_ioas_map @1)
is "$(tail -c +$((off + 1)) "$d/trace" | head -1 | cut -c1-25)" "          qemu-9-99     (" \
	"trace_record_offset: the start of the record's line"
[ "$("$d/t" "$d/trace" iommufd_ioas_map_start @0)" -lt "$("$d/t" "$d/trace" iommufd_ioas_map @0)" ]
ok $? "trace_record_offset: a record before another has the smaller offset"
is "$("$d/t" "$d/trace" iommufd_ioas_map @2)" -1 "trace_record_offset: no such record: -1"
done_testing
