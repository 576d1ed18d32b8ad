#!/usr/bin/env bash
# tests/html/html.sh [GHOSTGUARD] - `ghostguard analyze --html`: the page is
# self-contained, headless Chromium renders the summary, the timeline and a
# card per source with the numbers of the JSON report, text from packets
# (User-Agents, extensions, passwords carrying HTML and script) is shown as
# text and never becomes markup, and big captures give a bounded page.
# Prints TAP. GG_HTML_SHOT=FILE.png keeps the screenshot of the lab capture.
set -u
bin=${1:-build/ghostguard}
here=$(dirname "$0")
tmp=$(mktemp -d /tmp/gg-html.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; fails=$((fails + 1)); }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

chromium=$(command -v chromium || command -v chromium-browser || true)
# Headless Chromium, bounded: it can be slow to start on a busy machine.
chrome() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$tmp/profile" --hide-scrollbars "$@" 2>/dev/null
}

# The lab capture: svmap, svwar and the provider's calls.
"$bin" analyze -c tests/analyze/lab-mixed/conf --json \
    tests/captures/mixed.pcap >"$tmp/mixed.json"
"$bin" analyze -c tests/analyze/lab-mixed/conf --html "$tmp/mixed.html" \
    tests/captures/mixed.pcap >"$tmp/mixed.txt"
rc=$?
check "analyze --html exits 0 and writes the page" \
    test $rc = 0 -a -s "$tmp/mixed.html"
check "the text report still goes to standard output" \
    grep -q '^203.0.113.77  SCANNER' "$tmp/mixed.txt"
check "the page is self-contained (no script, link, image or URL)" \
    bash -c "! grep -Eiq '<script|<link|<img|<iframe|<object|src=|href=|url\\(|@import|https?:' '$tmp/mixed.html'"
"$bin" analyze -c tests/analyze/lab-mixed/conf --html - \
    tests/captures/mixed.pcap >"$tmp/stdout.html"
check "--html - writes the page to standard output" \
    cmp -s "$tmp/stdout.html" "$tmp/mixed.html"

if [ -z "$chromium" ]; then
	nok "chromium is not installed (scripts/deps.sh test installs it)"
	echo "1..$n"
	exit 1
fi

chrome --dump-dom "file://$tmp/mixed.html" >"$tmp/mixed.dom"
check "Chromium renders the page (dump-dom)" \
    grep -q 'id="timeline"' "$tmp/mixed.dom"
python3 "$here/dom_check.py" report "$tmp/mixed.dom" "$tmp/mixed.json" |
    sed "s/^/# /" >"$tmp/dom.out"
cat "$tmp/dom.out"
check "the rendered cards, timeline and summary show the JSON report's numbers" \
    grep -q '^# ALL OK' "$tmp/dom.out"
chrome --window-size=1100,2600 --screenshot="$tmp/mixed.png" \
    "file://$tmp/mixed.html" >/dev/null
check "Chromium takes a screenshot of the page" \
    bash -c "[ \"\$(head -c 4 '$tmp/mixed.png' | od -An -c | tr -d ' ')\" = '211PNG' ] && [ \$(stat -c %s '$tmp/mixed.png') -gt 20000 ]"
[ -n "${GG_HTML_SHOT:-}" ] && cp "$tmp/mixed.png" "$GG_HTML_SHOT"

# Attacker-controlled text: HTML and script in User-Agents, extensions and
# a password read from an svcrack tag.
python3 "$here/mkpcap.py" inject "$tmp/inject.pcap"
"$bin" analyze --html "$tmp/inject.html" "$tmp/inject.pcap" >/dev/null
check "the injection capture gives a page" test -s "$tmp/inject.html"
check "no <script, <img or <svg onload from packets in the raw page" \
    bash -c "! grep -Eiq '<script|<img|<svg onload|<b>x' '$tmp/inject.html'"
check "the User-Agent's <script> is in the page, escaped" \
    grep -qF 'friendly-scanner &lt;script&gt;alert(1)&lt;/script&gt;' \
    "$tmp/inject.html"
check "the extension's quotes are escaped" \
    grep -qF '&#39;onmouseover=&#39;alert(5)' "$tmp/inject.html"
check "the password's <script> is escaped" \
    grep -qF '&lt;script&gt;alert(6)&lt;/script&gt;' "$tmp/inject.html"
chrome --dump-dom "file://$tmp/inject.html" >"$tmp/inject.dom"
python3 "$here/dom_check.py" inject "$tmp/inject.dom" |
    sed "s/^/# /" >"$tmp/inject.out"
cat "$tmp/inject.out"
check "in the rendered DOM the payloads are text: no script element, no on* attribute, no foreign element" \
    grep -q '^# ALL OK' "$tmp/inject.out"

# A big capture: 2000 scanners over two days.
python3 "$here/mkpcap.py" many 2000 "$tmp/many.pcap"
"$bin" analyze --html "$tmp/many.html" "$tmp/many.pcap" >/dev/null
cards=$(grep -c '<section class="card' "$tmp/many.html")
rows=$(grep -c '<g class="row"' "$tmp/many.html")
check "2000 sources: 300 cards ($cards), 40 timeline rows and all traffic ($rows)" \
    test "$cards" = 300 -a "$rows" = 41
check "2000 sources: the page says 1700 further sources are in the text and JSON reports" \
    grep -q '1700 further sources are in the text and JSON' "$tmp/many.html"
# The footer and the legend in the singular when one source is left over.
python3 "$here/mkpcap.py" many 301 "$tmp/301.pcap"
"$bin" analyze --html "$tmp/301.html" "$tmp/301.pcap" >/dev/null
check "301 sources: the page says 1 further source is in the text and JSON reports" \
    grep -q '1 further source is in the text and JSON' "$tmp/301.html"
python3 "$here/mkpcap.py" many 41 "$tmp/41.pcap"
"$bin" analyze --html "$tmp/41.html" "$tmp/41.pcap" >/dev/null
check "41 sources: the timeline says 1 further source is not drawn" \
    grep -q '; 1 further source is not drawn\.' "$tmp/41.html"
"$bin" analyze --max-sources 40 --html "$tmp/41m.html" "$tmp/41.pcap" >/dev/null
check "41 sources, --max-sources 40: 1 packet from about 1 further source is counted" \
    grep -q '1 packet from about 1 further source is counted but not described' "$tmp/41m.html"
size=$(stat -c %s "$tmp/many.html")
check "2000 sources: the page stays small ($size bytes < 2 MB)" \
    test "$size" -lt 2000000

echo "1..$n"
[ $fails = 0 ]
