#!/usr/bin/env python3
"""Writes addresses.pcap: one packet per address finding, plus near misses that must stay quiet,
for crate/tests/explain_addresses.rs.

Deterministic: fixed MACs, fixed timestamps (one second apart from 2023-11-14 22:13:20 UTC).

Packet numbers (1-based, as the tests use them):
   1 UDP 127.0.0.1:2301 -> 255.255.255.255:2301 (seed 000, Compaq Insight Manager)
   2 TCP RST/ACK 127.0.0.1:80 -> 192.168.1.50:1234 (seed 001, Blaster-era resets)
   3 UDP 192.168.1.10 -> 127.0.0.1
   4 DHCP discover 0.0.0.0:68 -> 255.255.255.255:67
   5 UDP 0.0.0.0:5000 -> 192.168.1.1:80 (not address configuration)
   6 TCP ACK 192.168.1.66 -> 0.0.0.0 port 0 in an Ethernet broadcast (seed 002 §1.1 port 0)
   7 UDP from 255.255.255.255
   8 UDP from the multicast address 224.0.0.5
   9 UDP 192.168.1.10:138 -> 192.168.1.255:138 (NetBIOS datagram to the subnet broadcast)
  10 UDP 80.80.80.80 -> 10.1.2.0 port 7 (fraggle-style probe of a network address)
  11 TCP 10.0.0.5:50000 -> 93.184.216.34:80 (private source, public destination)
  12 TCP 93.184.216.34:80 -> 192.168.1.10:50000 (public source, private destination)
  13 TCP 192.168.1.10 -> 192.168.1.20 (near miss: an ordinary LAN packet)
  14 UDP 169.254.12.34:5353 -> 224.0.0.251:5353 (self-assigned address, mDNS)
  15 UDP 192.168.1.10 -> 239.255.255.250:1900 (SSDP)
  16 UDP 240.1.2.3 -> 192.168.1.10 (reserved 240/4 source)
  17 UDP 192.0.2.7 -> 192.168.1.10 (documentation source)
  18 TCP SYN 192.168.1.10:139 -> 192.168.1.10:139 (LAND)
  19 IPv6 UDP ::1 -> fd00::1
  20 IPv6 neighbour solicitation from :: (duplicate address detection)
  21 IPv6 UDP from :: (not address configuration)
  22 IPv6 UDP fe80::1 -> fe80::2
  23 IPv6 TCP fd00::5 -> 2a00:1450:4001::1 (unique local source, global destination)
  24 IPv6 UDP 2001:db8::1 -> fd00::1 (documentation source)
  25 IPv6 UDP ::ffff:10.0.0.1 -> fd00::1 (IPv4-mapped source)
  26 IPv6 UDP from the multicast address ff02::1
  27 IPv6 TCP 2a00:1450:4001::1 -> fd00::5 (global source, unique local destination)
  28 UDP 8.8.8.8:53 -> 1.1.1.1:40000 (near miss: two public addresses)
"""
import os

from scapy.all import (
    BOOTP,
    DHCP,
    IP,
    TCP,
    UDP,
    Ether,
    ICMPv6ND_NS,
    IPv6,
    Raw,
    wrpcap,
)

A = "02:00:00:00:00:0a"
B = "02:00:00:00:00:0b"
BC = "ff:ff:ff:ff:ff:ff"


def e(pkt, src=A, dst=B):
    return Ether(src=src, dst=dst) / pkt


pkts = [
    # 1..3: loopback on the wire
    e(IP(src="127.0.0.1", dst="255.255.255.255", id=1) / UDP(sport=2301, dport=2301) / Raw(b"\x00" * 16), dst=BC),
    e(IP(src="127.0.0.1", dst="192.168.1.50", id=2) / TCP(sport=80, dport=1234, flags="RA", seq=0, ack=1)),
    e(IP(src="192.168.1.10", dst="127.0.0.1", id=3) / UDP(sport=40000, dport=40001) / Raw(b"x")),
    # 4..6: the unspecified address
    e(
        IP(src="0.0.0.0", dst="255.255.255.255", id=4)
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=bytes.fromhex("02000000000a"), xid=0x12345678)
        / DHCP(options=[("message-type", "discover"), "end"]),
        dst=BC,
    ),
    e(IP(src="0.0.0.0", dst="192.168.1.1", id=5) / UDP(sport=5000, dport=80) / Raw(b"x")),
    e(IP(src="192.168.1.66", dst="0.0.0.0", id=6) / TCP(sport=40000, dport=0, flags="A", ack=1), dst=BC),
    # 7, 8: impossible sources
    e(IP(src="255.255.255.255", dst="192.168.1.10", id=7) / UDP(sport=9, dport=9) / Raw(b"x")),
    e(IP(src="224.0.0.5", dst="192.168.1.10", id=8) / UDP(sport=520, dport=520) / Raw(b"x")),
    # 9, 10: directed broadcasts
    e(IP(src="192.168.1.10", dst="192.168.1.255", id=9) / UDP(sport=138, dport=138) / Raw(b"\x11" * 12), dst=BC),
    e(IP(src="80.80.80.80", dst="10.1.2.0", id=10) / UDP(sport=40000, dport=7) / Raw(b"x"), dst=BC),
    # 11..13: private ranges
    e(IP(src="10.0.0.5", dst="93.184.216.34", id=11) / TCP(sport=50000, dport=80, flags="S")),
    e(IP(src="93.184.216.34", dst="192.168.1.10", id=12) / TCP(sport=80, dport=50000, flags="SA")),
    e(IP(src="192.168.1.10", dst="192.168.1.20", id=13) / TCP(sport=50001, dport=445, flags="S")),
    # 14, 15: link-local and multicast
    e(IP(src="169.254.12.34", dst="224.0.0.251", id=14, ttl=255) / UDP(sport=5353, dport=5353) / Raw(b"\x00" * 12),
      dst="01:00:5e:00:00:fb"),
    e(IP(src="192.168.1.10", dst="239.255.255.250", id=15, ttl=4) / UDP(sport=50002, dport=1900) / Raw(b"M-SEARCH * HTTP/1.1\r\n\r\n"),
      dst="01:00:5e:7f:ff:fa"),
    # 16, 17: reserved and documentation sources
    e(IP(src="240.1.2.3", dst="192.168.1.10", id=16) / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IP(src="192.0.2.7", dst="192.168.1.10", id=17) / UDP(sport=40000, dport=40001) / Raw(b"x")),
    # 18: LAND
    e(IP(src="192.168.1.10", dst="192.168.1.10", id=18) / TCP(sport=139, dport=139, flags="S")),
    # 19..27: IPv6
    e(IPv6(src="::1", dst="fd00::1") / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IPv6(src="::", dst="ff02::1:ff00:5", hlim=255) / ICMPv6ND_NS(tgt="fd00::5"), dst="33:33:ff:00:00:05"),
    e(IPv6(src="::", dst="fd00::1") / UDP(sport=40000, dport=80) / Raw(b"x")),
    e(IPv6(src="fe80::1", dst="fe80::2") / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IPv6(src="fd00::5", dst="2a00:1450:4001::1") / TCP(sport=50000, dport=443, flags="S")),
    e(IPv6(src="2001:db8::1", dst="fd00::1") / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IPv6(src="::ffff:10.0.0.1", dst="fd00::1") / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IPv6(src="ff02::1", dst="fd00::1") / UDP(sport=40000, dport=40001) / Raw(b"x")),
    e(IPv6(src="2a00:1450:4001::1", dst="fd00::5") / TCP(sport=443, dport=50000, flags="SA")),
    # 28: near miss
    e(IP(src="8.8.8.8", dst="1.1.1.1", id=28) / UDP(sport=53, dport=40000) / Raw(b"\x12\x34\x81\x80" + b"\x00" * 8)),
]

for i, p in enumerate(pkts):
    p.time = 1700000000 + i

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "addresses.pcap")
wrpcap(out, pkts, linktype=1)
print(f"wrote {len(pkts)} packets to {out}")
