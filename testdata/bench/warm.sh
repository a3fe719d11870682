#!/usr/bin/env bash
# Reproduces the warm one-shot figures of BENCHMARKS.md: the calls and the
# time of `quiltq -o csv -e 'SELECT 1'` with a stored login (the 0600
# file) against `quiltq sandbox serve --latency 20ms`, counted from the
# sandbox's request log (every AWS call, and every request to the catalog
# and the registry):
#   - cold: nothing kept (the cache dir and the login's kept AWS
#     credentials removed before each run);
#   - credentials expired: the login's kept AWS credentials removed, the
#     cache dir kept (the run an hour later, when the credentials the
#     registry issued have expired but the workgroup choice holds);
#   - warm: the run after another;
#   - with BASELINE set to a git revision, that revision's binary on the
#     same login, as the comparison of the same run.
# Also `quiltq --version` start-up (hyperfine -N).
# Needs: go, python3, curl, hyperfine.
# Usage: [BASELINE=REV] bash testdata/bench/warm.sh [RUNS]   (RUNS timed runs each, default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-20}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; [ -d "$tmp/base" ] && git worktree remove --force "$tmp/base"; rm -rf "$tmp"' EXIT

go build -o "$tmp/quiltq" ./cmd/quiltq
q="$tmp/quiltq"
if [ -n "${BASELINE:-}" ]; then
  git worktree add -q --detach "$tmp/base" "$BASELINE"
  (cd "$tmp/base" && go build -o "$tmp/baseline" ./cmd/quiltq)
fi
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

"$q" sandbox serve --latency 20ms -v >"$tmp/line" 2>>"$tmp/log" &
pid=$!
while [ ! -s "$tmp/line" ]; do sleep 0.05; done
line=$(head -1 "$tmp/line")
catalog=$(echo "$line" | json 'd["catalog_url"]')
endpoint=$(echo "$line" | json 'd["aws_endpoint_url"]')
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache HOME=$tmp
code=$(curl -sf "$catalog/code?user=admin" | sed -n 's/.*<code id="code">\([^<]*\)<.*/\1/p')
echo "$code" | AWS_ENDPOINT_URL=$endpoint "$q" login "$catalog" --token-stdin --insecure-storage >/dev/null 2>&1

# cold: forget what the last run kept (the cache dir, and the AWS
# credentials kept beside the login), as the first run after they expire.
cat >"$tmp/cold" <<EOF
#!/bin/sh
rm -rf "$tmp/cache"
python3 - "$tmp/config/quiltq/credentials.json" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for v in d.values(): v.pop("aws_credentials", None)
json.dump(d, open(p, "w"))
PY
EOF
chmod +x "$tmp/cold"
grep -v 'rm -rf' "$tmp/cold" >"$tmp/expired"
chmod +x "$tmp/expired"

# calls BINARY [PREPARE]: the calls of one run, in the order logged.
calls() {
  [ -n "${2:-}" ] && "$2"
  : >"$tmp/log"
  "$1" -o csv -e 'SELECT 1' >/dev/null 2>&1
  sleep 0.2
  grep -E 'msg=(aws|http) ' "$tmp/log" | sed -E 's/.* (op|path)=("([^"]*)"|([^ ]*)).*/\3\4/' | paste -sd, -
}
# timed NAME BINARY [PREPARE]: hyperfine's mean and standard deviation.
timed() {
  local prep=()
  [ -n "${3:-}" ] && prep=(--prepare "$3")
  hyperfine -N -w 2 -r "$runs" "${prep[@]}" --export-json "$tmp/$1.json" "$2 -o csv -e 'SELECT 1'" >/dev/null 2>&1
  python3 -c "import json; r=json.load(open('$tmp/$1.json'))['results'][0]; print('%.1f ms (%.1f ± %.1f)' % (r['median']*1000, r['mean']*1000, r['stddev']*1000))"
}
row() { # NAME BINARY PREPARE
  local c; c=$(calls "$2" "$3")
  echo "| $1 | $(echo "$c" | tr ',' '\n' | grep -c .) | $(timed "$1" "$2" "$3") | $c |"
}

echo "| run (20 ms per AWS call) | calls | time: median (mean ± sd), $runs runs | calls, in order |"
echo "|---|---|---|---|"
if [ -n "${BASELINE:-}" ]; then
  row "baseline $BASELINE" "$tmp/baseline" ""
fi
row cold "$q" "$tmp/cold"
"$q" -o csv -e 'SELECT 1' >/dev/null 2>&1
row "credentials expired" "$q" "$tmp/expired"
"$q" -o csv -e 'SELECT 1' >/dev/null 2>&1
row warm "$q" ""
echo
hyperfine -N -w 5 -r 50 "$q --version" --export-json "$tmp/version.json" >/dev/null 2>&1
python3 -c "import json; r=json.load(open('$tmp/version.json'))['results'][0]; print('quiltq --version: median %.1f ms, min %.1f ms (%.1f ± %.1f; hyperfine -N, 50 runs)' % (r['median']*1000, r['min']*1000, r['mean']*1000, r['stddev']*1000))"
