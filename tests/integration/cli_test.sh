#!/usr/bin/env bash
# cli_test.sh -- the mailaudit CLI end to end: exit codes, formats, the XSD,
# the same findings from zone files and from a real NSD serving them, hostile
# record content, overlay mode, and resolvers that fail (timeout, SERVFAIL).
#
#   cli_test.sh MAILAUDIT FAKEDNS NSD_STATE_DIR TESTDATA DATADIR WORKDIR
#
# Prints one line per check and a closing "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"

# --- usage and exit codes -------------------------------------------------
check "--version prints the version" bash -c "'$MA' --version | grep -q '^mailaudit [0-9]'"
check "--help exits 0" "$MA" --help
"$MA" check >/dev/null 2>&1; check "check without DOMAIN exits 2" test $? -eq 2
"$MA" check x.example --bogus >/dev/null 2>&1; check "unknown option exits 2" test $? -eq 2
"$MA" frobnicate >/dev/null 2>&1; check "unknown command exits 2" test $? -eq 2
"$MA" check x.example --zone "$ZONES" --format yaml >/dev/null 2>&1; check "bad --format exits 2" test $? -eq 2
"$MA" check 'exa mple..com' --zone "$ZONES" >/dev/null 2>&1; check "invalid domain exits 2" test $? -eq 2
"$MA" check x.example --zone /nonexistent/zones >/dev/null 2>"$WORK/err"; rc=$?
check "unreadable zone path exits 2" test $rc -eq 2
check "unreadable zone path is named" grep -q "/nonexistent/zones" "$WORK/err"

printf '$ORIGIN bad.example.\n@ 300 IN MX 10 mx1\nmx1 300 IN A 192.0.2.300\n' >"$WORK/bad.example.zone"
"$MA" check bad.example --zone "$WORK/bad.example.zone" >/dev/null 2>"$WORK/err"; rc=$?
check "malformed zone file exits 2" test $rc -eq 2
check "malformed zone file error has file:line" grep -q "bad.example.zone:3:" "$WORK/err"

"$MA" check mx-literal.example --zone "$ZONES" --fail-under B -q -o "$WORK/l.xml"; rc=$?
check "--fail-under B on grade D exits 1" test $rc -eq 1
grade=$(xp "$WORK/l.xml" "string(/audit/@grade)")
"$MA" check mx-literal.example --zone "$ZONES" --fail-under "$grade" -q -o "$WORK/l.xml"; rc=$?
check "--fail-under G on grade G exits 0" test $rc -eq 0
"$MA" check mx-literal.example --zone "$ZONES" --fail-under Z >/dev/null 2>&1; rc=$?
check "--fail-under with an unknown grade exits 2" test $rc -eq 2

# --- formats ----------------------------------------------------------------
"$MA" check demo.example --zone "$ZONES" -o "$WORK/demo.json" -q
check "-o .json writes JSON" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['domain']=='demo.example' and 'grade' in d and isinstance(d['findings'],list) and d['areas'] and d['facts']" "$WORK/demo.json"
"$MA" check demo.example --zone "$ZONES" -o "$WORK/demo.txt" -q
check "-o .txt writes text" grep -q "^Grade: " "$WORK/demo.txt"
"$MA" check demo.example --zone "$ZONES" --format xml -o "$WORK/demo.json2" -q
check "--format wins over the extension" valid_xml "$WORK/demo.json2"
out=$("$MA" check demo.example --zone "$ZONES" --lang es)
check "--lang es translates the text report" grep -q "^Nota: " <<<"$out"
"$MA" check demo.example --zone "$ZONES" -o "$WORK/q.xml" -q >"$WORK/stdout"
check "-q prints nothing" test ! -s "$WORK/stdout"
a=$("$MA" check demo.example --zone "$ZONES" --format json | sed 's/"started":"[^"]*"//')
b=$("$MA" check demo.example --zone "$ZONES" --format json | sed 's/"started":"[^"]*"//')
check "JSON is deterministic" test "$a" = "$b"
out=$("$MA" check piñata.es --zone "$ZONES")
check "IDN shows both forms" grep -q "^xn--piata-pta.es (piñata.es)" <<<"$out"

# --- zone files and NSD give the same findings ------------------------------
for d in demo.example mx-good.example mx-missing.example mx-null.example mx-cname.example \
	mx-literal.example mx-unresolvable.example hostile.example xn--piata-pta.es; do
	"$MA" check "$d" --zone "$ZONES" -q -o "$WORK/$d.zones.xml"
	"$MA" check "$d" --resolver "$NSD" -q -o "$WORK/$d.nsd.xml"
	check "$d: zones report validates" valid_xml "$WORK/$d.zones.xml"
	check "$d: NSD report validates" valid_xml "$WORK/$d.nsd.xml"
	z=$(finding_ids "$WORK/$d.zones.xml"; xp "$WORK/$d.zones.xml" "string(/audit/@grade)")
	n=$(finding_ids "$WORK/$d.nsd.xml"; xp "$WORK/$d.nsd.xml" "string(/audit/@grade)")
	check "$d: same findings and grade from zones and NSD" test "$z" = "$n"
	check "$d: NSD answers came over the network" test "$(xp "$WORK/$d.nsd.xml" "string(/audit/mx/answer/@origin)")" = "$NSD"
done
check "demo.example has findings" test -n "$(finding_ids "$WORK/demo.example.nsd.xml")"

# --- SPF through NSD: include chains across zones --------------------------
for d in spf-good.example toomany.spf-issues.example split.spf-issues.example \
	incmissing.spf-issues.example loop.spf-issues.example spf-hostile.example; do
	"$MA" check "$d" --zone "$ZONES" -q -o "$WORK/$d.zones.xml"
	"$MA" check "$d" --resolver "$NSD" -q -o "$WORK/$d.nsd.xml"
	check "$d: NSD report validates" valid_xml "$WORK/$d.nsd.xml"
	z=$(finding_ids "$WORK/$d.zones.xml"; xp "$WORK/$d.zones.xml" "string(/audit/spf/@lookups)")
	n=$(finding_ids "$WORK/$d.nsd.xml"; xp "$WORK/$d.nsd.xml" "string(/audit/spf/@lookups)")
	check "$d: same findings and lookup count from zones and NSD" test "$z" = "$n"
done
"$MA" check spf-chain.example --resolver "$NSD" -q -o "$WORK/chain.xml"; rc=$?
check "a 45-level include chain: the audit completes (exit 0)" test $rc -eq 0
check "a 45-level include chain: spf.lookups-exceeded" test -n "$(finding_ids "$WORK/chain.xml" | grep spf.lookups-exceeded)"
check "a 45-level include chain: the report validates" valid_xml "$WORK/chain.xml"
# DMARC: discovery walks and report destinations across zones, over the wire.
for d in good.dmarc-issues.example dmarc-none.example multiple.dmarc-issues.example \
	extrua.dmarc-issues.example extok.dmarc-issues.example sub.inh.dmarc-issues.example \
	a.shop.mismatch-tld parked.example parked-weak.example; do
	"$MA" check "$d" --zone "$ZONES" -q -o "$WORK/$d.zones.xml"
	"$MA" check "$d" --resolver "$NSD" -q -o "$WORK/$d.nsd.xml"
	check "$d: NSD report validates" valid_xml "$WORK/$d.nsd.xml"
	z=$(finding_ids "$WORK/$d.zones.xml"; xp "$WORK/$d.zones.xml" "string(/audit/@profile)")
	n=$(finding_ids "$WORK/$d.nsd.xml"; xp "$WORK/$d.nsd.xml" "string(/audit/@profile)")
	check "$d: same findings and profile from zones and NSD" test "$z" = "$n"
done
check "parked.example: graded A by the parked profile" test "$(xp "$WORK/parked.example.nsd.xml" "concat(/audit/@profile, ' ', /audit/@grade)")" = "parked A"
"$MA" check a.shop.mismatch-tld --resolver "$NSD" --dmarc-spec 7489 -q -o "$WORK/m7.xml"
check "--dmarc-spec 7489: the PSL method decides" test "$(xp "$WORK/m7.xml" "string(/audit/dmarc/@status)")" = none
"$MA" check a.shop.mismatch-tld --zone "$ZONES" --dmarc-spec 4408 >/dev/null 2>&1; rc=$?
check "--dmarc-spec with another number exits 2" test $rc -eq 2
# Sample messages (--eml): keys from the same source as the audit.
MAIL=$TESTDATA/mail
emls=(--eml "$MAIL/pass_rsa_sha256.eml" --eml "$MAIL/body_tampered.eml" --eml "$MAIL/two_from.eml" --eml "$WORK/no-such.eml")
"$MA" check dkim-mail.example --zone "$ZONES" "${emls[@]}" -q -o "$WORK/eml.zones.xml"; rc=$?
check "--eml: exit 0 even with an unreadable sample" test $rc -eq 0
"$MA" check dkim-mail.example --resolver "$NSD" "${emls[@]}" -q -o "$WORK/eml.nsd.xml"
check "--eml: the report validates" valid_xml "$WORK/eml.nsd.xml"
check "--eml: same findings from zones and NSD" test "$(finding_ids "$WORK/eml.zones.xml")" = "$(finding_ids "$WORK/eml.nsd.xml")"
check "--eml: the tampered sample is dkim.sample-fail" test -n "$(finding_ids "$WORK/eml.nsd.xml" | grep -x dkim.sample-fail)"
check "--eml: two From fields are dkim.sample-multiple-from" test -n "$(finding_ids "$WORK/eml.nsd.xml" | grep -x dkim.sample-multiple-from)"
check "--eml: the good sample passes and aligns" test "$(xp "$WORK/eml.nsd.xml" "string(/audit/samples/sample[1]/@dkim-aligned)")" = true
check "--eml: the unreadable sample says why" test -n "$(xp "$WORK/eml.nsd.xml" "string(/audit/samples/sample[4]/@error)")"
check "--eml: the key record is kept as evidence" bash -c "[[ '$(xp "$WORK/eml.nsd.xml" "string(/audit/samples/sample[1]/signature/@key-record)")' == 'v=DKIM1; k=rsa; p=MII'* ]]"
check "--eml: and where it came from (the server)" test "$(xp "$WORK/eml.nsd.xml" "string(/audit/samples/sample[1]/signature/@key-origin)")" = "$NSD"
check "--eml: or the zone file" bash -c "[[ '$(xp "$WORK/eml.zones.xml" "string(/audit/samples/sample[1]/signature/@key-origin)")' == *dkim-mail.example.zone* ]]"
"$MA" check dkim-mail.example --resolver "$NSD" "${emls[@]}" -q --format html --lang es -o "$WORK/eml.html"
check "--eml: the HTML report says where the key came from" grep -qF "(clave de <span class=\"mono\">$NSD</span>)" "$WORK/eml.html"
check "--eml: the sample's selector is checked as a named one" test "$(xp "$WORK/eml.nsd.xml" "string(/audit/dkim/selector[@name='rsa2048']/@source)")" = explicit
spf() { "$MA" spf --resolver "$NSD" "$@" | head -n 1; }
check "spf: pass through two levels of include" test "$(spf --ip 203.0.113.5 --sender a@spf-good.example)" = pass
check "spf: an IPv6 client" test "$(spf --ip 2001:db8::77 --sender a@spf-good.example)" = pass
check "spf: fail for an unlisted client" test "$(spf --ip 198.51.100.9 --sender a@spf-good.example)" = fail
check "spf: the MX host passes" test "$(spf --ip 192.0.2.25 --sender a@spf-good.example)" = pass
check "spf: null sender uses postmaster@helo" test "$(spf --ip 198.51.100.9 --sender '' --helo softfail.spf-issues.example)" = softfail
check "spf: no record is none" test "$(spf --ip 192.0.2.1 --sender a@missing.spf-issues.example)" = none
check "spf: too many lookups is permerror" test "$(spf --ip 192.0.2.1 --sender a@toomany.spf-issues.example)" = permerror
check "spf: an include loop ends as permerror" test "$(spf --ip 192.0.2.1 --sender a@loop.spf-issues.example)" = permerror
"$MA" spf --resolver "$NSD" --ip 198.51.100.9 --sender a@spf-good.example >"$WORK/trace"; rc=$?
check "spf: exit 0 whatever the result" test $rc -eq 0
check "spf: the trace names each record" grep -q "check_host(_spf.spf-provider-b.example)" "$WORK/trace"
check "spf: the trace counts lookups" grep -q "^DNS-querying terms: 3, void lookups: 0" "$WORK/trace"
"$MA" spf --ip 999.1.1.1 --sender a@b.example --zone "$ZONES" >/dev/null 2>&1; rc=$?
check "spf: a bad address exits 2" test $rc -eq 2
"$MA" spf --sender a@b.example --zone "$ZONES" >/dev/null 2>&1; rc=$?
check "spf: missing --ip exits 2" test $rc -eq 2

# --- hostile content ----------------------------------------------------------
H=$WORK/hostile.example.nsd.xml
check "hostile: the big TXT set came over TCP" test "$(xp "$H" "string(/audit/txt/answer/@transport)")" = tcp
check "hostile: all 12 TXT records kept" test "$(xp "$H" "count(/audit/txt/answer/rr)")" = 12
check "hostile: no raw <script in the XML" bash -c "! grep -q '<script' '$H'"
check "hostile: markup is escaped" grep -q '&lt;script&gt;' "$H"
check "hostile: NUL is \\000" grep -q 'v=spf1 \\000 nul' "$H"
check "hostile: invalid UTF-8 is \\DDD" grep -q 'bad utf8 \\255\\254 \\195' "$H"
check "hostile: U+FFFE is escaped" grep -q '\\239\\191\\190 U+FFFE' "$H"
check "hostile: valid UTF-8 kept" grep -q 'piñata ünïcode' "$H"
"$MA" check hostile.example --resolver "$NSD" --format json >"$WORK/h.json"
check "hostile: JSON parses" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$WORK/h.json"
check "hostile: no raw < in JSON" bash -c "! grep -q '<' '$WORK/h.json'"

# --- overlay: the zone file about to be published, the rest live -------------
mkdir -p "$WORK/new"
printf '$ORIGIN demo.example.\n@ 300 IN SOA ns1 host 1 2 3 4 5\n@ 300 IN MX 10 mx2.mailhost.example.\n' >"$WORK/new/demo.example.zone"
"$MA" check demo.example --zone "$WORK/new/demo.example.zone" --resolver "$NSD" -q -o "$WORK/ov.xml"
check "overlay: the zone file answers for its names" test "$(xp "$WORK/ov.xml" "string(/audit/mx/host/@name)")" = mx2.mailhost.example.
check "overlay: other names come from the resolver" test "$(xp "$WORK/ov.xml" "string(/audit/mx/host/answer[1]/@origin)")" = "$NSD"
check "overlay: source kind" test "$(xp "$WORK/ov.xml" "string(/audit/source/@kind)")" = overlay
printf '$ORIGIN shop.example.\n@ 300 IN SOA ns1 host 1 2 3 4 5\n@ 300 IN MX 10 mail\nmail 300 IN CNAME mx1.mailhost.example.\n' >"$WORK/new/shop.example.zone"
"$MA" check shop.example --zone "$WORK/new/shop.example.zone" --resolver "$NSD" -q -o "$WORK/ov2.xml"
check "overlay: a CNAME out of the zone file is followed live" test "$(xp "$WORK/ov2.xml" "string(/audit/mx/host/@resolved)")" = yes
check "overlay: ... so no false mx.unresolvable" test -z "$(finding_ids "$WORK/ov2.xml" | grep mx.unresolvable)"
check "overlay: ... and the alias is reported" test -n "$(finding_ids "$WORK/ov2.xml" | grep mx.cname)"
printf 'demo.example. 300 IN MX 10 mx2.mailhost.example.\n' >"$WORK/noauthority.txt"
"$MA" check demo.example --zone "$WORK/noauthority.txt" --resolver "$NSD" >/dev/null 2>"$WORK/err"; rc=$?
check "overlay: a file without authority is refused (exit 2)" test $rc -eq 2
check "overlay: the refusal names the file" grep -q "noauthority.txt" "$WORK/err"

# --- failing resolvers: inconclusive, never missing ---------------------------
if start_fake blackhole; then
	t0=$(date +%s)
	"$MA" check demo.example --resolver "$FAKE" -o "$WORK/bh.xml" -q 2>"$WORK/err"; rc=$?
	t=$(($(date +%s) - t0))
	check "blackhole: exit 3 (no answer at all)" test $rc -eq 3
	check "blackhole: ends within 30 s (took ${t}s)" test $t -le 30
	check "blackhole: mx area is inconclusive (timeout)" test "$(xp "$WORK/bh.xml" "string(/audit/area[@name='mx']/@reason)")" = timeout
	check "blackhole: no mx.missing" test -z "$(finding_ids "$WORK/bh.xml" | grep mx.missing)"
	check "blackhole: report validates" valid_xml "$WORK/bh.xml"
	check "blackhole: no spf.missing" test -z "$(finding_ids "$WORK/bh.xml" | grep spf.missing)"
	r=$("$MA" spf --resolver "$FAKE" --timeout 0.3 --retries 0 --ip 192.0.2.1 --sender a@spf-good.example | head -n 1)
	check "blackhole: spf says temperror" test "$r" = temperror
else
	bad "blackhole: fakedns did not start"
fi
if start_fake servfail; then
	"$MA" check demo.example --resolver "$FAKE" -o "$WORK/sf.xml" -q; rc=$?
	check "servfail: exit 0 (an answer came)" test $rc -eq 0
	check "servfail: mx area is inconclusive (servfail)" test "$(xp "$WORK/sf.xml" "string(/audit/area[@name='mx']/@reason)")" = servfail
	check "servfail: no mx finding at all" test -z "$(finding_ids "$WORK/sf.xml")"
	check "servfail: grade not penalised" test "$(xp "$WORK/sf.xml" "string(/audit/@score)")" = 100
else
	bad "servfail: fakedns did not start"
fi
"$MA" check demo.example --resolver 127.0.0.1:1 --timeout 0.5 --retries 0 -q -o "$WORK/ne.xml"; rc=$?
check "nothing listening: exit 3" test $rc -eq 3
check "nothing listening: inconclusive, not missing" test "$(xp "$WORK/ne.xml" "string(/audit/area[@name='mx']/@status)")" = inconclusive

finish
