# lib.sh -- what the CLI integration scripts share (sourced, not run): their
# arguments, the check/report helpers, and hostile fake servers started on
# free ports and stopped on exit.
#
#   . lib.sh MAILAUDIT FAKEDNS NSD_STATE_DIR TESTDATA DATADIR WORKDIR
#
# A script ends with `finish`, which prints "N passed, N failed".

MA=$1 FAKEDNS=$2 STATE=$3 TESTDATA=$4 DATADIR=$5 WORK=$6
ZONES=$TESTDATA/zones
XSD=$DATADIR/report.xsd
PORT=$(cat "$STATE/port")
NSD=127.0.0.1:$PORT
mkdir -p "$WORK"
pass=0 fail=0
fakepids=()

cleanup() {
	for p in "${fakepids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...: passes when the command succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }
valid_xml() { xmllint --noout --schema "$XSD" "$1" 2>"$WORK/xsd.err" || { cat "$WORK/xsd.err"; return 1; }; }
finding_ids() { xp "$1" "/audit/findings/finding/@id" | tr ' ' '\n' | sed -n 's/^id="\(.*\)"$/\1/p' | sort; }

# A hostile fake server on a free port: start_fake MODE -> sets FAKE to ADDR:PORT.
start_fake() {
	local port ready=$WORK/fake-$1.ready
	rm -f "$ready"
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 40000))
		"$FAKEDNS" --port "$port" --mode "$1" --ready-file "$ready" &
		local pid=$!
		for _ in $(seq 100); do [ -f "$ready" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.02; done
		if [ -f "$ready" ]; then fakepids+=("$pid"); FAKE=127.0.0.1:$port; return 0; fi
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
	done
	return 1
}

finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
