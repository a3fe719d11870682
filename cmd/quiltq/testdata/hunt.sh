#!/usr/bin/env bash
# hunt.sh QUILTQ: bad inputs to every command of a built quiltq, against
# --sandbox where a login is needed, in a throw-away HOME. Prints one line
# per try: command | input | exit code | stderr's first 110 characters.
# Used for issue 17's table; not run by go test.
set -u
Q=${1:?usage: hunt.sh path/to/quiltq}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache XDG_RUNTIME_DIR=$T
unset QUILTQ_TOKEN QUILTQ_CATALOG_URL AWS_ENDPOINT_URL AWS_PROFILE
printf '\x1b]0;pwn\x07\x1b[2J' > "$T/esc.txt"
printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}' > "$T/cut.json"
mkdir -p "$T/config/quiltq"
try() { # name, stdin file, args...
  local name=$1 in=$2; shift 2
  local err rc
  err=$(timeout 60 "$Q" "$@" <"$in" 2>&1 >/dev/null); rc=$?
  printf '%s | %s | %s | %s\n' "$name" "$(printf '%q ' "$@" | cut -c1-70)" "$rc" "$(printf '%s' "$err" | tr '\n' ' ' | cat -v | cut -c1-110)"
}
N=/dev/null
try -e $N --sandbox -e ''
try -e $N --sandbox -e 'SELEC 1'
try -e $N --sandbox -e "SELECT '$(printf '\x1b[31m')'"
try -e $N --sandbox -e 'SELECT * FROM "no"."such"'
try -e $N --sandbox -e 'SELECT 1' --limit 0
try -e $N --sandbox -e 'SELECT 1' -o xml
try -e $N --sandbox -e 'SELECT 1' -w nosuchwg
try -e $N --sandbox -e 'DROP TABLE sales.orders'
try -e /dev/zero --sandbox -f -
try -e $N --sandbox -f /nonexistent.sql
try -e $N --sandbox -f /etc
try -e $N --sandbox --results not-an-id
try check $N --sandbox check
try check /dev/zero --sandbox check -
try check $N --sandbox check 'SELECT * FROM'
try check $N --sandbox check --grants /nonexistent 'SELECT 1'
try check $N --sandbox check --grants /dev/zero 'SELECT 1'
try check "$T/esc.txt" --sandbox check -
try explain $N explain
try explain /dev/zero explain -
try explain "$T/esc.txt" explain -
try explain $N explain /nonexistent
try explain $N explain a b
try 'explain --sql' $N --sandbox explain --sql ''
try 'explain --sql' $N --sandbox explain --sql 'SELECT * FROM' 
try 'explain --sql' $N --sandbox explain --sql 'SELECT 1' --policy /dev/zero
try 'policy eval' $N policy eval
try 'policy eval' $N policy eval --policy /dev/zero --action s3:GetObject --resource '*'
try 'policy eval' $N policy eval --policy "$T/cut.json" --action s3:GetObject --resource '*'
try 'policy eval' $N policy eval --policy "$T/cut.json" --action '' --resource '*'
try 'policy eval' $N policy eval --policy /etc --action s3:GetObject --resource '*'
try 'policy eval' $N policy eval --policy "$T/cut.json" --action s3:GetObject --resource '*' --context nokv
try ls $N --sandbox ls --max-age -1s
try ls $N --sandbox ls no.such.thing.here
try ls $N --sandbox ls --json extra args
try describe $N --sandbox describe
try describe $N --sandbox describe a.b.c.d
try describe $N --sandbox describe sales.nosuch
try login $N login
try login $N login not-a-url --token-stdin
try login $N login http://127.0.0.1:1 --token-stdin
try login $N login --sandbox
try login /dev/zero login http://127.0.0.1:1 --token-stdin
try logout $N logout
try logout $N logout extra
try whoami $N whoami
try whoami $N whoami --json extra
try whoami $N --sandbox whoami -json
try doctor $N doctor
try doctor $N --sandbox doctor --bogus
try config $N config
try config $N config extra
printf '[keys]\nrun = "\x01"\n' > "$T/config/quiltq/config.toml"
try config $N config
printf 'limit = -3\n' > "$T/config/quiltq/config.toml"
try config $N config
printf 'this is [not toml' > "$T/config/quiltq/config.toml"
try config $N config
rm -f "$T/config/quiltq/config.toml"
try mcp $N mcp --http nonsense
try mcp $N mcp --http 8.8.8.8:80
try completion $N completion
try completion $N completion tcsh
try 'sandbox serve' $N sandbox serve --fault-cut NaN
try 'sandbox serve' $N sandbox serve --bench-rows -1
try 'sandbox serve' $N sandbox serve --latency -1s
try 'sandbox serve' $N sandbox serve --stack /nonexistent
try 'sandbox serve' $N sandbox serve --addr 8.8.8.8:1
