#!/usr/bin/env python3
"""Writes the web page's "Try an example" captures: one small, crafted capture per classic case
from the seed documents (../shared/seeds/), listed with their titles and expected findings in
manifest.toml beside this script. crate/tests/examples.rs checks each file against the manifest.

Every packet here is made up by this script; nothing is copied from a real trace. Where a seed
prints a packet (ports, flags, lengths, TTLs, window sizes), the crafted one matches those
details; everything else is our own choice. Deterministic: fixed MACs, fixed seeds for every
random choice, fixed timestamps. Addresses come from the documentation blocks 192.0.2.0/24,
198.51.100.0/24 and 203.0.113.0/24 unless the case itself is about an address (127.0.0.1,
255.255.255.255, a subnet's .255 broadcast).

Files (packet counts are printed when the script runs; `--list` prints every packet):
  tcp-session.pcap                  a normal TCP session: handshake, HTTP GET and answer, FIN both
                                    ways, the server closing first (seed 004's normal session)
  rpc-syn-sweep.pcap                SYN sweep of TCP 111 across 192.0.2.1-160 from 203.0.113.45
                                    (seed 004's sweep, seeds 002/003 on portmapper): .17, .42, .88
                                    and .131 answer SYN/ACK and the scanner resets them, six hosts
                                    refuse, the rest stay silent; no data follows
  unix-traceroute.pcap              UNIX traceroute from 192.0.2.10 to 203.0.113.50: UDP to 33434 and
                                    up, three probes per TTL, time-exceeded from four routers, port
                                    unreachable from the target at hop 5 (seed 003 §5.1, §2.3.3)
  loopback-backscatter.pcap         40 RST/ACKs from 127.0.0.1:80 leaving one infected host's MAC for
                                    forged addresses and high ports (seed 001, Blaster)
  udp-2301-loopback-broadcast.pcap  UDP 127.0.0.1:2301 -> 255.255.255.255:2301 from three Compaq
                                    servers' MACs (seed 000)
  port-31789-padding.pcap           one-byte UDP datagrams 31790 -> 31789 across a /24 with 17 bytes
                                    of non-zero Ethernet padding (seed 004, Hack'a'Tack in 002/003)
  smurf.pcap                        echo requests to 198.51.100.255 forged from 203.0.113.9, and the
                                    replies of 20 hosts of the amplifier subnet (seed 002 smurf, CERT
                                    CA-1998-01)

Run from anywhere: python3 web/examples/craft_examples.py [--list]
"""
import calendar
import os
import random
import struct
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
BCAST_MAC = "ff:ff:ff:ff:ff:ff"


def utc(y, mo, d, h, mi, s):
    """A UTC wall-clock time as a Unix timestamp (float)."""
    return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)))


class Cap:
    """Packets in capture order, with a note per packet for --list."""

    def __init__(self, t0):
        self.pkts = []
        self.notes = []
        self.t = t0

    def add(self, pkt, note, dt=0.0):
        self.t += dt
        pkt.time = round(self.t, 6)
        self.pkts.append(pkt)
        self.notes.append(note)


# ---------------------------------------------------------------------------------------------
# 1. A normal TCP session. Seed 004 opens with one (telnet): SYN with MSS 1460 and DF, SYN/ACK,
# ACK, data with PUSH both ways, then the server's FIN, the client's ACK, the client's FIN and
# the server's ACK. Here the same shape carries a small HTTP/1.0 GET.

def tcp_session():
    c = Cap(utc(2001, 4, 2, 14, 30, 5) + 0.112340)
    cli, srv = "192.0.2.10", "198.51.100.80"
    cli_mac, gw_mac = "02:00:00:00:0a:10", "02:00:00:00:0a:01"
    sport = 38060
    cseq, sseq = 3774957990, 2009600000
    ids = {"c": 0x3f10, "s": 0x8a20}

    def c2s(flags, seq, ack, data=b"", opts=None):
        ids["c"] += 1
        ip = IP(src=cli, dst=srv, ttl=64, id=ids["c"], flags="DF")
        seg = TCP(sport=sport, dport=80, flags=flags, seq=seq, ack=ack, window=8760, options=opts or [])
        return Ether(src=cli_mac, dst=gw_mac) / ip / seg / Raw(data) if data else Ether(src=cli_mac, dst=gw_mac) / ip / seg

    def s2c(flags, seq, ack, data=b"", opts=None):
        ids["s"] += 1
        ip = IP(src=srv, dst=cli, ttl=55, id=ids["s"], flags="DF")
        seg = TCP(sport=80, dport=sport, flags=flags, seq=seq, ack=ack, window=16384, options=opts or [])
        return Ether(src=gw_mac, dst=cli_mac) / ip / seg / Raw(data) if data else Ether(src=gw_mac, dst=cli_mac) / ip / seg

    req = (b"GET /status.txt HTTP/1.0\r\n"
           b"Host: www.example.com\r\n"
           b"User-Agent: tracelens-example/1.0\r\n"
           b"\r\n")
    body = b"All systems normal.\n"
    resp = (b"HTTP/1.0 200 OK\r\n"
            b"Content-Type: text/plain\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            b"Connection: close\r\n"
            b"\r\n" + body)
    c1, s1 = cseq + 1, sseq + 1
    c.add(c2s("S", cseq, 0, opts=[("MSS", 1460)]), "client SYN, MSS 1460")
    c.add(s2c("SA", sseq, c1, opts=[("MSS", 1460)]), "server SYN/ACK", 0.031)
    c.add(c2s("A", c1, s1), "client ACK: handshake complete", 0.0004)
    c.add(c2s("PA", c1, s1, req), "client sends the GET (PUSH)", 0.0011)
    c.add(s2c("A", s1, c1 + len(req)), "server acknowledges the request", 0.030)
    c.add(s2c("PA", s1, c1 + len(req), resp), "server sends the answer (PUSH)", 0.012)
    c.add(c2s("A", c1 + len(req), s1 + len(resp)), "client acknowledges the answer", 0.0003)
    c.add(s2c("FA", s1 + len(resp), c1 + len(req)), "server closes: FIN", 0.0009)
    c.add(c2s("A", c1 + len(req), s1 + len(resp) + 1), "client acknowledges the FIN", 0.0002)
    c.add(c2s("FA", c1 + len(req), s1 + len(resp) + 1), "client closes: FIN", 0.0015)
    c.add(s2c("A", s1 + len(resp) + 1, c1 + len(req) + 1), "server acknowledges the last FIN", 0.030)
    return c


# ---------------------------------------------------------------------------------------------
# 2. SYN sweep of the portmapper port. Seed 004's sweep (of RPC port 32775) came from a scanner
# whose SYNs carried window 32120 and DF, with a source port rising probe by probe; the hosts that
# listened answered SYN/ACK with window 9576 and nop,nop,timestamp,mss options (the timestamp
# echoing one from the SYN, so the SYNs here carry Linux-style options), and no data followed.
# Seeds 002/003 (port 111) and 004 explain why 111 is the first port such a scanner tries. The
# scanner never completes a handshake: each SYN/ACK gets a reset from it.

def rpc_syn_sweep():
    rng = random.Random(111)
    c = Cap(utc(2001, 2, 13, 16, 46, 43) + 0.276139)
    scanner = "203.0.113.45"
    router_mac = "02:00:00:00:0b:fe"
    answer = {17: 255, 42: 255, 88: 255, 131: 255}  # listening (Solaris-like, TTL 255)
    refuse = {5: 64, 23: 128, 61: 64, 76: 128, 109: 64, 150: 128}  # closed: RST/ACK
    ipid = 0x4d21
    for i in range(1, 161):
        host = f"192.0.2.{i}"
        host_mac = f"02:00:00:00:0b:{i:02x}"
        sport = 2096 + i
        seq = rng.randint(1, 2**32 - 1)
        ipid += 1
        my_ts = 262468000 + i * 5
        syn_opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (my_ts, 0)), ("NOP", None), ("WScale", 0)]
        c.add(Ether(src=router_mac, dst=host_mac) /
              IP(src=scanner, dst=host, ttl=46, id=ipid, flags="DF") /
              TCP(sport=sport, dport=111, flags="S", seq=seq, window=32120, options=syn_opts),
              f"SYN {scanner}:{sport} -> {host}:111", rng.uniform(0.03, 0.06))
        if i in answer:
            isn = rng.randint(1, 2**32 - 1)
            tsval = 72210000 + i * 37
            opts = [("NOP", None), ("NOP", None), ("Timestamp", (tsval, my_ts)), ("MSS", 1460)]
            c.add(Ether(src=host_mac, dst=router_mac) /
                  IP(src=host, dst=scanner, ttl=answer[i], id=rng.randint(1, 0xffff), flags="DF") /
                  TCP(sport=111, dport=sport, flags="SA", seq=isn, ack=seq + 1, window=9576, options=opts),
                  f"SYN/ACK from {host}: portmapper listening", rng.uniform(0.0004, 0.0012))
            ipid += 1
            c.add(Ether(src=router_mac, dst=host_mac) /
                  IP(src=scanner, dst=host, ttl=46, id=ipid) /
                  TCP(sport=sport, dport=111, flags="R", seq=seq + 1, window=0),
                  f"scanner resets {host}: no data follows", rng.uniform(0.08, 0.12))
        elif i in refuse:
            c.add(Ether(src=host_mac, dst=router_mac) /
                  IP(src=host, dst=scanner, ttl=refuse[i], id=rng.randint(1, 0xffff)) /
                  TCP(sport=111, dport=sport, flags="RA", seq=0, ack=seq + 1, window=0),
                  f"RST/ACK from {host}: port closed", rng.uniform(0.0003, 0.0009))
    return c


# ---------------------------------------------------------------------------------------------
# 3. UNIX traceroute. Seed 003 §5.1: UDP datagrams to port 33434 for the first probe, one port
# higher for each probe after it, three probes per TTL; routers answer time-exceeded, and the
# target, reached at last, answers port unreachable. An ICMP error quotes the probe's IP header as
# it arrived plus the first 8 bytes of its UDP header (seed 003 §2.3.3 decodes one).

def quote(probe_ip, ttl_left):
    """The first 28 bytes of a probe as the answering node saw it, checksum redone."""
    q = probe_ip.copy()
    q.ttl = ttl_left
    del q.chksum
    return bytes(q)[:28]


def unix_traceroute():
    c = Cap(utc(2002, 6, 18, 9, 12, 40) + 0.050021)
    tracer, target = "192.0.2.10", "203.0.113.50"
    host_mac, gw_mac = "02:00:00:00:0c:10", "02:00:00:00:0c:01"
    # (node, ICMP type, its initial TTL, round-trip seconds)
    hops = {
        1: ("192.0.2.1", 11, 255, 0.0009),
        2: ("198.51.100.1", 11, 255, 0.0082),
        3: ("198.51.100.129", 11, 255, 0.0195),
        4: ("203.0.113.1", 11, 255, 0.0248),
        5: (target, 3, 64, 0.0312),
    }
    sport = 0x8000 | 0x2a6b  # traceroute's source port: its process id with the top bit set
    port, ipid, seq = 33434, 0x1c00, 0
    rng = random.Random(33434)
    for ttl in range(1, 6):
        node, icmp_type, node_ttl, rtt = hops[ttl]
        for _ in range(3):
            seq += 1
            # 12 data bytes as the classic tool sends: probe number, TTL, send time, 2 spare.
            sent = c.t + 0.0001
            data = struct.pack("!BBII", seq, ttl, int(sent), int((sent % 1) * 1e6)) + b"\x00\x00"
            probe = IP(src=tracer, dst=target, ttl=ttl, id=ipid) / UDP(sport=sport, dport=port) / Raw(data)
            c.add(Ether(src=host_mac, dst=gw_mac) / probe, f"probe TTL {ttl} to port {port}", 0.0001)
            code = 0 if icmp_type == 11 else 3
            arrived_ttl = node_ttl - (ttl - 1)
            err = IP(src=node, dst=tracer, ttl=arrived_ttl, id=rng.randint(1, 0xffff)) / \
                ICMP(type=icmp_type, code=code) / Raw(quote(probe, 1))
            what = "time exceeded" if icmp_type == 11 else "port unreachable"
            c.add(Ether(src=gw_mac, dst=host_mac) / err, f"{what} from {node} quoting port {port}",
                  rtt * rng.uniform(0.95, 1.05))
            port += 1
            ipid += 1
    return c


# ---------------------------------------------------------------------------------------------
# 4. Resets from 127.0.0.1:80 (seed 001). A Blaster-infected host floods windowsupdate.com, which
# DNS answers with 127.0.0.1, so it sends the SYNs to itself with forged sources (never on the
# wire); its stack refuses each one with a reset to the forged address, which does go on the wire,
# still from 127.0.0.1:80, to high ports. All the frames carry the infected host's MAC.

def loopback_backscatter():
    rng = random.Random(2003)
    c = Cap(utc(2003, 10, 27, 9, 15, 2) + 0.304411)
    infected_mac, gw_mac = "02:00:00:00:0d:23", "02:00:00:00:0d:01"
    ipid = 0x6e02
    for i in range(40):
        dst = f"{rng.choice(['198.51.100', '203.0.113'])}.{rng.randint(1, 254)}"
        dport = rng.randint(1024, 5000)
        forged_seq = rng.randint(1, 2**32 - 1)
        ipid += 1  # one counter for every packet the host sends
        c.add(Ether(src=infected_mac, dst=gw_mac) /
              IP(src="127.0.0.1", dst=dst, ttl=128, id=ipid) /
              TCP(sport=80, dport=dport, flags="RA", seq=0, ack=(forged_seq + 1) & 0xffffffff, window=0),
              f"RST/ACK 127.0.0.1:80 -> {dst}:{dport}", 0.02 if i else 0.0)
    return c


# ---------------------------------------------------------------------------------------------
# 5. Loopback broadcasts on UDP 2301 (seed 000): Compaq Insight Manager agents on servers send UDP
# from 127.0.0.1 port 2301 to 255.255.255.255 port 2301. The seed shows neither the payload nor a
# decode of it, so the bytes carried here are our own placeholder announcement; only the frame's
# Ethernet source tells the servers apart.

def udp_2301():
    c = Cap(utc(2000, 10, 17, 10, 2, 11) + 0.418000)
    servers = [("00:08:02:3a:11:07", "FS01", 0x0411), ("00:08:02:3a:2c:91", "MAIL02", 0x1b07),
               ("00:50:8b:0e:77:14", "PRINT03", 0x2290)]
    ids = {mac: base for mac, _, base in servers}
    for rnd in range(4):
        for k, (mac, name, _) in enumerate(servers):
            ids[mac] += 1
            data = b"CIM-AGENT\x00" + bytes([1, rnd]) + name.encode() + b"\x00" * (12 - len(name))
            c.add(Ether(src=mac, dst=BCAST_MAC) /
                  IP(src="127.0.0.1", dst="255.255.255.255", ttl=64, id=ids[mac]) /
                  UDP(sport=2301, dport=2301) / Raw(data),
                  f"UDP 127.0.0.1:2301 -> 255.255.255.255:2301 from {mac} ({name})",
                  0.0 if rnd == 0 and k == 0 else (7.5 if k == 0 else 0.6 + 0.37 * k))
    return c


# ---------------------------------------------------------------------------------------------
# 6. Port 31789 with non-zero padding (seed 004). The seed's datagrams go from port 31790 to
# 31789 with TTL 115, no DF, an IP total length of 29, a UDP length of 9 and one data byte, 'A'
# (0x41); the frame is padded to Ethernet's minimum with 17 bytes that are not zeros and differ
# per packet. The IP id grows in steps of 256 (a little-endian counter), with gaps where probes
# went to hosts the sensor does not see, and several packets share a 10 ms timestamp. The padding
# made here imitates leftover buffer contents: the tail of an earlier made-up DNS message.

def leftover(rng):
    """17 bytes that look like the rest of a DNS message left in a driver's buffer."""
    names = [b"\x04mail\x07example\x03com", b"\x03ftp\x07example\x03net", b"\x02ns\x07example\x03org",
             b"\x03www\x04test\x07example"]
    flags = rng.choice([0x0100, 0x8180])
    msg = struct.pack("!HHHHHH", rng.randint(1, 0xffff), flags, 1, rng.randint(0, 2), rng.randint(0, 2), 0)
    msg += rng.choice(names)
    # The one data byte overwrote the first byte of the old message; the padding is what follows.
    return msg[1:18]


def port_31789():
    rng = random.Random(31789)
    c = Cap(utc(2000, 12, 5, 12, 13, 10) + 0.570000)
    scanner = "203.0.113.77"
    router_mac = "02:00:00:00:0e:fe"
    hosts = rng.sample(range(1, 255), 30)
    ipid = 0x3293
    for n, h in enumerate(hosts):
        ipid = (ipid + 0x100 * rng.choice([1, 1, 2, 3, 27])) & 0xffff
        ip = IP(src=scanner, dst=f"192.0.2.{h}", ttl=115, id=ipid) / UDP(sport=31790, dport=31789) / Raw(b"A")
        raw_ip = bytes(ip)
        assert len(raw_ip) == 29
        pad = leftover(rng)
        assert len(pad) == 17 and any(pad)
        frame = Ether(src=router_mac, dst=f"02:00:00:00:0e:{h:02x}", type=0x0800) / Raw(raw_ip + pad)
        # Several probes per 10 ms clock tick, as the seed's two packets share one timestamp.
        step = 0.01 * rng.randint(1, 4) if n and n % 3 == 0 else 0.0
        c.add(frame, f"UDP {scanner}:31790 -> 192.0.2.{h}:31789, 1 byte 'A', padding {pad.hex()}", step)
    return c


# ---------------------------------------------------------------------------------------------
# 7. Smurf, seen on the amplifier's LAN (seed 002's smurf signature; CERT CA-1998-01): echo
# requests carrying the victim's address as their source arrive for the subnet's broadcast
# address (the router delivers them to the Ethernet broadcast), and every host that answers
# broadcast pings replies to the victim.

def smurf():
    rng = random.Random(1998)
    c = Cap(utc(1998, 1, 12, 3, 41, 27) + 0.020500)
    victim, bcast = "203.0.113.9", "198.51.100.255"
    router_mac = "02:00:00:00:0f:fe"
    payload = bytes((i * 7 + 3) & 0xff for i in range(56))
    reflectors = sorted(rng.sample(range(1, 254), 20))
    os_ttl = {h: rng.choice([64, 128, 255]) for h in reflectors}
    ids = {h: rng.randint(1, 0xffff) for h in reflectors}
    for seq in range(1, 6):
        c.add(Ether(src=router_mac, dst=BCAST_MAC) /
              IP(src=victim, dst=bcast, ttl=47, id=rng.randint(1, 0xffff)) /
              ICMP(type=8, id=0x5f3a, seq=seq) / Raw(payload),
              f"echo request {victim} -> {bcast} seq {seq} (forged source)", 0.0 if seq == 1 else 0.02)
        order = reflectors[:]
        rng.shuffle(order)
        for h in order:
            ids[h] = (ids[h] + 1) & 0xffff
            src = f"198.51.100.{h}"
            c.add(Ether(src=f"02:00:00:00:0f:{h:02x}", dst=router_mac) /
                  IP(src=src, dst=victim, ttl=os_ttl[h], id=ids[h]) /
                  ICMP(type=0, id=0x5f3a, seq=seq) / Raw(payload),
                  f"echo reply {src} -> {victim} seq {seq}", rng.uniform(0.0001, 0.0006))
    return c


CASES = [
    ("tcp-session.pcap", tcp_session),
    ("rpc-syn-sweep.pcap", rpc_syn_sweep),
    ("unix-traceroute.pcap", unix_traceroute),
    ("loopback-backscatter.pcap", loopback_backscatter),
    ("udp-2301-loopback-broadcast.pcap", udp_2301),
    ("port-31789-padding.pcap", port_31789),
    ("smurf.pcap", smurf),
]


def main():
    for name, make in CASES:
        c = make()
        path = os.path.join(HERE, name)
        wrpcap(path, c.pkts, linktype=1)
        print(f"{name}: {len(c.pkts)} packets, {os.path.getsize(path)} bytes")
        if "--list" in sys.argv:
            for i, n in enumerate(c.notes, 1):
                print(f"  {i:4} {n}")


if __name__ == "__main__":
    main()
