#!/usr/bin/env bash
# Scores engine/sqlref's Extract on the Athena SQL corpus: runs the predict
# harness over every entry, then the corpus's own score.py with --details.
# Usage: bash testdata/bench/sqlref.sh [CORPUS]
#   (default ../shared/corpus/athena-sql/corpus.jsonl, relative to the repo)
# Needs: go, python3. score.py is read from beside the corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=$(realpath "${1:-../shared/corpus/athena-sql/corpus.jsonl}")
score=$(dirname "$corpus")/score.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./engine/sqlref/internal/predict <"$corpus" >"$tmp/sqlref.jsonl"
python3 "$score" "$corpus" "$tmp/sqlref.jsonl" --details
