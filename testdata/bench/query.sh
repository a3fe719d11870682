#!/usr/bin/env bash
# Reproduces the query-engine figures of BENCHMARKS.md, against the sandbox:
#   - benchmarks.numbers (QUILTQ_BENCH_ROWS rows, default 1,000,000) to
#     /dev/null as CSV through quiltq's S3 path and its GetQueryResults path,
#     beside the AWS CLI's `athena get-query-results` paging and a plain HTTP
#     download (curl) of the same result file, at 0 and 20 ms of latency;
#   - quiltq's peak RSS while streaming those rows;
#   - `quiltq --version` start-up.
# Needs: go, python3, curl, GNU time (/usr/bin/time), the AWS CLI v2
# (/usr/bin/aws, Debian's awscli), and hyperfine for the start-up figure.
# Usage: bash testdata/bench/query.sh [RUNS]   (RUNS timed runs per fetch, default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-3}
rows=${QUILTQ_BENCH_ROWS:-1000000}
aws=${QUILTQ_AWS_CLI:-/usr/bin/aws}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

go build -o "$tmp/quiltq" ./cmd/quiltq
q="$tmp/quiltq"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# timed CMD...: runs CMD with stdout to /dev/null; prints "seconds max_rss_kb".
timed() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }; cat "$tmp/time"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| latency | path | median s | rows/s | MB/s | peak RSS MB | runs |"
echo "|---|---|---|---|---|---|---|"
for latency in 0ms 20ms; do
  : >"$tmp/line"
  "$q" sandbox serve --latency "$latency" --bench-rows "$rows" >"$tmp/line" 2>/dev/null &
  pid=$!
  while [ ! -s "$tmp/line" ]; do sleep 0.05; done
  line=$(head -1 "$tmp/line")
  catalog=$(echo "$line" | json 'd["catalog_url"]')
  registry=$(echo "$line" | json 'd["registry_url"]')
  endpoint=$(echo "$line" | json 'd["aws_endpoint_url"]')
  token=$(echo "$line" | json '[u for u in d["users"] if u["name"]=="admin"][0]["refresh_token"]')
  export QUILTQ_CATALOG_URL=$catalog QUILTQ_TOKEN=$token AWS_ENDPOINT_URL=$endpoint XDG_CONFIG_HOME=$tmp/config

  # Run the query once; every path below reads its result.
  "$q" -o csv --stats -e 'SELECT * FROM benchmarks.numbers' >"$tmp/reference.csv" 2>"$tmp/stats"
  id=$(tail -1 "$tmp/stats" | json 'd["query_id"]')
  lines=$(wc -l <"$tmp/reference.csv")
  bytes=$(stat -c %s "$tmp/reference.csv")

  for fetch in s3 api; do
    : >"$tmp/t"
    for _ in $(seq "$runs"); do timed "$q" -o csv --fetch "$fetch" --results "$id" >>"$tmp/t"; done
    "$q" -o csv --fetch "$fetch" --results "$id" 2>/dev/null | cmp -s - "$tmp/reference.csv" || { echo "quiltq --fetch $fetch gave other bytes" >&2; exit 1; }
    s=$(cut -d' ' -f1 "$tmp/t" | median); rss=$(cut -d' ' -f2 "$tmp/t" | sort -n | tail -1)
    python3 -c "import sys; s,rows,b,rss=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]); print(f'| $latency | quiltq --fetch $fetch | {s:.2f} | {rows/s:,.0f} | {b/s/1e6:.1f} | {rss/1024:.0f} | $runs |')" "$s" "$rows" "$bytes" "$rss"
  done

  # The AWS CLI and curl need AWS credentials: the admin's, from the registry.
  access=$(curl -s --data-urlencode "refresh_token=$token" "$registry/api/token" | json 'd["access_token"]')
  creds=$(curl -s -H "Authorization: Bearer $access" "$registry/api/auth/get_credentials")
  cfg="$tmp/awsconfig"; printf '[default]\ns3 =\n  addressing_style = path\n' >"$cfg"
  awsenv=(env AWS_CONFIG_FILE="$cfg" AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=
    AWS_ACCESS_KEY_ID="$(echo "$creds" | json 'd["AccessKeyId"]')"
    AWS_SECRET_ACCESS_KEY="$(echo "$creds" | json 'd["SecretAccessKey"]')"
    AWS_SESSION_TOKEN="$(echo "$creds" | json 'd["SessionToken"]')")
  if [ -x "$aws" ]; then
    t=$(timed "${awsenv[@]}" "$aws" --endpoint-url "$endpoint" athena get-query-results --query-execution-id "$id")
    s=${t% *}; rss=${t#* }
    python3 -c "import sys; s,rows,b,rss=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]); print(f'| $latency | aws athena get-query-results (paging) | {s:.2f} | {rows/s:,.0f} | {b/s/1e6:.1f} | {rss/1024:.0f} | 1 |')" "$s" "$rows" "$bytes" "$rss"
    location=$("${awsenv[@]}" "$aws" --endpoint-url "$endpoint" athena get-query-execution --query-execution-id "$id" --query 'QueryExecution.ResultConfiguration.OutputLocation' --output text)
    url=$("${awsenv[@]}" "$aws" --endpoint-url "$endpoint" s3 presign "$location")
    : >"$tmp/t"
    for _ in $(seq "$runs"); do timed curl -sf -o /dev/null "$url" >>"$tmp/t"; done
    s=$(cut -d' ' -f1 "$tmp/t" | median)
    python3 -c "import sys; s,rows,b=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]); print(f'| $latency | plain HTTP download (curl, presigned) | {s:.2f} | {rows/s:,.0f} | {b/s/1e6:.1f} | - | $runs |')" "$s" "$rows" "$bytes"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
echo
echo "rows: $rows ($lines CSV lines, $bytes bytes)"

if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs 200 "$q --version" --export-markdown "$tmp/version.md" >/dev/null
  echo; cat "$tmp/version.md"
fi
