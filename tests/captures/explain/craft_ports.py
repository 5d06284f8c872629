#!/usr/bin/env python3
"""Writes ports.pcap: one packet per port finding the explain rules name, plus near misses.

Deterministic (fixed MACs, addresses, IP ids, sequence numbers and times). Outside hosts use
203.0.113.0/24 and 198.51.100.0/24, inside hosts 192.168.1.0/24. Packet numbers (1-based), as
crate/tests/explain_ports.rs refers to them:
  1  SYN 203.0.113.5:40001 -> 192.168.1.10:31337                port.backdoor.back_orifice
  2  SYN/ACK back from 31337                                    back_orifice + port.backdoor.listening
  3  RST/ACK from a closed 31337 on another host                (nothing from ports)
  4  UDP 203.0.113.5:40003 -> 192.168.1.10:31337                port.backdoor.back_orifice
  5  DNS answer 198.51.100.53:53 -> 192.168.1.10:31337          (nothing: a reply to a client port)
  6  SYN -> 12345                                               port.backdoor.netbus
  7  SYN -> 27374                                               port.backdoor.subseven
  8  the seed 004 datagram 1.2.3.4:31790 -> :31789 (raw bytes)  port.backdoor.hack_a_tack
  9  SYN -> 1524                                                port.backdoor.shell
 10  SYN -> 30100                                               port.backdoor.trojan (NetSphere)
 11  UDP -> 1434 with 376 bytes                                 port.worm.slammer
 12  SYN -> 135                                                 port.windows.rpc
 13  SYN -> 445                                                 port.windows.sharing
 14  SYN -> 1433                                                port.probe.sql
 15  SYN -> 1                                                   port.probe.tcpmux
 16  UDP -> 192.168.1.255:19 from the victim's address          port.probe.amplifier
 17  SYN -> 79                                                  port.probe.info_leak
 18  SYN -> 111                                                 port.probe.rpc
 19  SYN 203.0.113.9:2097 -> 192.168.5.132:32775                port.range.rpc
 20  SYN/ACK back from 32775                                    port.range.rpc (no listening alert)
 21  UDP -> 69                                                  port.probe.exposed_service (TFTP)
 22  UDP rwho broadcast to 255.255.255.255:513                  port.lan_chatter
 23  UDP 192.168.1.10:40010 -> 203.0.113.20:27015               port.game_or_chat (Half-Life)
 24  SYN 192.168.1.10:1050 -> 203.0.113.40:17027                port.adware.conducent
 25  UDP 203.0.113.30:4000 -> 192.168.1.10:40011 (ICQ server)   port.source_is_service
 26  UDP 192.168.1.10:40012 -> 203.0.113.7:33435, TTL 1         port.range.traceroute
 27  SYN 203.0.113.60:61001 -> 192.168.1.10:80                  port.range.nat_masquerade
 28  UDP 203.0.113.70:30000 -> 192.168.1.10:6980                port.range.realaudio
 29  SYN 203.0.113.80:0 -> 192.168.1.10:143                     port.zero (source)
 30  SYN/FIN 203.0.113.81:3 -> 192.168.1.10:23                  port.src.sscan
 31  ACK 203.0.113.81:25 -> 192.168.1.10:25                     port.same_ports.tcp
 32  UDP 203.0.113.82:9999 -> 192.168.1.10:9999                port.same_ports.udp
 33  UDP 198.51.100.53:53 -> 192.168.1.10:31337, "hello"        port.src.dns_disguise (no back_orifice)
 34  DNS query 192.168.1.10:40020 -> 198.51.100.53:53           (nothing)
 35  DNS answer 198.51.100.53:53 -> 192.168.1.10:40020          (nothing: not an odd source port)
 36  SYN 192.168.1.10:50123 -> 203.0.113.90:80                  (nothing: ephemeral source)
 37  NTP 192.168.1.1:123 -> 198.51.100.123:123                  (nothing: NTP is symmetric)
 38  ICMP port unreachable quoting UDP 192.168.1.10 -> :31337   (nothing: the header is quoted)
 39  SYN 198.51.100.21:20 -> 192.168.1.10:40030 (active FTP)    port.source_is_service
 40  PSH/ACK data to 31337 inside a connection                  (nothing: not a handshake)
 41  SYN 198.51.100.53:53 -> 203.0.113.90:53 (zone transfer)   (nothing: DNS servers may use 53 both sides)
 42  UDP 127.0.0.1:2301 -> 255.255.255.255:2301 (seed 000)      (nothing from ports: case.compaq_insight_2301)
 43  UDP 192.168.1.1:1985 -> 224.0.0.2:1985 (HSRP hello)       (nothing: multicast, symmetric by design)
"""
import os
from scapy.all import Ether, IP, TCP, UDP, ICMP, DNS, DNSQR, DNSRR, NTP, Raw, wrpcap

OUT_MAC, IN_MAC = "02:00:00:00:01:01", "02:00:00:00:01:02"
X, T = "203.0.113.5", "192.168.1.10"


def eth(src=OUT_MAC, dst=IN_MAC):
    return Ether(src=src, dst=dst)


def syn(dport, src=X, dst=T, sport=40001, flags="S", seq=0x1000, ack=0, ttl=50):
    return eth() / IP(src=src, dst=dst, ttl=ttl, id=0x100) / TCP(
        sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=8192)


def udp(dport, payload=b"x", src=X, dst=T, sport=40003, ttl=50, smac=OUT_MAC, dmac=IN_MAC):
    return eth(smac, dmac) / IP(src=src, dst=dst, ttl=ttl, id=0x200) / UDP(
        sport=sport, dport=dport) / Raw(payload)


def out(p):
    """Turns a packet around at the Ethernet layer: sent from the inside."""
    p[Ether].src, p[Ether].dst = IN_MAC, OUT_MAC
    return p


# Seed 004: 1.2.3.4.31790 > 192.164.21.63.31789, UDP length 9, one byte of data, and padding
# that is not zero. Kept byte for byte (including the seed's 192.164 address).
SEED_31789 = bytes.fromhex(
    "4500001da93200007311 10cf01020304c0a4153f7c2e7c2d000938b1413b0000"
    "0001000000000000035647520341".replace(" ", ""))

dns_answer = DNS(id=0x4242, qr=1, aa=0, rd=1, ra=1, qd=DNSQR(qname="example.com"),
                 an=DNSRR(rrname="example.com", rdata="93.184.216.34", ttl=300))
quoted = bytes(IP(src=T, dst="203.0.113.99", ttl=60, id=0x400) / UDP(sport=40050, dport=31337))

pkts = [
    syn(31337),                                                                   # 1
    out(syn(40001, src=T, dst=X, sport=31337, flags="SA", seq=0x9000, ack=0x1001)),  # 2
    out(syn(40002, src="192.168.1.11", dst=X, sport=31337, flags="RA", ack=0x1001)),  # 3
    udp(31337, b"*!*QWTY?"),                                                      # 4
    eth() / IP(src="198.51.100.53", dst=T, id=0x201) / UDP(sport=53, dport=31337) / dns_answer,  # 5
    syn(12345),                                                                   # 6
    syn(27374),                                                                   # 7
    Ether(src=OUT_MAC, dst=IN_MAC, type=0x0800) / Raw(SEED_31789),                # 8
    syn(1524),                                                                    # 9
    syn(30100),                                                                   # 10
    udp(1434, b"\x04" + b"\x01" * 375, sport=40004),                              # 11
    syn(135),                                                                     # 12
    syn(445),                                                                     # 13
    syn(1433),                                                                    # 14
    syn(1),                                                                       # 15
    udp(19, b"\x00", src="198.51.100.66", dst="192.168.1.255", sport=7,
        dmac="ff:ff:ff:ff:ff:ff"),                                                # 16
    syn(79),                                                                      # 17
    syn(111),                                                                     # 18
    syn(32775, src="203.0.113.9", dst="192.168.5.132", sport=2097, seq=0xafdd2758),  # 19
    out(syn(2097, src="192.168.5.132", dst="203.0.113.9", sport=32775, flags="SA",
            seq=0x0432f763, ack=0xafdd2759)),                                     # 20
    udp(69, b"\x00\x01/etc/passwd\x00octet\x00", sport=40005),                    # 21
    out(udp(513, b"\x01\x01" + b"\x00" * 58, src="192.168.1.20", dst="255.255.255.255",
            sport=513, dmac="ff:ff:ff:ff:ff:ff")),                                # 22
    out(udp(27015, b"\xff\xff\xff\xffTSource Engine Query\x00", src=T, dst="203.0.113.20",
            sport=40010)),                                                        # 23
    out(syn(17027, src=T, dst="203.0.113.40", sport=1050)),                       # 24
    udp(40011, b"\x05\x00\x00\x00", src="203.0.113.30", sport=4000),              # 25
    out(udp(33435, b"\x00" * 12, src=T, dst="203.0.113.7", sport=40012, ttl=1)),  # 26
    syn(80, src="203.0.113.60", sport=61001),                                     # 27
    udp(6980, b"\x00" * 32, src="203.0.113.70", sport=30000),                     # 28
    syn(143, src="203.0.113.80", sport=0),                                        # 29
    syn(23, src="203.0.113.81", sport=3, flags="SF"),                             # 30
    syn(25, src="203.0.113.81", sport=25, flags="A", ack=0),                      # 31
    udp(9999, b"\x00" * 16, src="203.0.113.82", sport=9999),                      # 32
    udp(31337, b"hello", src="198.51.100.53", sport=53),                          # 33
    out(eth() / IP(src=T, dst="198.51.100.53", id=0x202) / UDP(sport=40020, dport=53)
        / DNS(id=0x4343, rd=1, qd=DNSQR(qname="example.com"))),                  # 34
    eth() / IP(src="198.51.100.53", dst=T, id=0x203) / UDP(sport=53, dport=40020)
    / DNS(id=0x4343, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.com"),
          an=DNSRR(rrname="example.com", rdata="93.184.216.34", ttl=300)),        # 35
    out(syn(80, src=T, dst="203.0.113.90", sport=50123)),                         # 36
    out(eth() / IP(src="192.168.1.1", dst="198.51.100.123", id=0x204) / UDP(sport=123, dport=123)
        / NTP(version=4, mode=3)),                                                # 37
    eth() / IP(src="203.0.113.99", dst=T, id=0x205) / ICMP(type=3, code=3) / Raw(quoted),  # 38
    syn(40030, src="198.51.100.21", sport=20),                                    # 39
    syn(31337, flags="PA", seq=0x1001, ack=0x9001) / Raw(b"ping"),                # 40
    syn(53, src="198.51.100.53", dst="203.0.113.90", sport=53),                   # 41
    udp(2301, b"\x00" * 16, src="127.0.0.1", dst="255.255.255.255", sport=2301,
        dmac="ff:ff:ff:ff:ff:ff"),                                                # 42
    out(udp(1985, bytes.fromhex("00000310" "6403 0100".replace(" ", "")) + b"cisco\x00\x00\x00"
            + bytes([192, 168, 1, 254]), src="192.168.1.1", dst="224.0.0.2", sport=1985, ttl=1,
            dmac="01:00:5e:00:00:02")),                                          # 43
]
for i, p in enumerate(pkts):
    p.time = 1_050_000_000 + i
wrpcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "ports.pcap"), pkts)
