#!/usr/bin/env python3
"""Writes broadcast.pcap and broadcast_negative.pcap for crate/tests/detect_broadcast.rs.

Deterministic: fixed MACs, fixed IP ids, fixed timestamps from 2023-11-14 22:13:20 UTC.
The capture point is the amplifier LAN 192.168.1.0/24 (router 02:00:00:00:01:fe); directed
broadcasts arrive with Ethernet destination ff:ff:ff:ff:ff:ff, as the router delivers them.

broadcast.pcap, packet numbers:
   1-4   smurf: echo requests "from" 203.0.113.9 (the victim's forged address) to 192.168.1.255,
         identifier 0x5151, 0.1 s apart
   5-12  the amplified answers: echo replies from 192.168.1.1 to .8 to 203.0.113.9
  13-15  fraggle: UDP "from" 203.0.113.20 to 192.168.1.255, ports 19, 19 and 7
  16-21  the amplified answers: UDP from port 19 of 192.168.1.1 to .6 to 203.0.113.20

broadcast_negative.pcap (near misses, none may be called smurf or fraggle):
   1     one echo request from outside (198.51.100.7) to 192.168.1.255, once
   2-3   a local host (192.168.1.10) pinging its own broadcast 192.168.1.255 twice (ping -b)
   4-9   six neighbours answering it (replies it asked for)
  10-11  a monitor (192.168.1.20) pinging 192.168.1.30 and its reply
  12-15  unsolicited echo replies from four hosts of 198.51.100.0/24 to 192.168.1.10 (below five)
  16     DHCP discover from 0.0.0.0:68 to 255.255.255.255:67
  17     NetBIOS name query from 192.168.1.10:137 to 192.168.1.255:137
  18-19  UDP echo to one unicast host (192.168.1.40:7) and its answer from port 7
"""
from scapy.all import ICMP, IP, UDP, Ether, Raw, wrpcap

T0 = 1700000000.0
ROUTER_MAC = "02:00:00:00:01:fe"
BCAST_MAC = "ff:ff:ff:ff:ff:ff"


def host_mac(ip):
    last = int(ip.split(".")[-1]) & 0xFF
    return f"02:00:00:00:01:{last:02x}"


class Cap:
    def __init__(self):
        self.pkts = []
        self.t = T0

    def add(self, pkt, dt):
        self.t += dt
        pkt.time = self.t
        self.pkts.append(pkt)


def positive():
    c = Cap()
    victim = "203.0.113.9"
    for i in range(4):
        c.add(Ether(src=ROUTER_MAC, dst=BCAST_MAC) / IP(src=victim, dst="192.168.1.255", ttl=50, id=0x100 + i)
              / ICMP(type=8, id=0x5151, seq=i + 1) / Raw(b"\x00" * 56), 0.1)
    for n in range(1, 9):
        src = f"192.168.1.{n}"
        c.add(Ether(src=host_mac(src), dst=ROUTER_MAC) / IP(src=src, dst=victim, ttl=64, id=0x200 + n)
              / ICMP(type=0, id=0x5151, seq=1) / Raw(b"\x00" * 56), 0.001)
    victim2 = "203.0.113.20"
    for i, port in enumerate([19, 19, 7]):
        c.add(Ether(src=ROUTER_MAC, dst=BCAST_MAC) / IP(src=victim2, dst="192.168.1.255", ttl=50, id=0x300 + i)
              / UDP(sport=7, dport=port) / Raw(b"x"), 0.1)
    for n in range(1, 7):
        src = f"192.168.1.{n}"
        c.add(Ether(src=host_mac(src), dst=ROUTER_MAC) / IP(src=src, dst=victim2, ttl=64, id=0x400 + n)
              / UDP(sport=19, dport=7) / Raw(bytes(range(33, 105))), 0.001)
    return c


def negative():
    c = Cap()
    c.add(Ether(src=ROUTER_MAC, dst=BCAST_MAC) / IP(src="198.51.100.7", dst="192.168.1.255", ttl=50, id=0x10)
          / ICMP(type=8, id=0x77, seq=1) / Raw(b"\x00" * 56), 0.1)
    local = "192.168.1.10"
    for i in range(2):
        c.add(Ether(src=host_mac(local), dst=BCAST_MAC) / IP(src=local, dst="192.168.1.255", ttl=64, id=0x20 + i)
              / ICMP(type=8, id=0x4242, seq=i + 1) / Raw(b"\x00" * 56), 0.5)
    for n in range(1, 7):
        src = f"192.168.1.{n}"
        c.add(Ether(src=host_mac(src), dst=host_mac(local)) / IP(src=src, dst=local, ttl=64, id=0x30 + n)
              / ICMP(type=0, id=0x4242, seq=2) / Raw(b"\x00" * 56), 0.001)
    c.add(Ether(src=host_mac("192.168.1.20"), dst=host_mac("192.168.1.30")) / IP(src="192.168.1.20", dst="192.168.1.30", ttl=64, id=0x40)
          / ICMP(type=8, id=0x99, seq=1) / Raw(b"\x00" * 56), 0.5)
    c.add(Ether(src=host_mac("192.168.1.30"), dst=host_mac("192.168.1.20")) / IP(src="192.168.1.30", dst="192.168.1.20", ttl=64, id=0x41)
          / ICMP(type=0, id=0x99, seq=1) / Raw(b"\x00" * 56), 0.001)
    for n in range(1, 5):
        src = f"198.51.100.{n}"
        c.add(Ether(src=ROUTER_MAC, dst=host_mac(local)) / IP(src=src, dst=local, ttl=50, id=0x50 + n)
              / ICMP(type=0, id=0x1234, seq=n) / Raw(b"\x00" * 56), 0.01)
    c.add(Ether(src="02:00:00:00:02:01", dst=BCAST_MAC) / IP(src="0.0.0.0", dst="255.255.255.255", ttl=64, id=0x60)
          / UDP(sport=68, dport=67) / Raw(b"\x01\x01\x06\x00" + b"\x00" * 236 + b"\x63\x82\x53\x63\x35\x01\x01\xff"), 0.5)
    nbns = b"\x80\x01\x01\x10\x00\x01\x00\x00\x00\x00\x00\x00" + b"\x20" + b"EOEFFCEDEBEOEFCACACACACACACACAAA" + b"\x00\x00\x20\x00\x01"
    c.add(Ether(src=host_mac(local), dst=BCAST_MAC) / IP(src=local, dst="192.168.1.255", ttl=64, id=0x61)
          / UDP(sport=137, dport=137) / Raw(nbns), 0.5)
    c.add(Ether(src=host_mac(local), dst=host_mac("192.168.1.40")) / IP(src=local, dst="192.168.1.40", ttl=64, id=0x62)
          / UDP(sport=40007, dport=7) / Raw(b"hello"), 0.5)
    c.add(Ether(src=host_mac("192.168.1.40"), dst=host_mac(local)) / IP(src="192.168.1.40", dst=local, ttl=64, id=0x63)
          / UDP(sport=7, dport=40007) / Raw(b"hello"), 0.001)
    return c


def main():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    wrpcap(f"{here}/broadcast.pcap", positive().pkts, linktype=1)
    wrpcap(f"{here}/broadcast_negative.pcap", negative().pkts, linktype=1)


if __name__ == "__main__":
    main()
