// Times the page in headless Chromium on real files: from handing the file to the page to the
// first row on screen, and to the end of reading and analysis (the findings tab filled), next to
// the native CLI's whole analysis (`tracelens findings`) of the same file measured in the same run.
//
//   node tests/bench/browser_timing.mjs FILE [FILE...]
//
// Needs dist/ (trunk build --release) and target/release/tracelens (cargo build --release -p tracelens).
import { readFile, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launch, openPage, ROOT } from '../e2e/helpers.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/bench/browser_timing.mjs FILE [FILE...]');
  process.exit(2);
}
const cli = path.join(ROOT, 'target', 'release', 'tracelens');
const srv = await serveDist();
const ctx = await launch();
try {
  for (const file of files) {
    const size = (await stat(file)).size;
    const p = await openPage(ctx, srv.origin);
    const input = await p.page.$('#file-input');
    // A person takes a moment to pick a file; the worker has started by then.
    await p.page.waitForTimeout(1000);
    // Timed inside the page: from the input's change event (the file handed over) to the first
    // row in the DOM, so the test driver's own overhead is left out.
    await p.page.evaluate(() => {
      window.__t = {};
      document.querySelector('#file-input').addEventListener('change', () => {
        window.__t.start = performance.now();
      }, { capture: true, once: true });
      new MutationObserver((_, obs) => {
        if (document.querySelector('#row-1 .summary') && window.__t.start !== undefined) {
          window.__t.first = performance.now() - window.__t.start;
          obs.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const t0 = Date.now();
    // Large files go by path so Playwright does not copy them through the protocol.
    await input.setInputFiles(file);
    await p.page.waitForSelector('#row-1 .summary', { timeout: 600000 });
    const first = Math.round(await p.page.evaluate(() => window.__t.first));
    await p.page.waitForFunction(
      () => /^Read /.test(document.querySelector('#progress')?.textContent ?? ''),
      null,
      { timeout: 600000, polling: 50 },
    );
    await p.page.waitForFunction(() => /Findings \(\d+\)/.test(document.querySelector('#tab-findings')?.textContent ?? ''), null, { timeout: 600000, polling: 50 });
    const done = Date.now() - t0;
    const packets = await p.page.textContent('#packet-count');
    await p.page.close();
    const n0 = Date.now();
    try {
      execFileSync(cli, ['findings', file], { stdio: 'ignore' });
    } catch (e) {
      // Exit 1 means a partly read file; the time still counts.
      if (e.status !== 1) throw e;
    }
    const native = Date.now() - n0;
    const mib = size / 1048576;
    console.log(
      `${path.basename(file)}: ${mib.toFixed(1)} MiB, ${packets} packets; first row ${first} ms; ` +
        `read and analysed ${done} ms (${(mib / (done / 1000)).toFixed(1)} MiB/s); ` +
        `native findings ${native} ms; browser/native ${(done / native).toFixed(2)}x`,
    );
  }
} finally {
  await ctx.close();
  await srv.close();
}
