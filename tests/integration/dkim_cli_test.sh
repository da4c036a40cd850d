#!/usr/bin/env bash
# dkim_cli_test.sh -- DKIM through the mailaudit CLI: --selector and its exit
# codes, the dkim.* findings from zone files and from a real NSD serving the
# same zones (CNAME-delegated selectors across zones, the wildcard revoked key
# of a parked domain, hostile key records), and a resolver that fails
# (the dkim area is inconclusive, never "missing").
#
#   dkim_cli_test.sh MAILAUDIT FAKEDNS NSD_STATE_DIR TESTDATA DATADIR WORKDIR
#
# Prints one line per check and a closing "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"

dkim_ids() { finding_ids "$1" | grep '^dkim\.' | sort -u | tr '\n' ' ' | sed 's/ $//'; }

ma() { "$MA" check "$@"; }

# --- --selector: usage and exit codes ----------------------------------------
check "--help documents --selector" bash -c "'$MA' check --help | grep -q -- '--selector NAME'"
ma dkim-good.example --zone "$ZONES" --selector 'bad name' >/dev/null 2>"$WORK/err"; rc=$?
check "an invalid --selector exits 2" test $rc -eq 2
check "... and is named" grep -q "'bad name' is not a DKIM selector" "$WORK/err"
ma dkim-good.example --zone "$ZONES" --selector 'a..b' >/dev/null 2>&1; rc=$?
check "an empty label in --selector exits 2" test $rc -eq 2
ma dkim-good.example --zone "$ZONES" --selector >/dev/null 2>&1; rc=$?
check "--selector without a value exits 2" test $rc -eq 2
many=(); for i in $(seq 65); do many+=(--selector "s$i"); done
ma dkim-good.example --zone "$ZONES" "${many[@]}" >/dev/null 2>"$WORK/err"; rc=$?
check "65 --selector options exit 2" test $rc -eq 2
check "... saying why" grep -q "too many --selector" "$WORK/err"
ma dkim-good.example --zone "$ZONES" --selector selector1 --selector SELECTOR2 -q -o "$WORK/sel.xml"; rc=$?
check "valid --selector options exit 0" test $rc -eq 0
check "named selectors are listed as explicit" test "$(xp "$WORK/sel.xml" "count(/audit/dkim/selector[@source='explicit'])")" = 2
check "... lowercased" test "$(xp "$WORK/sel.xml" "string(/audit/dkim/selector[2]/@name)")" = selector2
check "... and not guessed again" test "$(xp "$WORK/sel.xml" "count(/audit/dkim/selector)")" = 2
check "guessed is false with --selector" test "$(xp "$WORK/sel.xml" "string(/audit/dkim/@guessed)")" = false
check "the report validates" valid_xml "$WORK/sel.xml"

# A missing named selector fails: the grade drops, and --fail-under sees it.
ma explicit.dkim-keys.example --zone "$ZONES" --selector custom2026 -q -o "$WORK/found.xml"
ma explicit.dkim-keys.example --zone "$ZONES" --selector missing -q -o "$WORK/missing.xml"; rc=$?
check "a missing selector still exits 0 (the audit was done)" test $rc -eq 0
s_found=$(xp "$WORK/found.xml" "string(/audit/@score)")
s_missing=$(xp "$WORK/missing.xml" "string(/audit/@score)")
check "a missing selector costs points ($s_found > $s_missing)" test "$s_found" -gt "$s_missing"
g_found=$(xp "$WORK/found.xml" "string(/audit/@grade)")
ma explicit.dkim-keys.example --zone "$ZONES" --selector missing --fail-under "$g_found" -q -o "$WORK/m2.xml"; rc=$?
if [ "$(xp "$WORK/m2.xml" "string(/audit/@grade)")" != "$g_found" ]; then
	check "--fail-under the found key's grade exits 1 when the selector is missing" test $rc -eq 1
else
	check "--fail-under: same band, exit 0" test $rc -eq 0
fi

# --- zone files and NSD give the same dkim findings ---------------------------
# domain|selector|expected dkim.* ids
cases=(
	"dkim-good.example||"
	"short.dkim-keys.example||dkim.key-too-short"
	"key1024.dkim-keys.example||dkim.key-1024"
	"key4096.dkim-keys.example||"
	"revoked.dkim-keys.example||dkim.key-revoked"
	"testing.dkim-keys.example||dkim.key-testing"
	"sha1.dkim-keys.example||dkim.sha1"
	"syntax.dkim-keys.example||dkim.key-syntax"
	"edspki.dkim-keys.example||dkim.key-syntax"
	"ed25519.dkim-keys.example||"
	"pkcs1.dkim-keys.example||"
	"nokey.dkim-keys.example||dkim.no-key-found"
	"explicit.dkim-keys.example||dkim.no-key-found"
	"explicit.dkim-keys.example|custom2026|"
	"explicit.dkim-keys.example|missing|dkim.selector-missing"
	"spfwild.dkim-keys.example||dkim.no-key-found"
	"hostile.dkim-keys.example||dkim.key-syntax"
	"dkim-parked.example||"
	"dkim-parked.example|default|"
	"dkim-delegated.example||"
	"dkim-delegated.example|s2|dkim.selector-missing"
)
for c in "${cases[@]}"; do
	IFS='|' read -r d sel want <<<"$c"
	args=(); [ -n "$sel" ] && args=(--selector "$sel")
	tag="$d${sel:+ --selector $sel}"
	ma "$d" "${args[@]}" --zone "$ZONES" -q -o "$WORK/$d.$sel.zones.xml"
	ma "$d" "${args[@]}" --resolver "$NSD" -q -o "$WORK/$d.$sel.nsd.xml"
	z=$(dkim_ids "$WORK/$d.$sel.zones.xml")
	n=$(dkim_ids "$WORK/$d.$sel.nsd.xml")
	check "$tag: zones give [$want] (got [$z])" test "$z" = "$want"
	check "$tag: NSD gives the same" test "$n" = "$want"
	check "$tag: NSD report validates" valid_xml "$WORK/$d.$sel.nsd.xml"
	check "$tag: the dkim area is conclusive" test "$(xp "$WORK/$d.$sel.nsd.xml" "string(/audit/area[@name='dkim']/@status)")" = ok
done

D=$WORK/dkim-delegated.example..nsd.xml
check "delegated: the alias target is shown" test "$(xp "$D" "string(/audit/dkim/selector[@name='selector1']/@alias-target)")" = selector1-dkim-delegated-example._domainkey.dkim-provider.example.
check "delegated: the provider's key is read through the CNAME" test "$(xp "$D" "string(/audit/dkim/selector[@name='selector1']/key/@bits)")" = 2048
check "delegated: NSD answers came over the network" test "$(xp "$D" "string(/audit/dkim/selector[@name='selector1']/answer/@origin)")" = "$NSD"
P=$WORK/dkim-parked.example..nsd.xml
check "parked: wildcard-revoked over NSD" test "$(xp "$P" "string(/audit/dkim/@wildcard-revoked)")" = true
check "parked: no guessed selector listed" test "$(xp "$P" "count(/audit/dkim/selector)")" = 0
G=$WORK/dkim-good.example..nsd.xml
check "good: both keys found over NSD" test "$(xp "$G" "string(/audit/dkim/@active-keys)")" = 2
check "good: guessed selectors that are absent are counted, not listed" test "$(xp "$G" "/audit/dkim/@common-absent = /audit/dkim/@common-tried - 2")" = true
H=$WORK/hostile.dkim-keys.example..nsd.xml
check "hostile: no raw <script in the XML" bash -c "! grep -q '<script' '$H'"
check "hostile: NUL in a key record is \\000" grep -q 'p=\\000\\255\\254' "$H"
ma hostile.dkim-keys.example --resolver "$NSD" --format json >"$WORK/h.json"
check "hostile: JSON parses" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$WORK/h.json"
out=$(ma short.dkim-keys.example --resolver "$NSD" --lang es)
check "text report in Spanish names the fix" grep -q "opendkim-genkey -b 2048 -s default-2048 -d short.dkim-keys.example" <<<"$out"

# --- failing lookups: inconclusive, never missing -----------------------------
ma failing.dkim-keys.example --zone "$ZONES" --selector broken -q -o "$WORK/broken.xml"
check "a named selector that fails: dkim area inconclusive" test "$(xp "$WORK/broken.xml" "string(/audit/area[@name='dkim']/@status)")" = inconclusive
check "... and no dkim.selector-missing" test -z "$(dkim_ids "$WORK/broken.xml")"
if start_fake servfail; then
	ma dkim-good.example --resolver "$FAKE" --selector s1 -q -o "$WORK/sf.xml"; rc=$?
	check "servfail: exit 0 (an answer came)" test $rc -eq 0
	check "servfail: dkim area inconclusive (servfail)" test "$(xp "$WORK/sf.xml" "string(/audit/area[@name='dkim']/@reason)")" = servfail
	check "servfail: no dkim finding" test -z "$(dkim_ids "$WORK/sf.xml")"
	ma dkim-good.example --resolver "$FAKE" -q -o "$WORK/sf2.xml"
	check "servfail: every guess failed, no dkim.no-key-found" test -z "$(dkim_ids "$WORK/sf2.xml")"
else
	bad "servfail: fakedns did not start"
fi

finish
