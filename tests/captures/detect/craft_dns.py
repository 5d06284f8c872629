#!/usr/bin/env python3
"""Crafts the captures for the DNS detectors (crate/src/detect/dns.rs).

dns.pcap (positives), packet numbers:
  1-50    10.0.0.5 asks 10.0.0.53 for 25 random names under example.net, each answered
          NXDOMAIN, 1 s apart (odd = question, even = answer)     -> dns.nxdomain_burst
  51-94   10.0.0.6 asks 22 names under broken.example, each answered SERVFAIL
                                                                  -> dns.error_burst
  95      10.0.0.5:40000 asks 10.0.0.53 for www.example.com, id 0x4242
  96      forged answer from 10.6.6.6 with the same id and port   -> dns.answer_wrong_server
  97      the real answer from 10.0.0.53
  98-102  five answers from 10.7.7.7 for bank.example to 10.0.0.5:40001 with ids 1..5 that
          match no question                                       -> dns.answer_unsolicited
  103-105 10.9.9.9 opens TCP to 10.0.0.53:53 (SYN, SYN-ACK, ACK)
  106     AXFR query for example.com over TCP
  107     the server answers REFUSED                              -> dns.zone_transfer
  108     10.9.9.9 asks 10.0.0.53 for version.bind, class CHAOS, type TXT
  109     the server answers "9.8.2"                              -> dns.version_probe

dns_negative.pcap (near misses), packet numbers:
  1-8     10.0.0.5 walks its search list for "intranet": 4 NXDOMAIN answers (everyday)
  9-36    10.0.0.6 gets 14 NXDOMAIN answers in a minute: below the 20 threshold
  37-38   an ordinary question and answer, www.example.com
  39      10.0.0.5:40100 asks 10.0.0.53 (id 0x1111) and gets no answer
  40      it retries the same question, same id and port, at 10.0.0.54
  41-42   both servers answer: both were asked, so neither is "the wrong server"
  43      one stray answer from 10.0.0.53 matching no question (a capture that lost one):
          below the unsolicited threshold
  44-48   mDNS announcements from five hosts to 224.0.0.251: nobody asked, by design
  49-51   TCP handshake to 10.0.0.53:53
  52-53   an ordinary A question over TCP and its answer: not a zone transfer
  54-55   a TXT question in class IN for version.bind.example.com: not a CHAOS probe
"""
from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, wrpcap

T0 = 1_700_000_000.0
CLIENT_MAC = "02:00:00:00:01:01"
SERVER_MAC = "02:00:00:00:01:53"


def at(p, t):
    p.time = T0 + t
    return p


def udp(src, dst, sport, dport, dns):
    return Ether(src=CLIENT_MAC, dst=SERVER_MAC) / IP(src=src, dst=dst, id=7) / UDP(sport=sport, dport=dport) / dns


def ask(src, dst, sport, id, name, qtype="A", qclass="IN"):
    return udp(src, dst, sport, 53, DNS(id=id, rd=1, qd=DNSQR(qname=name, qtype=qtype, qclass=qclass)))


def answer(src, dst, dport, id, name, rcode=0, an=None, qtype="A", qclass="IN"):
    return udp(src, dst, 53, dport, DNS(id=id, qr=1, rd=1, ra=1, rcode=rcode,
                                        qd=DNSQR(qname=name, qtype=qtype, qclass=qclass), an=an))


def handshake(cli, srv, sport, t):
    e = Ether(src=CLIENT_MAC, dst=SERVER_MAC)
    return [
        at(e / IP(src=cli, dst=srv) / TCP(sport=sport, dport=53, flags="S", seq=1000), t),
        at(e / IP(src=srv, dst=cli) / TCP(sport=53, dport=sport, flags="SA", seq=5000, ack=1001), t + 0.01),
        at(e / IP(src=cli, dst=srv) / TCP(sport=sport, dport=53, flags="A", seq=1001, ack=5001), t + 0.02),
    ]


def tcp_dns(src, dst, sport, dport, seq, ack, dns, t):
    e = Ether(src=CLIENT_MAC, dst=SERVER_MAC)
    return at(e / IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags="PA", seq=seq, ack=ack) / dns, t)


def positive():
    pk = []
    for i in range(25):
        name = f"q{i:02d}x7kz3fa.example.net"
        pk.append(at(ask("10.0.0.5", "10.0.0.53", 30000 + i, 0x100 + i, name), float(i)))
        pk.append(at(answer("10.0.0.53", "10.0.0.5", 30000 + i, 0x100 + i, name, rcode=3), i + 0.01))
    for i in range(22):
        name = f"host{i}.broken.example"
        pk.append(at(ask("10.0.0.6", "10.0.0.53", 31000 + i, 0x200 + i, name), 30.0 + i))
        pk.append(at(answer("10.0.0.53", "10.0.0.6", 31000 + i, 0x200 + i, name, rcode=2), 30.5 + i))
    pk.append(at(ask("10.0.0.5", "10.0.0.53", 40000, 0x4242, "www.example.com"), 60.0))
    pk.append(at(answer("10.6.6.6", "10.0.0.5", 40000, 0x4242, "www.example.com",
                        an=DNSRR(rrname="www.example.com", rdata="10.6.6.6", ttl=86400)), 60.001))
    pk.append(at(answer("10.0.0.53", "10.0.0.5", 40000, 0x4242, "www.example.com",
                        an=DNSRR(rrname="www.example.com", rdata="93.184.216.34", ttl=300)), 60.02))
    for i in range(5):
        pk.append(at(answer("10.7.7.7", "10.0.0.5", 40001, 1 + i, "bank.example",
                            an=DNSRR(rrname="bank.example", rdata="10.7.7.7", ttl=86400)), 61.0 + i * 0.001))
    pk += handshake("10.9.9.9", "10.0.0.53", 45000, 70.0)
    pk.append(tcp_dns("10.9.9.9", "10.0.0.53", 45000, 53, 1001, 5001,
                      DNS(id=0x0a0a, rd=0, qd=DNSQR(qname="example.com", qtype=252)), 70.03))
    pk.append(tcp_dns("10.0.0.53", "10.9.9.9", 53, 45000, 5001, 1030,
                      DNS(id=0x0a0a, qr=1, rcode=5, qd=DNSQR(qname="example.com", qtype=252)), 70.04))
    pk.append(at(ask("10.9.9.9", "10.0.0.53", 45001, 0x0b0b, "version.bind", qtype="TXT", qclass="CH"), 75.0))
    pk.append(at(answer("10.0.0.53", "10.9.9.9", 45001, 0x0b0b, "version.bind", qtype="TXT", qclass="CH",
                        an=DNSRR(rrname="version.bind", type="TXT", rclass="CH", rdata="9.8.2", ttl=0)), 75.01))
    return pk


def negative():
    pk = []
    for i, suffix in enumerate(["corp.example", "lab.example", "example", ""]):
        name = "intranet" + ("." + suffix if suffix else "")
        pk.append(at(ask("10.0.0.5", "10.0.0.53", 30100 + i, 0x300 + i, name), i * 0.1))
        pk.append(at(answer("10.0.0.53", "10.0.0.5", 30100 + i, 0x300 + i, name, rcode=3), i * 0.1 + 0.01))
    for i in range(14):
        name = f"typo{i}.example.org"
        pk.append(at(ask("10.0.0.6", "10.0.0.53", 31100 + i, 0x400 + i, name), 1.0 + i * 4))
        pk.append(at(answer("10.0.0.53", "10.0.0.6", 31100 + i, 0x400 + i, name, rcode=3), 1.01 + i * 4))
    pk.append(at(ask("10.0.0.5", "10.0.0.53", 40200, 0x2222, "www.example.com"), 60.0))
    pk.append(at(answer("10.0.0.53", "10.0.0.5", 40200, 0x2222, "www.example.com",
                        an=DNSRR(rrname="www.example.com", rdata="93.184.216.34")), 60.01))
    pk.append(at(ask("10.0.0.5", "10.0.0.53", 40100, 0x1111, "mail.example.com"), 61.0))
    pk.append(at(ask("10.0.0.5", "10.0.0.54", 40100, 0x1111, "mail.example.com"), 63.0))
    pk.append(at(answer("10.0.0.54", "10.0.0.5", 40100, 0x1111, "mail.example.com",
                        an=DNSRR(rrname="mail.example.com", rdata="93.184.216.35")), 63.01))
    pk.append(at(answer("10.0.0.53", "10.0.0.5", 40100, 0x1111, "mail.example.com",
                        an=DNSRR(rrname="mail.example.com", rdata="93.184.216.35")), 63.5))
    pk.append(at(answer("10.0.0.53", "10.0.0.5", 40300, 0x3333, "late.example.com",
                        an=DNSRR(rrname="late.example.com", rdata="93.184.216.36")), 64.0))
    for i in range(5):
        host = f"printer{i}.local"
        m = Ether(src=f"02:00:00:00:02:0{i}", dst="01:00:5e:00:00:fb") / IP(src=f"10.0.0.{100 + i}", dst="224.0.0.251", ttl=255) / UDP(
            sport=5353, dport=5353) / DNS(id=0, qr=1, aa=1, qd=[], an=DNSRR(rrname=host, rdata=f"10.0.0.{100 + i}", ttl=120))
        pk.append(at(m, 65.0 + i))
    pk += handshake("10.0.0.5", "10.0.0.53", 45100, 70.0)
    pk.append(tcp_dns("10.0.0.5", "10.0.0.53", 45100, 53, 1001, 5001,
                      DNS(id=0x0c0c, rd=1, qd=DNSQR(qname="big.example.com", qtype="A")), 70.03))
    pk.append(tcp_dns("10.0.0.53", "10.0.0.5", 53, 45100, 5001, 1034,
                      DNS(id=0x0c0c, qr=1, rd=1, ra=1, qd=DNSQR(qname="big.example.com", qtype="A"),
                          an=DNSRR(rrname="big.example.com", rdata="93.184.216.37")), 70.04))
    pk.append(at(ask("10.0.0.5", "10.0.0.53", 45101, 0x0d0d, "version.bind.example.com", qtype="TXT"), 75.0))
    pk.append(at(answer("10.0.0.53", "10.0.0.5", 45101, 0x0d0d, "version.bind.example.com", rcode=3,
                        qtype="TXT"), 75.01))
    return pk


if __name__ == "__main__":
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    wrpcap(os.path.join(here, "dns.pcap"), positive(), linktype=1)
    wrpcap(os.path.join(here, "dns_negative.pcap"), negative(), linktype=1)
