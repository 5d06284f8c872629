#!/usr/bin/env bash
# The whole test command: installs what is missing, then runs
#   1. the core's tests natively            (cargo test -p tracelens)
#   2. the web crate's native unit tests    (cargo test -p tracelens-web --lib)
#   3. the core's tests in headless Chromium (wasm-bindgen-test-runner + chromedriver)
#   4. a release build of the page          (trunk build --release)
#   5. a release build of the CLI           (cargo build --release -p tracelens), which the
#                                            browser tests compare the page's answers with
#   6. the browser tests against dist/      (node --test tests/e2e/)
#   7. a short run of every fuzz target     (scripts/fuzz.sh smoke)
# Every step runs even if an earlier one failed (except the browser tests, which need the build);
# the end prints one line per step and the exit code is 0 only if all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$ROOT/tests/node_modules/.bin:$PATH"

scripts/install-tools.sh || { echo "[test] installing tools failed"; exit 1; }

export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON=${WASM_BINDGEN_TEST_WEBDRIVER_JSON:-$ROOT/scripts/webdriver.json}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

results=()
failed=0
step() {
  local name=$1; shift
  printf '\n[test] ===== %s: %s\n' "$name" "$*"
  local t0=$SECONDS
  if "$@"; then
    results+=("PASS  $name ($((SECONDS - t0)) s)")
    return 0
  else
    results+=("FAIL  $name ($((SECONDS - t0)) s)")
    failed=1
    return 1
  fi
}

start=$SECONDS
step "core (native)" cargo test -p tracelens
step "web crate (native)" cargo test -p tracelens-web --lib
step "core (wasm, headless Chromium)" \
  cargo test -p tracelens --target wasm32-unknown-unknown --test wasm
if step "page (trunk build --release)" trunk build --release; then
  step "CLI (release build, for the browser tests)" cargo build --release -p tracelens
  step "browser tests (Playwright)" node --test --test-reporter=spec tests/e2e/
else
  results+=("SKIP  browser tests (no build)")
fi
step "fuzz targets (short runs)" scripts/fuzz.sh smoke

printf '\n[test] ===== summary (%d s)\n' "$((SECONDS - start))"
printf '[test] %s\n' "${results[@]}"
if [ "$failed" = 0 ]; then
  echo "[test] ALL PASSED"
else
  echo "[test] FAILED"
fi
exit "$failed"
