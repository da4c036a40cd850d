#!/usr/bin/env bash
# test.sh -- mailaudit's whole test suite, as CI runs it.
#
#   1. banned-function check over lib/ and cmd/
#   2. normal build in build/      (-Werror), ctest
#   3. ASan+UBSan build in build-asan/ (-Werror), ctest
#
# Needs the 'test' packages: `bash scripts/install-deps.sh test` first.
# Every step runs even when an earlier one failed, so one run shows all
# problems; the exit status is non-zero if any step failed.
#
# Environment:
#   CI=true          a missing ../shared/conformance is an error, not a skip
#   BUILD_DIR        normal build directory   (default: build)
#   ASAN_BUILD_DIR   sanitizer build directory (default: build-asan)
#   JOBS             parallel build/test jobs (default: 2)
set -euo pipefail

cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}
JOBS=${JOBS:-2}

t_start=$SECONDS
failures=()   # names of failed steps
summary=()    # one "step: result (time)" entry per step
tests_passed=0
tests_failed=0

log() { printf '\n=== test.sh: %s\n' "$*"; }

# ---------------------------------------------------------------- conformance
# The public conformance suites live beside the repository (../shared).
# Locally they are optional (their tests skip); CI must have them, or it
# would silently test less than it claims.
conf_args=()
if [ -d ../shared/conformance ]; then
	conf_args=("-DMAILAUDIT_CONFORMANCE_DIR=$(realpath ../shared/conformance)")
elif [ "${CI:-}" = true ]; then
	echo "test.sh: error: CI=true but $(realpath -m ../shared/conformance) does not exist;" >&2
	echo "test.sh: CI needs the shared conformance suites checked out beside the repository." >&2
	exit 1
else
	echo "test.sh: warning: ../shared/conformance not found; conformance tests will be skipped" >&2
fi

# ------------------------------------------------------------ banned functions
# Unsafe or error-swallowing libc calls. Comments and string/char literals
# are blanked first so that prose like "never use strcpy()" does not count;
# identifiers must match whole (so snprintf, vsnprintf, strtol, fgets pass).
banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok|alloca'
banned_check() {
	local files
	mapfile -t files < <(find "$@" -type f \( -name '*.c' -o -name '*.h' \) | sort)
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v re="(^|[^A-Za-z0-9_])(${banned})[ \t]*\\(" '
	FNR == 1 { inc = 0 }   # a new file never starts inside a comment
	{
		src = $0; out = ""; n = length(src); i = 1
		while (i <= n) {
			c = substr(src, i, 1); c2 = substr(src, i, 2)
			if (inc) {                       # inside /* ... */
				if (c2 == "*/") { inc = 0; i += 2 } else i++
				out = out " "; continue
			}
			if (c2 == "/*") { inc = 1; i += 2; out = out " "; continue }
			if (c2 == "//") break
			if (c == "\"" || c == "\047") {  # string or char literal
				q = c; out = out q; i++
				while (i <= n) {
					c = substr(src, i, 1)
					if (c == "\\") { i += 2; continue }
					i++
					if (c == q) break
				}
				out = out q; continue
			}
			out = out c; i++
		}
		if (out ~ re) { printf "%s:%d: %s\n", FILENAME, FNR, $0; bad = 1 }
	}
	END { exit bad ? 1 : 0 }' "${files[@]}"
}

log "banned functions (${banned//|/ }) in lib/ cmd/"
if banned_check lib cmd; then
	summary+=("banned-functions: ok")
else
	echo "test.sh: banned function calls found (above); use snprintf, strtol/strtoul, strtok_r, ..." >&2
	failures+=("banned-functions")
	summary+=("banned-functions: FAILED")
fi

# ------------------------------------------------------------------- builds
# run_suite NAME DIR CMAKE_ARGS...: configure, build and ctest one build tree.
run_suite() {
	local name=$1 dir=$2
	shift 2
	local t0=$SECONDS t_build t_test ntests out rc
	log "$name: configure + build in $dir/"
	if ! { cmake -S . -B "$dir" -DBUILD_TESTS=ON -DENABLE_WERROR=ON "${conf_args[@]}" "$@" &&
		cmake --build "$dir" -j"$JOBS"; }; then
		failures+=("$name-build")
		summary+=("$name: BUILD FAILED ($((SECONDS - t0))s)")
		return 0
	fi
	t_build=$((SECONDS - t0))

	# A suite that registers no test is broken, not green.
	ntests=$(ctest --test-dir "$dir" -N | sed -n 's/^Total Tests: *//p' || true)
	if [ "${ntests:-0}" -eq 0 ]; then
		echo "test.sh: $name: ctest found no tests in $dir/" >&2
		failures+=("$name-no-tests")
		summary+=("$name: NO TESTS (build ${t_build}s)")
		return 0
	fi

	log "$name: ctest ($ntests tests)"
	t0=$SECONDS
	out=$(mktemp)
	rc=0
	# --timeout is only the default: tests with their own TIMEOUT keep it.
	ctest --test-dir "$dir" --output-on-failure -j"$JOBS" --timeout 600 2>&1 | tee "$out" || rc=$?
	t_test=$((SECONDS - t0))
	# "100% tests passed, 0 tests failed out of 42"
	local line f total
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -n 1 || true)
	rm -f "$out"
	if [ -n "$line" ]; then
		f=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
		total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
		tests_failed=$((tests_failed + f))
		tests_passed=$((tests_passed + total - f))
	fi
	if [ "$rc" -ne 0 ]; then
		failures+=("$name-tests")
		summary+=("$name: TESTS FAILED${line:+ ($line)} (build ${t_build}s, tests ${t_test}s)")
	else
		summary+=("$name: ok, $ntests tests (build ${t_build}s, tests ${t_test}s)")
	fi
}

run_suite normal "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=

# Sanitizer build: Debug (-O0 -g) keeps stack traces exact and avoids GCC's
# optimizer-driven false-positive warnings under ASan, which -Werror would
# turn into build failures. Any report aborts the test (no recovery).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite asan+ubsan "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug '-DSANITIZE=address;undefined'

# ------------------------------------------------------------------ summary
total=$((SECONDS - t_start))
echo
for s in "${summary[@]}"; do
	echo "test.sh: $s"
done
if [ ${#failures[@]} -eq 0 ]; then
	echo "test.sh: PASS in ${total}s"
else
	echo "test.sh: FAIL in ${total}s: ${failures[*]}"
fi
# Plain closing line with the ctest totals of both builds.
echo "summary: $tests_passed passed, $tests_failed failed"
[ ${#failures[@]} -eq 0 ]
