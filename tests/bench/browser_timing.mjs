// Times the page in headless Chromium on real files: from handing the file to the page to the
// first row on screen, and to the end of reading and analysis (the findings tab filled), with
// the browser's peak memory, next to the native CLI's whole analysis (`tracelens findings`) of
// the same file measured in the same run. Each file is run RUNS times (default 3), each time in
// a fresh tab, native and browser in turn; medians are printed with the range.
//
//   RUNS=5 node tests/bench/browser_timing.mjs FILE [FILE...]
//
// Memory is the resident set (VmRSS) of Chromium's processes, sampled every 50 ms from /proc
// (Linux): the largest single process (the tab's renderer, which also runs the Web Worker and
// its WebAssembly memory) and the sum of all of them, with the same figures for the idle page
// just before the file is handed over.
//
// Needs dist/ (trunk build --release) and target/release/tracelens (cargo build --release -p tracelens).
import { readFile, readdir, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { serveDist, launch, openPage, ROOT } from '../e2e/helpers.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: [RUNS=3] node tests/bench/browser_timing.mjs FILE [FILE...]');
  process.exit(2);
}
const runs = Math.max(1, Number.parseInt(process.env.RUNS ?? '3', 10) || 3);
const cli = path.join(ROOT, 'target', 'release', 'tracelens');

/** Chromium's processes: the one started with our profile directory and its descendants. */
async function browserPids(profileDir) {
  const parent = new Map();
  let root = null;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = await readFile(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
      if (root === null) {
        const cmd = await readFile(`/proc/${name}/cmdline`, 'utf8');
        if (cmd.includes(profileDir) && !cmd.includes('--type=')) root = Number(name);
      }
    } catch {
      // The process ended while we looked.
    }
  }
  if (root === null) return [];
  const out = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (out.includes(ppid) && !out.includes(pid)) {
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

async function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples memory until stopped; returns the peak of the largest process and of the sum. */
function sampleMemory(profileDir) {
  const peak = { one: 0, all: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const sizes = await Promise.all((await browserPids(profileDir)).map(rssKiB));
      peak.one = Math.max(peak.one, ...sizes, 0);
      peak.all = Math.max(peak.all, sizes.reduce((a, b) => a + b, 0));
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return peak;
  };
}

async function browserRun(ctx, origin, file) {
  const p = await openPage(ctx, origin);
  const input = await p.page.$('#file-input');
  // A person takes a moment to pick a file; the worker has started by then.
  await p.page.waitForTimeout(1000);
  const idle = await sampleMemory(ctx.profileDir)();
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
  const stop = sampleMemory(ctx.profileDir);
  const t0 = Date.now();
  // Large files go by path so Playwright does not copy them through the protocol.
  await input.setInputFiles(file);
  await p.page.waitForSelector('#row-1 .summary', { timeout: 600000 });
  const first = await p.page.evaluate(() => window.__t.first);
  await p.page.waitForFunction(
    () => /^Read /.test(document.querySelector('#progress')?.textContent ?? ''),
    null,
    { timeout: 600000, polling: 50 },
  );
  await p.page.waitForFunction(
    () => /Findings \(\d+\)/.test(document.querySelector('#tab-findings')?.textContent ?? ''),
    null,
    { timeout: 600000, polling: 50 },
  );
  const done = Date.now() - t0;
  const peak = await stop();
  const packets = Number((await p.page.textContent('#packet-count')).replace(/[^\d]/g, ''));
  if (p.errors.length) throw new Error(`the page reported: ${p.errors.join('; ')}`);
  await p.page.close();
  return { first, done, packets, idle, peak };
}

function nativeRun(file) {
  const t0 = process.hrtime.bigint();
  try {
    execFileSync(cli, ['findings', file], { stdio: 'ignore' });
  } catch (e) {
    // Exit 1 means a partly read file; the time still counts.
    if (e.status !== 1) throw e;
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fig = (xs, unit, digits = 0) =>
  `${median(xs).toFixed(digits)} ${unit} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
const mib = (kib) => kib / 1024;

const srv = await serveDist();
const ctx = await launch();
try {
  for (const file of files) {
    const size = (await stat(file)).size;
    const b = [];
    const n = [];
    for (let i = 0; i < runs; i++) {
      n.push(nativeRun(file));
      b.push(await browserRun(ctx, srv.origin, file));
    }
    const sizeMiB = size / 1048576;
    const done = b.map((r) => r.done);
    const rate = median(done.map((ms) => sizeMiB / (ms / 1000)));
    const nativeRate = median(n.map((ms) => sizeMiB / (ms / 1000)));
    const packets = b[0].packets;
    console.log(`${path.basename(file)}: ${sizeMiB.toFixed(1)} MiB, ${packets} packets, ${runs} runs (median, min-max)`);
    console.log(`  first row           ${fig(b.map((r) => r.first), 'ms')}`);
    console.log(`  read and analysed   ${fig(done, 'ms')}: ${rate.toFixed(1)} MiB/s, ${Math.round(packets / (median(done) / 1000))} packets/s`);
    console.log(`  native findings     ${fig(n, 'ms')}: ${nativeRate.toFixed(1)} MiB/s`);
    console.log(`  browser/native time ${(median(done) / median(n)).toFixed(2)}x (throughput ${(rate / nativeRate).toFixed(2)} of native)`);
    console.log(`  peak memory         largest process ${fig(b.map((r) => mib(r.peak.one)), 'MiB')}, all of Chromium ${fig(b.map((r) => mib(r.peak.all)), 'MiB')}`);
    console.log(`  idle page before    largest process ${fig(b.map((r) => mib(r.idle.one)), 'MiB')}, all of Chromium ${fig(b.map((r) => mib(r.idle.all)), 'MiB')}`);
  }
} finally {
  await ctx.close();
  await srv.close();
}
