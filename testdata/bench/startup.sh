#!/usr/bin/env bash
# The floor under `quiltq --version`'s start-up: what a Go program costs
# to start when it links what quiltq must link, before any of quiltq's own
# code runs. Three programs, each printing one line, timed in the same
# run as quiltq:
#   - hello: nothing but fmt and os (the Go runtime alone);
#   - sdk: the AWS SDK packages quiltq calls (config, athena, s3, sts)
#     and cobra, imported for their package inits only;
#   - deps: every package outside this module that quiltq's own packages
#     import (the AWS SDK, the MCP SDK, the Parquet writer, the embedded
#     sandbox's SQLite, bubbletea, ...), listed by `go list`, imported for
#     their inits only. Go runs every linked package's init before main,
#     so no fast path in quiltq can start sooner than this.
# Each is built from a module made in a temporary directory with this
# module's go.mod and go.sum (the same versions).
# Needs: go, hyperfine; perf (optional, for task-clock and page faults).
# Usage: bash testdata/bench/startup.sh [RUNS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/quiltq" ./cmd/quiltq

mod="$tmp/floor"
mkdir -p "$mod/hello" "$mod/sdk" "$mod/deps"
sed 's#^module .*#module floor#' go.mod >"$mod/go.mod"
cp go.sum "$mod/go.sum"
program() { # program DIR IMPORT...
  local dir=$1
  shift
  {
    echo 'package main'
    echo 'import ('
    echo '	"fmt"'
    echo '	"os"'
    for p in "$@"; do echo "	_ \"$p\""; done
    echo ')'
    echo 'func main() { fmt.Fprintln(os.Stdout, "quiltq (floor)") }'
  } >"$mod/$dir/main.go"
}
program hello
program sdk github.com/aws/aws-sdk-go-v2/config github.com/aws/aws-sdk-go-v2/service/athena \
  github.com/aws/aws-sdk-go-v2/service/s3 github.com/aws/aws-sdk-go-v2/service/sts github.com/spf13/cobra
# The packages outside the module that the module's own packages (in
# quiltq's build) import, less internal ones (not importable from here).
own=$(go list -deps ./cmd/quiltq | grep '^github.com/quiltq/quiltq')
mapfile -t deps < <(go list -f '{{join .Imports "\n"}}' $own | sort -u |
  grep -v '^github.com/quiltq/quiltq' | grep '\.' | grep -v '/internal')
program deps "${deps[@]}"
for p in hello sdk deps; do (cd "$mod" && go build -o "$tmp/$p" "./$p"); done

echo "binaries:"
ls -l "$tmp/hello" "$tmp/sdk" "$tmp/deps" "$tmp/quiltq" | awk '{printf "  %-12s %6.1f MB\n", $NF, $5/1e6}' | sed "s#$tmp/##"
echo "packages imported by deps: ${#deps[@]}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 20 -r "$runs" "$tmp/hello" "$tmp/sdk" "$tmp/deps" "$tmp/quiltq --version" | sed "s#$tmp/##g"
if command -v perf >/dev/null; then
  for p in hello sdk deps "quiltq --version"; do
    echo "perf stat -r 100 $p:"
    # shellcheck disable=SC2086
    perf stat -r 100 -e task-clock,page-faults $tmp/$p 2>&1 >/dev/null |
      grep -E 'task-clock|page-faults|elapsed' | sed 's/^ */  /'
  done
fi
