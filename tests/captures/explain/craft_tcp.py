#!/usr/bin/env python3
"""Writes tcp.pcap: one TCP segment per flag combination the explain rules name, plus near misses.

Deterministic (fixed MACs, addresses, times and sequence numbers). Packet numbers (1-based), as
crate/tests/explain_tcp.rs refers to them:
  1  SYN 10.0.0.5:40000 -> 10.0.0.80:80 with MSS            tcp.flags.syn
  2  SYN/ACK back                                           tcp.flags.synack
  3  pure ACK completing the handshake                      (nothing: ordinary receipt)
  4  PSH/ACK with 5 bytes of data                           (nothing)
  5  FIN/ACK closing                                        tcp.flags.fin_ack
  6  RST/ACK from closed port 81                            tcp.flags.rstack
  7  bare RST                                               tcp.flags.rst
  8  FIN alone from 192.0.2.66 to port 22                   tcp.flags.fin_scan
  9  no flags                                               tcp.flags.null
 10  FIN+PSH+URG                                            tcp.flags.xmas
 11  SYN+FIN                                                tcp.flags.syn_fin
 12  SYN+RST                                                tcp.flags.syn_rst
 13  PSH alone                                              tcp.flags.no_ack
 14  lone ACK 80 -> 80 (sscan ACK ping)                     tcp.flags.ack_probe
 15  lone ACK to port 0                                     tcp.flags.ack_probe
 16  SYN with reserved bit 0x800 set                        tcp.flags.syn + tcp.flags.reserved
 17  ACK with data and urgent pointer 0x1234, URG clear      tcp.urgent_without_urg
 18  SYN carrying 12 bytes of data                          tcp.flags.syn + tcp.syn_with_data
 19  SYN with ECE+CWR (ECN setup)                           tcp.flags.syn only
 20  ICMP unreachable quoting a flagless TCP header         (no tcp.* finding: quoted)
 21  IPv6 SYN 2001:db8::5 -> 2001:db8::80 port 443         tcp.flags.syn
 22  URG+ACK with urgent pointer and data                   (nothing: urgent used properly)
"""
import os
from scapy.all import Ether, IP, IPv6, TCP, ICMP, Raw, wrpcap

CLIENT_MAC, SERVER_MAC, SCAN_MAC = "02:00:00:00:00:05", "02:00:00:00:00:80", "02:00:00:00:00:66"
C, S, X = "10.0.0.5", "10.0.0.80", "192.0.2.66"


def eth(src=CLIENT_MAC, dst=SERVER_MAC):
    return Ether(src=src, dst=dst)


def c2s(**kw):
    kw = {"sport": 40000, "dport": 80, "window": 64240, **kw}
    return eth() / IP(src=C, dst=S, ttl=64, id=0x100) / TCP(**kw)


def s2c(**kw):
    kw = {"sport": 80, "dport": 40000, "window": 65160, **kw}
    return eth(SERVER_MAC, CLIENT_MAC) / IP(src=S, dst=C, ttl=64, id=0x200) / TCP(**kw)


def scan(dport, **kw):
    kw.setdefault("sport", 61000)
    return eth(SCAN_MAC, SERVER_MAC) / IP(src=X, dst=S, ttl=49, id=0x300) / TCP(dport=dport, window=1024, seq=0x11111111, **kw)


quoted = bytes(IP(src=S, dst=X, ttl=60, id=0x400) / TCP(sport=80, dport=61000, flags=0, seq=5))

pkts = [
    c2s(flags="S", seq=1000, options=[("MSS", 1460)]),
    s2c(flags="SA", seq=5000, ack=1001, options=[("MSS", 1460)]),
    c2s(flags="A", seq=1001, ack=5001),
    c2s(flags="PA", seq=1001, ack=5001) / Raw(b"hello"),
    c2s(flags="FA", seq=1006, ack=5001),
    s2c(flags="RA", seq=0, ack=2001, sport=81, dport=40001),
    s2c(flags="R", seq=7777, sport=80, dport=40002),
    scan(22, flags="F"),
    scan(23, flags=""),
    scan(25, flags="FPU", urgptr=0),
    scan(110, flags="SF"),
    scan(143, flags="SR"),
    scan(21, flags="P"),
    scan(80, flags="A", sport=80, ack=0),
    scan(0, flags="A", sport=4000, ack=0),
    scan(8888, flags="S", reserved=4),
    c2s(flags="A", seq=1001, ack=5001, urgptr=0x1234) / Raw(b"abc"),
    scan(80, flags="S") / Raw(b"GET / HTTP/1.0"[:12]),
    c2s(flags="SEC", seq=3000),
    eth(SERVER_MAC, SCAN_MAC) / IP(src=S, dst=X, ttl=64, id=0x500) / ICMP(type=3, code=13) / Raw(quoted),
    eth() / IPv6(src="2001:db8::5", dst="2001:db8::80", hlim=64) / TCP(sport=40010, dport=443, flags="S", seq=9000),
    c2s(flags="UA", seq=1001, ack=5001, urgptr=1) / Raw(b"!"),
]
for i, p in enumerate(pkts):
    p.time = 1_000_000_000 + i
wrpcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tcp.pcap"), pkts)
