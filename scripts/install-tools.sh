#!/usr/bin/env bash
# Installs what building and testing tracelens needs on a Debian machine with rustup, node and npm.
# Every step is skipped when the right version is already present, so a second run takes seconds.
# Only crates.io, npm and Debian's packages are used: nothing is downloaded from anywhere else
# (trunk's own tool download and Playwright's browser download would fail on a closed network).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tests/node_modules/.bin:$PATH"

TRUNK_VERSION=0.21.14
CARGO_FUZZ_VERSION=0.13.2
WASM_OPT_VERSION=version_132
say() { printf '[install-tools] %s\n' "$*"; }

# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: the browser for tests, and the reference decoders tests compare against.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v tshark >/dev/null 2>&1 || need_apt+=(tshark)
command -v tcpdump >/dev/null 2>&1 || need_apt+=(tcpdump)
command -v capinfos >/dev/null 2>&1 || need_apt+=(wireshark-common)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "apt-get install ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 2. Rust target for the browser.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 3. Crates the offline builds need (Trunk's offline = true runs cargo --offline). Without a
#    Cargo.lock, generate one first: the wasm-bindgen version below is read from it.
[ -f Cargo.lock ] || cargo generate-lockfile
cargo fetch --locked >/dev/null 2>&1 || cargo fetch --quiet

# 4. trunk (0.22 needs a newer rustc than this machine has).
if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
  say "cargo install trunk $TRUNK_VERSION (about 8 minutes)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

# 5. wasm-bindgen CLI (also provides wasm-bindgen-test-runner), without --locked: its own lockfile
#    pins a crate release the registry lacks.
WB=$(wasm_bindgen_version)
if [ -z "$WB" ]; then
  say "no wasm-bindgen in Cargo.lock"; exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB\$" ||
   ! wasm-bindgen-test-runner --version 2>/dev/null | grep -q " $WB\$"; then
  say "cargo install wasm-bindgen-cli $WB (about 5 minutes)"
  cargo install wasm-bindgen-cli --version "$WB" --force
fi

# 6. npm packages: wasm-opt from binaryen 132 (Debian's is too old) and playwright-core (never
#    `playwright`, which downloads a browser). npm ci follows tests/package-lock.json exactly.
if ! wasm-opt --version 2>/dev/null | grep -q "$WASM_OPT_VERSION" ||
   [ ! -d tests/node_modules/playwright-core ]; then
  say "npm ci in tests/"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
# 7. cargo-fuzz for scripts/fuzz.sh (run on stable with RUSTC_BOOTSTRAP=1; no nightly toolchain).
if ! cargo fuzz --version 2>/dev/null | grep -q " $CARGO_FUZZ_VERSION\$"; then
  say "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (about 2 minutes)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
say "tools ready"
