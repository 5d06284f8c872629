#!/usr/bin/env python3
"""Writes icmp.pcap: one packet per ICMP / ICMPv6 finding, for crate/tests/explain_icmp.rs.

Deterministic: fixed MACs, fixed timestamps (one second apart from 2023-11-14 22:13:20 UTC).
Error messages quote, as real routers do, the original IP header plus its first 8 payload bytes,
with the original (longer) total length left in the quoted header.

Packet numbers (1-based, as the tests use them):
   1 echo request 192.168.1.10 -> 192.168.1.1, id 0x0200 seq 1
   2 echo reply to it
   3 echo request to the directed broadcast 192.168.1.255 (smurf pattern)
   4 echo request to 255.255.255.255
   5 echo request with code 9 (nmap OS detection style)
   6 3/0 net unreachable about a TCP SYN to 10.99.0.1:443
   7 3/1 host unreachable about TCP to 192.168.1.77:22
   8 3/2 protocol unreachable about a GRE packet
   9 3/3 port unreachable: seed 003's dump (10.0.1.201:2215 -> 10.0.1.11:31001 UDP)
  10 3/3 about a late DNS answer (quoted UDP source port 53)
  11 3/3 about a NetBIOS name query (quoted UDP destination port 137)
  12 3/3 about a traceroute probe (quoted UDP destination port 33470)
  13 3/3 about a DNS query to a host without DNS (quoted UDP destination port 53)
  14 3/4 fragmentation needed, next-hop MTU 1400
  15 3/5 source route failed
  16 3/6 destination network unknown
  17 3/8 source host isolated
  18 3/13 communication administratively prohibited (TCP 445)
  19 3/11 network unreachable for TOS
  20 3/14 host precedence violation
  21 3/20 an undefined unreachable code
  22 4/0 source quench
  23 5/1 redirect for the host, gateway 192.168.1.254
  24 11/0 TTL exceeded about a traceroute probe to UDP 33434
  25 11/1 fragment reassembly time exceeded
  26 12/0 parameter problem, pointer 20
  27 9 router advertisement
  28 10 router solicitation
  29 13 timestamp request
  30 14 timestamp reply
  31 17 address mask request
  32 18 address mask reply (255.255.255.0)
  33 15 information request (deprecated)
  34 7 unassigned type
  35 ICMPv6 echo request fd00::10 -> fd00::1
  36 ICMPv6 echo reply
  37 ICMPv6 1/4 port unreachable about UDP to port 53
  38 ICMPv6 1/1 administratively prohibited
  39 ICMPv6 2 packet too big, MTU 1280
  40 ICMPv6 3/0 hop limit exceeded
  41 ICMPv6 4/1 unrecognised next header, pointer 40
  42 ICMPv6 router solicitation
  43 ICMPv6 router advertisement
  44 ICMPv6 neighbour solicitation from :: (duplicate address detection)
  45 ICMPv6 neighbour advertisement
  46 ICMPv6 redirect
  47 MLDv2 report
"""
import os

from scapy.all import (
    ICMP,
    IP,
    TCP,
    UDP,
    Ether,
    ICMPv6DestUnreach,
    ICMPv6EchoReply,
    ICMPv6EchoRequest,
    ICMPv6MLReport2,
    ICMPv6ND_NA,
    ICMPv6ND_NS,
    ICMPv6ND_RA,
    ICMPv6ND_Redirect,
    ICMPv6ND_RS,
    ICMPv6PacketTooBig,
    ICMPv6ParamProblem,
    ICMPv6TimeExceeded,
    IPv6,
    Raw,
    wrpcap,
)

HOST_MAC = "02:00:00:00:00:0a"
ROUTER_MAC = "02:00:00:00:00:01"
BCAST_MAC = "ff:ff:ff:ff:ff:ff"
HOST = "192.168.1.10"
ROUTER = "192.168.1.1"


def to_host(pkt, src_mac=ROUTER_MAC):
    return Ether(src=src_mac, dst=HOST_MAC) / pkt


def from_host(pkt, dst_mac=ROUTER_MAC):
    return Ether(src=HOST_MAC, dst=dst_mac) / pkt


def quote(inner, claimed_len=None):
    """The original header plus 8 bytes, as an ICMP error carries it."""
    if claimed_len is not None:
        inner.len = claimed_len
    b = bytes(inner)
    ihl = (b[0] & 0x0F) * 4
    return Raw(b[: ihl + 8])


def err(icmp, inner, claimed_len=None, src=ROUTER, dst=HOST):
    return to_host(IP(src=src, dst=dst, ttl=64, id=0x4000) / icmp / quote(inner, claimed_len))


def quote6(inner):
    return Raw(bytes(inner)[:48])


V6_HOST = "fd00::10"
V6_ROUTER = "fd00::1"
V6_HOST_MAC = "02:00:00:00:00:0a"
V6_ROUTER_MAC = "02:00:00:00:00:01"

pkts = [
    # 1, 2: an ordinary ping and its answer
    from_host(IP(src=HOST, dst=ROUTER, id=1) / ICMP(type=8, id=0x0200, seq=1) / Raw(b"abcdefgh" * 4)),
    to_host(IP(src=ROUTER, dst=HOST, id=2) / ICMP(type=0, id=0x0200, seq=1) / Raw(b"abcdefgh" * 4)),
    # 3, 4: pings to broadcast addresses
    Ether(src="02:00:00:00:00:66", dst=BCAST_MAC)
    / IP(src="198.51.100.66", dst="192.168.1.255", id=3)
    / ICMP(type=8, id=7, seq=1),
    from_host(IP(src=HOST, dst="255.255.255.255", id=4) / ICMP(type=8, id=8, seq=1), BCAST_MAC),
    # 5: nmap-style echo with a code the type does not define
    Ether(src="02:00:00:00:00:66", dst=HOST_MAC)
    / IP(src="192.168.1.66", dst=HOST, id=5, flags="DF")
    / ICMP(type=8, code=9, id=0x1a2b, seq=295)
    / Raw(b"\x00" * 120),
    # 6..8: unreachables with the three first codes
    err(ICMP(type=3, code=0), IP(src=HOST, dst="10.99.0.1", id=100) / TCP(sport=50000, dport=443, flags="S"), 60),
    err(ICMP(type=3, code=1), IP(src=HOST, dst="192.168.1.77", id=101) / TCP(sport=50001, dport=22, flags="S"), 60),
    err(
        ICMP(type=3, code=2),
        IP(src=HOST, dst="192.168.1.20", id=102, proto=47) / Raw(b"\x00\x00\x08\x00" + b"\x45" * 20),
        src="192.168.1.20",
    ),
    # 9: the port unreachable dumped in seed 003 (UDP 2215 -> 31001)
    Ether(src="00:60:97:07:c0:ff", dst="00:00:ba:5e:ba:11")
    / IP(src="10.0.1.11", dst="10.0.1.201", id=0x6FDF, ttl=128)
    / ICMP(type=3, code=3)
    / quote(IP(src="10.0.1.201", dst="10.0.1.11", id=0x07F0, ttl=128) / UDP(sport=2215, dport=31001, len=51), 0x47),
    # 10: a DNS answer that came too late (quoted source port 53)
    err(
        ICMP(type=3, code=3),
        IP(src="192.168.1.53", dst="192.168.1.20", id=103) / UDP(sport=53, dport=51000, len=120),
        140,
        src="192.168.1.20",
        dst="192.168.1.53",
    ),
    # 11: NetBIOS name query to a machine without it
    err(
        ICMP(type=3, code=3),
        IP(src=HOST, dst="192.168.1.30", id=104) / UDP(sport=137, dport=137, len=58),
        78,
        src="192.168.1.30",
    ),
    # 12: the end of a UNIX traceroute
    err(
        ICMP(type=3, code=3),
        IP(src=HOST, dst="192.168.1.40", id=105, ttl=3) / UDP(sport=40100, dport=33470, len=40),
        60,
        src="192.168.1.40",
    ),
    # 13: a DNS query to a host that runs no DNS server
    err(
        ICMP(type=3, code=3),
        IP(src=HOST, dst="192.168.1.50", id=106) / UDP(sport=40000, dport=53, len=40),
        60,
        src="192.168.1.50",
    ),
    # 14: path MTU discovery
    err(
        ICMP(type=3, code=4, nexthopmtu=1400),
        IP(src=HOST, dst="10.99.0.2", id=107, flags="DF") / TCP(sport=50002, dport=443, flags="A"),
        1500,
    ),
    # 15..21: the rarer unreachable codes
    err(ICMP(type=3, code=5), IP(src=HOST, dst="10.99.0.3", id=108) / UDP(sport=40001, dport=7), 40),
    err(ICMP(type=3, code=6), IP(src=HOST, dst="10.99.0.4", id=109) / UDP(sport=40002, dport=123), 76),
    err(ICMP(type=3, code=8), IP(src=HOST, dst="10.99.0.5", id=110) / UDP(sport=40003, dport=123), 76),
    err(ICMP(type=3, code=13), IP(src=HOST, dst="10.99.0.6", id=111) / TCP(sport=50003, dport=445, flags="S"), 60),
    err(ICMP(type=3, code=11), IP(src=HOST, dst="10.99.0.7", id=112, tos=0x10) / UDP(sport=40004, dport=80), 40),
    err(ICMP(type=3, code=14), IP(src=HOST, dst="10.99.0.8", id=113, tos=0xE0) / UDP(sport=40005, dport=80), 40),
    err(ICMP(type=3, code=20), IP(src=HOST, dst="10.99.0.9", id=114) / UDP(sport=40006, dport=80), 40),
    # 22: source quench
    err(ICMP(type=4, code=0), IP(src=HOST, dst="192.168.1.25", id=115) / TCP(sport=50004, dport=25, flags="PA"), 552,
        src="192.168.1.25"),
    # 23: redirect
    err(ICMP(type=5, code=1, gw="192.168.1.254"),
        IP(src=HOST, dst="10.99.0.10", id=116) / TCP(sport=50005, dport=80, flags="S"), 60),
    # 24, 25: time exceeded
    err(ICMP(type=11, code=0), IP(src=HOST, dst="10.99.0.11", id=117, ttl=1) / UDP(sport=40100, dport=33434, len=40), 60),
    err(ICMP(type=11, code=1), IP(src=HOST, dst="192.168.1.60", id=118, flags="MF") / UDP(sport=40007, dport=2049, len=4000),
        1500, src="192.168.1.60"),
    # 26: parameter problem pointing at byte 20 of the quoted header (its first option)
    err(ICMP(type=12, code=0, ptr=20),
        IP(src=HOST, dst="192.168.1.70", id=119, options=b"\x44\x04\x05\x00") / TCP(sport=50006, dport=80, flags="S"),
        64, src="192.168.1.70"),
    # 27, 28: router discovery
    to_host(IP(src=ROUTER, dst="224.0.0.1", id=120) / ICMP(type=9, code=0) / Raw(b"\x01\x02\x07\x08\xc0\xa8\x01\x01\x00\x00\x00\x00")),
    from_host(IP(src=HOST, dst="224.0.0.2", id=121) / ICMP(type=10, code=0) / Raw(b"\x00\x00\x00\x00")),
    # 29..32: timestamp and address mask
    Ether(src="02:00:00:00:00:66", dst=HOST_MAC)
    / IP(src="192.168.1.66", dst=HOST, id=122) / ICMP(type=13, id=0x0d0d, seq=1, ts_ori=1000, ts_rx=0, ts_tx=0),
    from_host(IP(src=HOST, dst="192.168.1.66", id=123) / ICMP(type=14, id=0x0d0d, seq=1, ts_ori=1000, ts_rx=36000000, ts_tx=36000000),
              "02:00:00:00:00:66"),
    Ether(src="02:00:00:00:00:66", dst=HOST_MAC)
    / IP(src="192.168.1.66", dst=HOST, id=124) / ICMP(type=17, id=0x1111, seq=1, addr_mask="0.0.0.0"),
    from_host(IP(src=HOST, dst="192.168.1.66", id=125) / ICMP(type=18, id=0x1111, seq=1, addr_mask="255.255.255.0"),
              "02:00:00:00:00:66"),
    # 33, 34: deprecated and unassigned types
    Ether(src="02:00:00:00:00:66", dst=HOST_MAC)
    / IP(src="192.168.1.66", dst=HOST, id=126) / ICMP(type=15, code=0, id=1, seq=1),
    Ether(src="02:00:00:00:00:66", dst=HOST_MAC)
    / IP(src="192.168.1.66", dst=HOST, id=127) / ICMP(type=7, code=0) / Raw(b"\x00" * 8),
    # 35, 36: IPv6 ping
    Ether(src=V6_HOST_MAC, dst=V6_ROUTER_MAC) / IPv6(src=V6_HOST, dst=V6_ROUTER) / ICMPv6EchoRequest(id=0x77, seq=3, data=b"ping6"),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src=V6_ROUTER, dst=V6_HOST) / ICMPv6EchoReply(id=0x77, seq=3, data=b"ping6"),
    # 37, 38: IPv6 unreachables
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src="fd00::53", dst=V6_HOST)
    / ICMPv6DestUnreach(code=4) / quote6(IPv6(src=V6_HOST, dst="fd00::53", plen=40) / UDP(sport=40000, dport=53, len=40)),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src=V6_ROUTER, dst=V6_HOST)
    / ICMPv6DestUnreach(code=1) / quote6(IPv6(src=V6_HOST, dst="fd00:99::1", plen=20) / TCP(sport=50000, dport=22, flags="S")),
    # 39..41: packet too big, time exceeded, parameter problem
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src=V6_ROUTER, dst=V6_HOST)
    / ICMPv6PacketTooBig(mtu=1280) / quote6(IPv6(src=V6_HOST, dst="fd00:99::2", plen=1440) / TCP(sport=50001, dport=443, flags="A")),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src=V6_ROUTER, dst=V6_HOST)
    / ICMPv6TimeExceeded(code=0) / quote6(IPv6(src=V6_HOST, dst="fd00:99::3", hlim=1, plen=40) / UDP(sport=40100, dport=33434, len=40)),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src="fd00::70", dst=V6_HOST)
    / ICMPv6ParamProblem(code=1, ptr=40) / quote6(IPv6(src=V6_HOST, dst="fd00::70", nh=253, plen=8) / Raw(b"\x00" * 8)),
    # 42..47: neighbour discovery and MLD
    Ether(src=V6_HOST_MAC, dst="33:33:00:00:00:02") / IPv6(src="fe80::a", dst="ff02::2", hlim=255) / ICMPv6ND_RS(),
    Ether(src=V6_ROUTER_MAC, dst="33:33:00:00:00:01") / IPv6(src="fe80::1", dst="ff02::1", hlim=255) / ICMPv6ND_RA(),
    Ether(src=V6_HOST_MAC, dst="33:33:ff:00:00:10") / IPv6(src="::", dst="ff02::1:ff00:10", hlim=255) / ICMPv6ND_NS(tgt=V6_HOST),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src="fe80::1", dst="fe80::a", hlim=255) / ICMPv6ND_NA(tgt="fe80::1", R=1, S=1, O=1),
    Ether(src=V6_ROUTER_MAC, dst=V6_HOST_MAC) / IPv6(src="fe80::1", dst="fe80::a", hlim=255)
    / ICMPv6ND_Redirect(tgt="fe80::2", dst="fd00:99::4"),
    Ether(src=V6_HOST_MAC, dst="33:33:00:00:00:16") / IPv6(src="fe80::a", dst="ff02::16", hlim=1) / ICMPv6MLReport2(),
]

for i, p in enumerate(pkts):
    p.time = 1700000000 + i

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "icmp.pcap")
wrpcap(out, pkts, linktype=1)
print(f"wrote {len(pkts)} packets to {out}")
