#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into crate/fuzz/seeds/<target>/.

The seeds are small (a few KB per target) and built only from this repository's own captures
(tests/captures, web/examples) and frames made here, never from ../shared/corpus. Run it again
after changing it; the output is deterministic. Usage: python3 crate/fuzz/make_seeds.py
"""
import gzip
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SEEDS = os.path.join(HERE, "seeds")

# decode_frame's link-type table (tracelens_fuzz::LINK_TYPES): index -> link type.
LINK_TYPES = [0, 1, 9, 12, 14, 50, 51, 101, 104, 105, 108, 113, 127, 228, 229, 276, 147]


def repo(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def pcap_records(data):
    """(link type, [frame bytes]) of a little-endian microsecond pcap."""
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "expected a little-endian pcap"
    link = struct.unpack_from("<I", data, 20)[0]
    frames, pos = [], 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from("<I", data, pos + 8)[0]
        frames.append(data[pos + 16 : pos + 16 + incl])
        pos += 16 + incl
    return link, frames


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, payload, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x1234, 0x4000, ttl, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


DNS_QUERY = bytes.fromhex("abcd01000001000000000000") + b"\x07example\x03com\x00" + b"\x00\x01\x00\x01"
ICMP_ECHO = bytes.fromhex("0800f7fd00010001") + b"abcdefgh"
UDP_IP = ipv4(17, udp(40000, 53, DNS_QUERY))
ETH = bytes.fromhex("0000ba5eba11 00609707c0ff".replace(" ", ""))


def ipv6_udp_dns():
    u = udp(54321, 53, DNS_QUERY)
    return (
        struct.pack("!IHBB", 0x60000000, len(u), 17, 64)
        + bytes.fromhex("20010db8000000000000000000000001")
        + bytes.fromhex("20010db8000000000000000000000035")
        + u
    )


def crafted_frames():
    """(link type, name, frame) for each link type and a few encapsulations."""
    wlan_data = bytes.fromhex("0801 0000") + bytes.fromhex("001122334455 66778899aabb 001122334455".replace(" ", "")) + b"\x10\x00"
    snap = bytes.fromhex("aaaa03000000 0800".replace(" ", ""))
    return [
        (0, "null-ipv4", b"\x02\x00\x00\x00" + UDP_IP),
        (1, "vlan-vlan-ipv4", ETH + bytes.fromhex("8100 0064 8100 00c8 0800".replace(" ", "")) + UDP_IP),
        (1, "eth-ipv6-dns", ETH + b"\x86\xdd" + ipv6_udp_dns()),
        (1, "eth-8023-llc", ETH + struct.pack("!H", 7) + bytes.fromhex("424203 00000000")),
        (9, "ppp-ipv4", b"\xff\x03\x00\x21" + ipv4(1, ICMP_ECHO)),
        (12, "raw12-icmp", ipv4(1, ICMP_ECHO)),
        (14, "raw14-icmp", ipv4(1, ICMP_ECHO)),
        (50, "ppp-hdlc-ipv4", b"\xff\x03\x00\x21" + UDP_IP),
        (51, "pppoe-ipv4", struct.pack("!BBHH", 0x11, 0, 0x0001, 2 + len(UDP_IP)) + b"\x00\x21" + UDP_IP),
        (101, "raw-gre-ipv4", ipv4(47, b"\x00\x00\x08\x00" + UDP_IP)),
        (104, "chdlc-ipv4", b"\x0f\x00\x08\x00" + UDP_IP),
        (105, "wlan-data-ipv4", wlan_data + snap + UDP_IP),
        (108, "loop-ipv4", b"\x00\x00\x00\x02" + UDP_IP),
        (113, "sll-ipv4", bytes.fromhex("0000 0001 0006 001122334455 0000 0800".replace(" ", "")) + UDP_IP),
        (127, "radiotap-wlan", bytes.fromhex("00000800 00000000") + wlan_data + snap + UDP_IP),
        (228, "ipv4-in-ipv4", ipv4(4, UDP_IP)),
        (229, "ipv6-dns", ipv6_udp_dns()),
        (276, "sll2-ipv4", bytes.fromhex("0800 0000 00000002 0001 00 06 001122334455 0000".replace(" ", "")) + UDP_IP),
        (147, "user-linktype", b"\x01\x02\x03\x04"),
    ]


def pcapng_seed():
    """Two sections (little- then big-endian) with every block kind the reader knows."""

    def opt(code, value, e):
        return struct.pack(e + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)

    def block(btype, body, e):
        body += b"\0" * (-len(body) % 4)
        total = 12 + len(body)
        return struct.pack(e + "II", btype, total) + body + struct.pack(e + "I", total)

    out = b""
    for e, link, frame in (("<", 1, ETH + b"\x08\x00" + UDP_IP), (">", 101, ipv4(1, ICMP_ECHO))):
        end = opt(0, b"", e)
        out += block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + opt(1, b"seed section", e) + end, e)
        out += block(1, struct.pack(e + "HHI", link, 0, 0) + opt(2, b"eth0", e) + opt(9, b"\x09", e) + end, e)
        epb = struct.pack(e + "IIIII", 0, 0x0005F5E1, 0x00000100, len(frame), len(frame) + 4) + frame
        epb += b"\0" * (-len(frame) % 4) + opt(1, b"a comment", e) + end
        out += block(6, epb, e)
        out += block(3, struct.pack(e + "I", len(frame)) + frame, e)
        out += block(4, struct.pack(e + "HH", 1, 12) + b"\x0a\x00\x00\x01host\0\0\0\0" + struct.pack(e + "HH", 0, 0), e)
        out += block(5, struct.pack(e + "III", 0, 0, 0) + opt(4, struct.pack(e + "Q", 10), e) + end, e)
        out += block(0x00000BAD, b"\x00\x00\x7e\x97custom", e)
    return out


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    ng = pcapng_seed()

    # capture_chunks: [count of size bytes][size bytes][file]
    write("capture_chunks", "whole-tcp-session.pcap", b"\x00" + repo("web/examples/tcp-session.pcap"))
    write("capture_chunks", "chunks-7-1-256-tcp.pcap", b"\x03\x06\x00\xff" + repo("tests/captures/explain/tcp.pcap"))
    write("capture_chunks", "chunks-16-gzip.pcap.gz", b"\x01\x0f" + gzip.compress(repo("tests/captures/explain/cases.pcap"), mtime=0))
    write("capture_chunks", "chunks-3-32-two-sections.pcapng", b"\x02\x02\x1f" + ng)
    write("capture_chunks", "chunks-5-icmp.pcap", b"\x01\x04" + repo("tests/captures/explain/icmp.pcap"))

    # decode_frame: [link-type selector, 2 bytes little-endian][frame]
    picks = [
        ("tests/captures/explain/tcp.pcap", 0, "tcp-syn-mss"),
        ("tests/captures/explain/narrative.pcap", 4, "dns-answer"),
        ("tests/captures/explain/narrative.pcap", 6, "dhcp-discover"),
        ("tests/captures/explain/narrative.pcap", 11, "http-get"),
        ("tests/captures/explain/icmp.pcap", 8, "icmp-port-unreachable"),
        ("tests/captures/detect/arp.pcap", 0, "arp"),
        ("tests/captures/explain/cases.pcap", 4, "nbns-query"),
        ("tests/captures/explain/cases.pcap", 10, "snmp-get"),
        ("tests/captures/explain/anomalies.pcap", 0, "udp-cut"),
    ]
    for path, index, name in picks:
        link, frames = pcap_records(repo(path))
        write("decode_frame", name, struct.pack("<H", LINK_TYPES.index(link)) + frames[index])
    for link, name, frame in crafted_frames():
        write("decode_frame", name, struct.pack("<H", LINK_TYPES.index(link)) + frame)

    # analysis: whole captures
    for path in (
        "web/examples/tcp-session.pcap",
        "web/examples/port-31789-padding.pcap",
        "tests/captures/explain/tcp.pcap",
        "tests/captures/explain/cases.pcap",
        "tests/captures/detect/traceroute_negative.pcap",
        "tests/captures/detect/broadcast.pcap",
    ):
        write("analysis", os.path.basename(path), repo(path))
    write("analysis", "two-sections.pcapng", ng)

    # hex_dump: the formats parse_hex_dump reads
    hexes = {
        "tcpdump-x.txt": "12:13:10.570000 1.2.3.4.31790 > 192.168.21.63.31789: udp 1\n"
        "\t0x0000:  4500 001d a932 0000 7311 10cf 0102 0304\n"
        "\t0x0010:  c0a4 153f 7c2e 7c2d 0009 38b1 41\n",
        "tcpdump-X.txt": "\t0x0000:  4500 0054 0000 4000 4001 b7a6 7f00 0001  E..T..@.@.......\n"
        "\t0x0010:  7f00 0001 0800 cafe beef 0001 dead beef  ................\n",
        "wireshark.txt": "0000   ff ff ff ff ff ff 00 11 22 33 44 55 08 06 00 01   ........\"3DU....\n"
        "0010   08 00 06 04 00 01 00 11 22 33 44 55 0a 00 00 01   ........\"3DU....\n"
        "0020   00 00 00 00 00 00 0a 00 00 02                     ..........\n",
        "hexdump-C.txt": "00000000  00 00 ba 5e ba 11 00 60  97 07 c0 ff 08 00 45 00  |...^...`......E.|\n"
        "00000010  00 38 6f df 00 00 80 01  b4 12 0a 00 01 0b 0a 00  |.8o.............|\n",
        "stream.txt": (ETH + b"\x86\xdd" + ipv6_udp_dns()).hex() + "\n",
    }
    for name, text in hexes.items():
        write("hex_dump", name, text.encode())

    # filter_parse: expressions, one per file
    filters = [
        "tcp.flags.syn == 1 and tcp.flags.ack == 0",
        "ip.addr == 10.0.0.0/8 && !(udp.port in {53 67..68})",
        'dns.qry.name contains "example" or http.request.method == "GET"',
        "eth.src == 00:60:97:07:c0:ff || ipv6.addr == 2001:db8::1",
        "finding.severity >= warning and finding.id == \"tcp.syn_fin\"",
        "frame.len > 60 and not icmp and tcp.options",
        "ip.ttl < 5 and ip.flags.df === 1 or tcp.window_size !== 0",
        "((((tcp))))",
    ]
    for i, f in enumerate(filters):
        write("filter_parse", "expr-%d.txt" % i, f.encode())


if __name__ == "__main__":
    main()
