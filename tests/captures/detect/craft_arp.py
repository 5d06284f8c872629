#!/usr/bin/env python3
"""Crafts the captures for the ARP and DHCP detectors (crate/src/detect/arp.rs).

arp.pcap (positives), packet numbers:
  1-2    192.168.1.10 (02:00:00:00:00:0a) announces itself twice: gratuitous ARP (info)
  3      the gateway 192.168.1.1 (02:00:00:00:00:01) answers .10: baseline owner of .1
  4      02:00:00:00:00:66 claims 192.168.1.1 in an unsolicited reply (change 1)
  5      the real gateway asks for .10, claiming .1 again (change 2)
  6      02:..:66 claims .1 again (change 3)
  7      02:..:66 sends a gratuitous reply for .1 (no change; part of the fight)
         -> arp.spoofing:192.168.1.1, 2 MACs, 3 changes
  8-71   02:..:66 (192.168.1.66) asks for 192.168.1.100 .. .163, 20 ms apart -> arp.scan
  72-73  .100 and .101 answer the scanner
  74     DHCP DISCOVER from 02:00:00:00:00:c1, transaction 0x00001234
  75     OFFER from the real server 192.168.1.1 (server id 192.168.1.1)
  76     OFFER from a rogue server 192.168.1.66 (server id 192.168.1.66), same transaction
  77     REQUEST naming 192.168.1.1
  78     ACK from 192.168.1.1       -> dhcp.multiple_servers, 2 servers, same request

arp_negative.pcap (near misses), packet numbers:
  1-3    RFC 5227 probes for 192.168.1.10 from 0.0.0.0 (claim nothing)
  4-5    two announcements of .10 by its owner at boot  -> arp.gratuitous only (info)
  6-8    192.168.1.20 used by 02:00:00:00:20:0a (requests to the gateway)
  9      standby 02:00:00:00:20:0b takes .20 over with a gratuitous request
  10-12  02:..:20:0b keeps using .20                     -> arp.mac_changed only (notice)
  13-52  a router resolves 40 hosts, one every 2 s (at most 16 in any 30 s): no scan
  53-64  one DHCP server answers three clients (DISCOVER/OFFER/REQUEST/ACK)
  65-68  600 s later a laptop on another network gets a lease from 10.0.0.1: outside the
         300-second window, so not a second server on the same link
"""
from scapy.all import ARP, BOOTP, DHCP, IP, UDP, Ether, wrpcap

T0 = 1_700_000_000.0
BCAST = "ff:ff:ff:ff:ff:ff"
GW_MAC, GW_IP = "02:00:00:00:00:01", "192.168.1.1"
A_MAC, A_IP = "02:00:00:00:00:0a", "192.168.1.10"
EVIL_MAC, EVIL_IP = "02:00:00:00:00:66", "192.168.1.66"


def at(p, t):
    p.time = T0 + t
    return p


def arp(op, smac, sip, tip, tmac="00:00:00:00:00:00", dst=BCAST):
    return Ether(src=smac, dst=dst) / ARP(op=op, hwsrc=smac, psrc=sip, hwdst=tmac, pdst=tip)


def mac_bytes(m):
    return bytes.fromhex(m.replace(":", ""))


def dhcp(kind, xid, client_mac, src_mac, src_ip, dst_ip, sport, dport, yiaddr="0.0.0.0", server=None):
    opts = [("message-type", kind)]
    if server:
        opts.append(("server_id", server))
    if kind in ("offer", "ack"):
        opts += [("lease_time", 3600), ("subnet_mask", "255.255.255.0"), ("router", server)]
    opts.append("end")
    return (
        Ether(src=src_mac, dst=BCAST)
        / IP(src=src_ip, dst=dst_ip, id=1)
        / UDP(sport=sport, dport=dport)
        / BOOTP(op=2 if kind in ("offer", "ack", "nak") else 1, xid=xid, chaddr=mac_bytes(client_mac),
                yiaddr=yiaddr, flags=0x8000)
        / DHCP(options=opts)
    )


def exchange(t, xid, cmac, server_mac, server_ip, addr, rogue=None):
    """A full DISCOVER/OFFER/REQUEST/ACK, with an optional second OFFER from `rogue`."""
    pk = [at(dhcp("discover", xid, cmac, cmac, "0.0.0.0", "255.255.255.255", 68, 67), t)]
    pk.append(at(dhcp("offer", xid, cmac, server_mac, server_ip, "255.255.255.255", 67, 68, addr, server_ip), t + 0.01))
    if rogue:
        rmac, rip, raddr = rogue
        pk.append(at(dhcp("offer", xid, cmac, rmac, rip, "255.255.255.255", 67, 68, raddr, rip), t + 0.005 + 0.01))
        pk.sort(key=lambda p: p.time)
    req = Ether(src=cmac, dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255", id=1) / UDP(sport=68, dport=67) / BOOTP(
        op=1, xid=xid, chaddr=mac_bytes(cmac), flags=0x8000) / DHCP(
        options=[("message-type", "request"), ("requested_addr", addr), ("server_id", server_ip), "end"])
    pk.append(at(req, t + 0.5))
    pk.append(at(dhcp("ack", xid, cmac, server_mac, server_ip, "255.255.255.255", 67, 68, addr, server_ip), t + 0.51))
    return pk


def positive():
    pk = [
        at(arp(1, A_MAC, A_IP, A_IP), 0.0),
        at(arp(1, A_MAC, A_IP, A_IP), 1.0),
        at(arp(2, GW_MAC, GW_IP, A_IP, A_MAC, dst=A_MAC), 5.0),
        at(arp(2, EVIL_MAC, GW_IP, A_IP, A_MAC, dst=A_MAC), 10.0),
        at(arp(1, GW_MAC, GW_IP, A_IP), 12.0),
        at(arp(2, EVIL_MAC, GW_IP, A_IP, A_MAC, dst=A_MAC), 14.0),
        at(arp(2, EVIL_MAC, GW_IP, GW_IP, BCAST), 16.0),
    ]
    for i in range(64):
        pk.append(at(arp(1, EVIL_MAC, EVIL_IP, f"192.168.1.{100 + i}"), 60.0 + i * 0.02))
    for i, mac in enumerate(["02:00:00:00:01:00", "02:00:00:00:01:01"]):
        pk.append(at(arp(2, mac, f"192.168.1.{100 + i}", EVIL_IP, EVIL_MAC, dst=EVIL_MAC), 62.0 + i * 0.01))
    pk += exchange(120.0, 0x1234, "02:00:00:00:00:c1", GW_MAC, GW_IP, "192.168.1.50",
                   rogue=(EVIL_MAC, EVIL_IP, "192.168.1.200"))
    return pk


def negative():
    pk = []
    for i in range(3):
        pk.append(at(arp(1, A_MAC, "0.0.0.0", A_IP), i * 1.5))
    pk.append(at(arp(1, A_MAC, A_IP, A_IP), 6.0))
    pk.append(at(arp(1, A_MAC, A_IP, A_IP), 8.0))
    old, new, ip = "02:00:00:00:20:0a", "02:00:00:00:20:0b", "192.168.1.20"
    for i in range(3):
        pk.append(at(arp(1, old, ip, GW_IP), 10.0 + i * 5))
    pk.append(at(arp(1, new, ip, ip), 40.0))
    for i in range(3):
        pk.append(at(arp(1, new, ip, GW_IP), 45.0 + i * 5))
    for i in range(40):
        pk.append(at(arp(1, GW_MAC, GW_IP, f"192.168.1.{100 + i}"), 100.0 + i * 2.0))
    for n in range(3):
        pk += exchange(200.0 + n * 10, 0x2000 + n, f"02:00:00:00:00:d{n}", GW_MAC, GW_IP, f"192.168.1.{60 + n}")
    pk += exchange(820.0, 0x3000, "02:00:00:00:00:e0", "02:00:00:00:0a:01", "10.0.0.1", "10.0.0.70")
    return pk


if __name__ == "__main__":
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    wrpcap(os.path.join(here, "arp.pcap"), positive(), linktype=1)
    wrpcap(os.path.join(here, "arp_negative.pcap"), negative(), linktype=1)
