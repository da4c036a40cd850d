#!/usr/bin/env bash
# demo.sh -- build mailaudit and audit the bundled demo zone.
#
# Prints the text report and writes report.xml in the repository root.
# Needs the 'build' packages: `bash scripts/install-deps.sh build` first.
# Exits with the audit's own status (0 expected for the demo zone).
set -euo pipefail

# Work from the repository root whatever the caller's directory.
cd "$(dirname "$0")/.."

# BUILD_TESTS=OFF: the test suite needs cmocka, which only the 'test'
# profile installs; the demo needs just the binary and its data files.
cmake -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTS=OFF
cmake --build build -j2

echo
echo "== ./build/mailaudit check demo.example --zone testdata/zones -o report.xml"
# Run outside `set -e` so the audit's exit status is reported, then returned.
rc=0
./build/mailaudit check demo.example --zone testdata/zones -o report.xml || rc=$?
# The customer-facing form of the same audit (a self-contained HTML page).
[ "$rc" -ne 0 ] || ./build/mailaudit check demo.example --zone testdata/zones -o report.html -q || rc=$?
echo
if [ "$rc" -eq 0 ]; then
	echo "demo: OK; reports written to $(pwd)/report.xml and $(pwd)/report.html"
else
	echo "demo: mailaudit exited with status $rc" >&2
fi
exit "$rc"
