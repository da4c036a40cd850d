#!/usr/bin/env bash
# html_test.sh -- the HTML report end to end, from zone files (no DNS server):
# well-formed, no script, no event handler, nothing external, hostile text
# escaped, both languages; rendered by headless Chromium to PNG and PDF.
# Usage: html_test.sh MAILAUDIT FAKEDNS NSD_STATE_DIR TESTDATA DATADIR WORKDIR
# (the arguments of cli_test.sh; FAKEDNS and NSD_STATE_DIR are not used).
set -u

MAILAUDIT=$1
TESTDATA=$4
export MAILAUDIT_DATADIR=$5
WORK=$6
ZONES="$TESTDATA/zones"
CHROMIUM=/usr/bin/chromium
pass=0
fail=0

mkdir -p "$WORK"

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok; else bad "$what"; fi
}

# render DOMAIN LANG OUT: the HTML report of DOMAIN from the zone files.
render() {
	"$MAILAUDIT" check "$1" --zone "$ZONES" --lang "$2" --format html >"$3" 2>"$3.err"
	local rc=$?
	# 0: audit done, 1: below --fail-under (not used), 3: no answer at all.
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || {
		cat "$3.err"
		return 1
	}
	[ -s "$3" ]
}

wellformed() { xmllint --noout "$1" 2>/dev/null; }
no_script() { ! grep -qi '<script' "$1"; }
no_handlers() { ! grep -Eqi '<[^>]*[[:space:]]on[a-z]+[[:space:]]*=' "$1"; }
no_external() { ! grep -Eqi '(src|href|action|srcset|poster|data)[[:space:]]*=[[:space:]]*"?[[:space:]]*(https?:|//|file:|ftp:)' "$1" &&
	! grep -Eqi '@import|url\(' "$1"; }
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }

safe_html() { # safe_html FILE: the checks every rendering must pass
	check "$1: well-formed" wellformed "$1"
	check "$1: no script element" no_script "$1"
	check "$1: no event-handler attribute" no_handlers "$1"
	check "$1: no external reference" no_external "$1"
}

# ---- demo and hostile, both languages
for lang in en es; do
	for d in demo.example hostile.example spf-hostile.example; do
		out="$WORK/$d.$lang.html"
		if ! render "$d" "$lang" "$out"; then
			bad "render $d $lang"
			continue
		fi
		ok
		safe_html "$out"
		check "$out: under 300 KB" test "$(wc -c <"$out")" -lt 307200
	done
	check "lang attribute $lang" grep -Eq "<html[^>]* lang=\"$lang\"" "$WORK/demo.example.$lang.html"
done
check "English title" has "$WORK/demo.example.en.html" "<title>Mail security report: demo.example</title>"
check "Spanish title" has "$WORK/demo.example.es.html" \
	"<title>Informe de seguridad del correo: demo.example</title>"
check "Spanish labels" has "$WORK/demo.example.es.html" "Qué corregir"
check "Spanish rule text" has "$WORK/demo.example.es.html" "Sin política DMARC"
check "no English labels in es" lacks "$WORK/demo.example.es.html" "What to fix"
check "remediation record" has "$WORK/demo.example.en.html" \
	'_dmarc.demo.example. 3600 IN TXT "v=DMARC1; p=none;'
check "severity as a word" has "$WORK/demo.example.en.html" "Problem"
check "client card" has "$WORK/demo.example.en.html" "Set up your mail client"
h="$WORK/hostile.example.en.html"
check "hostile text escaped" has "$h" "&lt;script&gt;"
check "hostile text: no raw tag" lacks "$h" "<script>"
check "hostile text: no raw img" no_handlers "$h"

# ---- -o by extension, --template, errors
o="$WORK/by-extension.html"
check "-o report.html" "$MAILAUDIT" check demo.example --zone "$ZONES" -o "$o" -q
check "-o wrote HTML" has "$o" "<!DOCTYPE html"
cat >"$WORK/brand.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="html"/>
  <xsl:param name="lang"/>
  <xsl:template match="/"><html><head><title>ACME <xsl:value-of select="$lang"/></title></head>
    <body><p>ACME <xsl:value-of select="/audit/@grade"/></p></body></html></xsl:template>
</xsl:stylesheet>
EOF
b="$WORK/brand.html"
check "--template runs" "$MAILAUDIT" check demo.example --zone "$ZONES" --format html \
	--template "$WORK/brand.xsl" --lang es -o "$b" -q
check "--template output" has "$b" "<title>ACME es</title>"
cat >"$WORK/reader.xsl" <<'EOF'
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:template match="/"><x><xsl:copy-of select="document('/etc/passwd')"/></x></xsl:template>
</xsl:stylesheet>
EOF
r="$WORK/reader.out"
"$MAILAUDIT" check demo.example --zone "$ZONES" --format html --template "$WORK/reader.xsl" \
	>"$r" 2>"$r.err"
check "a template may not read files" lacks "$r" "root:"
"$MAILAUDIT" check demo.example --zone "$ZONES" --format html --template "$WORK/none.xsl" \
	>/dev/null 2>"$WORK/none.err"
check "missing template: exit 2" test $? -eq 2
check "missing template: message" has "$WORK/none.err" "cannot load the stylesheet"

# ---- every zone scenario: XML and HTML both well-formed (XSLT and schema in step)
for z in "$ZONES"/*.zone; do
	d=$(basename "$z" .zone)
	x="$WORK/all-$d.xml"
	"$MAILAUDIT" check "$d" --zone "$ZONES" --format xml >"$x" 2>/dev/null
	rc=$?
	if [ $rc -eq 2 ] || [ ! -s "$x" ]; then
		bad "$d: no XML report (exit $rc)"
		continue
	fi
	check "$d: XML well-formed" wellformed "$x"
	for lang in en es; do
		if render "$d" "$lang" "$WORK/all-$d.$lang.html"; then
			safe_html "$WORK/all-$d.$lang.html"
		else
			bad "$d: render $lang"
		fi
	done
done

# ---- headless Chromium: it renders, to a PNG and a PDF, both languages
chromium_run() { # chromium_run ARGS...
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$WORK/chromium.XXXXXX")" "$@" 2>/dev/null
}
size_over() { [ -s "$1" ] && [ "$(wc -c <"$1")" -gt "$2" ]; }
if [ -x "$CHROMIUM" ]; then
	for lang in en es; do
		f="$WORK/demo.example.$lang.html"
		png="$WORK/demo.example.$lang.png"
		pdf="$WORK/demo.example.$lang.pdf"
		rm -f "$png" "$pdf"
		chromium_run --screenshot="$png" --window-size=1200,2400 "file://$f" >/dev/null
		check "$lang: PNG rendered" size_over "$png" 20000
		chromium_run --no-pdf-header-footer --print-to-pdf="$pdf" "file://$f" >/dev/null
		check "$lang: PDF rendered" size_over "$pdf" 10000
		chromium_run --dump-dom "file://$f" >"$WORK/demo.example.$lang.dom"
		title="Mail security report: demo.example"
		[ "$lang" = es ] && title="Informe de seguridad del correo: demo.example"
		check "$lang: title in the DOM" has "$WORK/demo.example.$lang.dom" "<title>$title</title>"
	done
else
	echo "SKIP: $CHROMIUM is missing: the HTML report was not rendered in a browser"
	if [ "${CI:-}" = true ]; then bad "chromium missing under CI=true"; fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
