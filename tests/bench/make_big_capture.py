#!/usr/bin/env python3
"""Builds a large mixed Ethernet capture from the packets of the shared corpus (no downloads).

Usage: make_big_capture.py OUT.pcap SIZE_MB [CORPUS_DIR]

Every classic-pcap Ethernet capture in the corpus contributes its packets; they are written again
and again, in a fixed order, with timestamps rising by 10 microseconds per packet, until the file
reaches SIZE_MB megabytes. The output is the same bytes for the same corpus and size, so benchmark
figures can be reproduced.
"""
import os
import struct
import sys


def read_pcap_records(path):
    """Yields (caplen, origlen, data) of a little- or big-endian classic pcap with link type 1."""
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = head[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            endian = ">"
        else:
            return
        (linktype,) = struct.unpack(endian + "I", head[20:24])
        if linktype & 0xFFFF != 1:
            return
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, origlen = struct.unpack(endian + "IIII", rec)
            if caplen > 262144:
                return
            data = f.read(caplen)
            if len(data) < caplen:
                return
            yield caplen, origlen, data


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, size_mb = sys.argv[1], float(sys.argv[2])
    corpus = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
        os.path.dirname(__file__), "..", "..", "..", "shared", "corpus")
    files = []
    for root, _, names in os.walk(corpus):
        for n in names:
            if n.endswith(".pcap"):
                files.append(os.path.join(root, n))
    files.sort()
    packets = []
    for p in files:
        packets.extend(read_pcap_records(p))
    if not packets:
        sys.exit("no Ethernet pcap packets found under " + corpus)
    target = int(size_mb * 1_000_000)
    t_usec = 1_700_000_000 * 1_000_000
    written = 24
    count = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < target:
            for caplen, origlen, data in packets:
                f.write(struct.pack("<IIII", t_usec // 1_000_000, t_usec % 1_000_000, caplen, origlen))
                f.write(data)
                written += 16 + caplen
                count += 1
                t_usec += 10
                if written >= target:
                    break
    print(f"{out}: {count} packets, {written} bytes, from {len(packets)} distinct packets of {len(files)} files")


if __name__ == "__main__":
    main()
