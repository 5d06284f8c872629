#!/usr/bin/env python3
"""Writes narrative.pcap: one packet per kind of traffic the narrative tells, for
crate/tests/explain_narrative.rs. Deterministic (fixed MACs, addresses, times, ids).

Packet numbers (1-based):
  1  TCP SYN 10.1.1.9:2097 -> 192.168.5.132:32775 (seed 004's RPC-range sweep), TTL 57
  2  SYN/ACK 192.168.5.132:80 -> 10.1.1.9:40000
  3  RST/ACK 192.168.5.132:32775 -> 10.1.1.9:2097 (closed port)
  4  DNS query 10.1.1.9 -> 10.1.1.53: A www.example.com
  5  DNS answer: www.example.com A 93.184.216.34
  6  DNS answer: nosuch.example.com NXDOMAIN
  7  DHCP discover from 02:00:00:00:00:09, wants 10.1.1.77, hostname "lab-pc"
  8  DHCP offer 10.1.1.77 from server 10.1.1.1, lease 86400, router 10.1.1.1
  9  DHCP request for 10.1.1.77 from server 10.1.1.1
 10  DHCP ack 10.1.1.77
 11  NBNS name query for WORKGROUP<1d> to 10.1.1.255
 12  HTTP GET /index.html Host www.example.com
 13  HTTP 200 OK, Server nginx
 14  TLS ClientHello with SNI secure.example.org to port 443
 15  NTP client request (mode 3) to 10.1.1.123
 16  NTP server reply (mode 4, stratum 2)
 17  SNMP get-request community "public" to 10.1.1.161
 18  ARP request: who has 10.1.1.1, tell 10.1.1.9
 19  ARP reply: 10.1.1.1 is at 02:00:00:00:00:01
 20  gratuitous ARP for 10.1.1.9
 21  ARP probe for 10.1.1.77 from 0.0.0.0
 22  ICMP echo request 10.1.1.9 -> 10.1.1.1, TTL 128, id 7 seq 1
 23  ICMP port unreachable 10.1.1.1 -> 10.1.1.9 quoting UDP 10.1.1.9:1025 -> 10.1.1.1:2301
 24  ICMP time exceeded from router 10.1.1.254
 25  ICMPv6 neighbor solicitation for fe80::1 from fe80::9
 26  IGMPv2 membership report for 239.1.2.3
 27  GRE tunnel 198.51.100.1 -> 198.51.100.2 carrying ICMP echo 10.9.9.1 -> 10.9.9.2
 28  LLDP frame from 02:00:00:00:00:aa
 29  STP BPDU to 01:80:c2:00:00:00
 30  first fragment of a UDP datagram (MF set) 10.1.1.9 -> 10.1.1.1 port 9999
 31  later fragment (offset 24, last)
 32  TCP header cut short: IP says 40 bytes but only 10 of TCP captured
 33  TCP with no flags (null scan) to port 22
 34  802.1Q VLAN 42 tagged UDP datagram to port 514 (syslog)
"""
import os
import struct
from scapy.all import (ARP, BOOTP, DHCP, DNS, DNSQR, DNSRR, GRE, ICMP, IP, IPv6, NBNSQueryRequest,
                       NBNSHeader, NTP, Dot1Q, Ether, ICMPv6ND_NS, IGMP, Raw, SNMP, SNMPget,
                       SNMPvarbind, ASN1_OID, STP, Dot3, LLC, TCP, UDP, wrpcap)

A, B = "02:00:00:00:00:09", "02:00:00:00:00:01"
C, R = "10.1.1.9", "10.1.1.1"


def e(src=A, dst=B):
    return Ether(src=src, dst=dst)


def tls_client_hello(name: bytes) -> bytes:
    """A minimal TLS 1.2 ClientHello carrying one server_name extension (RFC 6066 section 3)."""
    sni = struct.pack("!BH", 0, len(name)) + name
    sni_list = struct.pack("!H", len(sni)) + sni
    ext = struct.pack("!HH", 0, len(sni_list)) + sni_list
    body = (b"\x03\x03" + bytes(range(32)) + b"\x00"  # version, random, empty session id
            + b"\x00\x02\x13\x01" + b"\x01\x00"        # one cipher suite, null compression
            + struct.pack("!H", len(ext)) + ext)
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


LLDP = bytes.fromhex(
    "0207040200000000aa"      # chassis id: MAC 02:00:00:00:00:aa
    "040703020000000000aa"    # port id: MAC
    "06020078"                # TTL 120
    "0000")                   # end

pkts = [
    e() / IP(src=C, dst="192.168.5.132", ttl=57, id=100) / TCP(sport=2097, dport=32775, flags="S", seq=2950485912, window=32120),
    e(B, A) / IP(src="192.168.5.132", dst=C, ttl=64) / TCP(sport=80, dport=40000, flags="SA", seq=1, ack=2),
    e(B, A) / IP(src="192.168.5.132", dst=C) / TCP(sport=32775, dport=2097, flags="RA", seq=0, ack=2950485913),
    e() / IP(src=C, dst="10.1.1.53") / UDP(sport=53001, dport=53) / DNS(id=0x1111, rd=1, qd=DNSQR(qname="www.example.com", qtype="A")),
    e(B, A) / IP(src="10.1.1.53", dst=C) / UDP(sport=53, dport=53001) / DNS(id=0x1111, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com", qtype="A"),
                                                                             an=DNSRR(rrname="www.example.com", type="A", ttl=300, rdata="93.184.216.34")),
    e(B, A) / IP(src="10.1.1.53", dst=C) / UDP(sport=53, dport=53002) / DNS(id=0x2222, qr=1, rd=1, ra=1, rcode=3, qd=DNSQR(qname="nosuch.example.com", qtype="A")),
    e(A, "ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
    / BOOTP(chaddr=bytes.fromhex("020000000009"), xid=0x1234, flags=0x8000)
    / DHCP(options=[("message-type", "discover"), ("requested_addr", "10.1.1.77"), ("hostname", b"lab-pc"), "end"]),
    e(B, "ff:ff:ff:ff:ff:ff") / IP(src=R, dst="255.255.255.255") / UDP(sport=67, dport=68)
    / BOOTP(op=2, chaddr=bytes.fromhex("020000000009"), xid=0x1234, yiaddr="10.1.1.77", siaddr=R)
    / DHCP(options=[("message-type", "offer"), ("server_id", R), ("lease_time", 86400), ("router", R), "end"]),
    e(A, "ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
    / BOOTP(chaddr=bytes.fromhex("020000000009"), xid=0x1234)
    / DHCP(options=[("message-type", "request"), ("requested_addr", "10.1.1.77"), ("server_id", R), "end"]),
    e(B, "ff:ff:ff:ff:ff:ff") / IP(src=R, dst="255.255.255.255") / UDP(sport=67, dport=68)
    / BOOTP(op=2, chaddr=bytes.fromhex("020000000009"), xid=0x1234, yiaddr="10.1.1.77")
    / DHCP(options=[("message-type", "ack"), ("server_id", R), ("lease_time", 86400), "end"]),
    e(A, "ff:ff:ff:ff:ff:ff") / IP(src=C, dst="10.1.1.255") / UDP(sport=137, dport=137)
    / NBNSHeader(NAME_TRN_ID=0x3333, NM_FLAGS=0x11, QDCOUNT=1) / NBNSQueryRequest(QUESTION_NAME=b"WORKGROUP", SUFFIX=0x4241, QUESTION_TYPE=0x20),
    e() / IP(src=C, dst="10.1.1.80") / TCP(sport=40001, dport=80, flags="PA", seq=1, ack=1)
    / Raw(b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\r\n"),
    e(B, A) / IP(src="10.1.1.80", dst=C) / TCP(sport=80, dport=40001, flags="PA", seq=1, ack=80)
    / Raw(b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n"),
    e() / IP(src=C, dst="10.1.1.43") / TCP(sport=40002, dport=443, flags="PA", seq=1, ack=1) / Raw(tls_client_hello(b"secure.example.org")),
    e() / IP(src=C, dst="10.1.1.123") / UDP(sport=123, dport=123) / NTP(version=4, mode=3),
    e(B, A) / IP(src="10.1.1.123", dst=C) / UDP(sport=123, dport=123) / NTP(version=4, mode=4, stratum=2),
    e() / IP(src=C, dst="10.1.1.161") / UDP(sport=50000, dport=161)
    / SNMP(community="public", PDU=SNMPget(id=42, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.1.0"))])),
    e(A, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=A, psrc=C, hwdst="00:00:00:00:00:00", pdst=R),
    e(B, A) / ARP(op=2, hwsrc=B, psrc=R, hwdst=A, pdst=C),
    e(A, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=A, psrc=C, hwdst="00:00:00:00:00:00", pdst=C),
    e(A, "ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=A, psrc="0.0.0.0", hwdst="00:00:00:00:00:00", pdst="10.1.1.77"),
    e() / IP(src=C, dst=R, ttl=128) / ICMP(type=8, id=7, seq=1) / Raw(b"abcdefgh"),
    e(B, A) / IP(src=R, dst=C) / ICMP(type=3, code=3) / IP(src=C, dst=R, ttl=63) / UDP(sport=1025, dport=2301) / Raw(b"xxxx"),
    e(B, A) / IP(src="10.1.1.254", dst=C, ttl=255) / ICMP(type=11, code=0) / IP(src=C, dst="203.0.113.9", ttl=1) / UDP(sport=33000, dport=33435),
    e(A, "33:33:ff:00:00:01") / IPv6(src="fe80::9", dst="ff02::1:ff00:1", hlim=255) / ICMPv6ND_NS(tgt="fe80::1"),
    e(A, "01:00:5e:01:02:03") / IP(src=C, dst="239.1.2.3", ttl=1) / IGMP(type=0x16, gaddr="239.1.2.3"),
    e() / IP(src="198.51.100.1", dst="198.51.100.2") / GRE() / IP(src="10.9.9.1", dst="10.9.9.2") / ICMP(type=8, id=1, seq=1),
    Ether(src="02:00:00:00:00:aa", dst="01:80:c2:00:00:0e", type=0x88cc) / Raw(LLDP),
    Dot3(src="02:00:00:00:00:bb", dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / STP(),
    e() / IP(src=C, dst=R, id=777, flags="MF", frag=0, proto=17) / Raw(bytes(UDP(sport=5000, dport=9999, len=40, chksum=0)) + b"A" * 16),
    e() / IP(src=C, dst=R, id=777, flags=0, frag=3, proto=17) / Raw(b"B" * 16),
    Ether(src=A, dst=B, type=0x0800) / Raw(bytes(IP(src=C, dst=R, proto=6, len=40, chksum=0))[:20] + bytes(TCP(sport=1, dport=2))[:10]),
    e() / IP(src="192.0.2.66", dst=R) / TCP(sport=41000, dport=22, flags=0, seq=5),
    e() / Dot1Q(vlan=42) / IP(src=C, dst=R) / UDP(sport=53003, dport=514) / Raw(b"<13>hello"),
]

for i, p in enumerate(pkts):
    p.time = 1700000000 + i

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "narrative.pcap")
wrpcap(out, pkts, linktype=1)
print(f"wrote {len(pkts)} packets to {out}")
