// Browser tests of what a hostile or huge capture must not be able to do: run script in the
// page (payloads and DNS names made of HTML, control characters, invalid UTF-8), make the page
// request anything outside its own files during a whole session, or hold the page hostage (a
// large file can be cancelled and what was read stays usable).
// Run with `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  serveDist, launch, openPage, screenshot, assertClean, text, listRows, openRow, waitFinished,
  pcap, tcpFrame, udpFrame, hasCli, cliPackets,
} from './helpers.mjs';

let server;
let context;
const scratch = mkdtempSync(path.join(tmpdir(), 'tracelens-trust-'));

before(async () => {
  server = await serveDist();
  context = await launch();
});

after(async () => {
  await context?.close();
  await server?.close();
});

// Every piece of markup here would set `window.__pwned` if the page ever parsed it as HTML.
const SCRIPT = '<script>window.__pwned = "script"</script>';
const IMG = '<img src=x onerror="window.__pwned = \'img\'">';
const SVG = '<svg onload="window.__pwned = \'svg\'"></svg>';

/** A DNS query whose one label is `label` (any bytes, up to 63). */
function dnsQuery(id, label) {
  const name = Buffer.concat([Buffer.from([label.length]), label, Buffer.from([3]), Buffer.from('com'), Buffer.from([0])]);
  const hdr = Buffer.alloc(12);
  hdr.writeUInt16BE(id, 0);
  hdr.writeUInt16BE(0x0100, 2); // recursion desired
  hdr.writeUInt16BE(1, 4); // one question
  return Buffer.concat([hdr, name, Buffer.from([0, 1, 0, 1])]); // type A, class IN
}

/** A TCP conversation whose payloads are markup, control characters and invalid UTF-8, and DNS
 *  queries whose names are markup. */
function hostilePcap() {
  const c = '198.51.100.7';
  const s = '203.0.113.9';
  const SYN = 0x02;
  const ACK = 0x10;
  const PSH = 0x08;
  const req = Buffer.from(`GET /${SCRIPT} HTTP/1.0\r\nUser-Agent: ${IMG}\r\n\r\n`);
  const resp = Buffer.concat([
    Buffer.from(`HTTP/1.0 200 OK\r\n\r\n${SVG}\u0000\u0007\u001b[31m`),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]), // invalid UTF-8
    Buffer.from('\r\n</pre></div><iframe src="javascript:window.__pwned=1">'),
  ]);
  return pcap([
    tcpFrame({ src: c, dst: s, sport: 41000, dport: 80, seq: 100, flags: SYN }),
    tcpFrame({ src: s, dst: c, sport: 80, dport: 41000, seq: 900, ack: 101, flags: SYN | ACK }),
    tcpFrame({ src: c, dst: s, sport: 41000, dport: 80, seq: 101, ack: 901, flags: ACK }),
    tcpFrame({ src: c, dst: s, sport: 41000, dport: 80, seq: 101, ack: 901, flags: PSH | ACK, payload: req }),
    tcpFrame({ src: s, dst: c, sport: 80, dport: 41000, seq: 901, ack: 101 + req.length, flags: PSH | ACK, payload: resp }),
    udpFrame({ src: c, dst: '192.0.2.53', sport: 5353, dport: 53, payload: dnsQuery(1, Buffer.from('<img/src=x/onerror=alert(5)>')) }),
    udpFrame({ src: c, dst: '192.0.2.53', sport: 5354, dport: 53, payload: dnsQuery(2, Buffer.from('a\u0000b\u001bc<b>"\'&')) }),
  ]);
}

async function pwned(page) {
  return page.evaluate(() => window.__pwned ?? null);
}

test('markup, control characters and invalid UTF-8 in a capture are shown as text, never run', async () => {
  const p = await openPage(context, server.origin);
  const dialogs = [];
  p.page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await p.page.setInputFiles('#file-input', { name: `${IMG}.pcap`, mimeType: 'application/octet-stream', buffer: hostilePcap() });
  await waitFinished(p.page);
  await p.page.waitForSelector('#row-7[data-number]');
  // The file name itself is markup: shown as it is.
  assert.equal(await text(p.page, '#file-name'), `${IMG}.pcap`);
  const rows = await listRows(p.page);
  assert.equal(rows.length, 7);
  assert.ok(rows[5].summary.includes('<img/src=x/onerror=alert(5)>'), rows[5].summary);

  // Open every packet: the tree, the hex pane and the explanation render capture bytes.
  for (let n = 1; n <= 7; n++) await openRow(p.page, n);
  await openRow(p.page, 4);
  const ascii = await p.page.$$eval('#hex .a', (els) => els.map((e) => e.textContent).join(''));
  assert.ok(ascii.includes('GET /<script>window.'), ascii);

  // The followed stream prints the payloads themselves.
  await p.page.click('#follow');
  await p.page.waitForSelector('#stream-body .seg.server');
  const client = await p.page.textContent('#stream-body .seg.client');
  assert.ok(client.includes(SCRIPT), client);
  assert.ok(client.includes(IMG), client);
  const server_ = await p.page.textContent('#stream-body .seg.server');
  assert.ok(server_.includes(SVG), server_);
  await screenshot(p.page, 'hostile-stream');

  // The findings and overview tabs, where names and addresses appear again.
  await p.page.click('#tab-findings');
  await p.page.waitForSelector('#findings-view');
  await p.page.click('#tab-overview');
  await p.page.waitForSelector('#overview');

  // No element came from the capture: no img, svg with onload, iframe or script outside the
  // page's own, anywhere in the document.
  const injected = await p.page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    iframe: document.querySelectorAll('iframe').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    handlers: [...document.querySelectorAll('*')].filter((el) =>
      [...el.attributes].some((a) => a.name.startsWith('on'))).length,
  }));
  assert.deepEqual(injected, { img: 0, iframe: 0, scripts: 0, handlers: 0 });
  assert.equal(await pwned(p.page), null);
  assert.deepEqual(dialogs, []);
  assertClean(assert, server.origin, p);
  await p.page.close();
});

test('the HTML report of a hostile capture runs nothing when opened', async () => {
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'hostile.pcap', mimeType: 'application/octet-stream', buffer: hostilePcap() });
  await waitFinished(p.page);
  const [dl] = await Promise.all([p.page.waitForEvent('download'), p.page.click('#export-html')]);
  const file = path.join(scratch, dl.suggestedFilename());
  await dl.saveAs(file);
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script|<img|<svg|<iframe/i);
  const report = await context.newPage();
  await report.setContent(html);
  assert.equal(await pwned(report), null);
  await report.close();
  assertClean(assert, server.origin, p);
  await p.page.close();
});

test('a whole session (open, browse, filter, follow, save) asks for nothing but the page\'s own files', async () => {
  const p = await openPage(context, server.origin);
  const origin = new URL(server.origin);
  await p.page.setInputFiles('#file-input', { name: 'hostile.pcap', mimeType: 'application/octet-stream', buffer: hostilePcap() });
  await waitFinished(p.page);
  await p.page.waitForSelector('#row-1[data-number]');
  await openRow(p.page, 5);
  await p.page.click('#follow');
  await p.page.waitForSelector('#stream-body .seg');
  await p.page.click('#stream-close');
  await p.page.fill('#filter-input', 'dns');
  await p.page.click('#filter-apply');
  await p.page.waitForFunction(() => document.querySelector('#filter-status code')?.textContent === 'dns');
  for (const b of ['#export-pcap', '#export-md', '#export-html']) {
    const [dl] = await Promise.all([p.page.waitForEvent('download'), p.page.click(b)]);
    await dl.saveAs(path.join(scratch, `session-${b.slice(1)}`));
  }
  await p.page.click('#tab-findings');
  await p.page.click('#tab-overview');
  await p.page.waitForSelector('#timeline');
  // Every request is the page's own origin or a blob it made itself.
  const outside = p.requests.filter((u) => {
    if (u.startsWith(`blob:${server.origin}/`) || u.startsWith('data:')) return false;
    const url = new URL(u);
    return url.origin !== origin.origin;
  });
  assert.deepEqual(outside, []);
  assert.ok(p.requests.some((u) => u.endsWith('.wasm')), 'the log saw the page load its code');
  // And the page says so itself: its Content-Security-Policy allows only its own origin.
  const csp = await p.page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(csp, /default-src 'self'/);
  assert.doesNotMatch(csp, /connect-src|worker-src/, 'fetches and workers fall back to default-src');
  assert.doesNotMatch(csp, /https?:|\*/);
  assertClean(assert, server.origin, p);
  await p.page.close();
});

test('a large file can be cancelled; what was read is listed, filtered and saved', async () => {
  // About 60 MB: 600,000 small UDP datagrams.
  const N = 600000;
  const frames = [];
  for (let i = 0; i < N; i++) {
    frames.push(udpFrame({ src: '10.2.0.1', dst: '10.2.0.2', sport: 20000 + (i % 5000), dport: 7000 + (i % 3), payload: Buffer.from(`p${i + 1}`) }));
  }
  const big = pcap(frames);
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'big.pcap', mimeType: 'application/octet-stream', buffer: big });
  // Rows are listed while the rest is still being read.
  await p.page.waitForSelector('#row-1[data-number]', { timeout: 30000 });
  await p.page.waitForSelector('#cancel');
  await p.page.click('#cancel');
  const line = await waitFinished(p.page);
  const m = /^Stopped after ([\d,]+) packets?, /.exec(line);
  assert.ok(m, line);
  const read = Number(m[1].replace(/,/g, ''));
  assert.ok(read > 0 && read < N, `${read} of ${N}`);
  assert.equal(await text(p.page, '#packet-count'), String(read));
  assert.match(await text(p.page, '#cancelled'), /stopped the reading/);
  // The bar shows how far the reading got, not a full bar.
  const bar = await p.page.$eval('#progress-bar', (b) => [b.value, b.max]);
  assert.ok(bar[0] > 0 && bar[0] < bar[1] && bar[1] === big.length, `${bar}`);
  await screenshot(p.page, 'cancelled');

  // The last packet read is reachable and right.
  await p.page.fill('#goto-input', String(read));
  await p.page.click('#goto button');
  await p.page.waitForFunction((n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`, read);
  const ascii = await p.page.$$eval('#hex .a', (els) => els.map((e) => e.textContent).join(''));
  assert.ok(ascii.endsWith(`p${read}`), ascii.slice(-20));

  // A filter runs over the packets read, and only those.
  await p.page.fill('#filter-input', 'udp.dstport == 7001');
  await p.page.click('#filter-apply');
  await p.page.waitForFunction(() => document.querySelector('#filter-status code')?.textContent === 'udp.dstport == 7001');
  const expected = Math.floor((read - 2) / 3) + 1; // packets 2, 5, 8, ... up to `read`
  assert.equal(await text(p.page, '#shown'), `${expected} of ${read} packets shown`);
  const [dl] = await Promise.all([p.page.waitForEvent('download'), p.page.click('#export-pcap')]);
  const file = path.join(scratch, 'cancelled-shown.pcap');
  await dl.saveAs(file);
  if (hasCli()) {
    const lines = cliPackets(file);
    assert.equal(lines.length, expected);
    assert.match(lines[0].summary, /10\.2\.0\.1\.20001 > 10\.2\.0\.2\.7001: UDP, length 2/);
  } else {
    // 24 header bytes, then records of 16 + 44..49 bytes.
    assert.ok(readFileSync(file).length > 24 + expected * 60);
  }
  await p.page.$eval('#scroller', (el) => { el.scrollTop = 0; });
  await p.page.waitForSelector('#row-1[data-number="2"]');
  assertClean(assert, server.origin, p);
  await p.page.close();
});
