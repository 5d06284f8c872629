#!/usr/bin/env bash
# Builds the page in release mode and serves it on http://127.0.0.1:8080 (Ctrl-C stops it).
# Installs whatever is missing first; the second run starts in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
# Trunk finds wasm-opt (binaryen 132 from npm) and wasm-bindgen by `which`.
export PATH="$HOME/.cargo/bin:$PWD/tests/node_modules/.bin:$PATH"
exec trunk serve --release "$@"
