#!/usr/bin/env bash
# verify_test.sh -- `mailaudit verify` end to end: keys of the signed
# fixtures (testdata/mail/) served by NSD from testdata/zones/, the
# tab-separated line format, unreadable files and exit codes.
#
#   verify_test.sh MAILAUDIT FAKEDNS NSD_STATE_DIR TESTDATA DATADIR WORKDIR
#
# Prints one line per check and a closing "N passed, N failed".
set -u

. "$(dirname "$0")/lib.sh"
MAIL=$TESTDATA/mail
TAB=$(printf '\t')
# line_is FILE EXPECTED: the output has exactly this line
line_is() { grep -qxF "$2" "$1" || { echo "  want: $2"; sed 's/^/  got:  /' "$1"; return 1; }; }

# --- usage ------------------------------------------------------------------
check "verify --help exits 0" bash -c "'$MA' verify --help | grep -q 'FILE<TAB>DOMAIN'"
"$MA" verify >/dev/null 2>&1; check "verify without a file exits 2" test $? -eq 2
"$MA" verify --bogus x.eml >/dev/null 2>&1; check "unknown option exits 2" test $? -eq 2
check "main usage lists verify" bash -c "'$MA' --help | grep -q '^  verify'"

# --- results through NSD -----------------------------------------------------
v() { "$MA" verify --resolver "$NSD" --timeout 2 --retries 0 "$@"; }
expect() { # expect NAME FILE.eml "DOMAIN<TAB>SELECTOR<TAB>RESULT<TAB>DETAIL"
	local out=$WORK/$2.out
	v "$MAIL/$2" >"$out" 2>"$WORK/$2.err"
	local rc=$?
	check "$1: exit 0" test $rc -eq 0
	check "$1: line" line_is "$out" "$MAIL/$2$TAB$3"
}
D=dkim-mail.example
expect "rsa-sha256 passes" pass_rsa_sha256.eml "$D${TAB}rsa2048${TAB}pass${TAB}ok"
expect "ed25519 passes" pass_ed25519.eml "$D${TAB}ed25519${TAB}pass${TAB}ok"
expect "body tampered" body_tampered.eml "$D${TAB}rsa2048${TAB}fail${TAB}body-hash-mismatch"
expect "header tampered" header_tampered.eml "$D${TAB}rsa2048${TAB}fail${TAB}signature-mismatch"
expect "rsa-sha1 is policy" rsa_sha1.eml \
	"$D${TAB}rsa2048${TAB}policy${TAB}sha1-forbidden:rsa-sha1 must not verify (RFC 8301)"
expect "512-bit key is policy" short_key_512.eml \
	"$D${TAB}short512${TAB}policy${TAB}key-too-short:RSA key under 1024 bits (RFC 8301)"
expect "revoked key" revoked_key.eml "$D${TAB}revoked${TAB}permerror${TAB}key-revoked"
expect "t=y key" testing_key.eml "$D${TAB}testing${TAB}pass${TAB}testing"
expect "missing key (NXDOMAIN)" key_not_found.eml "$D${TAB}missing${TAB}permerror${TAB}key-not-found"
expect "l= tail" body_length_tail.eml \
	"$D${TAB}rsa2048${TAB}pass${TAB}body-length-limit:34 bytes unsigned"
expect "LF-only file" lf_only.eml "$D${TAB}rsa2048${TAB}pass${TAB}ok"
expect "mbox From line" mbox_from_line.eml "$D${TAB}rsa2048${TAB}pass${TAB}ok"
expect "no signature" no_signature.eml "-${TAB}-${TAB}none"
expect "Latin-1 (not UTF-8) header fields" latin1_headers.eml "$D${TAB}rsa2048${TAB}pass${TAB}ok"
expect "two key records (RFC 6376 3.6.2.2)" two_key_records.eml \
	"$D${TAB}twice${TAB}permerror${TAB}syntax:several TXT records at the key name (RFC 6376 3.6.2.2)"
expect "key record over libopendkim's buffer" long_key_record.eml \
	"$D${TAB}longnote${TAB}permerror${TAB}syntax:key record over 1024 bytes (RSA keys over 4096 bits are not supported, RFC 8301 3.2)"

# NSD is not authoritative for this domain and REFUSEs: a DNS failure.
v "$MAIL/key_servfail.eml" >"$WORK/servfail.out" 2>/dev/null
check "DNS failure: exit 0" test $? -eq 0
check "DNS failure is temperror" grep -q "^$MAIL/key_servfail.eml${TAB}dkim-mail.unreachable.invalid${TAB}rsa2048${TAB}temperror${TAB}dns-error" "$WORK/servfail.out"

v "$MAIL/two_signatures.eml" >"$WORK/two.out" 2>/dev/null
check "two signatures: two lines" test "$(wc -l <"$WORK/two.out")" -eq 2

# --- unreadable files, several files ----------------------------------------
v "$MAIL/pass_rsa_sha256.eml" "$WORK/does-not-exist.eml" "$MAIL" "$MAIL/no_signature.eml" \
	>"$WORK/multi.out" 2>/dev/null
rc=$?
check "an unreadable file: exit 2" test $rc -eq 2
check "missing file has a line" line_is "$WORK/multi.out" \
	"$WORK/does-not-exist.eml${TAB}-${TAB}-${TAB}permerror${TAB}unreadable: No such file or directory"
check "directory has a line" grep -q "^$MAIL${TAB}-${TAB}-${TAB}permerror${TAB}unreadable: " "$WORK/multi.out"
check "files after it are still done" line_is "$WORK/multi.out" "$MAIL/no_signature.eml${TAB}-${TAB}-${TAB}none"
check "four files, four lines" test "$(wc -l <"$WORK/multi.out")" -eq 4
check "every line has 4 or 5 fields" \
	awk -F '\t' 'NF < 4 || NF > 5 { exit 1 }' "$WORK/multi.out"

# Odd inputs never crash: empty, truncated, garbage.
: >"$WORK/empty.eml"
head -c 100000 /dev/urandom >"$WORK/garbage.eml" 2>/dev/null
v "$WORK/empty.eml" "$MAIL/truncated.eml" "$WORK/garbage.eml" >"$WORK/odd.out" 2>/dev/null
check "odd inputs: exit 0" test $? -eq 0
check "odd inputs: three lines" test "$(wc -l <"$WORK/odd.out")" -eq 3

finish
