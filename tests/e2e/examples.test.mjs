// Browser tests of the built-in examples and the views of a whole capture: every example of the
// menu reads to the manifest's packet count and raises the findings the manifest expects; the
// detail panes of a packet with findings; the Findings and Overview tabs and their links back
// into the list. Where the native CLI is built, the page's answers are compared with it.
// Run with `node --test tests/e2e/` after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  serveDist, launch, openPage, screenshot, assertClean, text, listRows, openExample, openRow,
  litBytes, examplesManifest, EXAMPLES_DIR, hasCli, cli, cliPackets,
} from './helpers.mjs';

let server;
let context;
let manifest;

before(async () => {
  server = await serveDist();
  context = await launch();
  manifest = await examplesManifest();
});

after(async () => {
  await context?.close();
  await server?.close();
});

const clean = (p) => assertClean(assert, server.origin, p);

/** The ids and evidence counts of the Findings tab, in the order shown. */
async function groups(page) {
  await page.click('#tab-findings');
  await page.waitForSelector('#findings-view');
  return page.$$eval('#groups > .finding', (gs) =>
    gs.map((g) => ({
      id: g.dataset.finding,
      title: g.querySelector('.title').textContent,
      count: Number(/^\d+/.exec(g.querySelector('.count').textContent)?.[0]),
      level: g.querySelector('.badge').textContent,
    })),
  );
}

/** Every finding id the CLI reports for a file, per-packet and cross-packet. */
function cliFindingIds(file) {
  const j = JSON.parse(cli('findings', file, '--json'));
  return [...j.per_packet, ...j.detections].map((f) => f.id).sort();
}

test('every example of the menu reads fully and raises what its manifest expects', async () => {
  assert.equal(manifest.length, 7, 'the manifest lists 7 examples');
  const p = await openPage(context, server.origin);
  const offered = await p.page.$$eval('#examples option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(offered, manifest.map((e) => e.file), 'the menu offers the manifest, in order');
  for (const ex of manifest) {
    await openExample(p.page, ex.file);
    assert.equal(await text(p.page, '#packet-count'), String(ex.packets), ex.file);
    assert.match(await text(p.page, '#progress'), new RegExp(`^Read ${ex.packets} packets`), ex.file);
    assert.equal(await p.page.$('#read-error'), null, `${ex.file}: read error`);
    assert.equal(await p.page.getAttribute('#packets', 'aria-rowcount'), String(ex.packets + 1), ex.file);
    const rows = await listRows(p.page);
    assert.ok(rows.length >= Math.min(ex.packets, 10), `${ex.file}: ${rows.length} rows in the DOM`);
    assert.deepEqual(rows.slice(0, 5).map((r) => r.number), [1, 2, 3, 4, 5].slice(0, Math.min(5, ex.packets)));
    if (hasCli()) {
      // The list's summary lines are the CLI's, packet for packet.
      const lines = cliPackets(path.join(EXAMPLES_DIR, ex.file));
      assert.equal(lines.length, ex.packets, `${ex.file}: CLI packet count`);
      for (const r of rows) assert.equal(r.summary, lines[r.number - 1].summary, `${ex.file} packet ${r.number}`);
    }

    const g = await groups(p.page);
    const ids = g.map((x) => x.id);
    for (const id of ex.expect) assert.ok(ids.includes(id), `${ex.file}: ${id} missing from ${ids.join(', ')}`);
    assert.equal(await text(p.page, '#tab-findings'), `Findings (${g.length})`, ex.file);
    assert.equal(await text(p.page, '#findings-view h2'), `${g.length} findings`, ex.file);
    if (hasCli()) {
      assert.deepEqual([...ids].sort(), cliFindingIds(path.join(EXAMPLES_DIR, ex.file)), `${ex.file}: same ids as the CLI`);
    }
    // Worst first.
    const rank = { alert: 4, warning: 3, notice: 2, info: 1 };
    const levels = g.map((x) => rank[x.level]);
    assert.deepEqual(levels, [...levels].sort((a, b) => b - a), `${ex.file}: groups worst first`);
    if (ex.file === 'rpc-syn-sweep.pcap') await screenshot(p.page, 'web-findings');
  }
  if (!hasCli()) console.log('# CLI not built (cargo build --release -p tracelens): skipped comparing with it');
  clean(p);
  await p.page.close();
});

test('a packet with findings: narrative, findings, and fields, bytes and evidence linked', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'smurf.pcap');
  // Packet 1 is the echo request sent to the broadcast address in the victim's name.
  await openRow(p.page, 1);
  const narrative = await text(p.page, '#narrative');
  assert.match(narrative, /203\.0\.113\.9 pings 198\.51\.100\.255/);
  assert.match(await text(p.page, '#context'), /broadcast\.smurf/);
  const ids = await p.page.$$eval('#findings .finding', (fs) => fs.map((f) => f.dataset.finding));
  assert.ok(ids.includes('icmp.echo.to_broadcast'), ids.join(', '));
  assert.ok(ids.includes('addr.directed_broadcast'), ids.join(', '));
  assert.equal(await text(p.page, '#findings .finding[data-finding="icmp.echo.to_broadcast"] .badge'), 'warning');
  assert.equal(await p.page.getAttribute('#row-1', 'class').then((c) => c.includes('lvl-alert')), true,
    'the row carries its worst level (the smurf detection is an alert)');
  if (hasCli()) {
    // The CLI says the same, with the conversation context appended.
    const ex = JSON.parse(cli('explain', path.join(EXAMPLES_DIR, 'smurf.pcap'), '--packet', '1', '--json'));
    assert.ok(ex.narrative.startsWith(narrative), `page "${narrative}" vs CLI "${ex.narrative}"`);
    assert.deepEqual(ids, ex.findings.map((f) => f.id));
  }

  // ip.src is 4 bytes, 12 into the IPv4 header after 14 of Ethernet.
  assert.deepEqual(await litBytes(p.page), []);
  await p.page.click('[data-field="ip.src"]');
  assert.deepEqual(await litBytes(p.page), [26, 27, 28, 29]);
  assert.match(await p.page.getAttribute('[data-field="ip.src"]', 'class'), /\bon\b/);
  assert.equal(await text(p.page, '#lit'), 'Highlighted: bytes 26–29');

  // A byte of the destination address selects ip.dst and lights its 4 bytes.
  await p.page.click('#hex .b[data-off="32"]');
  assert.match(await p.page.getAttribute('[data-field="ip.dst"]', 'class'), /\bon\b/);
  assert.doesNotMatch(await p.page.getAttribute('[data-field="ip.src"]', 'class'), /\bon\b/);
  assert.deepEqual(await litBytes(p.page), [30, 31, 32, 33]);

  // The finding rests on ip.dst (30-33), icmp.type (34) and icmp.code (35).
  await p.page.click('#findings .finding[data-finding="icmp.echo.to_broadcast"] .finding-head');
  assert.deepEqual(await litBytes(p.page), [30, 31, 32, 33, 34, 35]);
  assert.match(await p.page.getAttribute('#findings .finding[data-finding="icmp.echo.to_broadcast"]', 'class'), /\bon\b/);
  assert.equal(await p.page.$('#tree .field.on'), null, 'no field stays selected');
  await screenshot(p.page, 'web-packet');
  clean(p);
  await p.page.close();
});

test('the Findings tab: evidence links open packets, "show them" filters the list', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'rpc-syn-sweep.pcap');
  const g = await groups(p.page);
  const synack = g.find((x) => x.id === 'tcp.flags.synack');
  assert.ok(synack, 'tcp.flags.synack group');
  const sel = '#groups > .finding[data-finding="tcp.flags.synack"]';
  const linked = await p.page.$$eval(`${sel} button.pkt`, (bs) => bs.map((b) => Number(b.dataset.packet)));
  assert.equal(linked.length, synack.count);
  if (hasCli()) {
    const want = cliPackets(path.join(EXAMPLES_DIR, 'rpc-syn-sweep.pcap'), 'tcp.flags.syn == 1 and tcp.flags.ack == 1');
    assert.deepEqual(linked, want.map((l) => l.number), 'the SYN/ACKs the CLI finds');
  }

  // An evidence packet: back to the Packets tab with that packet open and selected.
  const n = linked[1];
  await p.page.click(`${sel} button.pkt[data-packet="${n}"]`);
  await p.page.waitForFunction((n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`, n);
  assert.equal(await p.page.getAttribute('#tab-packets', 'aria-selected'), 'true');
  assert.equal(await p.page.isVisible('#findings-view'), false);
  await p.page.waitForSelector(`#row-${n}.selected`);
  assert.equal(await p.page.getAttribute(`#row-${n}`, 'data-number'), String(n));
  assert.ok(
    (await p.page.$$eval('#findings .finding', (fs) => fs.map((f) => f.dataset.finding))).includes('tcp.flags.synack'),
  );

  // "Show them in the list" on a per-packet group and on a cross-packet detection.
  for (const id of ['tcp.flags.synack', 'scan.sweep']) {
    const want = g.find((x) => x.id === id).count;
    await p.page.click('#tab-findings');
    await p.page.click(`#groups > .finding[data-finding="${id}"] .show-all`);
    await p.page.waitForFunction(
      (id) => document.querySelector('#filter-status code')?.textContent === `finding.id == "${id}"`,
      id,
    );
    assert.equal(await p.page.getAttribute('#tab-packets', 'aria-selected'), 'true');
    assert.equal(await text(p.page, '#shown'), `${want} of 174 packets shown`, id);
    assert.equal(await p.page.getAttribute('#packets', 'aria-rowcount'), String(want + 1));
    await p.page.waitForSelector('#row-1[data-number]');
    if (id === 'tcp.flags.synack') {
      assert.deepEqual((await listRows(p.page)).map((r) => r.number), linked);
    }
  }
  clean(p);
  await p.page.close();
});

test('the Overview tab: timeline, protocol hierarchy, conversations that open packets', async () => {
  const p = await openPage(context, server.origin);
  await openExample(p.page, 'tcp-session.pcap');
  await p.page.click('#tab-overview');
  await p.page.waitForSelector('#overview #timeline svg');
  const bars = await p.page.$$eval('#timeline svg rect.bar', (rs) => rs.map((r) => Number(r.getAttribute('height'))));
  assert.ok(bars.length > 0 && bars.every((h) => h > 0), `bars ${bars}`);
  // Every finding group has a line in a marker's title, naming the group's first packet;
  // groups that begin in the same step share a marker, which opens the first of them.
  const marks = await p.page.$$eval('#timeline .mark title', (ts) => ts.map((t) => t.textContent));
  assert.ok(marks.length >= 1, 'at least one finding marker');
  const lines = marks.flatMap((m) => m.split('\n'));
  assert.equal(lines.length, Number(/\((\d+)\)/.exec(await text(p.page, '#tab-findings'))[1]));
  for (const l of lines) assert.match(l, /\(packet \d+\)$/);
  const protos = await p.page.$$eval('#protocols tbody tr', (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const names = protos.map((r) => r[0]);
  for (const want of ['eth', 'ip', 'tcp']) assert.ok(names.includes(want), names.join(', '));
  assert.deepEqual(protos.find((r) => r[0] === 'eth').slice(1, 3), ['11', '100.0%']);
  assert.deepEqual(protos.find((r) => r[0] === 'tcp').slice(1, 3), ['11', '100.0%']);
  const convs = await p.page.$$eval('#conversations tbody tr', (trs) => trs.map((tr) => tr.textContent));
  assert.equal(convs.length, 1, convs.join('\n'));
  assert.match(convs[0], /192\.0\.2\.10/);
  await screenshot(p.page, 'web-overview');

  // A marker away from the left edge (the FIN/ACK at packet 8) opens its packet.
  const fin = marks.findIndex((m) => /\(packet 8\)$/.test(m.split('\n')[0]));
  assert.ok(fin >= 0, marks.join('\n'));
  await p.page.click(`#timeline .mark >> nth=${fin}`);
  await p.page.waitForFunction(() => document.querySelector('#tree h2')?.textContent === 'Packet 8');
  assert.equal(await p.page.getAttribute('#tab-packets', 'aria-selected'), 'true');

  // A capture with many conversations: the third one's first-packet button opens that packet.
  await openExample(p.page, 'smurf.pcap');
  await p.page.click('#tab-overview');
  await p.page.waitForSelector('#conversations tbody tr:nth-child(3) button.pkt');
  const label = await text(p.page, '#conversations tbody tr:nth-child(3) button.pkt');
  const n = Number(label.replace('#', ''));
  assert.ok(n > 1, label);
  const endpoints = await text(p.page, '#conversations tbody tr:nth-child(3) td:nth-child(2)');
  await p.page.click('#conversations tbody tr:nth-child(3) button.pkt');
  await p.page.waitForFunction((n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`, n);
  assert.equal(await p.page.getAttribute('#tab-packets', 'aria-selected'), 'true');
  await p.page.waitForSelector(`#row-${n}.selected`);
  // The packet belongs to that conversation: its two addresses are the endpoints'.
  const row = (await listRows(p.page)).find((r) => r.number === n);
  for (const a of [row.src, row.dst]) assert.ok(endpoints.includes(a), `${a} in ${endpoints}`);

  clean(p);
  await p.page.close();
});

/** Markers of the timeline that a click at their centre does not reach. */
async function hiddenMarks(page) {
  return page.$$eval('#timeline .mark', (ms) =>
    ms
      .filter((m) => {
        const r = m.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit?.closest('.mark') !== m;
      })
      .map((m) => m.querySelector('title').textContent));
}

test('every timeline marker can be clicked', async () => {
  const p = await openPage(context, server.origin);
  for (const f of ['tcp-session.pcap', 'smurf.pcap']) {
    await openExample(p.page, f);
    await p.page.click('#tab-overview');
    await p.page.waitForSelector('#timeline .mark');
    await p.page.$eval('#timeline', (t) => t.scrollIntoView());
    assert.deepEqual(await hiddenMarks(p.page), [], f);
  }
  clean(p);
  await p.page.close();
});

/** The records of a little-endian microsecond pcap: time in microseconds and frame bytes. */
function records(buf) {
  const out = [];
  for (let at = 24; at + 16 <= buf.length; ) {
    const len = buf.readUInt32LE(at + 8);
    const us = buf.readUInt32LE(at) * 1e6 + buf.readUInt32LE(at + 4);
    out.push({ us, frame: buf.subarray(at + 16, at + 16 + len) });
    at += 16 + len;
  }
  return out;
}

test('a file over a mebibyte is read by two workers and finds what the CLI finds', async () => {
  // Every example, again and again, each round an hour after the last, to about 1.5 MB: well
  // over the size (1 MiB) from which the worker hands the per-packet rules to its helper.
  const { readFile, writeFile, mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const round = [];
  for (const ex of manifest) {
    const buf = await readFile(path.join(EXAMPLES_DIR, ex.file));
    assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4, `${ex.file}: a little-endian microsecond pcap`);
    assert.equal(buf.readUInt32LE(20), 1, `${ex.file}: Ethernet`);
    const recs = records(buf);
    const t0 = recs[0].us;
    round.push(...recs.map((r) => ({ us: r.us - t0 + round.length * 1000, frame: r.frame })));
  }
  const parts = [Buffer.from(await readFile(path.join(EXAMPLES_DIR, manifest[0].file))).subarray(0, 24)];
  let size = 24;
  let packets = 0;
  for (let n = 0; size < 1.5e6; n++) {
    for (const r of round) {
      const us = 1700000000e6 + n * 3600e6 + r.us;
      const rec = Buffer.alloc(16);
      rec.writeUInt32LE(Math.floor(us / 1e6), 0);
      rec.writeUInt32LE(us % 1e6, 4);
      rec.writeUInt32LE(r.frame.length, 8);
      rec.writeUInt32LE(r.frame.length, 12);
      parts.push(rec, r.frame);
      size += 16 + r.frame.length;
      packets++;
    }
  }
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'tracelens-split-')), 'rounds.pcap');
  await writeFile(file, Buffer.concat(parts));

  const p = await openPage(context, server.origin);
  await p.page.setInputFiles('#file-input', file);
  await p.page.waitForFunction(
    () => /^Read /.test(document.querySelector('#progress')?.textContent ?? ''),
    null,
    { timeout: 60000 },
  );
  assert.equal(await p.page.getAttribute('#progress', 'data-workers'), '2');
  assert.equal(await text(p.page, '#packet-count'), String(packets));
  await p.page.waitForFunction(() => /Findings \(\d+\)/.test(document.querySelector('#tab-findings')?.textContent ?? ''));
  const g = await groups(p.page);
  assert.ok(g.length >= 10, `${g.length} findings`);
  if (hasCli()) {
    const j = JSON.parse(cli('findings', file, '--json'));
    const all = [...j.per_packet, ...j.detections];
    const want = all.map((f) => `${f.id} ${f.count ?? f.packets.length}`).sort();
    const got = g.map((x) => `${x.id} ${x.count}`).sort();
    assert.deepEqual(got, want, 'the same findings, each on as many packets, as the CLI');
    // Each row's mark is the worst of what the CLI lists it in (the helper found the per-packet
    // ones; lists hold a finding's first packets, so they are complete for the first rows).
    const rank = ['none', 'info', 'notice', 'warning', 'alert'];
    await p.page.click('#tab-packets');
    await p.page.waitForSelector('#row-1[data-number]');
    const rows = await listRows(p.page);
    assert.ok(rows.length >= 10, `${rows.length} rows`);
    let marked = 0;
    for (const r of rows) {
      const worst = all
        .filter((f) => f.packets.includes(r.number))
        .reduce((w, f) => Math.max(w, rank.indexOf(f.severity)), 0);
      assert.equal(r.level, rank[worst] === 'none' ? 'no findings' : rank[worst], `row ${r.number}`);
      if (worst > 0) marked++;
    }
    assert.ok(marked > 0, 'some rows are marked');
  } else {
    console.log('# CLI not built (cargo build --release -p tracelens): skipped comparing with it');
  }
  // A small file is read by one worker.
  await openExample(p.page, manifest[0].file);
  assert.equal(await p.page.getAttribute('#progress', 'data-workers'), '1');
  clean(p);
  await p.page.close();
});
