// Browser tests of the page's tools, each checked against an independent answer where there is
// one (the native CLI, tshark, capinfos, tcpdump): the display filter and its errors, saving the
// shown packets and the reports, the hex box, a damaged file, following a stream, the time
// formats and zones, the keyboard, copying an explanation, and a real capture from the corpus.
// Run with `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  serveDist, launch, openPage, screenshot, assertClean, text, listRows, openExample, openRow,
  waitFinished, EXAMPLES_DIR, hasCli, cli, cliPackets, samplePcap, pcap, icmpEchoFrame, tcpdumpXX,
  unescapeHtml, hasCorpus, CORPUS,
} from './helpers.mjs';

let server;
let context;
const scratch = mkdtempSync(path.join(tmpdir(), 'tracelens-e2e-'));

before(async () => {
  server = await serveDist();
  context = await launch();
});

after(async () => {
  await context?.close();
  await server?.close();
});

const clean = (p) => assertClean(assert, server.origin, p);
const SWEEP = path.join(EXAMPLES_DIR, 'rpc-syn-sweep.pcap');

/** How many packets of `file` a display filter keeps: the CLI's answer, else tshark's; null when
 *  neither can say. */
function expectedCount(file, expr) {
  if (hasCli()) return cliPackets(file, expr).length;
  if (expr.startsWith('finding.')) return null;
  try {
    const out = execFileSync('tshark', ['-r', file, '-Y', expr], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return out.split('\n').filter((l) => l.trim()).length;
  } catch {
    return null;
  }
}

/** Types an expression into the filter bar, applies it and waits for the worker's answer:
 *  the list filtered by it, or the error naming it. */
async function applyFilter(page, expr) {
  await page.fill('#filter-input', expr);
  await page.click('#filter-apply');
  await page.waitForFunction(
    (e) =>
      document.querySelector('#filter-status code')?.textContent === e ||
      document.querySelector('#filter-error code.expr')?.textContent.trimEnd() === e,
    expr,
  );
}

/** Clicks an export button and returns the saved download's name and content. */
async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const file = path.join(scratch, dl.suggestedFilename());
  await dl.saveAs(file);
  return { name: dl.suggestedFilename(), file, bytes: readFileSync(file) };
}

test('the display filter narrows the list like the CLI, and refuses bad expressions in place', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'rpc-syn-sweep.pcap');
  assert.equal(await text(p.page, '#shown'), '174 packets');

  const cases = [
    // The SYNs and SYN/ACKs.
    ['tcp.flags.syn == 1', (r) => /Flags \[S\.?\]/.test(r.summary)],
    // A CIDR block: the first 16 addresses of the swept network.
    ['ip.addr == 192.0.2.0/28', (r) => [r.src, r.dst].some((a) => /^192\.0\.2\.([0-9]|1[0-5])$/.test(a))],
    // Packets carrying a finding of at least warning level (the sweep's evidence).
    ['finding.severity >= warning', (r) => ['warning', 'alert'].includes(r.level)],
  ];
  for (const [expr, keeps] of cases) {
    await applyFilter(p.page, expr);
    assert.equal(await p.page.$('#filter-error'), null, expr);
    const want = expectedCount(SWEEP, expr);
    const shown = Number(/^(\d+) of 174 packets shown$/.exec(await text(p.page, '#shown'))?.[1]);
    if (want === null) {
      console.log(`# no CLI or tshark to count "${expr}": only checked that it narrows`);
      assert.ok(shown > 0 && shown < 174, `${expr}: ${shown}`);
    } else {
      assert.equal(shown, want, expr);
    }
    assert.equal(await text(p.page, '#filter-status'), `${shown} of 174 packets match ${expr}`);
    await p.page.waitForSelector('#row-1[data-number]');
    const rows = await listRows(p.page);
    assert.ok(rows.length > 0);
    for (const r of rows) assert.ok(keeps(r), `${expr} kept packet ${r.number}: ${JSON.stringify(r)}`);
    if (hasCli()) {
      const nums = cliPackets(SWEEP, expr).map((l) => l.number);
      assert.deepEqual(rows.map((r) => r.number), nums.slice(0, rows.length), expr);
    }
  }

  // Clear shows every packet again.
  await p.page.click('#filter-clear');
  await p.page.waitForFunction(() => document.querySelector('#shown')?.textContent === '174 packets');
  assert.equal(await p.page.inputValue('#filter-input'), '');
  assert.equal(await p.page.$('#filter-status'), null);
  await p.page.waitForSelector('#row-1[data-number]');
  assert.deepEqual((await listRows(p.page)).slice(0, 3).map((r) => r.number), [1, 2, 3]);

  // Bad expressions: the error marks the bad part and the list keeps the last good filter.
  await applyFilter(p.page, 'tcp.flags.reset == 1');
  await p.page.waitForSelector('#row-1[data-number]');
  const before = await listRows(p.page);
  const shownBefore = await text(p.page, '#shown');
  assert.equal(shownBefore, '10 of 174 packets shown');
  const bad = [
    ['tcp.port = 80', '=', /==/],
    ['(tcp', '(', /never closed/],
    ['tcp.flagz', 'tcp.flagz', /no field called `tcp\.flagz`/],
    ['tcp.flags.rst == 1', 'tcp.flags.rst', /did you mean `tcp\.flags\.reset`\?/],
  ];
  for (const [expr, marked, why] of bad) {
    await applyFilter(p.page, expr);
    assert.equal(await p.page.textContent('#filter-error mark'), marked, expr);
    const msg = await text(p.page, '#filter-error span');
    assert.match(msg, /^At character \d+: /, expr);
    assert.match(msg, why, expr);
    assert.equal(await p.page.getAttribute('#filter-input', 'aria-invalid'), 'true');
    assert.equal(await text(p.page, '#shown'), shownBefore, expr);
    assert.deepEqual(await listRows(p.page), before, `${expr}: the rows stay`);
    if (expr === 'tcp.port = 80') await screenshot(p.page, 'web-filter-error');
  }
  // A good filter clears the error.
  await applyFilter(p.page, 'tcp.flags.reset == 1 and tcp.flags.ack == 1');
  assert.equal(await p.page.$('#filter-error'), null);
  assert.equal(await p.page.getAttribute('#filter-input', 'aria-invalid'), 'false');
  clean(p);
  await p.page.close();
});

test('saving: the shown packets as a capture the CLI reads back, and the two reports', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'rpc-syn-sweep.pcap');
  await p.page.selectOption('#time-mode', 'absolute');
  await applyFilter(p.page, 'tcp.flags.reset == 1');
  await p.page.waitForSelector('#row-10[data-number]');
  const rows = await listRows(p.page);
  assert.equal(rows.length, 10);

  const pcapFile = await download(p.page, '#export-pcap');
  assert.equal(pcapFile.name, 'rpc-syn-sweep-shown.pcap');
  assert.equal(pcapFile.bytes.readUInt32LE(0) === 0xa1b2c3d4 || pcapFile.bytes.readUInt32BE(0) === 0xa1b2c3d4
    || pcapFile.bytes.readUInt32LE(0) === 0xa1b23c4d || pcapFile.bytes.readUInt32BE(0) === 0xa1b23c4d, true, 'a pcap');
  if (hasCli()) {
    // The same lines, in the same order: summary and time of each packet.
    const lines = cliPackets(pcapFile.file);
    assert.deepEqual(lines.map((l) => l.summary), rows.map((r) => r.summary));
    assert.deepEqual(lines.map((l) => l.time), rows.map((r) => r.time));
  } else {
    const out = execFileSync('capinfos', ['-c', '-M', pcapFile.file]).toString();
    assert.match(out, /Number of packets:\s*10\b/);
  }

  // The reports: the file's name and every finding title of the Findings tab.
  await p.page.click('#tab-findings');
  const titles = await p.page.$$eval('#groups > .finding .title', (ts) => ts.map((x) => x.textContent));
  assert.ok(titles.length >= 6, titles.join('\n'));
  const md = await download(p.page, '#export-md');
  assert.equal(md.name, 'rpc-syn-sweep-report.md');
  const mdText = md.bytes.toString('utf8');
  assert.ok(mdText.includes('rpc-syn-sweep.pcap'));
  for (const title of titles) assert.ok(mdText.includes(title), `markdown report lacks "${title}"`);
  const html = await download(p.page, '#export-html');
  assert.equal(html.name, 'rpc-syn-sweep-report.html');
  const htmlText = html.bytes.toString('utf8');
  assert.doesNotMatch(htmlText, /<script/i, 'the HTML report runs no script');
  assert.match(htmlText, /^<!doctype html>/i);
  const plain = unescapeHtml(htmlText);
  assert.ok(plain.includes('rpc-syn-sweep.pcap'));
  for (const title of titles) assert.ok(plain.includes(title), `HTML report lacks "${title}"`);
  clean(p);
  await p.page.close();
});

/** tcpdump's own -xx output for a one-frame capture (header line and hex lines), or ours. */
function hexDumpOf(frame) {
  const file = path.join(scratch, 'ping.pcap');
  writeFileSync(file, pcap([frame]));
  try {
    return execFileSync('tcpdump', ['-n', '-xx', '-r', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return `IP 192.0.2.1 > 192.0.2.2: ICMP echo request\n${tcpdumpXX(frame)}\n`;
  }
}

test('a pasted tcpdump -xx dump of an Ethernet frame decodes as one ICMP packet', async () => {
  const frame = icmpEchoFrame({ src: '192.0.2.1', dst: '192.0.2.2', id: 0x4242, seq: 7 });
  const dump = hexDumpOf(frame);
  assert.match(dump, /0x0000:  0200 0000 0002/);
  const p = await openPage(context, server.origin);
  await p.page.click('#hex-toggle');
  assert.equal(await p.page.getAttribute('#hex-toggle', 'aria-expanded'), 'true');
  await p.page.fill('#hex-input', dump);
  await p.page.click('#hex-decode');
  await waitFinished(p.page);
  assert.equal(await text(p.page, '#file-name'), 'pasted hex dump');
  assert.equal(await text(p.page, '#packet-count'), '1');
  assert.equal(await p.page.$('#read-error'), null);
  const note = await text(p.page, '#notes');
  assert.match(note, /Ethernet/, note);
  await p.page.waitForSelector('#row-1[data-number]');
  const [row] = await listRows(p.page);
  assert.deepEqual([row.src, row.dst, row.proto, row.len], ['192.0.2.1', '192.0.2.2', 'ICMP', frame.length]);
  assert.match(row.summary, /ICMP echo request, id 16962, seq 7/);
  await openRow(p.page, 1);
  // The echo's payload is a data layer, as in Wireshark.
  assert.deepEqual(await p.page.$$eval('#tree .layer', (ls) => ls.map((l) => l.dataset.proto)), ['eth', 'ip', 'icmp', 'data']);
  const shownHex = await p.page.$$eval('#hex .b', (bs) => bs.map((b) => b.textContent).join(''));
  assert.equal(shownHex, frame.toString('hex'), 'the bytes are the frame, nothing added or lost');
  clean(p);
  await p.page.close();
});

test('the progress line of a pasted dump counts the bytes it read against the right size', async () => {
  const p = await openPage(context, server.origin);
  await p.page.click('#hex-toggle');
  await p.page.fill('#hex-input', '0x0000:  4500 003c 1c46 4000 4006 b1e6 ac10 0a63');
  await p.page.click('#hex-decode');
  const line = await waitFinished(p.page);
  // The capture made from the dump: a 24-byte file header, a 16-byte record header, 16 bytes.
  assert.equal(line, 'Read 1 packet, 56 bytes of 56 bytes.');
  clean(p);
  await p.page.close();
});

test('a pcap cut inside record 3 says where it stopped and keeps the two packets before', async () => {
  const whole = samplePcap();
  // 24-byte file header, then records of 16 + 54 bytes twice: record 3 starts at byte 164.
  const cut = whole.subarray(0, 164 + 30);
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'cut3.pcap', mimeType: 'application/octet-stream', buffer: cut });
  await waitFinished(p.page);
  assert.equal(await text(p.page, '#packet-count'), '2');
  const err = await text(p.page, '#read-error');
  assert.match(err, /record 3 at byte 164/, err);
  assert.equal(await p.page.getAttribute('#packets', 'aria-rowcount'), '3');
  await p.page.waitForSelector('#row-2[data-number]');
  assert.deepEqual((await listRows(p.page)).map((r) => r.number), [1, 2]);
  await openRow(p.page, 2);
  assert.match(await text(p.page, '#narrative'), /agrees to open the connection/);
  await openRow(p.page, 1);
  assert.equal(await p.page.textContent('[data-field="ip.src"] .value'), '10.0.0.1');
  await screenshot(p.page, 'web-damaged');
  clean(p);
  await p.page.close();
});

/** The CLI's `follow` output as segments: packet, byte count and text. */
function cliSegments(file, n) {
  const out = cli('follow', '-n', String(n), file);
  const parts = out.split(/^── .* \(packet (\d+), (\d+) bytes\) ──$/m);
  const segs = [];
  for (let i = 1; i + 2 < parts.length; i += 3) {
    segs.push({ packet: Number(parts[i]), bytes: Number(parts[i + 1]), text: parts[i + 2].trim() });
  }
  return segs;
}

test('following the TCP session shows the request and the answer, as text and as hex', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'tcp-session.pcap');
  await openRow(p.page, 4);
  await p.page.click('#follow');
  await p.page.waitForSelector('#stream-body .seg');
  assert.match(await text(p.page, '#stream h2'), /192\.0\.2\.10:38060 ↔ 198\.51\.100\.80:80/);
  const client = await p.page.$$eval('#stream-body .seg.client .seg-body', (s) => s.map((x) => x.textContent));
  const server_ = await p.page.$$eval('#stream-body .seg.server .seg-body', (s) => s.map((x) => x.textContent));
  assert.equal(client.length, 1);
  assert.equal(server_.length, 1);
  assert.match(client[0], /^GET \/status\.txt HTTP\/1\.0\nHost: www\.example\.com\n/);
  assert.match(server_[0], /^HTTP\/1\.0 200 OK\n[^]*All systems normal\./);
  assert.equal(await text(p.page, '#stream-facts'),
    '86 bytes from 192.0.2.10:38060, 104 bytes from 198.51.100.80:80, 11 packets.');
  if (hasCli()) {
    const segs = cliSegments(path.join(EXAMPLES_DIR, 'tcp-session.pcap'), 4);
    const heads = await p.page.$$eval('#stream-body .seg .seg-head', (h) => h.map((x) => x.textContent));
    assert.deepEqual(heads.map((h) => Number(/packet (\d+)/.exec(h)[1])), segs.map((s) => s.packet));
    assert.deepEqual(heads.map((h) => Number(/(\d+) bytes$/.exec(h)[1])), segs.map((s) => s.bytes));
    assert.deepEqual([client[0].trim(), server_[0].trim()], segs.map((s) => s.text));
  }
  await screenshot(p.page, 'web-stream');

  await p.page.click('#stream-hex');
  assert.equal(await p.page.getAttribute('#stream-hex', 'aria-pressed'), 'true');
  const hex = (await p.page.textContent('#stream-body .seg.client .seg-body')).trimEnd().split('\n');
  assert.equal(hex.length, Math.ceil(86 / 16));
  assert.match(hex[0], /^00000000  47 45 54 20 2f 73 74 61 74 75 73 2e 74 78 74 20  GET \/status\.txt $/);
  for (const line of hex) assert.match(line, /^[0-9a-f]{8}  ([0-9a-f]{2} ){0,15}[0-9a-f]{2} +.{1,16}$/);
  // A segment's packet button opens that packet.
  await p.page.click('#stream-body .seg.server .pkt');
  await p.page.waitForFunction(() => document.querySelector('#tree h2')?.textContent === 'Packet 6');
  clean(p);
  await p.page.close();
});

test('time column: since first, since previous, date in UTC', async () => {
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', { name: 'sample.pcap', mimeType: 'application/octet-stream', buffer: samplePcap() });
  await waitFinished(p.page);
  await p.page.waitForSelector('#row-4[data-number]');
  const times = async () => (await listRows(p.page)).map((r) => r.time);
  const heading = () => text(p.page, '#packets .head .time');
  assert.deepEqual(await times(), ['0.000000000', '1.250000000', '2.500000000', '3.750000000']);
  assert.equal(await heading(), 'Time (s)');
  await p.page.selectOption('#time-mode', 'delta');
  assert.deepEqual(await times(), ['0.000000000', '1.250000000', '1.250000000', '1.250000000']);
  assert.equal(await heading(), 'Δ time (s)');
  await p.page.selectOption('#time-mode', 'absolute');
  // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC.
  assert.deepEqual(await times(), [
    '2023-11-14 22:13:20.000000000', '2023-11-14 22:13:21.250000000',
    '2023-11-14 22:13:22.500000000', '2023-11-14 22:13:23.750000000',
  ]);
  assert.equal(await heading(), 'Time (UTC)');
  clean(p);
  await p.page.close();
});

test('local time in Asia/Kolkata is UTC+05:30', async () => {
  const kolkata = await launch({ timezoneId: 'Asia/Kolkata' });
  try {
    const p = await openPage(kolkata, server.origin);
    await p.page.setInputFiles('#file-input', { name: 'sample.pcap', mimeType: 'application/octet-stream', buffer: samplePcap() });
    await waitFinished(p.page);
    await p.page.waitForSelector('#row-2[data-number]');
    await p.page.selectOption('#time-mode', 'absolute');
    await p.page.check('#local-time');
    assert.equal(await text(p.page, '#packets .head .time'), 'Time (local)');
    assert.deepEqual((await listRows(p.page)).slice(0, 2).map((r) => r.time),
      ['2023-11-15 03:43:20.000000000', '2023-11-15 03:43:21.250000000']);
    await openRow(p.page, 2);
    assert.match(await text(p.page, '#tree .frame'),
      /2023-11-15 03:43:21\.250000000 UTC\+05:30 \(2023-11-14 22:13:21\.250000000 UTC\)/);
    // Back to UTC.
    await p.page.uncheck('#local-time');
    assert.equal((await listRows(p.page))[0].time, '2023-11-14 22:13:20.000000000');
    assertClean(assert, server.origin, p);
  } finally {
    await kolkata.close();
  }
});

test('keyboard: arrows move, Enter opens, in the full list and in a filtered one', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'tcp-session.pcap');
  await openRow(p.page, 1);
  await p.page.focus('#scroller');
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => document.querySelector('#tree h2')?.textContent === 'Packet 3');
  assert.equal(await p.page.getAttribute('#scroller', 'aria-activedescendant'), 'row-3');
  assert.match(await p.page.getAttribute('#row-3', 'class'), /\bselected\b.*\bopened\b|\bopened\b.*\bselected\b/);

  // In a filtered list the keys move through positions; Enter opens the packet shown there.
  await openExample(p.page, 'rpc-syn-sweep.pcap');
  await applyFilter(p.page, 'tcp.flags.reset == 1');
  await p.page.waitForSelector('#row-3[data-number]');
  const third = Number(await p.page.getAttribute('#row-3', 'data-number'));
  assert.ok(third > 3, `position 3 holds packet ${third}`);
  await p.page.focus('#scroller');
  await p.page.keyboard.press('Home');
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('ArrowDown');
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction((n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`, third);
  await p.page.keyboard.press('End');
  assert.equal(await p.page.getAttribute('#scroller', 'aria-activedescendant'), 'row-10');
  clean(p);
  await p.page.close();
});

test('copy as text puts the explanation on the clipboard', async () => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'tcp-session.pcap');
  await openRow(p.page, 2);
  const narrative = await text(p.page, '#narrative');
  const summary = (await listRows(p.page)).find((r) => r.number === 2).summary;
  const titles = await p.page.$$eval('#findings .finding .title', (ts) => ts.map((x) => x.textContent));
  await p.page.bringToFront();
  await p.page.click('#copy-explanation');
  await p.page.waitForSelector('#copied');
  assert.equal(await text(p.page, '#copied'), 'Explanation copied.');
  const clip = await p.page.evaluate(() => navigator.clipboard.readText());
  assert.ok(clip.startsWith(`Packet 2: ${summary}\n\n${narrative}\n`), clip);
  for (const t of titles) assert.ok(clip.includes(t), `clipboard lacks "${t}"`);
  clean(p);
  await p.page.close();
});

test('a corpus capture with TCP: the count capinfos and the CLI give, the CLI\'s lines', async (t) => {
  const rel = 'tcpdump/tests/mptcp-v0.pcap';
  const file = path.join(CORPUS, rel);
  if (!hasCorpus() || !existsSync(file)) {
    t.skip(`no ${rel} under ${CORPUS}`);
    return;
  }
  const capinfos = Number(/Number of packets:\s*(\d+)/.exec(execFileSync('capinfos', ['-c', '-M', file]).toString())[1]);
  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', file);
  await waitFinished(p.page);
  assert.equal(await text(p.page, '#packet-count'), String(capinfos));
  assert.equal(await p.page.$('#read-error'), null);
  await p.page.waitForSelector('#row-1[data-number]');
  const rows = await listRows(p.page);
  assert.ok(rows.every((r) => r.proto === 'TCP'), rows.map((r) => r.proto).join(' '));
  if (hasCli()) {
    assert.match(cli('info', file), new RegExp(`^Packets:\\s+${capinfos}$`, 'm'));
    const lines = cliPackets(file);
    for (const r of rows) assert.equal(r.summary, lines[r.number - 1].summary, `packet ${r.number}`);
    // The last packet too, after scrolling to the end.
    await p.page.$eval('#scroller', (el) => { el.scrollTop = el.scrollHeight; });
    await p.page.waitForSelector(`#row-${capinfos}[data-number]`);
    assert.equal(await p.page.getAttribute(`#row-${capinfos} .summary`, 'title'), lines[capinfos - 1].summary);
  }
  clean(p);
  await p.page.close();
});
