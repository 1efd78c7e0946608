# build.sh: builds the libFuzzer targets with clang, sourced by
# tests/reliability/fuzz-short.sh (make check) and
# tests/reliability/fuzz/run (long runs).
#
#   fuzz_build OUTDIR     builds OUTDIR/fuzz_prefix, fuzz_url, fuzz_body
#
# The targets are compiled from the project's sources directly, with
# -fsanitize=fuzzer,address,undefined, so that libFuzzer sees coverage of
# the code under test (src/libfh.a is built by the configured compiler,
# without coverage).  Needs top_srcdir and top_builddir (for config.h);
# CLANG overrides the compiler.  A missing clang is a hard error: the fuzz
# tests never skip.
FUZZ_TARGETS="prefix url body"

fuzz_fail() {
	echo "fuzz: $*" >&2
	exit 99
}

fuzz_build() {
	local out=$1 cc=${CLANG:-} t srcs libs v
	if [ -z "$cc" ]; then
		for v in clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
			command -v "$v" >/dev/null && { cc=$v; break; }
		done
	fi
	[ -n "$cc" ] ||
		fuzz_fail "clang not found: install clang (and libclang-rt-dev for libFuzzer)"
	[ -f "$top_builddir/config.h" ] ||
		fuzz_fail "$top_builddir/config.h missing: run configure first"
	mkdir -p "$out" || fuzz_fail "mkdir $out"
	local cflags="-g -O1 -fsanitize=fuzzer,address,undefined
		-fno-sanitize-recover=undefined -I$top_builddir -I$top_srcdir/src
		-I$top_srcdir/src/search -I$top_srcdir/src/run -I$top_srcdir/src/queue
		$(pkg-config --cflags nettle librabbitmq 2>/dev/null)"
	for t in $FUZZ_TARGETS; do
		case $t in
		prefix) srcs="src/search/prefix.c"; libs= ;;
		url) srcs="src/queue/url.c"
		     libs=$(pkg-config --libs librabbitmq 2>/dev/null || echo -lrabbitmq) ;;
		body) srcs="src/search/prefix.c src/search/verify.c src/run/output.c"
		      libs=$(pkg-config --libs nettle 2>/dev/null || echo -lnettle) ;;
		esac
		# shellcheck disable=SC2086
		(cd "$top_srcdir" && "$cc" $cflags -o "$out/fuzz_$t" \
			"tests/reliability/fuzz/fuzz_$t.c" $srcs $libs) \
			>"$out/build-$t.log" 2>&1 || {
			cat "$out/build-$t.log" >&2
			fuzz_fail "cannot build fuzz_$t with $cc (libFuzzer needs libclang-rt-dev)"
		}
	done
}
