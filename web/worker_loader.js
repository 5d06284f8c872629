// Starts the capture worker (a classic worker, so wasm-bindgen's no-modules output). Written by
// hand instead of Trunk's data-loader-shim, which passes the wasm path in the deprecated
// positional form and makes wasm-bindgen print a console warning.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
