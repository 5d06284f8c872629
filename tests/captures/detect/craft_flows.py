#!/usr/bin/env python3
"""Writes flows.pcap and flows_negative.pcap for the flow table and TCP analysis
(crate/src/detect/flows.rs, tests in crate/tests/detect_flows.rs).

Deterministic: fixed MACs, addresses, times, sequence numbers. Run from anywhere:
    python3 tests/captures/detect/craft_flows.py

flows.pcap, packet numbers (1-based) and what each conversation is for:
  1-10   10.0.0.1:40000 > 10.0.0.2:80   normal: handshake, data both ways, FIN both ways  (SF, ShADadFf)
  11-12  10.0.0.1:40001 > 10.0.0.2:23   SYN answered by RST/ACK                          (REJ, Sr)
  13     10.0.0.1:40002 > 10.0.0.3:443  SYN, no answer                                   (S0, S)
  14     198.51.100.7:80 > 10.0.0.9:31337  SYN/ACK with no SYN: backscatter              (REPLY, ^h)
  15-16  10.0.0.1:53000 > 10.0.0.53:53  UDP query and answer                             (TWOWAY, Dd)
  17-18  10.0.0.1 > 10.0.0.2            ICMP echo request and reply, id 0x1234           (TWOWAY)
  19     192.0.2.50 > 10.0.0.1          ICMP echo reply with no request                  (REPLY, ^d)
  20-25  :40010  retransmission: packet 24 resends 23's data after 300 ms               retransmission @24
  26-36  :40011  dup ACKs and a fast retransmission: the server ACKs 101 three times (32
                 new, 33 and 34 duplicates), the client resends 101:201 (35)            duplicate_ack @33,34; retransmission @35
  37-42  :40012  zero window: the client ACKs 40's data with window 0 (41), then opens it
                 (42, a window update, not a duplicate ACK)                             zero_window @41
  43-46  :40013  window full: the server offers 1000 bytes, the client sends exactly 1000  window_full @46
  47-53  :40014  keep-alive: 45 s after the last data the client sends seq-1 with no
                 data (52); the server's ACK (53) is not a duplicate ACK                keep_alive @52
  54-59  :40015  out of order: 1:101 (57), 201:301 (58, a gap), 101:201 2 ms later (59)
                 with a 50 ms handshake RTT                                             lost_segment @58; out_of_order @59
  60-64  :40016  lost segment: 1:101 then 201:301, the gap never filled                  lost_segment @64
  65-71  :40017  RST after FIN: both sides close, then the client resets (71)           rst_after_fin @71
  72-73  10.0.0.1:5000 > 10.0.0.2:6000  one UDP datagram in two IP fragments: the second,
                 without ports, joins the same flow                                      (ONEWAY, D)

flows_negative.pcap: near misses, none of which is a tcp.analysis finding:
  1-10   the normal session again
  11-20  :40020  a 1-byte keystroke at the next sequence number (not a keep-alive),
                 the server ACKs twice with a bigger window the second time (window
                 update, not a duplicate ACK), data ending 3 bytes short of the window
                 edge (not window full), then FIN both ways
  21-22  :40021  refused connection: the reset comes without any FIN (not RST after FIN)
  23-31  :40022  sequence numbers wrap past 2^32 mid-transfer (no retransmission, no gap)
  32-33  :40023  a reset advertising window 0 (resets are not zero-window findings)
"""
import os
from scapy.all import Ether, IP, TCP, UDP, ICMP, Raw, DNS, DNSQR, DNSRR, fragment, wrpcap

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = 1700000000.0
C_MAC, S_MAC = "02:00:00:00:01:01", "02:00:00:00:01:02"


class Clock:
    def __init__(self):
        self.t = BASE

    def at(self, dt):
        """Advances the clock by dt seconds and returns the new time."""
        self.t += dt
        return self.t


def stamp(p, t):
    p.time = t
    return p


class Conn:
    """A TCP connection with sequence numbers kept relative to each side's ISN."""

    def __init__(self, clock, cport, srv="10.0.0.2", sport=80, cli="10.0.0.1",
                 cisn=1000, sisn=5000, cwin=65535, swin=65535):
        self.clock, self.cport, self.srv, self.sport, self.cli = clock, cport, srv, sport, cli
        self.cisn, self.sisn, self.cwin, self.swin = cisn, sisn, cwin, swin

    def c(self, flags, seq, ack=0, data=b"", dt=0.001, win=None):
        tcp = TCP(sport=self.cport, dport=self.sport, flags=flags,
                  seq=(self.cisn + seq) % 2**32, ack=(self.sisn + ack) % 2**32 if "A" in flags else 0,
                  window=self.cwin if win is None else win)
        p = Ether(src=C_MAC, dst=S_MAC) / IP(src=self.cli, dst=self.srv, id=1) / tcp
        if data:
            p = p / Raw(data)
        return stamp(p, self.clock.at(dt))

    def s(self, flags, seq, ack=0, data=b"", dt=0.001, win=None):
        tcp = TCP(sport=self.sport, dport=self.cport, flags=flags,
                  seq=(self.sisn + seq) % 2**32, ack=(self.cisn + ack) % 2**32 if "A" in flags else 0,
                  window=self.swin if win is None else win)
        p = Ether(src=S_MAC, dst=C_MAC) / IP(src=self.srv, dst=self.cli, id=2) / tcp
        if data:
            p = p / Raw(data)
        return stamp(p, self.clock.at(dt))

    def handshake(self, rtt=0.002):
        return [self.c("S", 0), self.s("SA", 0, 1, dt=rtt / 2), self.c("A", 1, 1, dt=rtt / 2)]


def normal(clock):
    k = Conn(clock, 40000)
    return k.handshake() + [
        k.c("PA", 1, 1, b"G" * 100),
        k.s("A", 1, 101),
        k.s("PA", 1, 101, b"H" * 200),
        k.c("A", 101, 201),
        k.c("FA", 101, 201),
        k.s("FA", 201, 102),
        k.c("A", 102, 202),
    ]


def positive():
    clock = Clock()
    pkts = normal(clock)
    k = Conn(clock, 40001, sport=23)
    pkts += [k.c("S", 0), k.s("RA", 0, 1)]
    k = Conn(clock, 40002, srv="10.0.0.3", sport=443)
    pkts += [k.c("S", 0)]
    pkts += [stamp(Ether(src=S_MAC, dst=C_MAC) / IP(src="198.51.100.7", dst="10.0.0.9")
                   / TCP(sport=80, dport=31337, flags="SA", seq=777, ack=4242, window=8192),
                   clock.at(0.01))]
    pkts += [
        stamp(Ether(src=C_MAC, dst=S_MAC) / IP(src="10.0.0.1", dst="10.0.0.53")
              / UDP(sport=53000, dport=53) / DNS(id=7, rd=1, qd=DNSQR(qname="example.org")),
              clock.at(0.01)),
        stamp(Ether(src=S_MAC, dst=C_MAC) / IP(src="10.0.0.53", dst="10.0.0.1")
              / UDP(sport=53, dport=53000)
              / DNS(id=7, qr=1, rd=1, ra=1, qd=DNSQR(qname="example.org"),
                    an=DNSRR(rrname="example.org", rdata="192.0.2.1")),
              clock.at(0.005)),
        stamp(Ether(src=C_MAC, dst=S_MAC) / IP(src="10.0.0.1", dst="10.0.0.2")
              / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping" * 8), clock.at(0.01)),
        stamp(Ether(src=S_MAC, dst=C_MAC) / IP(src="10.0.0.2", dst="10.0.0.1")
              / ICMP(type=0, id=0x1234, seq=1) / Raw(b"ping" * 8), clock.at(0.001)),
        stamp(Ether(src=S_MAC, dst=C_MAC) / IP(src="192.0.2.50", dst="10.0.0.1")
              / ICMP(type=0, id=0x9999, seq=5) / Raw(b"x" * 16), clock.at(0.01)),
    ]
    # 20-25 retransmission after a timeout
    k = Conn(clock, 40010)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"a" * 100),
        k.c("PA", 1, 1, b"a" * 100, dt=0.3),
        k.s("A", 1, 101),
    ]
    # 26-34 duplicate ACKs, then a fast retransmission
    k = Conn(clock, 40011)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"b" * 100),
        k.c("PA", 101, 1, b"c" * 100),
        k.c("PA", 201, 1, b"d" * 100),
        k.s("A", 1, 101),
        k.s("A", 1, 101),
        k.s("A", 1, 101),
        k.c("PA", 101, 1, b"c" * 100, dt=0.002),
        k.s("A", 1, 301),
    ]
    # 35-40 zero window
    k = Conn(clock, 40012)
    pkts += k.handshake() + [
        k.s("PA", 1, 1, b"e" * 100),
        k.c("A", 1, 101, win=0),
        k.c("A", 1, 101, dt=0.5),
    ]
    # 41-44 window full: the server's SYN/ACK offers 1000 bytes
    k = Conn(clock, 40013, swin=1000)
    pkts += k.handshake() + [k.c("PA", 1, 1, b"f" * 1000)]
    # 45-51 keep-alive
    k = Conn(clock, 40014)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"g" * 10),
        k.s("A", 1, 11),
        k.c("A", 10, 1, dt=45.0),
        k.s("A", 1, 11),
    ]
    # 52-57 out of order, with a 50 ms handshake round trip
    k = Conn(clock, 40015)
    pkts += k.handshake(rtt=0.05) + [
        k.c("PA", 1, 1, b"h" * 100),
        k.c("PA", 201, 1, b"j" * 100),
        k.c("PA", 101, 1, b"i" * 100, dt=0.002),
    ]
    # 58-62 a segment missing from the capture
    k = Conn(clock, 40016)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"k" * 100),
        k.c("PA", 201, 1, b"m" * 100),
    ]
    # 63-69 reset after both FINs
    k = Conn(clock, 40017)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"n" * 20),
        k.c("FA", 21, 1),
        k.s("FA", 1, 22),
        k.c("R", 22),
    ]
    frags = fragment(IP(src="10.0.0.1", dst="10.0.0.2", id=0x4242) / UDP(sport=5000, dport=6000)
                     / Raw(b"z" * 1200), fragsize=800)
    for f in frags:
        pkts.append(stamp(Ether(src=C_MAC, dst=S_MAC) / f, clock.at(0.001)))
    return pkts


def negative():
    clock = Clock()
    pkts = normal(clock)
    k = Conn(clock, 40020, swin=400)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"x"),
        k.s("A", 1, 2),
        k.s("A", 1, 2, win=600),
        k.c("PA", 2, 1, b"y" * 597),
        k.s("A", 1, 599),
        k.c("FA", 599, 1),
        k.s("FA", 1, 600),
    ]
    k = Conn(clock, 40021, sport=25)
    pkts += [k.c("S", 0), k.s("RA", 0, 1)]
    k = Conn(clock, 40022, cisn=2**32 - 150, sisn=2**32 - 10)
    pkts += k.handshake() + [
        k.c("PA", 1, 1, b"w" * 100),
        k.c("PA", 101, 1, b"w" * 100),
        k.s("A", 1, 201),
        k.s("PA", 1, 201, b"v" * 50),
        k.c("A", 201, 51),
        k.c("PA", 201, 51, b"w" * 100),
    ]
    k = Conn(clock, 40023, sport=8080)
    pkts += [k.c("S", 0), k.s("RA", 0, 1, win=0)]
    return pkts


def main():
    pos, neg = positive(), negative()
    assert len(pos) == 73, len(pos)
    assert len(neg) == 33, len(neg)
    wrpcap(os.path.join(HERE, "flows.pcap"), pos)
    wrpcap(os.path.join(HERE, "flows_negative.pcap"), neg)


if __name__ == "__main__":
    main()
