#!/usr/bin/env bash
# The steps of the fresh-machine check (scripts/fresh-machine-check.sh), which runs this inside
# the fresh root filesystem as root, with HOME=/root: a git clone of the checkout, then the
# README's Quickstart commands exactly as the README writes them. The first one (install, then
# `dev`) must serve /healthz on both ports and stop with exit 0 on Ctrl-C (SIGINT to `dev`); the
# second, the test command, runs the browser test file (every test with --full) and must bring
# its browser itself.
#
# Usage: steps.sh BUNDLE [--full]   (BUNDLE: a git bundle of the commit to check)
# Prints how long each step took and adds the same lines to timings, beside this script, for the
# caller; the first command's output goes to dev.log there.
set -euo pipefail

bundle=$1
full=${2:-}
CHECK_DIR=$(dirname "$0")
CHECKOUT=/root/portcullis
BROWSER_TEST=packages/e2e/test/browser.test.ts
# The first command installs everything from the registry before it serves.
SERVE_TIMEOUT=900
STOP_TIMEOUT=60

say() { printf 'fresh-machine: %s\n' "$*"; }
fail() {
  say "$*" >&2
  exit 1
}
# Seconds since $1 (EPOCHREALTIME without its dot), to a tenth.
since() {
  local tenths=$(((${EPOCHREALTIME/./} - $1) / 100000))
  printf '%d.%d s' $((tenths / 10)) $((tenths % 10))
}
# Runs "$@" as the step named $1, then prints how long it took and adds it to timings; a step
# that exits instead is added as failed, from the exit trap.
step() {
  step_name=$1 step_begin=${EPOCHREALTIME/./}
  shift
  "$@"
  printf '%s %s\n' "$step_name" "$(since "$step_begin")" >>"$CHECK_DIR/timings"
  say "$step_name: $(since "$step_begin")"
  step_name=
}
step_failed() {
  if [ -n "${step_name:-}" ]; then
    printf '%s FAILED after %s\n' "$step_name" "$(since "$step_begin")" >>"$CHECK_DIR/timings"
  fi
}
trap step_failed EXIT

# The Quickstart's fenced block, one command a line: the first after "## Quickstart".
readme_commands() {
  awk '/^## Quickstart/ { in_section = 1; next }
    in_section && /^```/ { if (in_block) exit; in_block = 1; next }
    in_block { print }' "$CHECKOUT/README.md"
}

# Processes of this fresh machine (their root is ours) other than this script and its subshells.
leftovers() {
  local dir pid
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if [ "$dir/root" -ef / ] 2>/dev/null; then
      printf '%s(%s) ' "$pid" "$(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null | cut -c1-80)"
    fi
  done
}

# The pid of the `portcullis dev` process (node packages/cli/src/bin.ts dev) among the
# descendants of $1. Node's own flags may come before the script: `dev` re-runs itself with a
# V8 flag added (packages/cli/src/heap-flags.ts): `node --max-semi-space-size=16 <absolute path>/bin.ts dev`.
dev_process() {
  local parent=$1 dir pid stat ppid argv i
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    stat=$(cat "$dir/stat" 2>/dev/null) || continue
    # After the command name in parentheses (which may hold spaces): state, then parent pid.
    read -r _ ppid _ <<<"${stat##*) }"
    [ "$ppid" = "$parent" ] || continue
    mapfile -d '' -t argv <"$dir/cmdline" 2>/dev/null || continue
    i=1
    while [[ ${argv[i]:-} == -* ]]; do i=$((i + 1)); done
    if [[ ${argv[0]##*/} == node* && ${argv[i]:-} == *packages/cli/src/bin.ts && ${argv[i + 1]:-} == dev ]]; then
      echo "$pid"
      return 0
    fi
    dev_process "$pid" && return 0
  done
  return 1
}

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

check_machine() {
  say "node $(node --version), npm $(npm --version), $(. /etc/os-release && echo "$PRETTY_NAME")"
  if command -v chromium >/dev/null || command -v psql >/dev/null; then
    fail "the fresh machine already has chromium or PostgreSQL: it would hide what the commands must bring"
  fi
}

clone() {
  git clone --quiet "$bundle" "$CHECKOUT"
  say "cloned $(git -C "$CHECKOUT" log --oneline -1 | cut -c1-100)"
}

# The README's first command, as written, until `dev` prints that it runs; job control gives it a
# process group of its own, as a terminal would.
start_first_command() {
  : >"$CHECK_DIR/dev.log"
  set -m
  PORTCULLIS_PORT=$port PORTCULLIS_API_PORT=$api_port bash -c "$first_command" >"$CHECK_DIR/dev.log" 2>&1 &
  first_pid=$!
  set +m
  local waited=0
  until grep -q 'Portcullis is running' "$CHECK_DIR/dev.log"; do
    if ! kill -0 "$first_pid" 2>/dev/null; then
      tail -n 40 "$CHECK_DIR/dev.log" >&2
      wait "$first_pid" && status=0 || status=$?
      fail "the README's first command exited ($status) before it served: its last lines are above"
    fi
    if [ "$waited" -ge $((SERVE_TIMEOUT * 10)) ]; then
      tail -n 40 "$CHECK_DIR/dev.log" >&2
      fail "the README's first command did not serve within $SERVE_TIMEOUT s: its last lines are above"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  say "$(grep -m1 'Portcullis is running' "$CHECK_DIR/dev.log")"
  say "$(grep -m1 '^Database:' "$CHECK_DIR/dev.log" || true)"
}

health() {
  local url body
  for url in "http://127.0.0.1:$port/healthz" "http://127.0.0.1:$api_port/healthz"; do
    body=$(curl -fsS --max-time 10 "$url") || fail "GET $url failed"
    say "GET $url: $body"
  done
}

# Ctrl-C as `dev` receives it: SIGINT to the `dev` process, whose exit (0) ends the command.
stop_first_command() {
  local dev waited=0 status=0
  dev=$(dev_process "$first_pid") || fail "no \`portcullis dev\` process under the README's first command"
  kill -INT "$dev"
  while kill -0 "$first_pid" 2>/dev/null; do
    if [ "$waited" -ge $((STOP_TIMEOUT * 10)) ]; then
      tail -n 20 "$CHECK_DIR/dev.log" >&2
      fail "the README's first command still runs $STOP_TIMEOUT s after SIGINT"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$first_pid" || status=$?
  if [ "$status" != 0 ]; then
    tail -n 20 "$CHECK_DIR/dev.log" >&2
    fail "the README's first command exited $status after SIGINT, not 0"
  fi
  local left
  left=$(leftovers)
  [ -z "$left" ] || fail "still running after the README's first command stopped: $left"
}

run_test_command() {
  local command=$test_command
  [ -n "$full" ] || command="$command $BROWSER_TEST"
  say "running: $command"
  (cd "$CHECKOUT" && bash -c "$command") || fail "the README's test command failed: $command"
  if command -v chromium >/dev/null; then say "chromium after the test command: $(command -v chromium)"; fi
}

cd /root
check_machine
step "git clone" clone
mapfile -t commands < <(readme_commands)
[ "${#commands[@]}" = 2 ] ||
  fail "the README's Quickstart block has ${#commands[@]} lines, not the two commands this check runs"
first_command=${commands[0]}
test_command=${commands[1]}
cd "$CHECKOUT"
port=$(free_port)
api_port=$(free_port)
while [ "$api_port" = "$port" ]; do api_port=$(free_port); done
say "running: $first_command (PORTCULLIS_PORT=$port PORTCULLIS_API_PORT=$api_port)"
step "README's first command, until it serves" start_first_command
step "healthz of both servers" health
step "Ctrl-C, until it exits 0" stop_first_command
step "README's test command$([ -n "$full" ] || echo ", browser test file")" run_test_command
