#!/usr/bin/env python3
"""Writes anomalies.pcap: packets whose own fields disagree or carry what ordinary stacks do not.

Deterministic (fixed MACs, addresses, ids and times). Frames are built as Ethernet + raw IP bytes
so lengths, padding and checksums are exactly what is written here. Packet numbers (1-based), as
crate/tests/explain_anomalies.rs refers to them:
  1  UDP length 50 in an IP datagram with room for 9         anom.udp.length_exceeds_ip
  2  UDP length 4                                            anom.udp.length_below_header
  3  UDP length 9 in an IP datagram with room for 20         anom.udp.length_short_of_ip
  4  the seed's port 31789 packet, non-zero padding          anom.eth.padding_nonzero
  5  ping whose IP length claims 100 bytes; 40 sent         anom.ip.len_beyond_frame
  6  IP total length 0 (segmentation offload), bad TCP sum   anom.ip.len_zero + checksum.transport_bad
  7  UDP frame of 76 bytes with 4 bytes after the datagram   anom.eth.trailer
  8  bad IPv4 header checksum                                anom.checksum.ip_bad
  9  bad TCP checksum                                        anom.checksum.transport_bad
 10  bad UDP checksum                                        anom.checksum.transport_bad
 11  bad ICMP checksum                                       anom.checksum.icmp_bad
 12  loose source route option                               anom.ip.opt.source_route (loose)
 13  strict source route option                              anom.ip.opt.source_route (strict)
 14  record route option                                     anom.ip.opt.record_route
 15  timestamp option                                        anom.ip.opt.timestamp
 16  IGMP report with router alert to 224.0.0.22, TTL 1      anom.ip.opt.router_alert (no ttl_low)
 17  option 130 (security)                                   anom.ip.opt.other
 18  first fragment of a UDP datagram                        anom.ip.frag.first
 19  later fragment at byte 24                               anom.ip.frag.later
 20  first fragment with 16 bytes of TCP                     anom.ip.frag.tiny_first (no malformed)
 21  TCP fragment at offset 8                                anom.ip.frag.tcp_header_overlap
 22  UDP to 33435 with TTL 1                                 anom.ip.ttl_low
 23  TTL 0                                                   anom.ip.ttl_zero
 24  reserved IP flag set                                    anom.ip.evil_bit
 25  TCP header length 8                                     anom.malformed (tcp)
 26  DNS query padded with zeros to 60 bytes                 (nothing)
 27  ordinary TCP PSH/ACK                                    (nothing)
 28  ICMP port unreachable quoting a UDP header (8 bytes)    (no anom.*: quoted)
 29  IPv6 UDP with hop limit 1                               anom.ip.ttl_low
 30  HTTP request line split over a segment boundary         (no anom.malformed)
"""
import os
from scapy.all import (Ether, IP, IPv6, TCP, UDP, ICMP, DNS, DNSQR, Raw, IPOption,
                       IPOption_Router_Alert, wrpcap)
from scapy.contrib.igmpv3 import IGMPv3, IGMPv3mr, IGMPv3gr

A_MAC, B_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
A, B = "10.1.0.10", "10.1.0.20"


def frame(ip_bytes, tail=b"", src=A_MAC, dst=B_MAC, etype=0x0800):
    return Ether(src=src, dst=dst, type=etype) / Raw(bytes(ip_bytes) + tail)


def ip(**kw):
    kw = {"src": A, "dst": B, "ttl": 64, "id": 0x1000, **kw}
    return IP(**kw)


def zpad(b):
    """Zero padding up to Ethernet's 60-byte minimum (46 bytes of IP)."""
    b = bytes(b)
    return b"\x00" * max(0, 46 - len(b))


udp_exceeds = bytes(ip() / UDP(sport=5000, dport=6000, len=50, chksum=0) / Raw(b"x"))
udp_below = bytes(ip() / UDP(sport=5000, dport=6000, len=4, chksum=0) / Raw(b"abcd"))
udp_short = bytes(ip() / UDP(sport=5000, dport=6000, len=9, chksum=0) / Raw(b"y" + b"SECRETDATA!"))

# Seed 004's port 31789 packet: 29-byte datagram, 1 byte of UDP data, 17 bytes of padding that
# are not zero. The seed's addresses were anonymised, which left its checksums wrong; they are
# recomputed here so that the padding is the packet's only oddity.
seed_ip = IP(bytes.fromhex("4500001da93200007311" "10cf" "01020304c0a4153f" "7c2e7c2d000938b141"))
del seed_ip.chksum
del seed_ip[UDP].chksum
seed_31789 = bytes(seed_ip)
seed_pad = bytes.fromhex("3b000000010000000000000003564752 0341".replace(" ", ""))[:17]

ping = ip() / ICMP(type=8, id=2, seq=2) / Raw(b"ping" * 3)
beyond = bytearray(bytes(ping))
beyond[2:4] = (100).to_bytes(2, "big")
beyond_ip = IP(bytes(beyond))
del beyond_ip.chksum  # recompute the header checksum over the inflated length
beyond = bytes(beyond_ip)[:40]

tso = bytearray(bytes(ip() / TCP(sport=40000, dport=80, flags="PA", seq=1, ack=1, chksum=0x0000) / Raw(b"A" * 40)))
tso[2:4] = b"\x00\x00"
tso_ip = IP(bytes(tso))
del tso_ip.chksum
tso = bytes(tso_ip)

trailer = bytes(ip() / UDP(sport=5001, dport=6001) / Raw(b"t" * 30))

bad_ip = bytes(ip(chksum=0xbeef) / UDP(sport=5002, dport=6002) / Raw(b"z" * 18))
bad_tcp = bytes(ip() / TCP(sport=40001, dport=80, flags="A", seq=1, ack=1, chksum=0xdead) / Raw(b"data"))
bad_udp = bytes(ip() / UDP(sport=5003, dport=6003, chksum=0x1234) / Raw(b"q" * 18))
bad_icmp = bytes(ip() / ICMP(type=8, code=0, id=1, seq=1, chksum=0xbad1) / Raw(b"p" * 18))


def with_opt(raw_opt, **kw):
    # No UDP checksum: with a source route the pseudo-header uses the final destination, which
    # this test should not depend on.
    return bytes(ip(options=[IPOption(raw_opt)], **kw) / UDP(sport=5004, dport=6004, chksum=0) / Raw(b"o" * 10))


lsrr = with_opt(b"\x83\x07\x04" + bytes([192, 0, 2, 1]) + b"\x00")
ssrr = with_opt(b"\x89\x07\x04" + bytes([192, 0, 2, 1]) + b"\x00")
rr = with_opt(b"\x07\x07\x04" + b"\x00" * 4 + b"\x00")
ts = with_opt(b"\x44\x0c\x05\x00" + b"\x00" * 8)
other = with_opt(b"\x82\x0b" + b"\x00" * 9 + b"\x00")
igmp = bytes(IP(src=A, dst="224.0.0.22", ttl=1, id=0x2000, options=[IPOption_Router_Alert()]) /
             IGMPv3(type=0x22) / IGMPv3mr(records=[IGMPv3gr(rtype=4, maddr="239.1.1.1")]))

full_udp = ip(id=0x3000, proto=17) / UDP(sport=5005, dport=6005, len=48, chksum=0) / Raw(b"F" * 40)
fu = bytes(full_udp)
first_frag = bytes(IP(src=A, dst=B, ttl=64, id=0x3000, proto=17, flags="MF", frag=0) / Raw(fu[20:44]))
later_frag = bytes(IP(src=A, dst=B, ttl=64, id=0x3000, proto=17, flags=0, frag=3) / Raw(fu[44:]))
tcp_full = bytes(TCP(sport=40002, dport=22, flags="S", seq=7))
tiny = bytes(IP(src=A, dst=B, ttl=64, id=0x4000, proto=6, flags="MF", frag=0) / Raw(tcp_full[:16]))
overlap = bytes(IP(src=A, dst=B, ttl=64, id=0x4000, proto=6, flags=0, frag=1) / Raw(tcp_full[8:20] + b"\x00" * 4))

tracer = bytes(ip(ttl=1) / UDP(sport=40100, dport=33435) / Raw(b"\x00" * 12))
ttl0 = bytes(ip(ttl=0) / UDP(sport=5006, dport=6006) / Raw(b"\x00" * 12))
evil = bytes(ip(flags="evil") / UDP(sport=5007, dport=6007) / Raw(b"e" * 12))
short_tcp = bytes(ip() / TCP(sport=40003, dport=80, flags="S", dataofs=2, seq=1))

dns = bytes(ip(dst="10.1.0.53") / UDP(sport=53000, dport=53) / DNS(id=7, rd=1, qd=DNSQR(qname="a.example")))
normal_tcp = bytes(ip() / TCP(sport=40004, dport=22, flags="PA", seq=100, ack=200) / Raw(b"SSH-2.0-x\r\n"))
quoted = bytes(IP(src=B, dst=A, ttl=63, id=0x5000) / UDP(sport=6008, dport=5008, len=500, chksum=0))[:28]
unreach = bytes(IP(src=A, dst=B, ttl=64, id=0x5001) / ICMP(type=3, code=3) / Raw(quoted))
v6 = bytes(IPv6(src="2001:db8::a", dst="2001:db8::b", hlim=1) / UDP(sport=40101, dport=33436) / Raw(b"\x00" * 8))
http_split = bytes(ip() / TCP(sport=40005, dport=80, flags="PA", seq=1, ack=1) / Raw(b"GET /index.ht"))

pkts = [
    frame(udp_exceeds, zpad(udp_exceeds)),
    frame(udp_below, zpad(udp_below)),
    frame(udp_short, zpad(udp_short)),
    frame(seed_31789, seed_pad),
    frame(beyond),
    frame(tso),
    frame(trailer, b"\xde\xad\xbe\xef"),
    frame(bad_ip),
    frame(bad_tcp),
    frame(bad_udp),
    frame(bad_icmp),
    frame(lsrr),
    frame(ssrr),
    frame(rr),
    frame(ts),
    frame(igmp, zpad(igmp), dst="01:00:5e:00:00:16"),
    frame(other),
    frame(first_frag),
    frame(later_frag, zpad(later_frag)),
    frame(tiny, zpad(tiny)),
    frame(overlap, zpad(overlap)),
    frame(tracer),
    frame(ttl0),
    frame(evil),
    frame(short_tcp, zpad(short_tcp)),
    frame(dns, zpad(dns)),
    frame(normal_tcp),
    frame(unreach),
    frame(v6, etype=0x86DD),
    frame(http_split),
]
for i, p in enumerate(pkts):
    p.time = 1_100_000_000 + i
wrpcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "anomalies.pcap"), pkts)
