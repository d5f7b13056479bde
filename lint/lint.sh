#!/bin/sh
# lint/lint.sh: the static analysis of `make lint` (lint/local.mk).
#
#   lint.sh entry --srcdir DIR OUT CC FLAGS... -- FILES...
#       append one compile command per C file of FILES (headers skipped) to
#       OUT, with CC FLAGS: the compiler and the flags make uses for that
#       program (written by lint/local.mk from the automake variables)
#   lint.sh compdb --srcdir DIR PARTS OUT
#       turn the entries into OUT, a compile_commands.json (one entry per
#       file, the first program's flags winning), and check that every C file
#       git knows under DIR is in it, so a new source cannot escape the lint
#   lint.sh cppcheck --srcdir DIR --db DB --supp FILE --jobs N [--cppcheck PROG]
#   lint.sh clang-tidy --srcdir DIR --db DB --jobs N [--clang-tidy PROG]
#       run one analyser over every file of DB; print each finding as
#       `file:line: message` (file relative to DIR), then `PASS: NAME` or
#       `FAIL: NAME (N findings)`; exit 1 on any finding or analyser error.
set -u

die() {
	echo "lint.sh: $*" >&2
	exit 2
}

# json_command: the lines of stdin, one argument each, as the JSON string
# of a command line (the "command" form: cppcheck 2.10 drops the quotes of
# -DMCP_VERSION="..." given in the "arguments" form).  An argument's
# backslashes, double quotes and spaces are escaped with a backslash.
json_command() {
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/ /\\ /g' \
	    -e 's/\\/\\\\/g' -e 's/"/\\"/g' |
		awk 'BEGIN { printf "\"" }
		{ printf "%s%s", (NR > 1 ? " " : ""), $0 }
		END { printf "\"" }'
}

# entry: the flags are kept one per line in a temporary file (each may hold
# spaces), then each C file gets a line "FILE<TAB>JSON-COMMAND" in OUT.
cmd_entry() {
	out=$1
	shift
	tmp=$out.flags.$$
	: >"$tmp" || exit 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		printf '%s\n' "$1" >>"$tmp"
		shift
	done
	[ $# -gt 0 ] || die "entry: -- missing"
	shift
	for f in "$@"; do
		case $f in
		*.c) ;;
		*) continue ;;
		esac
		args=$( { cat "$tmp"; printf '%s\n' -c "$srcdir/$f"; } | json_command)
		printf '%s\t%s\n' "$f" "$args" >>"$out"
	done
	rm -f "$tmp"
}

# (The directories are written unescaped: a build or source path holding
# a double quote or a backslash is not supported.)
cmd_compdb() {
	parts=$1 out=$2
	awk -F '\t' -v dir="$builddir" -v src="$srcdir" '
	BEGIN { printf "[" }
	!seen[$1]++ {
		printf "%s\n{\"directory\": \"%s\", \"file\": \"%s/%s\", \"command\": %s}", (n++ ? "," : ""), dir, src, $1, $2
	}
	END { print "\n]" }' "$parts" >"$out.tmp" || exit 2
	# Every C file of the checkout must be linted (a source added to a
	# program but not to lint/local.mk shows up here).
	if git -C "$srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		missing=$(git -C "$srcdir" ls-files '*.c' | while read -r f; do
			grep -q "^$f	" "$parts" || echo "$f"
		done)
		if [ -n "$missing" ]; then
			for f in $missing; do
				echo "$f:1: not linted: add it to lint/local.mk" >&2
			done
			rm -f "$out.tmp"
			exit 1
		fi
	fi
	mv "$out.tmp" "$out"
}

# files DB: the files of a compile_commands.json, one per line.
files() {
	sed -n 's/^.*"file": "\([^"]*\)".*$/\1/p' "$1"
}

# report NAME RAW STATUS: print the findings of RAW relative to srcdir,
# one per line and each once, then the result line.
report() {
	name=$1 raw=$2 st=$3
	sort -u "$raw" | sed "s|^$srcdir/||" >"$raw.sorted"
	n=$(wc -l <"$raw.sorted")
	cat "$raw.sorted"
	rm -f "$raw.sorted"
	if [ "$n" -eq 0 ] && [ "$st" -eq 0 ]; then
		echo "PASS: $name"
		return 0
	fi
	echo "FAIL: $name ($n findings)"
	return 1
}

cmd_cppcheck() {
	raw=lint/cppcheck.out
	# --project gives cppcheck each file's -I and -D, the config header
	# included; system headers are not parsed (--library describes libc
	# and POSIX instead), hence no missingIncludeSystem.  Only curl's
	# headers are reached (CURL_CFLAGS names their directory), and their
	# gcc type-checking macros are beyond cppcheck: hence
	# CURL_DISABLE_TYPECHECK.
	# (No --cppcheck-build-dir: its cache outlived changes to the
	# library file; a whole run takes seconds.)
	"$cppcheck" --project="$db" --quiet -j "$jobs" \
		--enable=warning,style,portability,performance \
		--library=posix --library=openssl \
		--library="$srcdir/lint/cppcheck.cfg" \
		-DCURL_DISABLE_TYPECHECK \
		--std=c11 --inline-suppr \
		--suppressions-list="$supp" \
		--error-exitcode=1 \
		--template='{file}:{line}: {severity}: {message} [{id}]' \
		2>"$raw.err" >/dev/null
	st=$?
	grep -E '^[^ :]+:[0-9]+: ' "$raw.err" >"$raw"
	# Anything else on stderr is cppcheck failing, not a finding.
	grep -vE '^[^ :]+:[0-9]+: ' "$raw.err" >&2
	rm -f "$raw.err"
	report cppcheck "$raw" "$st"
}

cmd_clang_tidy() {
	raw=lint/clang-tidy.out
	# One clang-tidy per file, $jobs at a time; only the first line of each
	# diagnostic is a finding (notes and the quoted source are context).
	# The config is $srcdir/.clang-tidy, found from each file's path.
	files "$db" | xargs -n 1 -P "$jobs" "$clang_tidy" -p "$db" --quiet \
		2>lint/clang-tidy.err >lint/clang-tidy.log
	st=$?
	grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error): ' lint/clang-tidy.log |
		sed -E 's/^([^:]+:[0-9]+):[0-9]+: /\1: /' >"$raw"
	# clang-tidy counts its warnings on stderr; anything else there is
	# an error of the tool.
	grep -vE '^[0-9]+ (warning|error)s? (generated|and [0-9]+ warnings? generated)\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^Error while processing' \
		lint/clang-tidy.err >&2
	report clang-tidy "$raw" "$st"
}

[ $# -ge 1 ] || die "usage: lint.sh entry|compdb|cppcheck|clang-tidy ..."
sub=$1
shift
srcdir=. builddir=$(pwd) db=lint/compile_commands.json supp=/dev/null
jobs=2 cppcheck=cppcheck clang_tidy=clang-tidy
while [ $# -gt 0 ]; do
	case $1 in
	--srcdir) srcdir=$2; shift 2 ;;
	--db) db=$2; shift 2 ;;
	--supp) supp=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--cppcheck) cppcheck=$2; shift 2 ;;
	--clang-tidy) clang_tidy=$2; shift 2 ;;
	*) break ;;
	esac
done
srcdir=$(cd "$srcdir" && pwd) || die "no srcdir"
case $sub in
entry) cmd_entry "$@" ;;
compdb) cmd_compdb "$@" ;;
cppcheck) cmd_cppcheck ;;
clang-tidy) cmd_clang_tidy ;;
*) die "unknown command $sub" ;;
esac
