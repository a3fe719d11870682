#!/usr/bin/env bash
# Reproduces the catalog-browsing figures of BENCHMARKS.md against the
# sandbox serving the default stack plus a generated catalog of 100
# databases holding 10,000 tables (catalog_bench), as the admin:
#   - the engine's testing.B benchmarks (cold listing, cached listing, an
#     information_schema.tables query), QUILTQ_BENCH_LATENCY applying to
#     every AWS call (default 0);
#   - the same three through the quiltq binary, whole processes:
#     `quiltq ls --json --refresh`, `quiltq ls --json` (from the cache), and
#     `quiltq -e 'SELECT ... FROM information_schema.tables'`.
# Needs: go, python3, GNU time (/usr/bin/time).
# Usage: bash testdata/bench/ls.sh [RUNS]   (RUNS timed runs each, default 5)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
latency=${QUILTQ_BENCH_LATENCY:-0ms}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

echo "## testing.B (latency $latency)"
QUILTQ_BENCH_LATENCY=$latency go test ./engine/athena -run '^$' -bench 'BrowseCold|BrowseCached|InformationSchemaTables' -benchtime 10x -count 3 | grep '^Benchmark'

go build -o "$tmp/quiltq" ./cmd/quiltq
q="$tmp/quiltq"
cp -r engine/sandbox/stack/default "$tmp/stack"
printf '\ncatalog_bench: {databases: 100, tables: 10000}\n' >>"$tmp/stack/stack.yaml"
"$q" sandbox serve --stack "$tmp/stack/stack.yaml" --latency "$latency" >"$tmp/line" 2>/dev/null &
pid=$!
while [ ! -s "$tmp/line" ]; do sleep 0.05; done
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
line=$(head -1 "$tmp/line")
export QUILTQ_CATALOG_URL=$(echo "$line" | json 'd["catalog_url"]')
export QUILTQ_TOKEN=$(echo "$line" | json '[u for u in d["users"] if u["name"]=="admin"][0]["refresh_token"]')
export AWS_ENDPOINT_URL=$(echo "$line" | json 'd["aws_endpoint_url"]')
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache

timed() { /usr/bin/time -f "%e" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }; cat "$tmp/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

tables=$("$q" ls --json --refresh | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(len(x["tables"]) for c in d["catalogs"] for x in c["databases"]))')
rows=$("$q" -o csv -e 'SELECT table_name FROM information_schema.tables' | wc -l)
echo
echo "## quiltq processes (latency $latency; $tables tables listed, $rows lines from information_schema)"
echo "| command | median s | runs |"
echo "|---|---|---|"
for name in cold cached query; do
  : >"$tmp/t"
  for _ in $(seq "$runs"); do
    case $name in
      cold) timed "$q" ls --json --refresh >>"$tmp/t" ;;
      cached) timed "$q" ls --json >>"$tmp/t" ;;
      query) timed "$q" -o csv -e 'SELECT table_schema, table_name, table_type FROM information_schema.tables' >>"$tmp/t" ;;
    esac
  done
  case $name in
    cold) cmd='quiltq ls --json --refresh' ;;
    cached) cmd='quiltq ls --json (cache)' ;;
    query) cmd="quiltq -e 'SELECT table_schema, table_name, table_type FROM information_schema.tables'" ;;
  esac
  echo "| \`$cmd\` | $(median <"$tmp/t") | $runs |"
done
