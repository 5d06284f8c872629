// Starts the capture worker (a classic worker, so wasm-bindgen's no-modules output). Written by
// hand instead of Trunk's data-loader-shim, which passes the wasm path in the deprecated
// positional form and makes wasm-bindgen print a console warning.
//
// The page may post a file before the worker's wasm has compiled; a message that arrives while
// no handler is set is lost, so messages are queued here and handed to the Rust handler (set by
// its main() during start-up) once it exists.
const early = [];
self.onmessage = (e) => early.push(e);
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' }).then(() => {
  const handler = self.onmessage;
  for (const e of early.splice(0)) handler(e);
});
