#!/usr/bin/env bash
# Fuzzes the tracelens core with cargo-fuzz (libFuzzer). The five targets live in crate/fuzz/
# (see crate/fuzz/src/lib.rs for what each checks), their seed corpora in crate/fuzz/seeds/.
#
#   scripts/fuzz.sh smoke                     build, then run every target for a fixed number of
#                                             inputs from its seeds (about 20 seconds on 2
#                                             cores); exits 1 if any input crashes
#   scripts/fuzz.sh long SECONDS [TARGET...]  run each target (default: all) for SECONDS, one at a
#                                             time, growing crate/fuzz/corpus/TARGET; prints the
#                                             executions and exec/s and appends a line per run to
#                                             crate/fuzz/runs.log; exits 1 if any crashed
#   scripts/fuzz.sh build                     only build the targets
#
# The toolchain is stable: cargo-fuzz's nightly flags are allowed with RUSTC_BOOTSTRAP=1. The
# default sanitizer is none (the core has no unsafe code, and libFuzzer runs about twice as fast
# without AddressSanitizer); FUZZ_SANITIZER=address also builds and runs. Other settings:
# FUZZ_SEED (libFuzzer -seed for smoke runs, default 1), FUZZ_RUNS (one -runs count for every
# target in smoke runs instead of the per-target defaults below).
#
# A crash input is kept in crate/fuzz/artifacts/TARGET/. To turn it into a regression test:
#   cd crate && RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O --sanitizer none TARGET fuzz/artifacts/TARGET/crash-...
# then copy the minimised file to tests/captures/fuzz/TARGET/<what-it-was> and fix the core;
# crate/tests/fuzz_regressions.rs replays every file there under plain `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

FUZZ_DIR=$ROOT/crate/fuzz
TARGETS=(capture_chunks decode_frame analysis hex_dump filter_parse)
SANITIZER=${FUZZ_SANITIZER:-none}
SEED=${FUZZ_SEED:-1}

# Inputs per target for a smoke run (the test command runs one): a few seconds each on this
# machine's kind, enough to replay the seeds and mutate them a while.
smoke_runs() {
  case $1 in
    capture_chunks) echo 10000 ;;
    decode_frame) echo 30000 ;;
    analysis) echo 3000 ;;
    hex_dump) echo 30000 ;;
    filter_parse) echo 8000 ;;
    *) echo 5000 ;;
  esac
}

say() { printf '[fuzz] %s\n' "$*"; }

usage() {
  # The header comment above, without its comment marks.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 2
}

build() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "cargo-fuzz is missing: run scripts/install-tools.sh (or cargo install cargo-fuzz --locked)"
    exit 2
  fi
  say "building the fuzz targets (sanitizer: $SANITIZER)"
  (cd crate && cargo fuzz build -O --sanitizer "$SANITIZER")
}

binary() {
  local host
  host=$(rustc -vV | sed -n 's/^host: //p')
  echo "$FUZZ_DIR/target/$host/release/$1"
}

known_target() {
  local t
  for t in "${TARGETS[@]}"; do [ "$t" = "$1" ] && return 0; done
  return 1
}

# One libFuzzer run. Arguments: target, log file, then libFuzzer arguments. Prints
# "executions exec_per_sec status" from the final statistics.
run_target() {
  local target=$1 log=$2 status=0
  shift 2
  "$(binary "$target")" "$@" -print_final_stats=1 >"$log" 2>&1 || status=$?
  local execs rate
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  # A crash ends the run before the statistics: take the last "#N" status line instead.
  if [ -z "$execs" ]; then
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  echo "${execs:-0} ${rate:-0} $status"
}

# The crash report's first lines, and where the input was kept.
show_crash() {
  local target=$1 log=$2
  grep -m1 -A3 -E "panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer" "$log" | sed 's/^/    /' || true
  grep -E "Test unit written to" "$log" | sed 's/^/    /' || true
  say "minimise: (cd crate && RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O --sanitizer $SANITIZER $target <that file>)"
}

# Crash, out-of-memory and timeout inputs libFuzzer has kept for a target.
kept_inputs() {
  find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l
}

smoke() {
  build
  local work failed=0 t0=$SECONDS
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # the path is fixed now
  trap "rm -rf '$work'" EXIT
  for target in "${TARGETS[@]}"; do
    local runs=${FUZZ_RUNS:-$(smoke_runs "$target")} log=$work/$target.log
    mkdir -p "$work/$target" "$FUZZ_DIR/artifacts/$target"
    local start=$SECONDS result
    # A fresh working corpus each time, so a smoke run does the same work wherever it runs.
    result=$(run_target "$target" "$log" "$work/$target" "$FUZZ_DIR/seeds/$target" \
      -runs="$runs" -seed="$SEED" -timeout=20 -rss_limit_mb=2048 \
      -artifact_prefix="$FUZZ_DIR/artifacts/$target/")
    read -r execs rate status <<<"$result"
    if [ "$status" = 0 ]; then
      say "$target: ok, $execs executions, $rate exec/s, $((SECONDS - start)) s"
    else
      say "$target: CRASH (libFuzzer exit $status) after $execs executions"
      show_crash "$target" "$log"
      failed=1
    fi
  done
  say "smoke run done in $((SECONDS - t0)) s"
  return $failed
}

long() {
  local seconds=${1:-}
  shift || true
  [[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage
  local targets=("$@")
  [ ${#targets[@]} -gt 0 ] || targets=("${TARGETS[@]}")
  local t
  for t in "${targets[@]}"; do
    known_target "$t" || { say "unknown target '$t' (targets: ${TARGETS[*]})"; exit 2; }
  done
  build
  local logdir=$FUZZ_DIR/logs failed=0
  mkdir -p "$logdir"
  [ -f "$FUZZ_DIR/runs.log" ] ||
    printf 'date\ttarget\tseconds\texecutions\texec_per_sec\tcrashes\tsanitizer\n' >"$FUZZ_DIR/runs.log"
  for target in "${targets[@]}"; do
    local artifacts=$FUZZ_DIR/artifacts/$target log=$logdir/$target-$(date -u +%Y%m%dT%H%M%SZ).log
    mkdir -p "$FUZZ_DIR/corpus/$target" "$artifacts"
    local before after result crashes
    before=$(kept_inputs "$artifacts")
    say "$target: running for $seconds s (log: ${log#"$ROOT"/})"
    result=$(run_target "$target" "$log" "$FUZZ_DIR/corpus/$target" "$FUZZ_DIR/seeds/$target" \
      -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
    read -r execs rate status <<<"$result"
    after=$(kept_inputs "$artifacts")
    crashes=$((after - before))
    if [ "$status" != 0 ] && [ "$crashes" = 0 ]; then crashes=1; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$target" "$seconds" \
      "$execs" "$rate" "$crashes" "$SANITIZER" >>"$FUZZ_DIR/runs.log"
    if [ "$status" = 0 ]; then
      say "$target: $execs executions, $rate exec/s, no crash"
    else
      say "$target: CRASH after $execs executions ($rate exec/s)"
      show_crash "$target" "$log"
      failed=1
    fi
  done
  return $failed
}

case ${1:-} in
  smoke) smoke ;;
  long) shift; long "$@" ;;
  build) build ;;
  *) usage ;;
esac
