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

async function rows(page) {
  return page.$$eval('#packets tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
  );
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

  const r = await rows(p.page);
  assert.deepEqual(r.map((x) => x[0]), ['1', '2', '3', '4']);
  // 1700000000 s is 2023-11-14 22:13:20 UTC; the second packet is 1.25 s later.
  assert.match(r[0][1], /2023-11-14.22:13:20/);
  assert.match(r[1][1], /2023-11-14.22:13:21\.25/);
  assert.match(r[0][2], /10\.0\.0\.1\.40000 > 10\.0\.0\.2\.80/);
  assert.match(r[0][2], /Flags \[S\]/);
  assert.match(r[1][2], /Flags \[S\.\]/);
  assert.match(r[3][2], /10\.0\.0\.3\.9999 > 10\.0\.0\.1\.40001/);

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
  assert.equal((await rows(p.page)).length, 3);
  assertClean(p);
  await p.page.close();
});

// Real captures: the count must match capinfos; babel has more than 100 packets (row cap).
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
    assert.equal((await rows(p.page)).length, Math.min(expected, 100), rel);
    assertClean(p);
    await p.page.close();
  }
});
