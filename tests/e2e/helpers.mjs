// Shared pieces of the browser tests: a static server for dist/, a Chromium launched the way a
// closed network needs (see /work/shared/TOOLCHAIN.md), builders for small pcap files and hex
// dumps, the steps every test repeats (open an example, wait for the reading, read the list)
// and a runner for the native CLI the page's answers are compared with.
import { createServer } from 'node:http';
import { execFileSync } from 'node:child_process';
import { readFile, mkdtemp, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.join(ROOT, 'dist');
export const ARTIFACTS = path.join(ROOT, 'tests', 'artifacts');
export const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  // WebAssembly.instantiateStreaming refuses any other type.
  '.wasm': 'application/wasm',
};

/** Serves dist/ on 127.0.0.1 at a free port; every path outside dist/ is a 404. */
export async function serveDist() {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`no ${DIST}/index.html: run trunk build --release first`);
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.join(DIST, rel);
    if (!file.startsWith(DIST + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => server.close(ok)) };
}

/** Debian's Chromium, headless, with the flags that keep it from calling home. `options` adds
 *  context options such as `timezoneId`. */
export async function launch(options = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), 'tracelens-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...options,
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  // The benchmark finds the browser's processes by it (see tests/bench/browser_timing.mjs).
  context.profileDir = profile;
  return context;
}

/**
 * Opens the page and records what a test must check afterwards: every request URL (page and
 * worker) and every console error or uncaught exception.
 */
export async function openPage(context, origin) {
  const requests = [];
  const errors = [];
  const page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('worker', (w) => {
    w.on('console', (m) => {
      if (m.type() === 'error') errors.push(`worker console error: ${m.text()}`);
    });
  });
  await page.goto(origin + '/');
  await page.waitForSelector('#drop-zone');
  return { page, requests, errors };
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits until the worker's final report is on screen. */
export async function waitDone(page) {
  await page.waitForFunction(
    () => document.querySelector('#progress')?.textContent.startsWith('Read '),
    null,
    { timeout: 30000 },
  );
}

// ---- building small captures -------------------------------------------------------------

function ipChecksum(hdr) {
  let sum = 0;
  for (let i = 0; i < hdr.length; i += 2) sum += (hdr[i] << 8) | (hdr[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const MAC_A = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01];
const MAC_B = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02];

/** Ethernet + IPv4 around a transport header and payload. */
function ethIpv4(src, dst, proto, l4) {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45; // version 4, header length 5 words
  ip.writeUInt16BE(20 + l4.length, 2); // total length
  ip.writeUInt16BE(0x1234, 4); // identification
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64; // ttl
  ip[9] = proto;
  Buffer.from(src.split('.').map(Number)).copy(ip, 12);
  Buffer.from(dst.split('.').map(Number)).copy(ip, 16);
  ip.writeUInt16BE(ipChecksum(ip), 10);
  const eth = Buffer.from([...MAC_B, ...MAC_A, 0x08, 0x00]); // dst, src, EtherType IPv4
  return Buffer.concat([eth, ip, l4]);
}

export function tcpFrame({ src, dst, sport, dport, seq, ack = 0, flags, win = 65535, payload = Buffer.alloc(0) }) {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(seq, 4);
  tcp.writeUInt32BE(ack, 8);
  tcp[12] = 5 << 4; // data offset 5 words, no options
  tcp[13] = flags;
  tcp.writeUInt16BE(win, 14);
  return ethIpv4(src, dst, 6, Buffer.concat([tcp, payload]));
}

export function udpFrame({ src, dst, sport, dport, payload }) {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  return ethIpv4(src, dst, 17, Buffer.concat([udp, payload]));
}

/** A little-endian microsecond pcap with Ethernet link type. */
export function pcap(frames, firstSecond = 1700000000) {
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0); // magic
  hdr.writeUInt16LE(2, 4); // version major
  hdr.writeUInt16LE(4, 6); // version minor
  hdr.writeUInt32LE(65535, 16); // snap length
  hdr.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  const records = frames.map((f, i) => {
    const rec = Buffer.alloc(16);
    // Packets 1.25 s apart, the microseconds always below one second.
    const usec = i * 1250000;
    rec.writeUInt32LE(firstSecond + Math.floor(usec / 1e6), 0);
    rec.writeUInt32LE(usec % 1e6, 4);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    return Buffer.concat([rec, f]);
  });
  return Buffer.concat([hdr, ...records]);
}

/** Four packets: a TCP handshake's first two segments, then a DNS-port UDP datagram each way. */
export function samplePcap() {
  const SYN = 0x02;
  const ACK = 0x10;
  return pcap([
    tcpFrame({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 80, seq: 1000, flags: SYN }),
    tcpFrame({ src: '10.0.0.2', dst: '10.0.0.1', sport: 80, dport: 40000, seq: 5000, ack: 1001, flags: SYN | ACK }),
    udpFrame({ src: '10.0.0.1', dst: '10.0.0.3', sport: 40001, dport: 9999, payload: Buffer.from('hello') }),
    udpFrame({ src: '10.0.0.3', dst: '10.0.0.1', sport: 9999, dport: 40001, payload: Buffer.from('<b>hi</b>') }),
  ]);
}

export function hasCorpus() {
  return existsSync(CORPUS);
}

// ---- shared checks and steps of the feature tests -----------------------------------------

/** Checks that nothing left the page's origin (blob: URLs must be the page's own) and that
 *  nothing complained on the console. */
export function assertClean(assert, origin, { requests, errors }) {
  const outside = requests.filter(
    (u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith(`blob:${origin}/`),
  );
  assert.deepEqual(outside, [], 'requests outside the page origin');
  assert.deepEqual(errors, [], 'console errors');
}

export async function text(page, sel) {
  return (await page.textContent(sel))?.trim();
}

/** Waits until the worker's final report is on screen, whether the file was read to its end or
 *  the reading was stopped; returns the report line. */
export async function waitFinished(page, timeout = 60000) {
  await page.waitForFunction(
    () => /^(Read|Stopped after) /.test(document.querySelector('#progress')?.textContent ?? ''),
    null,
    { timeout },
  );
  return text(page, '#progress');
}

/** The list rows in the DOM (only the visible ones: the list is virtualised) as objects. */
export async function listRows(page) {
  return page.$$eval('#packets [role=rowgroup] .row[data-number]', (trs) =>
    trs.map((tr) => {
      const c = [...tr.querySelectorAll('.c')].map((td) => td.textContent);
      const cell = tr.querySelector('.summary');
      return {
        id: tr.id,
        number: Number(tr.dataset.number),
        level: c[0],
        time: c[2],
        src: c[3],
        dst: c[4],
        proto: c[5],
        len: Number(c[6]),
        // The whole summary line is the cell's title; the cell shows it without the addresses.
        summary: cell?.title ?? c[7],
        info: c[7],
      };
    }),
  );
}

/** Loads one of the page's examples from its menu and waits until it is read and listed. */
export async function openExample(page, file) {
  await page.selectOption('#examples', file);
  await page.waitForFunction((f) => document.querySelector('#file-name')?.textContent === f, file);
  await waitFinished(page);
  await page.waitForSelector('#row-1', { timeout: 30000 });
}

/** Clicks list row `pos` and waits for packet `number`'s detail (defaults to the same). */
export async function openRow(page, pos, number = pos) {
  await page.click(`#row-${pos}`);
  await page.waitForFunction(
    (n) => document.querySelector('#tree h2')?.textContent === `Packet ${n}`,
    number,
  );
}

/** Offsets of the highlighted bytes in the hex column. */
export async function litBytes(page) {
  return page.$$eval('#hex .b.hl', (els) => els.map((e) => Number(e.dataset.off)));
}

/** The examples the page offers, read from web/examples/manifest.toml: file, title, packets and
 *  expected finding ids. Only the keys the tests use are parsed. */
export async function examplesManifest() {
  const toml = await readFile(path.join(ROOT, 'web', 'examples', 'manifest.toml'), 'utf8');
  return toml
    .split(/^\[\[example\]\]\s*$/m)
    .slice(1)
    .map((block) => {
      const str = (k) => new RegExp(`^${k}\\s*=\\s*"([^"]*)"`, 'm').exec(block)?.[1];
      const expect = /^expect\s*=\s*\[([^\]]*)\]/m.exec(block)?.[1] ?? '';
      return {
        file: str('file'),
        title: str('title'),
        packets: Number(/^packets\s*=\s*(\d+)/m.exec(block)?.[1]),
        expect: [...expect.matchAll(/"([^"]+)"/g)].map((m) => m[1]),
      };
    });
}

export const EXAMPLES_DIR = path.join(ROOT, 'web', 'examples');

/** The native CLI, built with `cargo build --release -p tracelens` (or $TRACELENS). */
export const CLI = process.env.TRACELENS ?? path.join(ROOT, 'target', 'release', 'tracelens');

export function hasCli() {
  return existsSync(CLI);
}

/** Runs the CLI and returns its standard output; a non-zero exit throws with its stderr. */
export function cli(...args) {
  return execFileSync(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
}

/** The CLI's `packets` lines as { number, time, summary }: `   12 2001-04-02 14:30:05.1 SUMMARY`. */
export function cliPackets(file, filter) {
  const out = cli('packets', file, ...(filter ? ['-Y', filter] : []));
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\d+)\s+(\S+ \S+)\s+(.*)$/.exec(l);
      if (!m) throw new Error(`unexpected CLI packets line: ${l}`);
      return { number: Number(m[1]), time: m[2], summary: m[3] };
    });
}

export function icmpEchoFrame({ src, dst, id = 0x1234, seq = 1, payload = Buffer.from('tracelens-ping!!') }) {
  const icmp = Buffer.alloc(8);
  icmp[0] = 8; // echo request
  icmp.writeUInt16BE(id, 4);
  icmp.writeUInt16BE(seq, 6);
  const body = Buffer.concat([icmp, payload]);
  body.writeUInt16BE(ipChecksum(body), 2);
  return ethIpv4(src, dst, 1, body);
}

/** `frame` as tcpdump -xx prints it: `\t0x0010:  4500 0054 ...`, 16 bytes a line. */
export function tcpdumpXX(frame) {
  const lines = [];
  for (let off = 0; off < frame.length; off += 16) {
    const chunk = frame.subarray(off, off + 16);
    const words = [];
    for (let i = 0; i < chunk.length; i += 2) words.push(chunk.subarray(i, i + 2).toString('hex'));
    lines.push(`\t0x${off.toString(16).padStart(4, '0')}:  ${words.join(' ')}`);
  }
  return lines.join('\n');
}

/** Reverses the few entities an HTML report uses for text. */
export function unescapeHtml(s) {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;|&apos;/gi, "'")
    .replace(/&amp;/g, '&');
}
