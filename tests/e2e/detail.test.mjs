// Browser tests of the main view: the virtualised list of every packet, keyboard and "go to
// packet", the field tree, the linked hex pane and the explanation panel. Run with
// `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serveDist, launch, openPage, screenshot, waitDone, samplePcap, pcap, udpFrame,
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

function assertClean({ requests, errors }) {
  const outside = requests.filter((u) => !u.startsWith(server.origin + '/') && !u.startsWith('data:'));
  assert.deepEqual(outside, [], 'requests outside the page origin');
  assert.deepEqual(errors, [], 'console errors');
}

/** Offsets of the highlighted bytes in the hex column, and in the ASCII column. */
async function lit(page) {
  const hex = await page.$$eval('#hex .b.hl', (els) => els.map((e) => Number(e.dataset.off)));
  const ascii = await page.$$eval('#hex .a.hl', (els) => els.map((e) => Number(e.dataset.off)));
  return { hex, ascii };
}

async function openSample(page) {
  await page.setInputFiles('#file-input', { name: 'sample.pcap', mimeType: 'application/octet-stream', buffer: samplePcap() });
  await waitDone(page);
  await page.waitForSelector('#row-1');
}

async function openPacket(page, n) {
  await page.click(`#row-${n}`);
  await page.waitForFunction((n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`, n);
}

const range = (a, b) => Array.from({ length: b - a }, (_, i) => a + i);

test('a large generated capture lists every packet, with only the visible rows in the DOM', async () => {
  const N = 5000;
  const frames = range(0, N).map((i) =>
    udpFrame({ src: '10.1.0.1', dst: '10.1.0.2', sport: 40000 + (i % 1000), dport: 9999, payload: Buffer.from(`n${i + 1}`) }));
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'many.pcap', mimeType: 'application/octet-stream', buffer: pcap(frames) });
  await waitDone(p.page);
  await p.page.waitForSelector('#row-1');
  assert.equal(await p.page.textContent('#packet-count'), String(N));
  assert.equal(await p.page.getAttribute('#packets', 'aria-rowcount'), String(N + 1));
  assert.equal(await p.page.$('#notes'), null, 'the generated file should read without notes');
  const inDom = await p.page.$$eval('#packets [role=rowgroup] .row', (r) => r.length);
  assert.ok(inDom > 5 && inDom < 60, `${inDom} rows in the DOM`);

  // Scrolling to the end shows the last packet.
  await p.page.$eval('#scroller', (el) => { el.scrollTop = el.scrollHeight; });
  await p.page.waitForSelector(`#row-${N}`);
  assert.match(await p.page.getAttribute(`#row-${N} .summary`, 'title'), /10\.1\.0\.1\.40999 > 10\.1\.0\.2\.9999: UDP, length 5/);
  assert.equal(await p.page.textContent(`#row-${N} .summary`), '40999 > 9999: UDP, length 5');
  await screenshot(p.page, 'many-end');

  // "Go to packet" scrolls to it, selects it and opens its detail.
  await p.page.fill('#goto-input', '2500');
  await p.page.click('#goto button');
  await p.page.waitForSelector('#row-2500.selected');
  await p.page.waitForFunction(() => document.querySelector('#tree h2')?.textContent === 'Packet 2500');
  assert.equal(await p.page.getAttribute('#row-2500', 'aria-selected'), 'true');
  // Its payload "n2500" is in the ASCII column.
  const ascii = await p.page.$$eval('#hex .a', (els) => els.map((e) => e.textContent).join(''));
  assert.ok(ascii.endsWith('n2500'), ascii);
  await screenshot(p.page, 'many-goto');
  assertClean(p);
  await p.page.close();
});

test('opening a packet shows its field tree, narrative and findings', async () => {
  const p = await openPage(context, server.origin);
  await openSample(p.page);
  await openPacket(p.page, 1);
  const layers = await p.page.$$eval('#tree .layer', (ls) => ls.map((l) => l.dataset.proto));
  assert.deepEqual(layers, ['eth', 'ip', 'tcp']);
  assert.equal(await p.page.textContent('[data-field="ip.src"] .value'), '10.0.0.1');
  assert.equal(await p.page.textContent('[data-field="ip.src"] .fname'), 'ip.src');
  // Fields with a meaning show it as a second line (the TTL's likely start and hop count).
  assert.ok((await p.page.$$('#tree .meaning')).length > 0, 'no meaning lines');
  assert.match(await p.page.textContent('#narrative'), /10\.0\.0\.1 asks 10\.0\.0\.2 to open a connection on TCP port 80/);
  const ids = await p.page.$$eval('#findings .finding', (fs) => fs.map((f) => f.dataset.finding));
  assert.deepEqual(ids, ['anom.checksum.transport_bad', 'tcp.flags.syn']);
  const first = '#findings .finding:first-child';
  assert.equal((await p.page.textContent(`${first} .badge`)).trim(), 'notice');
  assert.match(await p.page.textContent(`${first} .title`), /Bad TCP checksum/);
  assert.match(await p.page.textContent(`${first} .next`), /What to check next/);
  assert.match(await p.page.textContent(`${first} .benign`), /Checksum offload/);
  assert.match(await p.page.textContent(`${first} .refs`), /RFC 9293/);
  await screenshot(p.page, 'detail-packet-1');
  assertClean(p);
  await p.page.close();
});

test('a field lights up exactly its bytes, a finding its evidence, and a byte selects its field', async () => {
  const p = await openPage(context, server.origin);
  await openSample(p.page);
  await openPacket(p.page, 1);
  assert.deepEqual(await lit(p.page), { hex: [], ascii: [] });

  // ip.src: 14 bytes of Ethernet + 12 into the IPv4 header, 4 bytes.
  await p.page.click('[data-field="ip.src"]');
  assert.deepEqual(await lit(p.page), { hex: [26, 27, 28, 29], ascii: [26, 27, 28, 29] });
  assert.equal(await p.page.getAttribute('[data-field="ip.src"]', 'aria-pressed'), 'true');
  assert.equal(await p.page.textContent('#lit'), 'Highlighted: bytes 26–29');
  await screenshot(p.page, 'field-ip-src');

  // tcp.dstport: 14 + 20 + 2.
  await p.page.click('[data-field="tcp.dstport"]');
  assert.deepEqual((await lit(p.page)).hex, [36, 37]);

  // The checksum finding's evidence is tcp.checksum, bytes 50-51.
  await p.page.click('#findings .finding[data-finding="anom.checksum.transport_bad"] .finding-head');
  assert.deepEqual(await lit(p.page), { hex: [50, 51], ascii: [50, 51] });
  await screenshot(p.page, 'finding-evidence');

  // Clicking a hex byte selects the innermost field covering it.
  await p.page.click('#hex .b[data-off="17"]');
  assert.equal(await p.page.getAttribute('[data-field="ip.len"]', 'aria-pressed'), 'true');
  assert.deepEqual((await lit(p.page)).hex, [16, 17]);
  await p.page.click('#hex .b[data-off="12"]');
  assert.equal(await p.page.getAttribute('[data-field="eth.type"]', 'aria-pressed'), 'true');
  // ... and an ASCII character does the same.
  await p.page.click('#hex .a[data-off="28"]');
  assert.equal(await p.page.getAttribute('[data-field="ip.src"]', 'aria-pressed'), 'true');
  assert.deepEqual((await lit(p.page)).hex, [26, 27, 28, 29]);
  assertClean(p);
  await p.page.close();
});

test('arrow keys move the selection and Enter opens the detail', async () => {
  const p = await openPage(context, server.origin);
  await openSample(p.page);
  await p.page.focus('#scroller');
  const selected = () => p.page.$$eval('#packets .row.selected', (r) => r.map((x) => x.dataset.number));
  await p.page.keyboard.press('ArrowDown');
  assert.deepEqual(await selected(), ['1']);
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('ArrowDown');
  assert.deepEqual(await selected(), ['3']);
  await p.page.keyboard.press('ArrowUp');
  assert.deepEqual(await selected(), ['2']);
  // Moving does not open; Enter does.
  assert.equal(await p.page.$('#tree'), null);
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => document.querySelector('#tree h2')?.textContent === 'Packet 2');
  assert.match(await p.page.textContent('#narrative'), /agrees to open the connection/);
  // The end stops at the last packet.
  await p.page.keyboard.press('End');
  await p.page.keyboard.press('ArrowDown');
  assert.deepEqual(await selected(), ['4']);
  assert.equal(await p.page.getAttribute('#scroller', 'aria-activedescendant'), 'row-4');
  assertClean(p);
  await p.page.close();
});

test('dark colour scheme', async () => {
  const p = await openPage(context, server.origin);
  await p.page.emulateMedia({ colorScheme: 'dark' });
  await openSample(p.page);
  await openPacket(p.page, 1);
  await p.page.click('[data-field="ip.src"]');
  const bg = await p.page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
  assert.equal(bg, 'rgb(21, 23, 26)');
  await screenshot(p.page, 'dark');
  assertClean(p);
  await p.page.close();
});
