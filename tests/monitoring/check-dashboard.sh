#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# check-dashboard.sh — checks a Grafana dashboard (and Prometheus alert rules) against
# what a Prometheus endpoint really exports.
#
#   check-dashboard.sh DASHBOARD METRICS_FILE [RULES_FILE]
#
# DASHBOARD     Grafana dashboard JSON as exported for sharing (contrib/grafana/dnsrep.json)
# METRICS_FILE  a Prometheus text exposition: tests/data/metrics-sample.prom, or a real
#               scrape: curl -s http://127.0.0.1:9167/metrics > scrape.prom
# RULES_FILE    Prometheus rule file (contrib/prometheus/dnsrep-alerts.yml)
#
# Checks: the JSON parses; a title and a numeric schemaVersion; every panel (rows' nested
# panels too) has a unique numeric id and a gridPos (h, w, x, y; x + w <= 24); an
# __inputs entry DS_PROMETHEUS of type datasource, and every datasource reference of a
# panel, target and query variable is ${DS_PROMETHEUS}; every templating variable is used
# and every $variable used is defined (Grafana's own $__… aside); every metric name in
# every target expr and variable query — and in every expr of RULES_FILE — is in
# METRICS_FILE (up, ALERTS and Prometheus's scrape_* series aside: Prometheus makes them).
# Each problem is one line on stdout (an unreadable file is one).  Exit 0 when there is
# none, 1 otherwise; 2 for a usage error or without jq.
# Needs jq, awk, sed, sort.
set -u
prog=check-dashboard.sh
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $prog DASHBOARD METRICS_FILE [RULES_FILE]" >&2
  exit 2
fi
dash=$1 metrics=$2 rules=${3:-}
for f in "$dash" "$metrics" ${rules:+"$rules"}; do
  [ -r "$f" ] && [ -f "$f" ] || { echo "$f: cannot read it"; exit 1; }
done
command -v jq >/dev/null 2>&1 || { echo "$prog: jq is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-dashboard.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
problems=0
problem() { echo "$*"; problems=$((problems + 1)); }

if ! jq -e 'type == "object"' "$dash" >/dev/null 2>"$tmp/jq.err"; then
  problem "$dash: not a JSON object: $(head -n 1 "$tmp/jq.err")"
  exit 1
fi

# every panel, rows' nested panels included
PANELS='[.panels[]?, (.panels[]? | .panels[]?)]'
# "panel ID "TITLE"" for messages
WHO='"panel \(.id // "(no id)") \"\(.title // "")\""'

# --- structure -------------------------------------------------------------------
jq -r '
  (if (.title | type) != "string" or .title == "" then "dashboard: no title" else empty end),
  (if (.schemaVersion | type) != "number" or .schemaVersion < 27
   then "dashboard: schemaVersion \(.schemaVersion) is not a number >= 27" else empty end),
  (if (.panels | type) != "array" or (.panels | length) == 0 then "dashboard: no panels" else empty end)
' "$dash" > "$tmp/out"
jq -r "$PANELS"' | .[] |
  (if (.id | type) != "number" then '"$WHO"' + ": no numeric id" else empty end),
  (if (.gridPos | type) != "object" then '"$WHO"' + ": no gridPos"
   elif ([.gridPos.h, .gridPos.w, .gridPos.x, .gridPos.y] | all(type == "number")) | not
   then '"$WHO"' + ": gridPos needs numbers h, w, x, y"
   elif .gridPos.x + .gridPos.w > 24 then '"$WHO"' + ": gridPos x + w is over 24"
   else empty end)
' "$dash" >> "$tmp/out"
jq -r "$PANELS"' | map(select(.id | type == "number")) | group_by(.id)[] | select(length > 1) |
  "panel id \(.[0].id) is used \(length) times: " + (map("\"\(.title // "")\"") | join(", "))
' "$dash" >> "$tmp/out"

# --- the datasource input and references --------------------------------------------
jq -r '
  if [.__inputs[]? | select(.name == "DS_PROMETHEUS" and .type == "datasource" and .pluginId == "prometheus")]
     | length == 0
  then "dashboard: no __inputs entry DS_PROMETHEUS (type datasource, pluginId prometheus)" else empty end
' "$dash" >> "$tmp/out"
# a reference is ${DS_PROMETHEUS}, as a string or as {"uid": …}; Grafana's own
# "-- Grafana --"/"-- Dashboard --" annotation datasources are not queries of ours
DSOK='(. == "${DS_PROMETHEUS}" or (type == "object" and .uid == "${DS_PROMETHEUS}"))'
jq -r "$PANELS"' | .[] | select(.type != "row") as $p |
  (if (.datasource | '"$DSOK"') then empty
   else ($p | '"$WHO"') + ": datasource is \(.datasource | tojson), not ${DS_PROMETHEUS}" end),
  (.targets[]? | select((.datasource == null) | not) | select(.datasource | '"$DSOK"' | not) |
   ($p | '"$WHO"') + ": target \(.refId // "?") datasource is \(.datasource | tojson), not ${DS_PROMETHEUS}")
' "$dash" >> "$tmp/out"
jq -r '.templating.list[]? | select(.type == "query") | select(.datasource | '"$DSOK"' | not) |
  "variable \(.name): datasource is \(.datasource | tojson), not ${DS_PROMETHEUS}"
' "$dash" >> "$tmp/out"
jq -r "$PANELS"' | .[] | select(.type != "row") | select((.targets | type) != "array" or (.targets | length) == 0) |
  '"$WHO"' + ": no targets"
' "$dash" >> "$tmp/out"

# --- templating variables: defined <-> used -------------------------------------------
jq -r '.templating.list[]?.name' "$dash" | sort -u > "$tmp/vars.defined"
# where variables are used: target exprs and legends, panel titles, variable queries
jq -r "$PANELS"' | .[] | (.title // ""), (.targets[]? | (.expr // ""), (.legendFormat // ""))' \
  "$dash" > "$tmp/uses"
jq -r '.templating.list[]? | (.query | if type == "object" then .query // "" else . // "" end),
  (.definition // "")' "$dash" >> "$tmp/uses"
# $name, ${name}, ${name:format}, [[name]]; Grafana's own start with __
sed -n 's/[[]\{2\}\([A-Za-z0-9_]*\)[]]\{2\}/${\1}/g; p' "$tmp/uses" |
  grep -o '[$][{]\{0,1\}[A-Za-z_][A-Za-z0-9_]*' | sed 's/^[$][{]\{0,1\}//' |
  grep -v '^__' | sort -u > "$tmp/vars.used"
comm -13 "$tmp/vars.defined" "$tmp/vars.used" | sed 's/.*/variable $& is used but not defined in templating/' >> "$tmp/out"
comm -23 "$tmp/vars.defined" "$tmp/vars.used" | sed 's/.*/variable $& is defined but used nowhere/' >> "$tmp/out"

# --- metric names ----------------------------------------------------------------------
# The names METRICS_FILE exports: each sample line's name, and each # TYPE line's
# (so a histogram's base name counts too).  Prometheus makes up, ALERTS, scrape_*.
{
  awk '/^#[ \t]+TYPE[ \t]/ { print $3; next }
       /^[ \t]*#/ || /^[ \t]*$/ { next }
       { n = $1; sub(/\{.*/, "", n); print n }' "$metrics"
  printf '%s\n' up ALERTS ALERTS_FOR_STATE scrape_duration_seconds scrape_samples_scraped \
    scrape_samples_post_metric_relabeling scrape_series_added
} | sort -u > "$tmp/exported"
[ "$(wc -l < "$tmp/exported")" -gt 7 ] || problem "$metrics: no metrics in it (not a Prometheus exposition?)"

# metric_names: PromQL expressions on stdin, one a line, the metric names they select on
# stdout.  Grafana's $variables, strings, label matchers {…}, ranges […], label lists of
# by/without/on/ignoring/group_left/group_right and function names are taken out first;
# what is left that looks like a name and is no PromQL keyword is a metric.
metric_names() {
  sed -E -e 's/[$][{][^}]*[}]/ /g' -e 's/[$][A-Za-z_][A-Za-z0-9_]*/ /g' \
      -e 's/\[\[[^]]*\]\]/ /g' \
      -e 's/"([^"\\]|\\.)*"/ /g' -e "s/'([^'\\\\]|\\\\.)*'/ /g" -e 's/`[^`]*`/ /g' \
      -e 's/[{][^}]*[}]/ /g' -e 's/\[[^]]*\]/ /g' \
      -e 's/(^|[^A-Za-z0-9_:])(by|without|on|ignoring|group_left|group_right)[[:space:]]*\([^)]*\)/\1 /g' \
      -e 's/[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(/ (/g' |
    tr -c 'A-Za-z0-9_:.' '\n' | grep '^[A-Za-z_:][A-Za-z0-9_:]*$' |
    grep -v -x -e by -e without -e on -e ignoring -e group_left -e group_right \
      -e and -e or -e unless -e bool -e offset -e inf -e Inf -e nan -e NaN \
      -e sum -e min -e max -e avg -e group -e stddev -e stdvar -e count -e count_values \
      -e bottomk -e topk -e quantile -e atan2
}

# dashboard: "WHERE<TAB>EXPR" per target and query variable (newlines joined)
jq -r "$PANELS"' | .[] | . as $p | .targets[]? | select(.expr) |
    ($p | '"$WHO"') + " target \(.refId // "?")\t" + (.expr | gsub("\n"; " "))' "$dash" > "$tmp/exprs"
# a query variable: label_values(EXPR, LABEL), query_result(EXPR) — the EXPR;
# label_values(LABEL) and metrics(REGEX) select no metric
jq -r '.templating.list[]? | select(.type == "query") |
    "variable \(.name)\t" + (.query | if type == "object" then .query // "" else . // "" end
      | gsub("\n"; " ")
      | if test("^\\s*label_values\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$")
        then sub("^\\s*label_values\\((?<e>.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)\\s*$"; "\(.e)")
        elif test("^\\s*query_result\\(") then sub("^\\s*query_result\\((?<e>.*)\\)\\s*$"; "\(.e)")
        elif test("^\\s*(label_values|metrics|label_names)\\(") then ""
        else . end)
  ' "$dash" >> "$tmp/exprs"
# rules: each expr: (a plain or quoted scalar, or a | or > block), with the alert or record name
if [ -n "$rules" ]; then
  awk -v file="$rules" '
    function flush() { if (inblock) { print file ": " name "\t" text; inblock = 0 } }
    {
      line = $0
      if (inblock) {
        match(line, /^[ \t]*/)
        if (line ~ /^[ \t]*$/) next
        if (RLENGTH > exprind) { text = text " " substr(line, RLENGTH + 1); next }
        flush()
      }
      if (match(line, /^[ \t]*-?[ \t]*(alert|record):[ \t]*/)) {
        name = substr(line, RLENGTH + 1); gsub(/["\047]/, "", name)
      }
      if (match(line, /^[ \t]*-?[ \t]*expr:[ \t]*/)) {
        v = substr(line, RLENGTH + 1)
        match(line, /^[ \t]*-?[ \t]*/); exprind = RLENGTH
        if (v ~ /^[|>][-+0-9]*[ \t]*$/) { inblock = 1; text = ""; next }
        sub(/[ \t]+#.*$/, "", v)
        if (v ~ /^".*"$/) { v = substr(v, 2, length(v) - 2); gsub(/\\"/, "\"", v) }
        else if (v ~ /^\047.*\047$/) { v = substr(v, 2, length(v) - 2); gsub(/\047\047/, "\047", v) }
        print file ": " name "\t" v
      }
    }
    END { flush() }' "$rules" > "$tmp/rule-exprs"
  [ -s "$tmp/rule-exprs" ] || problem "$rules: no expr in it"
  cat "$tmp/rule-exprs" >> "$tmp/exprs"
fi
while IFS='	' read -r where expr; do
  printf '%s\n' "$expr" | metric_names | sort -u | comm -23 - "$tmp/exported" |
    sed "s|^|$(printf '%s' "$where" | sed 's/[|&\\]/\\&/g'): metric |; s|\$| is not in $(printf '%s' "$metrics" | sed 's/[|&\\]/\\&/g')|" >> "$tmp/out"
done < "$tmp/exprs"

if [ -s "$tmp/out" ]; then
  cat "$tmp/out"
  problems=$((problems + $(wc -l < "$tmp/out")))
fi
if [ "$problems" -gt 0 ]; then
  echo "$prog: $problems problem(s) in $dash${rules:+ and $rules}" >&2
  exit 1
fi
n=$(jq "$PANELS"' | length' "$dash")
echo "$prog: ok: $n panels, $(wc -l < "$tmp/exprs") expressions, every metric in $metrics"
exit 0
