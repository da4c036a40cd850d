#!/bin/sh
# run.sh TARGET SECONDS -- build the libFuzzer target TARGET (e.g.
# zone_fuzzer) with clang in build-fuzz/, run it for SECONDS on
# fuzz/corpora/TARGET/ (new inputs are added there) and print libFuzzer's
# final stats. Crashes, leaks and timeouts are written as fuzz/crash-* etc.;
# add them to the corpus once fixed. Logs: build-fuzz/build.log and
# build-fuzz/TARGET.log.
set -eu

usage="usage: fuzz/run.sh TARGET SECONDS"
target=${1:?$usage}
seconds=${2:?$usage}
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-fuzz"
corpus="$root/fuzz/corpora/$target"
dict="$root/fuzz/$target.dict"
log="$build/$target.log"

mkdir -p "$build"
if ! { cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DBUILD_FUZZERS=ON -DBUILD_TESTS=OFF -DSANITIZE="address;undefined" &&
	cmake --build "$build" --target "$target" -j "$(nproc 2>/dev/null || echo 2)"; } \
	>"$build/build.log" 2>&1; then
	tail -n 40 "$build/build.log" >&2
	echo "building $target failed; see $build/build.log" >&2
	exit 1
fi

mkdir -p "$corpus"
set -- -max_total_time="$seconds" -timeout=10 -max_len=8192 -print_final_stats=1 \
	-artifact_prefix="$root/fuzz/"
if [ -f "$dict" ]; then
	set -- "$@" -dict="$dict"
fi

status=0
"$build/fuzz/$target" "$@" "$corpus" >"$log" 2>&1 || status=$?
grep -E '^#[0-9]+[[:space:]]+DONE|^stat::|^Done ' "$log" || true
if [ "$status" -ne 0 ]; then
	echo "$target failed (exit $status); see $log" >&2
	tail -n 40 "$log" >&2
fi
exit "$status"
