#!/usr/bin/env python3
"""Writes floods.pcap (positives) and floods_negative.pcap (near misses) for the flood, worm and
backscatter detectors (crate/src/detect/floods.rs; tests in crate/tests/detect_floods.rs).

Deterministic: fixed MACs, addresses, seeds and times. Each scenario sits in its own stretch of
capture time, far apart from the others (minutes), so windows never mix them.

floods.pcap, in order (packet numbers are printed by this script when run):
  A  t=1000  30 RST/ACKs from 127.0.0.1:80 to 30 forged hosts' high ports, all from the
             infected host's MAC 00:0c:29:be:ef:01                     -> backscatter.loopback
  B  t=1100  15 SYN/ACKs from 198.51.100.7:80 to 15 hosts that never sent a SYN; 5 of them
             answer with a reset (normal, not counted)                  -> backscatter.unsolicited
  C  t=1200  30 Slammer-sized UDP datagrams (376 data bytes) from 10.1.1.66 to port 1434 of 30
             random hosts, 2 ICMP port unreachables back                -> worm.slammer
  D  t=1300  SYNs from 10.1.1.77 to TCP 445 on 25 hosts, 3 refuse with RST/ACK -> worm.windows
  E  t=1400  SYNs from 10.1.1.88 to TCP 80 on 25 hosts, 2 complete a handshake -> worm.web
  F  t=1500  SYNs from 10.1.1.99 to TCP 23 on 22 hosts, none answer    -> scan.sweep (no worm port)
  G  t=1600  150 SYNs from 150 random sources to 10.0.0.80:80 in 1.5 s, each answered by a
             SYN/ACK that nobody completes; 3 real clients complete      -> flood.syn_spoofed
  H  t=1700  120 SYNs from 10.9.9.9 (120 source ports) to 10.0.0.25:25 in 2 s, SYN/ACKs never
             completed                                                  -> flood.syn

floods_negative.pcap (none of the module's ids may fire):
  N1 t=1000  web server 10.0.0.80:80: 120 clients complete their handshakes within 4 s
  N2 t=1100  busy client 10.2.2.2 opens 30 connections to 30 web servers on 443, all complete
  N3 t=1200  resolver 10.2.2.53 asks 30 name servers on UDP 53, 25 never answer (uplink trouble)
  N4 t=1300  port scan of 10.0.0.9 by 10.3.3.3: 30 SYNs, 30 RST/ACKs (answers to seen requests)
  N5 t=1400  9 unsolicited SYN/ACKs from 198.51.100.9:80 (one short of the threshold)
  N6 t=1500  capture starts mid-handshake: 12 SYN/ACKs from 10.0.0.81:443 whose SYNs came
             before the capture, then each client ACKs and sends data (conversations)
  N7 t=1600  10.4.4.4 maps drives: SYNs to TCP 445 on 25 file servers, 20 complete
"""
import os
import random
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))

GW_MAC = "02:00:00:00:00:01"
INFECTED_MAC = "00:0c:29:be:ef:01"
HOST_MAC = "02:00:00:00:00:10"
SRV_MAC = "02:00:00:00:00:20"


def tcp(src, dst, sport, dport, flags, t, seq=1000, ack=0, data=b"", smac=GW_MAC, dmac=HOST_MAC, ttl=64):
    p = Ether(src=smac, dst=dmac) / IP(src=src, dst=dst, ttl=ttl, id=(sport * 7 + dport) & 0xffff) / \
        TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)
    if data:
        p = p / Raw(data)
    p.time = t
    return p


def udp(src, dst, sport, dport, data, t, smac=GW_MAC, dmac=HOST_MAC):
    p = Ether(src=smac, dst=dmac) / IP(src=src, dst=dst, ttl=64, id=sport & 0xffff) / \
        UDP(sport=sport, dport=dport) / Raw(data)
    p.time = t
    return p


def rand_ip(rng, first_octets=(11, 223)):
    while True:
        a = rng.randint(*first_octets)
        if a in (10, 127, 169, 172, 192, 198, 203):
            continue
        return f"{a}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def positives():
    rng = random.Random(1434)
    pkts = []
    marks = {}

    # A: Blaster's resets to forged sources, seen leaving the infected host.
    marks["A"] = len(pkts) + 1
    for i in range(30):
        dst = f"10.20.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        pkts.append(tcp("127.0.0.1", dst, 80, rng.randint(1024, 5000), "RA", 1000 + i * 0.05,
                        seq=0, ack=rng.randint(1, 2**32 - 1), smac=INFECTED_MAC, dmac=GW_MAC, ttl=128))

    # B: SYN/ACK backscatter from a flood victim elsewhere; some receivers reset it.
    marks["B"] = len(pkts) + 1
    t = 1100.0
    for i in range(15):
        dst = f"192.0.2.{10 + i}"
        dport = rng.randint(1024, 65000)
        pkts.append(tcp("198.51.100.7", dst, 80, dport, "SA", t, seq=rng.randint(1, 2**31), ack=rng.randint(1, 2**31)))
        t += 0.4
        if i % 3 == 0:
            pkts.append(tcp(dst, "198.51.100.7", dport, 80, "R", t, seq=12345, smac=HOST_MAC, dmac=GW_MAC))
            t += 0.1

    # C: Slammer: one 376-byte datagram per random address, no handshake.
    marks["C"] = len(pkts) + 1
    t = 1200.0
    payload = b"\x04" + b"\x01" * 375
    for i in range(30):
        dst = rand_ip(rng)
        p = udp("10.1.1.66", dst, 1055, 1434, payload, t, smac=HOST_MAC, dmac=GW_MAC)
        pkts.append(p)
        t += 0.02
        if i in (4, 17):
            err = Ether(src=GW_MAC, dst=HOST_MAC) / IP(src=dst, dst="10.1.1.66", ttl=50) / \
                ICMP(type=3, code=3) / bytes(p[IP])[:28]
            err.time = t
            pkts.append(err)
            t += 0.01

    # D: a Windows worm trying 445 across the local /24; three hosts refuse.
    marks["D"] = len(pkts) + 1
    t = 1300.0
    for i in range(25):
        dst = f"10.1.2.{i + 1}"
        sport = 3000 + i
        pkts.append(tcp("10.1.1.77", dst, sport, 445, "S", t, seq=5000 + i, smac=HOST_MAC, dmac=GW_MAC))
        t += 0.1
        if i in (2, 9, 20):
            pkts.append(tcp(dst, "10.1.1.77", 445, sport, "RA", t, seq=0, ack=5001 + i))
            t += 0.01

    # E: a web worm picking random addresses on port 80; two servers answer and it connects.
    marks["E"] = len(pkts) + 1
    t = 1400.0
    for i in range(25):
        dst = rand_ip(rng)
        sport = 4000 + i
        pkts.append(tcp("10.1.1.88", dst, sport, 80, "S", t, seq=7000, smac=HOST_MAC, dmac=GW_MAC))
        t += 0.2
        if i in (6, 13):
            pkts.append(tcp(dst, "10.1.1.88", 80, sport, "SA", t, seq=9000, ack=7001))
            pkts.append(tcp("10.1.1.88", dst, sport, 80, "A", t + 0.01, seq=7001, ack=9001, smac=HOST_MAC, dmac=GW_MAC))
            t += 0.02

    # F: telnet fan-out, nobody home.
    marks["F"] = len(pkts) + 1
    t = 1500.0
    for i in range(22):
        dst = rand_ip(rng)
        pkts.append(tcp("10.1.1.99", dst, 5000 + i, 23, "S", t, seq=1, smac=HOST_MAC, dmac=GW_MAC))
        t += 0.5

    # G: SYN flood from forged sources; the victim answers every SYN, nobody completes.
    marks["G"] = len(pkts) + 1
    t = 1600.0
    for i in range(150):
        src = rand_ip(rng)
        sport = rng.randint(1024, 65535)
        seq = rng.randint(1, 2**31)
        pkts.append(tcp(src, "10.0.0.80", sport, 80, "S", t, seq=seq, dmac=SRV_MAC))
        pkts.append(tcp("10.0.0.80", src, 80, sport, "SA", t + 0.001, seq=777, ack=seq + 1, smac=SRV_MAC, dmac=GW_MAC))
        t += 0.01
        if i in (40, 80, 120):
            c = f"10.0.5.{i}"
            pkts.append(tcp(c, "10.0.0.80", 50000 + i, 80, "S", t, seq=100, smac=HOST_MAC, dmac=SRV_MAC))
            pkts.append(tcp("10.0.0.80", c, 80, 50000 + i, "SA", t + 0.001, seq=900, ack=101, smac=SRV_MAC, dmac=HOST_MAC))
            pkts.append(tcp(c, "10.0.0.80", 50000 + i, 80, "A", t + 0.002, seq=101, ack=901, smac=HOST_MAC, dmac=SRV_MAC))

    # H: one host flooding the mail server from many ports.
    marks["H"] = len(pkts) + 1
    t = 1700.0
    for i in range(120):
        sport = 20000 + i
        pkts.append(tcp("10.9.9.9", "10.0.0.25", sport, 25, "S", t, seq=31337, dmac=SRV_MAC))
        pkts.append(tcp("10.0.0.25", "10.9.9.9", 25, sport, "SA", t + 0.001, seq=888, ack=31338, smac=SRV_MAC, dmac=GW_MAC))
        t += 0.015
    return pkts, marks


def negatives():
    rng = random.Random(53)
    pkts = []
    marks = {}

    # N1: a busy web server, every handshake completed.
    marks["N1"] = len(pkts) + 1
    t = 1000.0
    for i in range(120):
        c = f"198.18.{i // 200}.{i % 200 + 1}"
        sport = 40000 + i
        pkts.append(tcp(c, "10.0.0.80", sport, 80, "S", t, seq=100, dmac=SRV_MAC))
        pkts.append(tcp("10.0.0.80", c, 80, sport, "SA", t + 0.002, seq=500, ack=101, smac=SRV_MAC, dmac=GW_MAC))
        pkts.append(tcp(c, "10.0.0.80", sport, 80, "A", t + 0.004, seq=101, ack=501, dmac=SRV_MAC))
        t += 0.03

    # N2: a busy client (or proxy) opening connections to many web servers.
    marks["N2"] = len(pkts) + 1
    t = 1100.0
    for i in range(30):
        s = rand_ip(rng)
        sport = 50000 + i
        pkts.append(tcp("10.2.2.2", s, sport, 443, "S", t, seq=1, smac=HOST_MAC, dmac=GW_MAC))
        pkts.append(tcp(s, "10.2.2.2", 443, sport, "SA", t + 0.03, seq=9, ack=2))
        pkts.append(tcp("10.2.2.2", s, sport, 443, "A", t + 0.031, seq=2, ack=10, smac=HOST_MAC, dmac=GW_MAC))
        t += 0.2

    # N3: a resolver asking many name servers; most are unreachable.
    marks["N3"] = len(pkts) + 1
    t = 1200.0
    query = bytes.fromhex("abcd01000001000000000000") + b"\x07example\x03com\x00\x00\x01\x00\x01"
    for i in range(30):
        s = rand_ip(rng)
        sport = 33000 + i
        pkts.append(udp("10.2.2.53", s, sport, 53, query, t, smac=HOST_MAC, dmac=GW_MAC))
        if i % 6 == 0:
            pkts.append(udp(s, "10.2.2.53", 53, sport, bytes.fromhex("abcd81800001000000000000") + query[12:], t + 0.05))
        t += 0.3

    # N4: a port scan answered with resets: answers to requests the capture holds.
    marks["N4"] = len(pkts) + 1
    t = 1300.0
    for port in range(1, 31):
        pkts.append(tcp("10.3.3.3", "10.0.0.9", 60000, port, "S", t, seq=42, dmac=SRV_MAC))
        pkts.append(tcp("10.0.0.9", "10.3.3.3", port, 60000, "RA", t + 0.001, seq=0, ack=43, smac=SRV_MAC, dmac=GW_MAC))
        t += 0.05

    # N5: nine unsolicited SYN/ACKs, one short of the threshold.
    marks["N5"] = len(pkts) + 1
    t = 1400.0
    for i in range(9):
        pkts.append(tcp("198.51.100.9", f"192.0.2.{100 + i}", 80, 2000 + i, "SA", t, seq=1, ack=1))
        t += 1.0

    # N6: the capture began mid-handshake; the conversations carry on.
    marks["N6"] = len(pkts) + 1
    t = 1500.0
    for i in range(12):
        c = f"10.6.0.{i + 1}"
        sport = 45000 + i
        pkts.append(tcp("10.0.0.81", c, 443, sport, "SA", t, seq=300, ack=201, smac=SRV_MAC, dmac=GW_MAC))
        t += 0.01
    for i in range(12):
        c = f"10.6.0.{i + 1}"
        sport = 45000 + i
        pkts.append(tcp(c, "10.0.0.81", sport, 443, "A", t, seq=201, ack=301, dmac=SRV_MAC))
        pkts.append(tcp(c, "10.0.0.81", sport, 443, "PA", t + 0.001, seq=201, ack=301, data=b"\x16\x03\x01\x00\x05hello", dmac=SRV_MAC))
        t += 0.02

    # N7: drive mapping to file servers: most answer.
    marks["N7"] = len(pkts) + 1
    t = 1600.0
    for i in range(25):
        s = f"10.7.0.{i + 1}"
        sport = 49000 + i
        pkts.append(tcp("10.4.4.4", s, sport, 445, "S", t, seq=1, smac=HOST_MAC, dmac=GW_MAC))
        if i < 20:
            pkts.append(tcp(s, "10.4.4.4", 445, sport, "SA", t + 0.002, seq=5, ack=2))
            pkts.append(tcp("10.4.4.4", s, sport, 445, "A", t + 0.003, seq=2, ack=6, smac=HOST_MAC, dmac=GW_MAC))
        t += 0.1
    return pkts, marks


if __name__ == "__main__":
    for name, (pkts, marks) in (("floods.pcap", positives()), ("floods_negative.pcap", negatives())):
        path = os.path.join(HERE, name)
        wrpcap(path, pkts, linktype=1)
        print(name, len(pkts), "packets", os.path.getsize(path), "bytes; scenarios start at", marks)
