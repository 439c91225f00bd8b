# SPDX-License-Identifier: GPL-2.0
# testbed/check-config: options Kconfig dropped are named and fail.
. "$(dirname "$0")/../tap.sh"
chk=$(dirname "$0")/../../testbed/check-config
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT

printf '# comment\nCONFIG_A=y\nCONFIG_B="str"\n# CONFIG_C is not set\n' >"$d/frag"
printf 'CONFIG_A=y\nCONFIG_B="str"\n# CONFIG_C is not set\nCONFIG_D=y\n' >"$d/good"
printf 'CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_C=y\n' >"$d/bad"

"$chk" "$d/frag" "$d/good" 2>"$d/err"
is "$?" 0 "every option in effect"
"$chk" "$d/frag" "$d/bad" 2>"$d/err"
is "$?" 1 "a dropped option fails"
like "$(cat "$d/err")" '^dropped: CONFIG_B="str" \(resolved: # CONFIG_B is not set\)' "names the dropped option"
like "$(cat "$d/err")" '^forced on: # CONFIG_C is not set' "names an option that should be off"
like "$(cat "$d/err")" '2 option\(s\)' "counts them"
"$chk" "$d/frag" "$d/nonexistent" 2>/dev/null
is "$?" 2 "unreadable .config is a usage error"

# A flavour's fragment comes after the base one: the last value counts.
printf 'CONFIG_A=y\n# CONFIG_C is not set\nCONFIG_A=m\nCONFIG_C=y\n' >"$d/frag2"
printf 'CONFIG_A=m\nCONFIG_C=y\n' >"$d/mod"
"$chk" "$d/frag2" "$d/mod" 2>"$d/err"
is "$?" 0 "an option set twice is checked at its last value"
printf 'CONFIG_A=y\nCONFIG_C=y\n' >"$d/mod"
"$chk" "$d/frag2" "$d/mod" 2>"$d/err"
is "$?" 1 "...and its earlier value does not satisfy it"
like "$(cat "$d/err")" '^dropped: CONFIG_A=m \(resolved: CONFIG_A=y\)' "...naming the last value"

# The real fragment has no duplicate options (a later line would win).
frag=$(dirname "$0")/../../testbed/config.fragment
dups=$(grep -oE '^(# )?CONFIG_[A-Z0-9_]+' "$frag" | sed 's/^# //' | sort | uniq -d)
is "$dups" "" "config.fragment sets each option once"
done_testing
