#!/usr/bin/env python3
"""Writes cases.pcap: the situations the seed documents describe, with near misses.

Deterministic (fixed MACs, addresses, ids and times). Packet numbers (1-based), as
crate/tests/explain_cases.rs refers to them:
  1  UDP 127.0.0.1:2301 -> 255.255.255.255:2301              case.compaq_insight_2301 (+ addr.loopback_source)
  2  RST/ACK 127.0.0.1:80 -> 198.51.100.7:1037               case.blaster_sinkhole_rst
  3  RST/ACK 127.0.0.1:80 -> 203.0.113.9:2250                case.blaster_sinkhole_rst
  4  RST/ACK 10.0.0.80:80 -> 10.0.0.5:40000                  (no case: an ordinary refusal)
  5  NetBIOS name query FILESERVER<20>, broadcast            case.netbios_name_query
  6  NetBIOS node status request (NBSTAT) unicast            case.netbios_node_status
  7  NetBIOS name query response                             (no case)
  8  DHCP Discover 0.0.0.0 -> 255.255.255.255                case.dhcp_broadcast
  9  DHCP Offer 10.0.0.1 -> 255.255.255.255                  case.dhcp_broadcast
 10  DHCP Request renewing by unicast                        (no case)
 11  SNMP get-request, community "public"                    case.snmp_default_community
 12  SNMP set-request, community "private"                   case.snmp_default_community
 13  SNMP get-request, community "s3cr3t"                    (no case)
 14  SYN to 1080 (SOCKS)                                     case.proxy_probe
 15  SYN to 3128 (Squid)                                     case.proxy_probe
 16  SYN to 8080                                             case.proxy_probe
 17  SYN/ACK from 3128                                       (no case: the proxy answering)
 18  SYN from mail server 10.0.0.25 to 10.0.0.5:113          case.identd_callback
 19  RST/ACK from 10.0.0.5:113                               case.identd_reset
 20  UDP 127.0.0.1:5000 -> 10.0.0.255:5000                   (no case; addr.loopback_source only)
"""
import os
from scapy.all import (Ether, IP, TCP, UDP, Raw, BOOTP, DHCP, SNMP, SNMPget, SNMPset, SNMPvarbind,
                       ASN1_OID, ASN1_INTEGER, NBNSHeader, NBNSQueryRequest, NBNSQueryResponse, NBNS_ADD_ENTRY,
                       wrpcap)

BCAST = "ff:ff:ff:ff:ff:ff"
COMPAQ_MAC = "00:08:02:12:34:56"
INFECTED_MAC = "00:0c:29:be:ef:01"
GW_MAC = "02:00:00:00:00:01"
PC_MAC = "02:00:00:00:00:05"
SRV_MAC = "02:00:00:00:00:20"
SCAN_MAC = "02:00:00:00:00:66"


def e(src, dst=GW_MAC):
    return Ether(src=src, dst=dst)


def nbns_query(name, qtype, src, dst, dst_mac, bcast):
    hdr = NBNSHeader(NAME_TRN_ID=0x1234, RESPONSE=0, OPCODE=0, NM_FLAGS="B+RD" if bcast else "RD", QDCOUNT=1)
    q = NBNSQueryRequest(QUESTION_NAME=name, SUFFIX=0x4341 if qtype == "NB" else 0x4141,
                         QUESTION_TYPE=qtype)
    return e(PC_MAC, dst_mac) / IP(src=src, dst=dst, ttl=128, id=0x700) / UDP(sport=137, dport=137) / hdr / q


def dhcp(op, msg, src, dst, sport, dport, ciaddr="0.0.0.0", yiaddr="0.0.0.0", eth_src=PC_MAC,
         eth_dst=BCAST, flags=0x8000):
    return (e(eth_src, eth_dst) / IP(src=src, dst=dst, ttl=64, id=0x800) / UDP(sport=sport, dport=dport) /
            BOOTP(op=op, chaddr=bytes.fromhex("020000000005") + b"\x00" * 10, xid=0x5eed, flags=flags,
                  ciaddr=ciaddr, yiaddr=yiaddr) /
            DHCP(options=[("message-type", msg), "end"]))


def snmp(community, pdu):
    return (e(SCAN_MAC, SRV_MAC) / IP(src="192.0.2.66", dst="10.0.0.30", ttl=50, id=0x900) /
            UDP(sport=40500, dport=161) / SNMP(community=community, PDU=pdu))


oid = [SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.1.0"))]
setvb = [SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.5.0"), value=ASN1_INTEGER(1))]


def syn(dport, sport=45000, flags="S"):
    return e(SCAN_MAC, SRV_MAC) / IP(src="192.0.2.66", dst="10.0.0.20", ttl=50, id=0xa00) / TCP(
        sport=sport, dport=dport, flags=flags, seq=0x2000, window=1024)


pkts = [
    e(COMPAQ_MAC, BCAST) / IP(src="127.0.0.1", dst="255.255.255.255", ttl=64, id=0x100) /
    UDP(sport=2301, dport=2301) / Raw(b"\x00\x01compaq-agent"),
    e(INFECTED_MAC) / IP(src="127.0.0.1", dst="198.51.100.7", ttl=128, id=0x200) /
    TCP(sport=80, dport=1037, flags="RA", seq=0, ack=0x1000001),
    e(INFECTED_MAC) / IP(src="127.0.0.1", dst="203.0.113.9", ttl=128, id=0x201) /
    TCP(sport=80, dport=2250, flags="RA", seq=0, ack=0x2000001),
    e("02:00:00:00:00:80", PC_MAC) / IP(src="10.0.0.80", dst="10.0.0.5", ttl=64, id=0x300) /
    TCP(sport=80, dport=40000, flags="RA", seq=0, ack=1001),
    nbns_query("FILESERVER", "NB", "10.0.0.5", "10.0.0.255", BCAST, 1),
    nbns_query("*", "NBSTAT", "10.0.0.20", "10.0.0.5", PC_MAC, 0),
    e(SRV_MAC, PC_MAC) / IP(src="10.0.0.20", dst="10.0.0.5", ttl=128, id=0x701) / UDP(sport=137, dport=137) /
    NBNSHeader(NAME_TRN_ID=0x1234, RESPONSE=1, OPCODE=0, NM_FLAGS="AA+RD+RA", ANCOUNT=1) /
    NBNSQueryResponse(RR_NAME="FILESERVER", SUFFIX=0x4341, ADDR_ENTRY=[NBNS_ADD_ENTRY(NB_ADDRESS="10.0.0.20")]),
    dhcp(1, "discover", "0.0.0.0", "255.255.255.255", 68, 67),
    dhcp(2, "offer", "10.0.0.1", "255.255.255.255", 67, 68, yiaddr="10.0.0.5", eth_src=GW_MAC),
    dhcp(1, "request", "10.0.0.5", "10.0.0.1", 68, 67, ciaddr="10.0.0.5", eth_dst=GW_MAC, flags=0),
    snmp("public", SNMPget(id=1, varbindlist=oid)),
    snmp("private", SNMPset(id=2, varbindlist=setvb)),
    snmp("s3cr3t", SNMPget(id=3, varbindlist=oid)),
    syn(1080),
    syn(3128),
    syn(8080),
    e(SRV_MAC, SCAN_MAC) / IP(src="10.0.0.20", dst="192.0.2.66", ttl=64, id=0xb00) /
    TCP(sport=3128, dport=45000, flags="SA", seq=0x3000, ack=0x2001),
    e(SRV_MAC, PC_MAC) / IP(src="10.0.0.25", dst="10.0.0.5", ttl=64, id=0xc00) /
    TCP(sport=46000, dport=113, flags="S", seq=0x4000),
    e(PC_MAC, SRV_MAC) / IP(src="10.0.0.5", dst="10.0.0.25", ttl=128, id=0xc01) /
    TCP(sport=113, dport=46000, flags="RA", seq=0, ack=0x4001),
    e(PC_MAC, BCAST) / IP(src="127.0.0.1", dst="10.0.0.255", ttl=64, id=0xd00) /
    UDP(sport=5000, dport=5000) / Raw(b"hello"),
]
for i, p in enumerate(pkts):
    p.time = 1_067_000_000 + i
wrpcap(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.pcap"), pkts)
