#!/usr/bin/env bash
# Regenerates tshark's view of every capture in ../shared/corpus, the reference that
# crate/tests/tshark_agreement.rs compares our decoders against.
#
# Outputs (all in this folder, deterministic for a given tshark and corpus):
#   expected.tsv.gz  header line (`file` + field names), then one row per packet: the capture's
#                    path relative to the corpus root, then the fields below (first occurrence).
#   counts.tsv       file, number of packets tshark read from it.
#   partial.tsv      file, tshark's error line: files tshark read only part of (their packets
#                    before the problem are in expected.tsv.gz and counts.tsv).
#   skipped.tsv      file, tshark's error line: files tshark reads no packet from at all.
#   VERSION          first line of `tshark --version`.
#
# Usage: tests/tshark/generate.sh [CORPUS_DIR]   (default: ../shared/corpus from the repo root)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=${1:-$root/../shared/corpus}
if [ ! -d "$corpus" ]; then
    echo "corpus not found: $corpus" >&2
    exit 1
fi
corpus=$(cd "$corpus" && pwd)
command -v tshark >/dev/null || { echo "tshark not installed" >&2; exit 1; }

# frame.encap_type is not compared: it marks the records that are not packets (tshark 4.0 shows
# pcapng custom blocks as frames with no encapsulation), so frame numbers can be matched up.
fields=(frame.number frame.len frame.cap_len frame.encap_type eth.src eth.dst eth.type vlan.id ip.version
    ip.hdr_len ip.len ip.id ip.flags.df ip.flags.mf ip.frag_offset ip.ttl ip.proto ip.src ip.dst
    ipv6.src ipv6.dst ipv6.nxt ipv6.hlim ipv6.plen tcp.srcport tcp.dstport tcp.seq_raw
    tcp.ack_raw tcp.flags tcp.window_size_value tcp.hdr_len tcp.len udp.srcport udp.dstport
    udp.length icmp.type icmp.code icmpv6.type icmpv6.code arp.opcode)

# Our decoder looks at one frame at a time, so tshark must too: no IP defragmentation, no TCP
# stream reassembly or sequence analysis (which would move fields to the reassembling frame or
# add "previous segment" state). Checksums stay unverified, as in tshark's defaults.
prefs=(-o ip.defragment:FALSE -o ipv6.defragment:FALSE
    -o tcp.desegment_tcp_streams:FALSE -o tcp.reassemble_out_of_order:FALSE
    -o tcp.analyze_sequence_numbers:FALSE -o tcp.relative_sequence_numbers:FALSE
    -o tcp.calculate_timestamps:FALSE -o udp.calculate_timestamps:FALSE)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty personal configuration, so nobody's ~/.config/wireshark changes the answers.
mkdir -p "$work/config"
export WIRESHARK_CONFIG_DIR="$work/config"
export LC_ALL=C

# Every regular file except the documentation, expected-output and key files that sit beside
# the captures; whatever tshark cannot read ends up in skipped.tsv with its reason.
(cd "$corpus" && find . -type f \
    ! -name '*.out' ! -name '*.txt' ! -name '*.md' ! -name '*.json' ! -name '*.tsv' \
    ! -name 'LICENSE*' ! -name 'TESTLIST' -printf '%P\n' | sort) >"$work/files"

efields=()
for f in "${fields[@]}"; do efields+=(-e "$f"); done

# One tshark run per file, two at a time; results land in $work/out/<index>.{tsv,err,rc}.
mkdir -p "$work/out"
export corpus work
# Arrays do not cross into the xargs children, so pass them as flattened strings.
export PREFS="${prefs[*]}" EFIELDS="${efields[*]}"
run_one() {
    local idx=$1 rel=$2 rc=0
    # shellcheck disable=SC2086 # PREFS and EFIELDS are space-separated option lists
    tshark -n -r "$corpus/$rel" $PREFS -T fields -E header=n -E separator=/t \
        -E occurrence=f -E quote=n $EFIELDS \
        >"$work/out/$idx.tsv" 2>"$work/out/$idx.err" || rc=$?
    echo "$rc" >"$work/out/$idx.rc"
}
export -f run_one
awk '{ printf "%d\t%s\n", NR, $0 }' "$work/files" |
    xargs -P2 -d '\n' -n1 bash -c 'IFS=$'"'"'\t'"'"' read -r i f <<<"$1"; run_one "$i" "$f"' _

# tshark's complaint on one line (it puts the reason in parentheses on the next line), without
# the "running as root" notice and with the corpus path shortened to the relative one.
err_line() {
    grep -v -e '^Running as user' -e '^ *$' "$1" | tr '\t\n' '  ' |
        sed -e "s|$corpus/||g" -e 's/ *$//' || true
}

expected="$work/expected.tsv"
{
    printf 'file'
    printf '\t%s' "${fields[@]}"
    printf '\n'
} >"$expected"
: >"$work/counts.tsv"
: >"$work/partial.tsv"
: >"$work/skipped.tsv"
i=0
while IFS= read -r rel; do
    i=$((i + 1))
    rc=$(cat "$work/out/$i.rc")
    n=$(wc -l <"$work/out/$i.tsv")
    err=$(err_line "$work/out/$i.err")
    # tshark's exit status is not a reliable signal (it can be 0 after a read error), so a
    # complaint on stderr decides: none at all read means skipped, some read means partial.
    if [ "$n" -eq 0 ] && { [ "$rc" -ne 0 ] || [ -n "$err" ]; }; then
        printf '%s\t%s\n' "$rel" "${err:-exit status $rc}" >>"$work/skipped.tsv"
        continue
    fi
    if [ "$rc" -ne 0 ] || [ -n "$err" ]; then
        printf '%s\t%s\n' "$rel" "${err:-exit status $rc}" >>"$work/partial.tsv"
    fi
    printf '%s\t%d\n' "$rel" "$n" >>"$work/counts.tsv"
    awk -v f="$rel" '{ print f "\t" $0 }' "$work/out/$i.tsv" >>"$expected"
done <"$work/files"

# -n: no name or time stamp in the gzip header, so the same input gives the same bytes.
gzip -n -9 <"$expected" >"$here/expected.tsv.gz"
cp "$work/counts.tsv" "$work/partial.tsv" "$work/skipped.tsv" "$here/"
tshark --version 2>/dev/null | head -n1 >"$here/VERSION"

echo "files read: $(wc -l <"$here/counts.tsv"), partial: $(wc -l <"$here/partial.tsv")," \
    "skipped: $(wc -l <"$here/skipped.tsv"), packets: $(($(wc -l <"$expected") - 1))," \
    "expected.tsv.gz: $(stat -c %s "$here/expected.tsv.gz") bytes"
