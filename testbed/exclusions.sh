# SPDX-License-Identifier: GPL-2.0
# Sourced in the guest by testbed/guest-tests and bpf/tests/alltools-mock.sh.
#
#   selftest_dir BINDIR            where the selftest binaries to run are:
#                                  BINDIR/selftests, or on a debug kernel
#                                  BINDIR/selftests/slow (the same tests,
#                                  300 s per test instead of the harness's
#                                  30: KASAN under TCG is ~10x slower)
#   selftest_exclusions SELFTEST   the kselftest "-T TEST" options for the
#                                  tests of SELFTEST left out on this
#                                  kernel's base (testbed/selftest-exclusions),
#                                  each also named as a TAP comment on stderr
selftest_dir() {
	if grep -q -- '-debug@' /proc/version && [ -d "$1/selftests/slow" ]; then
		echo "$1/selftests/slow"
	else
		echo "$1/selftests"
	fi
}

selftest_exclusions() {
	local base=mainline b s t why
	case $(uname -r) in 6.12.*) base=6.12 ;; esac
	# A pipe, not < <(...): the guest has no /dev/fd.
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$(dirname "${BASH_SOURCE[0]}")/selftest-exclusions" |
		while read -r b s t why; do
			[ "$b" = "$base" ] && [ "$s" = "$1" ] || continue
			echo "# $1: excluded on $base: $t ($why)" >&2
			printf -- '-T %s ' "$t"
		done
}
