// Starts the page's wasm. It exists so that index.html needs no inline script and the
// Content-Security-Policy can stay at script-src 'self'. Trunk writes the (hashed) file names
// into the data attributes of the script tag that loads this file (Trunk.toml pattern_script).
const tag = document.querySelector('script[data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
