#!/usr/bin/env bash
# dnssec_test.sh -- the AD path for real. Three zones are served by one NSD
# (nsd-fixture.sh over a temp directory) behind Debian's unbound as a
# validating resolver, and mailaudit audits each through unbound:
#
#   signed.example    signed with fresh keys (ldns-keygen, ldns-signzone);
#                     unbound trusts its DS: every answer has AD, the DNSKEY
#                     answer too, no dnssec.unsigned, and its TLSA record is
#                     reported validated (no dane.without-dnssec).
#   unsigned.example  the same data unsigned: no AD anywhere, dnssec.unsigned
#                     and dane.without-dnssec fire.
#   bogus.example     signed, but unbound trusts another key: validation
#                     fails (SERVFAIL), so the areas are inconclusive and
#                     nothing is reported missing.
#
# The same NSD serves testdata/zones/nb-*.zone: asked directly (an
# authoritative server never sets AD), the scenarios give the findings they
# give from zone files, and a zone with DNSKEY gets dnssec.not-validated.
#
#   dnssec_test.sh MAILAUDIT SRCDIR DATADIR WORKDIR
#
# Needs nsd, unbound, kdig, ldns-keygen, ldns-signzone, xmllint, python3.
# Both servers are tracked by pid and stopped on exit, whatever happens.
# Prints one line per check and a closing "N passed, N failed".
set -u

MA=$1 SRC=$2 DATADIR=$3 WORK=$4
HERE=$SRC/tests/integration/dnssec
FIXTURE=$SRC/tests/integration/nsd-fixture.sh
UNBOUND=${UNBOUND:-$(command -v unbound 2>/dev/null || echo /usr/sbin/unbound)}
pass=0 fail=0
ubpid=

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { # check NAME COMMAND...: passes when the command succeeds
	local name=$1; shift
	if "$@"; then ok "$name"; else bad "$name"; fi
}
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }
has_finding() { test "$(xp "$1" "count(/audit/findings/finding[@id='$2'])")" != 0; }
no_finding() { ! has_finding "$@"; }

stop_unbound() {
	if [ -n "$ubpid" ] && kill -0 "$ubpid" 2>/dev/null; then
		kill "$ubpid" 2>/dev/null
		wait "$ubpid" 2>/dev/null
	fi
	ubpid=
}
cleanup() {
	stop_unbound
	sh "$FIXTURE" stop "$WORK/nsd" 2>/dev/null
}
trap cleanup EXIT

die() {
	bad "$*"
	for f in "$WORK/unbound/unbound.log" "$WORK/unbound/unbound.out" "$WORK/nsd/nsd.log"; do
		[ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	echo "$pass passed, $fail failed"
	exit 1
}

rm -rf "$WORK"
mkdir -p "$WORK/zones" "$WORK/keys" "$WORK/unbound" || exit 1

# --- keys and zones --------------------------------------------------------
# ldns-keygen prints the base name of the files it writes (.key .private .ds).
keygen() { (cd "$WORK/keys" && ldns-keygen -a ECDSAP256SHA256 "$@"); }
sign() { # sign ZONE SOURCE: fresh KSK and ZSK; sets KSK to the KSK's base name
	local zsk
	KSK=$(keygen -k "$1") && zsk=$(keygen "$1") &&
		ldns-signzone -o "$1." -f "$WORK/zones/$1.zone" "$2" \
			"$WORK/keys/$zsk" "$WORK/keys/$KSK"
}
sign signed.example "$HERE/signed.example.zone" || die "signing signed.example"
signed_ds=$WORK/keys/$KSK.ds
sed 's/signed\.example/bogus.example/g' "$HERE/signed.example.zone" >"$WORK/bogus.src"
sign bogus.example "$WORK/bogus.src" || die "signing bogus.example"
# The anchor unbound gets for bogus.example is a key that signed nothing.
other=$(keygen -k bogus.example) || die "generating a stray key"
bogus_ds=$WORK/keys/$other.ds
cp "$HERE/unsigned.example.zone" "$SRC"/testdata/zones/nb-*.zone "$SRC/testdata/zones/example.zone" "$WORK/zones/" || exit 1
check "the signed zone has RRSIGs" grep -q RRSIG "$WORK/zones/signed.example.zone"

# --- NSD: the fixture copes with signed zones (SOA and NS are there) -------
NSD=${NSD:-} sh "$FIXTURE" start "$WORK/nsd" "$WORK/zones" || die "nsd did not start"
nsdport=$(cat "$WORK/nsd/port")
check "nsd serves the signed zone with its signatures" bash -c \
	"kdig @127.0.0.1 -p $nsdport +tcp +dnssec +time=2 +retry=0 signed.example DNSKEY | grep -q RRSIG"

# --- unbound: validating, the DS of signed.example as its trust anchor ------
write_unbound_conf() { # PORT
	local ub=$WORK/unbound
	cat >"$ub/unbound.conf" <<EOF
server:
	interface: 127.0.0.1@$1
	port: $1
	do-ip4: yes
	do-ip6: no
	chroot: ""
	username: ""
	directory: "$ub"
	pidfile: "$ub/unbound.pid"
	logfile: "$ub/unbound.log"
	use-syslog: no
	verbosity: 1
	val-log-level: 2
	num-threads: 1
	so-reuseport: no
	access-control: 127.0.0.0/8 allow
	do-not-query-localhost: no
	qname-minimisation: no
	module-config: "validator iterator"
	val-permissive-mode: no
	trust-anchor: "$(tr -s '\t' ' ' <"$signed_ds")"
	trust-anchor: "$(tr -s '\t' ' ' <"$bogus_ds")"
remote-control:
	control-enable: no
stub-zone:
	name: "signed.example"
	stub-addr: 127.0.0.1@$nsdport
stub-zone:
	name: "unsigned.example"
	stub-addr: 127.0.0.1@$nsdport
stub-zone:
	name: "bogus.example"
	stub-addr: 127.0.0.1@$nsdport
EOF
}

# 0 when unbound answers on PORT over TCP within 10 s.
start_unbound() { # PORT
	local i=0
	write_unbound_conf "$1"
	"$UNBOUND" -d -c "$WORK/unbound/unbound.conf" </dev/null >>"$WORK/unbound/unbound.out" 2>&1 &
	ubpid=$!
	while [ $i -lt 1000 ]; do
		kill -0 "$ubpid" 2>/dev/null || { ubpid=; return 1; }
		if kdig @127.0.0.1 -p "$1" +tcp +time=1 +retry=0 unsigned.example SOA 2>/dev/null |
			grep -q 'status: NOERROR'; then
			return 0
		fi
		sleep 0.01
		i=$((i + 1))
	done
	stop_unbound
	return 1
}

ubport=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + $(od -An -N4 -tu4 /dev/urandom | tr -d ' ') % 40001))
	[ "$p" = "$nsdport" ] && continue
	if start_unbound "$p"; then ubport=$p; break; fi
done
[ -n "$ubport" ] || die "unbound did not start"
UB=127.0.0.1:$ubport

# The resolver itself validates: with the AD bit in the query (RFC 6840
# §5.7), or DO, it sets AD for the signed zone. If this holds and mailaudit's
# answer below has ad="false", the query mailaudit sends lacks both bits.
check "unbound validates signed.example (kdig +adflag)" bash -c \
	"kdig @127.0.0.1 -p $ubport +adflag +time=2 +retry=0 signed.example DNSKEY | grep -q 'Flags:[^;]* ad;'"
check "unbound answers SERVFAIL for bogus.example" bash -c \
	"kdig @127.0.0.1 -p $ubport +time=2 +retry=0 bogus.example MX | grep -q 'status: SERVFAIL'"

# --- mailaudit through unbound ----------------------------------------------
policy=()
valid_xml() {
	xmllint --noout --schema "$DATADIR/report.xsd" "$1" 2>"$WORK/xsd.err" ||
		{ cat "$WORK/xsd.err"; return 1; }
}
audit() { # DOMAIN -> $WORK/DOMAIN.xml; the exit code
	"$MA" check "$1" --resolver "$UB" --timeout 2 --format xml -q -o "$WORK/$1.xml" "${policy[@]}"
}

S=$WORK/signed.example.xml
audit signed.example; rc=$?
check "signed: exit 0" test $rc -eq 0
check "signed: report validates" valid_xml "$S"
check "signed: the DNSKEY answer has ad=\"true\"" test "$(xp "$S" "string(/audit/dnssec/answer/@ad)")" = true
if [ "$(xp "$S" "string(/audit/dnssec/answer/@ad)")" != true ]; then
	echo "     note: unbound sets AD for a query with the AD bit (checked above), so the"
	echo "     queries mailaudit sends carry neither AD nor DO (lib/dnsaudit/src/live.c,"
	echo "     build_query(): RFC 6840 §5.7 wants the AD bit set in the query)."
fi
check "signed: two DNSKEYs, one KSK" test "$(xp "$S" "concat(/audit/dnssec/@keys, '/', /audit/dnssec/@ksk)")" = 2/1
check "signed: no dnssec.unsigned" no_finding "$S" dnssec.unsigned
check "signed: no dnssec.not-validated" no_finding "$S" dnssec.not-validated
check "signed: every answer validated" test "$(xp "$S" "count(//answer[@ad='false'])")" = 0
check "signed: the TLSA record is found" test "$(xp "$S" "string(/audit/dane/host/@records)")" = 1
check "signed: the TLSA answer is validated" test "$(xp "$S" "string(/audit/dane/host/@ad)")" = true
check "signed: no dane.without-dnssec" no_finding "$S" dane.without-dnssec
check "signed: no mta-sts.missing" no_finding "$S" mta-sts.missing
check "signed: answers came from unbound" test "$(xp "$S" "string(/audit/dnssec/answer/@origin)")" = "$UB"

U=$WORK/unsigned.example.xml
audit unsigned.example; rc=$?
check "unsigned: exit 0" test $rc -eq 0
check "unsigned: report validates" valid_xml "$U"
check "unsigned: the DNSKEY answer has ad=\"false\"" test "$(xp "$U" "string(/audit/dnssec/answer/@ad)")" = false
check "unsigned: dnssec.unsigned fires" has_finding "$U" dnssec.unsigned
check "unsigned: no answer validated" test "$(xp "$U" "count(//answer[@ad='true'])")" = 0
check "unsigned: the TLSA record is found" test "$(xp "$U" "string(/audit/dane/host/@records)")" = 1
check "unsigned: dane.without-dnssec fires" has_finding "$U" dane.without-dnssec

B=$WORK/bogus.example.xml
audit bogus.example; rc=$?
check "bogus: exit 0 (SERVFAIL is an answer)" test $rc -eq 0
check "bogus: report validates" valid_xml "$B"
check "bogus: dnssec area inconclusive (servfail)" test "$(xp "$B" "string(/audit/area[@name='dnssec']/@reason)")" = servfail
check "bogus: dane area inconclusive" test "$(xp "$B" "string(/audit/area[@name='dane']/@status)")" = inconclusive
check "bogus: no dnssec.unsigned" no_finding "$B" dnssec.unsigned
check "bogus: no mta-sts.missing" no_finding "$B" mta-sts.missing

# --- the nb-* scenarios over the wire, straight from NSD ---------------------
ids() { xp "$1" "/audit/findings/finding/@id" | tr ' ' '\n' | sed -n 's/^id="\(.*\)"$/\1/p' | sort -u; }
for d in bare sts-multiple sts-syntax sts-hostile sts-many sts-cname rpt-syntax rpt-multiple \
	bimi-syntax dane-nodnssec srv-plain srv-dot nullmx; do
	d=$d.nb-issues.example
	"$MA" check "$d" --zone "$SRC/testdata/zones" -q -o "$WORK/$d.zones.xml" "${policy[@]}"
	"$MA" check "$d" --resolver "127.0.0.1:$nsdport" -q -o "$WORK/$d.nsd.xml" "${policy[@]}"
	check "$d: same findings from zone files and NSD" test "$(ids "$WORK/$d.zones.xml")" = "$(ids "$WORK/$d.nsd.xml")"
done
check "sts-hostile: report from NSD validates" valid_xml "$WORK/sts-hostile.nb-issues.example.nsd.xml"
G=$WORK/nb-good.nsd.xml
"$MA" check nb-good.example --resolver "127.0.0.1:$nsdport" -q -o "$G" "${policy[@]}"
check "nb-good from NSD: report validates" valid_xml "$G"
check "nb-good from NSD: dnssec.not-validated (no AD from an authoritative server)" has_finding "$G" dnssec.not-validated
check "nb-good from NSD: TLSA read off the wire" test "$(xp "$G" "string(/audit/dane/host[1]/tlsa/@usage-name)")" = DANE-EE
check "nb-good from NSD: two rua URIs" test "$(xp "$G" "count(/audit/tls-rpt/record/rua)")" = 2
check "nb-good from NSD: imaps on 993" test "$(xp "$G" "string(/audit/srv/service[@name='imaps']/target/@port)")" = 993

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
