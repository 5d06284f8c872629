// Browser tests of the built page (dist/): load it, open generated and real captures, and check
// what it shows. Run with `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  serveDist, launch, openPage, screenshot, waitDone, samplePcap, hasCorpus, CORPUS,
} from './helpers.mjs';

let server;
let context;

before(async () => {
  server = await serveDist();
  context = await launch();
});

after(async () => {
  await context?.close();
  await server?.close();
});

/** Checks that nothing left the page's origin and nothing complained. */
function assertClean({ requests, errors }) {
  const outside = requests.filter((u) => !u.startsWith(server.origin + '/') && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests outside the page origin');
  assert.deepEqual(errors, [], 'console errors');
}

/** The list rows in the DOM (only the visible ones: the list is virtualised), cell texts in
 *  column order: severity, No., Time, Source, Destination, Protocol, Length, Summary. */
async function rows(page) {
  // The last cell shows the Info text; its title holds the whole summary line, which is what
  // these tests compare with tcpdump. The Info text is appended as a ninth entry.
  return page.$$eval('#packets [role=rowgroup] .row', (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('.c')];
      const texts = cells.map((td) => td.textContent);
      const summary = tr.querySelector('.summary');
      if (summary) texts.splice(7, 1, summary.title, summary.textContent);
      return texts;
    }),
  );
}

/** Waits until the list shows row `n` with its data (not the loading placeholder). */
async function waitRow(page, n) {
  await page.waitForSelector(`#row-${n}`, { timeout: 30000 });
}

async function text(page, sel) {
  return (await page.textContent(sel))?.trim();
}

/** tcpdump's -n line for each packet of a file, without the timestamp (the same notation). */
function tcpdumpLines(file) {
  try {
    return execFileSync('tcpdump', ['-n', '-t', '-r', file], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trimEnd()
      .split('\n');
  } catch {
    return null;
  }
}

test('page loads with only its own files and no console errors', async () => {
  const p = await openPage(context, server.origin);
  await p.page.waitForTimeout(500); // let the worker start and report any failure
  assert.equal(await text(p.page, 'h1'), 'tracelens');
  assert.equal(await p.page.$('#worker-error'), null, 'worker failed to start');
  // The worker's loader and wasm are among the requests, so it did start from this origin.
  assert.ok(p.requests.some((u) => u.endsWith('/worker_loader.js')), p.requests.join('\n'));
  assert.ok(p.requests.some((u) => /\/worker_bg\.wasm$/.test(u)), 'worker wasm request seen');
  await screenshot(p.page, 'empty');
  assertClean(p);
  await p.page.close();
});

test('a generated pcap shows its format, count and summary lines', async () => {
  const bytes = samplePcap();
  const p = await openPage(context, server.origin);
  // A file name with markup must come out as text, never as HTML.
  const name = '<img src=x>sample.pcap';
  await p.page.setInputFiles('#file-input', { name, mimeType: 'application/vnd.tcpdump.pcap', buffer: bytes });
  await waitDone(p.page);
  await screenshot(p.page, 'sample');

  assert.equal(await text(p.page, '#file-name'), name);
  assert.equal(await p.page.$('#file-name img'), null);
  assert.equal(await text(p.page, '#packet-count'), '4');
  assert.match(await text(p.page, '#format'), /pcap/i);
  assert.equal(await p.page.$('#read-error'), null, 'unexpected read error');
  assert.equal(await text(p.page, '#progress'), `Read 4 packets, ${bytes.length} bytes of ${bytes.length} bytes.`);

  await waitRow(p.page, 4);
  let r = await rows(p.page);
  assert.deepEqual(r.map((x) => x[1]), ['1', '2', '3', '4']);
  // Times count from the first packet by default; the second packet is 1.25 s later.
  assert.deepEqual(r.map((x) => x[2]), ['0.000000000', '1.250000000', '2.500000000', '3.750000000']);
  assert.deepEqual(r[0].slice(3, 7), ['10.0.0.1', '10.0.0.2', 'TCP', '54']);
  assert.deepEqual(r[3].slice(3, 7), ['10.0.0.3', '10.0.0.1', 'UDP', '51']);
  assert.match(r[0][7], /10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80/);
  assert.match(r[0][7], /Flags \[S\]/);
  // The Info column leaves out the addresses the Source and Destination columns show.
  assert.equal(r[0][8], r[0][7].replace('IP 10.0.0.1.40000 > 10.0.0.2.80: ', '40000 > 80: '));
  assert.match(r[0][8], /^40000 > 80: Flags \[S\]/);
  assert.match(r[1][7], /Flags \[S\.\]/);
  assert.match(r[3][7], /10\.0\.0\.3\.9999 > 10\.0\.0\.1\.40001/);
  // The TCP segments carry a zero checksum (a notice); the UDP datagrams have no finding. The
  // marker's word is there for screen readers.
  assert.deepEqual(r.map((x) => x[0]), ['notice', 'notice', 'no findings', 'no findings']);
  assert.equal(await p.page.getAttribute('#row-1', 'class').then((c) => /lvl-notice/.test(c)), true);

  // Absolute UTC time on request: 1700000000 s is 2023-11-14 22:13:20 UTC.
  await p.page.selectOption('#time-mode', 'absolute');
  await p.page.waitForFunction(() => document.querySelector('#row-1 .time')?.textContent.startsWith('2023'));
  r = await rows(p.page);
  assert.match(r[0][2], /2023-11-14.22:13:20/);
  assert.match(r[1][2], /2023-11-14.22:13:21\.25/);
  await screenshot(p.page, 'sample-absolute-time');
  r = r.map((x) => [x[1], x[2], x[7]]);

  // Same notation as tcpdump -n: each of our lines is the end of tcpdump's line.
  const dir = mkdtempSync(path.join(tmpdir(), 'tracelens-'));
  const file = path.join(dir, 'sample.pcap');
  writeFileSync(file, bytes);
  const td = tcpdumpLines(file);
  if (td) {
    r.forEach((row, i) => assert.ok(td[i].endsWith(row[2]), `packet ${i + 1}: ours "${row[2]}" vs tcpdump "${td[i]}"`));
  } else {
    console.log('# tcpdump not found: skipped comparing summary lines with it');
  }
  assertClean(p);
  await p.page.close();
});

test('a pcap cut inside its last record shows the error and keeps the earlier packets', async () => {
  const whole = samplePcap();
  const cut = whole.subarray(0, whole.length - 10);
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'cut.pcap', mimeType: 'application/octet-stream', buffer: cut });
  await waitDone(p.page);
  await screenshot(p.page, 'damaged');

  assert.equal(await text(p.page, '#packet-count'), '3');
  const err = await text(p.page, '#read-error');
  assert.ok(err && err.length > 10, `error shown: ${err}`);
  // 24-byte header + 70 + 70 + 63 bytes of records: the fourth record starts at byte 227.
  assert.match(err, /record 4 at byte 227/, 'the error says where');
  await waitRow(p.page, 3);
  assert.equal((await rows(p.page)).length, 3);
  assertClean(p);
  await p.page.close();
});

// Real captures: the count must match capinfos, and the list reaches the last packet (babel has
// more rows than fit on screen).
const CORPUS_FILES = [
  'tcpdump/tests/print-flags.pcap',
  'tcpdump/tests/OSPFv2_Capture_FINAL.pcapng',
  'tcpdump/tests/babel_rfc6126bis.pcap',
];

test('corpus captures show the packet count capinfos gives', async (t) => {
  if (!hasCorpus()) {
    console.log(`# skipped: no corpus at ${CORPUS}`);
    t.skip('no corpus');
    return;
  }
  for (const rel of CORPUS_FILES) {
    const file = path.join(CORPUS, rel);
    if (!existsSync(file)) {
      console.log(`# skipped ${rel}: not in the corpus`);
      continue;
    }
    let expected;
    try {
      const out = execFileSync('capinfos', ['-c', '-M', file]).toString();
      expected = Number(/Number of packets:\s*(\d+)/.exec(out)[1]);
    } catch {
      console.log('# skipped: capinfos not found');
      t.skip('no capinfos');
      return;
    }
    const p = await openPage(context, server.origin);
    await p.page.setInputFiles('#file-input', file);
    await waitDone(p.page);
    await screenshot(p.page, 'corpus-' + path.basename(rel).replace(/\W+/g, '_'));
    assert.equal(await text(p.page, '#packet-count'), String(expected), rel);
    const err = await p.page.$('#read-error');
    assert.equal(err, null, `${rel}: ${err && (await err.textContent())}`);
    // Every packet is in the list: the grid says how many rows it has, and scrolling to the end
    // shows the last one.
    assert.equal(await p.page.getAttribute('#packets', 'aria-rowcount'), String(expected + 1), rel);
    await waitRow(p.page, 1);
    await p.page.$eval('#scroller', (el) => { el.scrollTop = el.scrollHeight; });
    await waitRow(p.page, expected);
    const last = await rows(p.page);
    assert.equal(last[last.length - 1][1], String(expected), rel);
    assertClean(p);
    await p.page.close();
  }
});
