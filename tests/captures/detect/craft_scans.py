#!/usr/bin/env python3
"""Writes scans.pcap (every scan the detect::scans module reports) and scans_negative.pcap (near
misses that must report none of them). Deterministic: fixed MACs, addresses, times, sequence
numbers. crate/tests/detect_scans.rs asserts on the keys and counts listed here; the script prints
the first packet number of each section, copied below.

scans.pcap, by section (first packet number):
  A    1  SYN sweep of TCP 32775 across 192.168.5.1-40 from 198.51.100.23 (seed 004): .4, .20 and
          .40 answer SYN/ACK (the scanner resets), .7 and .9 refuse, the rest stay silent; no data.
          -> scan.sweep:198.51.100.23>tcp/32775
  B   49  SYN scan 203.0.113.66 -> 10.0.0.10 ports 1-38, 80, 443; 22 and 80 open, the rest refused.
          -> scan.port.syn:203.0.113.66>10.0.0.10
  C  131  connect scan 203.0.113.67 -> 10.0.0.11 ports 1-30; 21 and 25 open, complete the
          handshake and send a banner. -> scan.port.connect, scan.open_port_data
  D  197  FIN, NULL and Xmas scans from 203.0.113.68 of 10.0.0.12, .13, .14, ports 1-18, 22
          and 80; 22 and 80 stay silent, the rest reset. -> scan.port.stealth x3
  E  311  ACK scan 203.0.113.69 -> 10.0.0.15 ports 1-20; 15 reset, 5 silent. -> scan.port.ack
  F  346  UDP scan 203.0.113.70 -> 10.0.0.16 ports 50-80; 53 answers, 67-69 silent, the rest
          ICMP port unreachable. -> scan.port.udp
  G  405  IP protocol scan 203.0.113.71 -> 10.0.0.17, protocols 0-24; 1, 6, 17 answered in kind
          (echo reply, RST, port unreachable), 2 and 4 silent, the rest protocol unreachable.
          -> scan.ip_proto
  H  453  ping sweep 203.0.113.72 -> 10.0.1.1-30; .1 .5 .17 .29 reply. -> scan.ping_sweep
  I  487  decoy SYN scan of 10.0.0.18, 20 ports, from 203.0.113.80 (real, TTL 52, which also had
          an ordinary connection to port 8443 first) and decoys 192.0.2.10, 192.0.2.77,
          198.51.100.99, 100.64.3.3 (TTL 40). -> scan.decoy:10.0.0.18/tcp
  J  692  sscan 203.0.113.90 -> 10.0.0.19: ACK pings with equal ports to 23/25/80/110/143,
          SYNs to its probe list (21 and 53 open), fingerprint probes from source ports 1-5.
          -> scan.sscan:203.0.113.90>10.0.0.19

scans_negative.pcap: a busy web client (30 connections to one server port), 30 DNS lookups with
answers, DNS answers whose queries were not captured, 5 servers on 443 (2 silent), 5 pings, a UDP
traceroute, keepalive-style bare ACKs to 20 ports of one client answered in kind, passive FTP data
connections to 20 high ports (all answered), 5 IP protocols between two hosts, lone equal-port
ACKs to 80 and 179.
"""
import os
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 973097203.0  # 2000-11-01 16:46:43 UTC
MAC_OUT, MAC_IN = "02:00:00:00:00:01", "02:00:00:00:00:02"

pkts = []
marks = {}


class Clock:
    def __init__(self, t):
        self.t = t

    def tick(self, dt=0.01):
        self.t += dt
        return self.t


def add(p, t, inbound=True):
    e = Ether(src=MAC_OUT, dst=MAC_IN) if inbound else Ether(src=MAC_IN, dst=MAC_OUT)
    f = e / p
    f.time = t
    pkts.append(f)


def mark(name):
    marks[name] = len(pkts) + 1


def tcp(src, dst, sport, dport, flags, ttl=64, seq=1000, ack=0, data=b"", ipid=1, win=8192, df=False):
    ip = IP(src=src, dst=dst, ttl=ttl, id=ipid, flags="DF" if df else 0)
    seg = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=win)
    return ip / seg / Raw(data) if data else ip / seg


def icmp_err(router, probe, code, typ=3):
    """An ICMP error from `router` quoting the IP header and first 8 bytes of `probe`."""
    raw = bytes(probe)
    quoted = raw[: (raw[0] & 0x0F) * 4 + 8]
    return IP(src=router, dst=probe[IP].src, ttl=64, id=7) / ICMP(type=typ, code=code) / Raw(quoted)


def positives():
    c = Clock(T0)
    # A: the 32775 sweep.
    mark("A")
    scanner = "198.51.100.23"
    for i in range(1, 41):
        host = f"192.168.5.{i}"
        sport = 2096 + i
        seq = 2950485912 + i * 1000
        add(tcp(scanner, host, sport, 32775, "S", ttl=48, seq=seq, win=32120, df=True), c.tick())
        if i in (4, 20, 40):  # stand-ins for seed 004's hosts that answered
            add(tcp(host, scanner, 32775, sport, "SA", seq=70452835, ack=seq + 1, win=9576, df=True), c.tick(), False)
            add(tcp(scanner, host, sport, 32775, "R", ttl=48, seq=seq + 1), c.tick())
        elif i in (7, 9):
            add(tcp(host, scanner, 32775, sport, "RA", seq=0, ack=seq + 1), c.tick(), False)

    # B: SYN scan of 40 ports, 22 and 80 open.
    c.tick(10)
    mark("B")
    s, t = "203.0.113.66", "10.0.0.10"
    for port in list(range(1, 39)) + [80, 443]:
        add(tcp(s, t, 51000, port, "S", ttl=50, seq=5000 + port, win=1024), c.tick())
        if port in (22, 80):
            add(tcp(t, s, port, 51000, "SA", seq=9000, ack=5001 + port), c.tick(), False)
            add(tcp(s, t, 51000, port, "R", ttl=50, seq=5001 + port), c.tick())
        else:
            add(tcp(t, s, port, 51000, "RA", seq=0, ack=5001 + port), c.tick(), False)

    # C: connect scan with banners on 21 and 25.
    c.tick(10)
    mark("C")
    s, t = "203.0.113.67", "10.0.0.11"
    for port in range(1, 31):
        sp = 40000 + port
        add(tcp(s, t, sp, port, "S", ttl=50, seq=100, win=29200, df=True), c.tick())
        if port in (21, 25):
            add(tcp(t, s, port, sp, "SA", seq=700, ack=101), c.tick(), False)
            add(tcp(s, t, sp, port, "A", ttl=50, seq=101, ack=701), c.tick())
            banner = b"220 ftp ready\r\n" if port == 21 else b"220 mail ESMTP\r\n"
            add(tcp(t, s, port, sp, "PA", seq=701, ack=101, data=banner), c.tick(), False)
            add(tcp(s, t, sp, port, "RA", ttl=50, seq=101, ack=701 + len(banner)), c.tick())
        else:
            add(tcp(t, s, port, sp, "RA", seq=0, ack=101), c.tick(), False)

    # D: FIN, NULL and Xmas scans, one target each.
    c.tick(10)
    mark("D")
    s = "203.0.113.68"
    for t, flags in (("10.0.0.12", "F"), ("10.0.0.13", ""), ("10.0.0.14", "FPU")):
        # RFC 9293: a closed port resets, an open one drops the segment silently
        for port in list(range(1, 19)) + [22, 80]:
            add(tcp(s, t, 61000, port, flags, ttl=47, seq=300), c.tick())
            if port not in (22, 80):
                add(tcp(t, s, port, 61000, "RA", seq=0, ack=300), c.tick(), False)

    # E: ACK scan, 15 reset (unfiltered), 5 silent (filtered).
    c.tick(10)
    mark("E")
    s, t = "203.0.113.69", "10.0.0.15"
    for port in range(1, 21):
        add(tcp(s, t, 62000, port, "A", ttl=46, seq=400, ack=12345), c.tick())
        if port <= 15:
            add(tcp(t, s, port, 62000, "R", seq=12345), c.tick(), False)

    # F: UDP scan.
    c.tick(10)
    mark("F")
    s, t = "203.0.113.70", "10.0.0.16"
    for port in range(50, 81):
        probe = IP(src=s, dst=t, ttl=45, id=port) / UDP(sport=40123, dport=port) / Raw(b"")
        add(probe, c.tick())
        if port == 53:
            add(IP(src=t, dst=s, ttl=64) / UDP(sport=53, dport=40123) / Raw(b"\x00\x00\x81\x80" + b"\x00" * 8), c.tick(), False)
        elif port in (67, 68, 69):
            pass
        else:
            add(icmp_err(t, probe, 3), c.tick(), False)

    # G: IP protocol scan.
    c.tick(10)
    mark("G")
    s, t = "203.0.113.71", "10.0.0.17"
    for proto in range(0, 25):
        if proto == 1:
            probe = IP(src=s, dst=t, ttl=44) / ICMP(type=8, id=1, seq=1)
            add(probe, c.tick())
            add(IP(src=t, dst=s) / ICMP(type=0, id=1, seq=1), c.tick(), False)
        elif proto == 6:
            probe = tcp(s, t, 63000, 80, "A", ttl=44, seq=1, ack=1)
            add(probe, c.tick())
            add(tcp(t, s, 80, 63000, "R", seq=1), c.tick(), False)
        elif proto == 17:
            probe = IP(src=s, dst=t, ttl=44) / UDP(sport=63001, dport=31338)
            add(probe, c.tick())
            add(icmp_err(t, probe, 3), c.tick(), False)
        else:
            probe = IP(src=s, dst=t, ttl=44, proto=proto) / Raw(b"\x00" * 8)
            add(probe, c.tick())
            if proto not in (2, 4):
                add(icmp_err(t, probe, 2), c.tick(), False)

    # H: ping sweep.
    c.tick(10)
    mark("H")
    s = "203.0.113.72"
    for i in range(1, 31):
        h = f"10.0.1.{i}"
        add(IP(src=s, dst=h, ttl=43) / ICMP(type=8, id=0x4242, seq=i) / Raw(b"ping" * 4), c.tick())
        if i in (1, 5, 17, 29):
            add(IP(src=h, dst=s) / ICMP(type=0, id=0x4242, seq=i) / Raw(b"ping" * 4), c.tick(), False)

    # I: decoy scan, with the real scanner's earlier ordinary connection.
    c.tick(10)
    mark("I")
    t = "10.0.0.18"
    real = "203.0.113.80"
    add(tcp(real, t, 45000, 8443, "S", ttl=52, seq=10), c.tick())
    add(tcp(t, real, 8443, 45000, "SA", seq=20, ack=11), c.tick(), False)
    add(tcp(real, t, 45000, 8443, "A", ttl=52, seq=11, ack=21), c.tick())
    add(tcp(real, t, 45000, 8443, "PA", ttl=52, seq=11, ack=21, data=b"GET / HTTP/1.0\r\n\r\n"), c.tick())
    add(tcp(t, real, 8443, 45000, "PA", seq=21, ack=29, data=b"HTTP/1.0 200 OK\r\n\r\n"), c.tick(), False)
    c.tick(5)
    sources = [("192.0.2.10", 40), ("192.0.2.77", 40), (real, 52), ("198.51.100.99", 40), ("100.64.3.3", 40)]
    ports = [21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1723, 3306, 3389, 5900, 8080]
    for port in ports:
        for src, ttl in sources:
            add(tcp(src, t, 55555, port, "S", ttl=ttl, seq=777), c.tick(0.001))
            if port in (22, 80):
                add(tcp(t, src, port, 55555, "SA", seq=888, ack=778), c.tick(0.001), False)
            else:
                add(tcp(t, src, port, 55555, "RA", seq=0, ack=778), c.tick(0.001), False)

    # J: sscan.
    c.tick(10)
    mark("J")
    s, t = "203.0.113.90", "10.0.0.19"
    for port in (23, 25, 110, 143, 80):
        add(tcp(s, t, port, port, "A", ttl=49, seq=0, ack=0), c.tick())
        add(tcp(t, s, port, port, "R", seq=0), c.tick(), False)
    for i, port in enumerate((111, 6000, 79, 53, 31337, 139, 21, 1114, 1)):
        sp = 33000 + i
        add(tcp(s, t, sp, port, "S", ttl=49, seq=50), c.tick())
        if port in (21, 53):
            add(tcp(t, s, port, sp, "SA", seq=60, ack=51), c.tick(), False)
            add(tcp(s, t, sp, port, "A", ttl=49, seq=51, ack=61), c.tick())
            add(tcp(s, t, sp, port, "FA", ttl=49, seq=51, ack=61), c.tick())
        else:
            add(tcp(t, s, port, sp, "RA", seq=0, ack=51), c.tick(), False)
    for sp, flags in ((1, "SF"), (2, "FPU"), (3, "S"), (4, ""), (5, "SA")):
        add(tcp(s, t, sp, 21, flags, ttl=49, seq=90), c.tick())
    return c


def negatives():
    c = Clock(T0 + 86400)
    cl, web = "10.0.0.5", "10.0.0.80"
    # a busy client: 30 connections to one web server port
    for i in range(30):
        sp = 40000 + i
        add(tcp(cl, web, sp, 80, "S", seq=1), c.tick(), False)
        add(tcp(web, cl, 80, sp, "SA", seq=5, ack=2), c.tick())
        add(tcp(cl, web, sp, 80, "A", seq=2, ack=6), c.tick(), False)
        add(tcp(cl, web, sp, 80, "PA", seq=2, ack=6, data=b"GET /a HTTP/1.1\r\n\r\n"), c.tick(), False)
        add(tcp(web, cl, 80, sp, "PA", seq=6, ack=22, data=b"HTTP/1.1 200 OK\r\n\r\n"), c.tick())
    # 30 DNS lookups with answers
    dns = "10.0.0.53"
    for i in range(30):
        sp = 50000 + i
        add(IP(src=cl, dst=dns) / UDP(sport=sp, dport=53) / Raw(b"\x12\x34\x01\x00" + b"\x00" * 8), c.tick(), False)
        add(IP(src=dns, dst=cl) / UDP(sport=53, dport=sp) / Raw(b"\x12\x34\x81\x80" + b"\x00" * 8), c.tick())
    # DNS answers to another client whose queries went another way
    for i in range(20):
        add(IP(src=dns, dst="10.0.0.6") / UDP(sport=53, dport=51000 + i) / Raw(b"\x00\x01\x81\x80" + b"\x00" * 8), c.tick())
    # five servers on 443, two never answer
    for i, srv in enumerate(("192.0.2.1", "192.0.2.2", "198.51.100.3", "198.51.100.4", "203.0.113.5")):
        sp = 41000 + i
        add(tcp(cl, srv, sp, 443, "S", seq=1), c.tick(), False)
        if i < 3:
            add(tcp(srv, cl, 443, sp, "SA", seq=9, ack=2), c.tick())
            add(tcp(cl, srv, sp, 443, "A", seq=2, ack=10), c.tick(), False)
    # five pings
    for i in range(1, 6):
        h = f"10.0.0.{100 + i}"
        add(IP(src=cl, dst=h) / ICMP(type=8, id=7, seq=i), c.tick(), False)
        add(IP(src=h, dst=cl) / ICMP(type=0, id=7, seq=i), c.tick())
    # a UDP traceroute: three probes per hop, routers answer TTL exceeded, the target port unreachable
    dst = "198.51.100.200"
    port = 33434
    for hop in range(1, 11):
        for _ in range(3):
            port += 1
            probe = IP(src=cl, dst=dst, ttl=hop, id=port) / UDP(sport=33000, dport=port) / Raw(b"\x00" * 12)
            add(probe, c.tick(), False)
            if hop < 10:
                add(icmp_err(f"172.16.{hop}.1", probe, 0, typ=11), c.tick())
            else:
                add(icmp_err(dst, probe, 3), c.tick())
    # bare ACKs from a server to 20 ports of one client (mid-stream, keepalives), answered in kind
    other = "10.0.0.7"
    for i in range(20):
        sp = 42000 + i
        add(tcp(web, other, 80, sp, "A", seq=100, ack=200), c.tick())
        add(tcp(other, web, sp, 80, "A", seq=200, ack=101), c.tick(), False)
    # passive FTP: data connections to 20 high ports of the server, all answered
    ftp = "10.0.0.21"
    for i in range(20):
        sp, dp = 43000 + i, 50000 + i
        add(tcp(cl, ftp, sp, dp, "S", seq=1), c.tick(), False)
        add(tcp(ftp, cl, dp, sp, "SA", seq=3, ack=2), c.tick())
        add(tcp(cl, ftp, sp, dp, "A", seq=2, ack=4), c.tick(), False)
        add(tcp(ftp, cl, dp, sp, "PA", seq=4, ack=2, data=b"-rw-r--r-- file\r\n"), c.tick())
    # five IP protocols between two hosts
    gw = "10.0.0.1"
    add(IP(src=cl, dst=gw) / ICMP(type=8, id=9, seq=1), c.tick(), False)
    add(tcp(cl, gw, 44000, 22, "S", seq=1), c.tick(), False)
    add(IP(src=cl, dst=gw) / UDP(sport=44001, dport=123) / Raw(b"\x23" + b"\x00" * 47), c.tick(), False)
    add(IP(src=cl, dst=gw, proto=47) / Raw(b"\x00\x00\x08\x00"), c.tick(), False)
    add(IP(src=cl, dst=gw, proto=50) / Raw(b"\x00\x00\x00\x01\x00\x00\x00\x01"), c.tick(), False)
    # lone equal-port ACKs (one of sscan's five, and BGP's 179)
    add(tcp(cl, web, 80, 80, "A", seq=1, ack=1), c.tick(), False)
    add(tcp(cl, gw, 179, 179, "A", seq=1, ack=1), c.tick(), False)


positives()
wrpcap(os.path.join(HERE, "scans.pcap"), pkts)
print("scans.pcap:", len(pkts), "packets;", ", ".join(f"{k} {v}" for k, v in marks.items()))
pkts.clear()
negatives()
wrpcap(os.path.join(HERE, "scans_negative.pcap"), pkts)
print("scans_negative.pcap:", len(pkts), "packets")
