# SPDX-License-Identifier: GPL-2.0
# Sourced in the guest by testbed/guest-tests and bpf/tests/alltools-mock.sh.
#
#   selftest_exclusions SELFTEST   the kselftest "-T TEST" options for the
#                                  tests of SELFTEST left out on this
#                                  kernel's base (testbed/selftest-exclusions),
#                                  each also named as a TAP comment on stderr
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
