#!/usr/bin/env python3
"""Writes traceroute.pcap and traceroute_negative.pcap for crate/tests/detect_traceroute.rs.

Deterministic: fixed MACs, fixed IP ids, fixed timestamps from 2023-11-14 22:13:20 UTC.
Routers quote, as real ones do, the probe's IP header as it reached them (TTL 1) plus the first
8 bytes of its payload, with the probe's full total length left in the quoted header.

traceroute.pcap (seen on the tracing host 10.0.0.5 unless said otherwise), packet numbers:
   1-21  A. UNIX traceroute 10.0.0.5:40000 -> 198.51.100.20, UDP ports 33435-33446, 3 probes per
         TTL: TTL 1 answered by 10.0.0.1 (packets 2, 4, 6; 1 ms), TTL 2 by 192.0.2.1 (8, 10, 12;
         8 ms), TTL 3 never answered (probes 13-15), TTL 4 (probes 16, 18, 20) answered by the
         target with port unreachable (17, 19, 21; 20 ms).
  22-39  B. Windows tracert 10.0.0.5 -> 203.0.113.50, echo identifier 1, sequence 100-108:
         TTL 1 answered by 10.0.0.1 (23, 25, 27; 2 ms), TTL 2 by 192.0.2.1 (29, 31, 33; 4 ms),
         TTL 3 reaches the target, whose echo replies are 35, 37, 39 (15 ms).
  40-45  C. TCP traceroute 10.0.0.5:45000 -> 198.51.100.80:80, one SYN per TTL: 41 from
         10.0.0.1 (3 ms), 43 from 192.0.2.1 (6 ms), 45 the target's SYN-ACK.
  46-50  D. Only the answers to 10.0.0.6's traceroute to 192.0.2.99 (its probes are not in the
         capture): 46 172.16.1.1 quoting port 33438 (arrives first), 47 and 48 172.16.0.1
         quoting 33435 and 33436, 49 172.16.1.1 quoting 33439, 50 port unreachable from the
         target quoting 33441.
  51-54  E. UDP probes 10.0.0.5 -> 198.51.100.200 with TTL 1-4 that nobody answers.

traceroute_negative.pcap (near misses, none may be called a traceroute):
   1-2   a single ping and its reply
   3-4   one time-exceeded from a routing loop about an HTTPS segment
   5-10  a loop between 192.0.2.1 and 192.0.2.2 catching three DNS queries (TTL 64, port 53)
  11-12  a DNS query to a host without DNS and its port unreachable
  13-15  SSDP to 239.255.255.250 with TTL 4 (multicast, steady TTL)
  16-19  UDP from a distant host arriving with a steady TTL of 20

Run with --list to print every packet.
"""
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, wrpcap

T0 = 1700000000.0
HOST_MAC = "02:00:00:00:00:05"
GW_MAC = "02:00:00:00:00:01"
TRACER = "10.0.0.5"


def out(ip):
    """A frame leaving the tracing host."""
    return Ether(src=HOST_MAC, dst=GW_MAC) / ip


def back(ip):
    """A frame arriving at the tracing host from the gateway."""
    return Ether(src=GW_MAC, dst=HOST_MAC) / ip


def quote(probe_ip):
    """The first 28 bytes of a probe as a router quotes it: TTL 1, checksum redone."""
    q = probe_ip.copy()
    q.ttl = 1
    del q.chksum
    return bytes(q)[:28]


def error(src, dst, ty, code, probe_ip, ttl=250):
    return back(IP(src=src, dst=dst, ttl=ttl, id=0x7000) / ICMP(type=ty, code=code) / Raw(quote(probe_ip)))


class Cap:
    def __init__(self):
        self.pkts = []
        self.notes = []
        self.t = T0

    def add(self, pkt, note, dt=0.0):
        self.t += dt
        pkt.time = self.t
        self.pkts.append(pkt)
        self.notes.append(note)


def positive():
    c = Cap()
    # A. UNIX traceroute to 198.51.100.20.
    port, ipid = 33435, 0x1000
    rtts = {1: ("10.0.0.1", 0.001, 11), 2: ("192.0.2.1", 0.008, 11), 3: None, 4: ("198.51.100.20", 0.020, 3)}
    for ttl in range(1, 5):
        for _ in range(3):
            probe = IP(src=TRACER, dst="198.51.100.20", ttl=ttl, id=ipid) / UDP(sport=40000, dport=port) / Raw(b"\x00" * 12)
            c.add(out(probe), f"A probe TTL {ttl} port {port}", 0.05)
            ans = rtts[ttl]
            if ans:
                router, rtt, ty = ans
                code = 0 if ty == 11 else 3
                c.add(error(router, TRACER, ty, code, probe[IP]), f"A {'TE' if ty == 11 else 'port unreachable'} from {router}", rtt)
            port += 1
            ipid += 1
    # B. Windows tracert to 203.0.113.50: echo requests, identifier 1, sequence 100 and up.
    seq, ipid = 100, 0x2000
    answers = {1: "10.0.0.1", 2: "192.0.2.1", 3: None}
    for ttl in range(1, 4):
        for _ in range(3):
            probe = IP(src=TRACER, dst="203.0.113.50", ttl=ttl, id=ipid) / ICMP(type=8, id=1, seq=seq) / Raw(b"\x00" * 32)
            c.add(out(probe), f"B echo probe TTL {ttl} seq {seq}", 0.5)
            if answers[ttl]:
                c.add(error(answers[ttl], TRACER, 11, 0, probe[IP]), f"B TE from {answers[ttl]}", 0.002 * ttl)
            else:
                reply = IP(src="203.0.113.50", dst=TRACER, ttl=126, id=0x5000 + seq) / ICMP(type=0, id=1, seq=seq) / Raw(b"\x00" * 32)
                c.add(back(reply), "B echo reply from the target", 0.015)
            seq += 1
            ipid += 1
    # C. TCP traceroute to 198.51.100.80:80, one SYN per TTL.
    ipid = 0x3000
    for ttl in range(1, 4):
        probe = IP(src=TRACER, dst="198.51.100.80", ttl=ttl, id=ipid) / TCP(sport=45000, dport=80, flags="S", seq=1000 + ttl)
        c.add(out(probe), f"C SYN probe TTL {ttl}", 0.3)
        if ttl < 3:
            router = ["10.0.0.1", "192.0.2.1"][ttl - 1]
            c.add(error(router, TRACER, 11, 0, probe[IP]), f"C TE from {router}", 0.003 * ttl)
        else:
            synack = IP(src="198.51.100.80", dst=TRACER, ttl=52) / TCP(sport=80, dport=45000, flags="SA", seq=5000, ack=1000 + ttl + 1)
            c.add(back(synack), "C SYN-ACK from the target", 0.012)
    # D. Answers to another host's traceroute whose probes this capture does not hold (the
    # second hop's answer arrives first, as when probes go out in parallel).
    other = "10.0.0.6"

    def remote_probe(port, ipid):
        return IP(src=other, dst="192.0.2.99", ttl=1, id=ipid) / UDP(sport=41000, dport=port) / Raw(b"\x00" * 12)

    for router, port, ty in [("172.16.1.1", 33438, 11), ("172.16.0.1", 33435, 11), ("172.16.0.1", 33436, 11),
                             ("172.16.1.1", 33439, 11), ("192.0.2.99", 33441, 3)]:
        code = 0 if ty == 11 else 3
        pkt = Ether(src=GW_MAC, dst="02:00:00:00:00:06") / IP(src=router, dst=other, ttl=250, id=0x7100) / ICMP(type=ty, code=code) / Raw(quote(remote_probe(port, 0x4000 + port - 33435)[IP]))
        c.add(pkt, f"D answer from {router} quoting port {port}", 0.01)
    # E. A trace nobody answers (ICMP filtered on the way): UDP probes with TTL 1 to 4.
    for ttl in range(1, 5):
        probe = IP(src=TRACER, dst="198.51.100.200", ttl=ttl, id=0x6000 + ttl) / UDP(sport=40100, dport=33434 + ttl) / Raw(b"\x00" * 12)
        c.add(out(probe), f"E unanswered probe TTL {ttl}", 0.2)
    return c


def negative():
    c = Cap()
    # 1. A single ping and its reply.
    c.add(out(IP(src=TRACER, dst="198.51.100.20", ttl=64, id=0x100) / ICMP(type=8, id=7, seq=1) / Raw(b"\x00" * 32)), "ping", 0.1)
    c.add(back(IP(src="198.51.100.20", dst=TRACER, ttl=57, id=0x900) / ICMP(type=0, id=7, seq=1) / Raw(b"\x00" * 32)), "ping reply", 0.02)
    # 2. One time-exceeded from a routing loop, about ordinary HTTPS traffic.
    data = IP(src=TRACER, dst="198.51.100.80", ttl=64, id=0x101) / TCP(sport=50000, dport=443, flags="A", seq=1, ack=1)
    c.add(out(data), "HTTPS segment", 0.1)
    c.add(error("192.0.2.1", TRACER, 11, 0, data[IP]), "TE from a loop", 0.05)
    # 3. A loop between two routers catching DNS queries: two routers, but no probes and no
    # traceroute ports.
    for i, router in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.1"]):
        q = IP(src=TRACER, dst="198.51.100.53", ttl=64, id=0x200 + i) / UDP(sport=53530 + i, dport=53) / Raw(b"\x12\x34" + b"\x01\x00" + b"\x00\x01" + b"\x00" * 6)
        c.add(out(q), "DNS query", 0.1)
        c.add(error(router, TRACER, 11, 0, q[IP]), f"TE from looping {router}", 0.04)
    # 4. A DNS query to a host without DNS: one port unreachable from the target.
    q = IP(src=TRACER, dst="198.51.100.60", ttl=64, id=0x300) / UDP(sport=53600, dport=53) / Raw(b"\x00" * 12)
    c.add(out(q), "DNS query to a closed port", 0.1)
    c.add(error("198.51.100.60", TRACER, 3, 3, q[IP], ttl=57), "port unreachable", 0.01)
    # 5. SSDP discovery: low TTL, but multicast and always the same TTL.
    for i in range(3):
        c.add(Ether(src=HOST_MAC, dst="01:00:5e:7f:ff:fa") / IP(src=TRACER, dst="239.255.255.250", ttl=4, id=0x400 + i) / UDP(sport=50123, dport=1900) / Raw(b"M-SEARCH * HTTP/1.1\r\n\r\n"), "SSDP", 1.0)
    # 6. A distant host whose packets arrive with a low but steady TTL.
    for i in range(4):
        c.add(back(IP(src="203.0.113.7", dst=TRACER, ttl=20, id=0x500 + i) / UDP(sport=40000, dport=33440 + i) / Raw(b"\x00" * 12)), "steady low TTL", 0.1)
    return c


def main():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    for name, c in [("traceroute", positive()), ("traceroute_negative", negative())]:
        if "--list" in sys.argv:
            print(name)
            for i, n in enumerate(c.notes, 1):
                print(f"  {i:3} {n}")
        wrpcap(f"{here}/{name}.pcap", c.pkts, linktype=1)


if __name__ == "__main__":
    main()
