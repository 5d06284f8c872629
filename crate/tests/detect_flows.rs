//! The flow table and TCP analysis on crafted captures (`tests/captures/detect/craft_flows.py`
//! lists what each packet is for) and, when the shared corpus and tshark are present, against
//! tshark's conversation counts and `tcp.analysis` flags.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tracelens::detect::flows::{self, FlowState, FlowTable};
use tracelens::detect::{Analyzer, Detection, Observed};

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures/detect")
        .join(name)
}

/// Runs the analyzer over a capture: the flow table and every detection.
fn run(path: &Path) -> (FlowTable, Vec<Detection>) {
    let bytes = std::fs::read(path).expect("read capture");
    let cap = tracelens::capture::read_all(&bytes);
    assert!(cap.error.is_none(), "{}: {:?}", path.display(), cap.error);
    let mut a = Analyzer::new();
    for p in &cap.packets {
        let d = p.decode();
        a.observe(&Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        });
    }
    let dets = a.finish();
    (a.flows, dets)
}

fn ours(dets: &[Detection]) -> Vec<&Detection> {
    dets.iter()
        .filter(|d| flows::IDS.contains(&d.finding.id))
        .collect()
}

fn param<'a>(d: &'a Detection, name: &str) -> &'a str {
    d.finding
        .params
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[test]
fn flows_states_and_histories() {
    let (ft, _) = run(&capture("flows.pcap"));
    let f = ft.flows();
    // 12 TCP connections, two UDP, two ICMP.
    assert_eq!(f.len(), 16, "{:#?}", f);
    let by_label: BTreeMap<String, &flows::Flow> = f.iter().map(|x| (x.label(), x)).collect();
    let get = |l: &str| *by_label.get(l).unwrap_or_else(|| panic!("no flow {l}"));

    let n = get("10.0.0.1:40000 > 10.0.0.2:80");
    assert_eq!(n.id, 0);
    assert_eq!(n.state, FlowState::SF);
    assert_eq!(n.history, "ShADadFf");
    assert_eq!((n.orig_packets, n.resp_packets), (6, 4));
    // Frame bytes as tshark's conv,tcp counts them (54-byte frames plus data).
    assert_eq!((n.orig_bytes, n.resp_bytes), (424, 416));
    assert_eq!((n.orig_payload, n.resp_payload), (100, 200));
    assert_eq!((n.first_packet, n.last_packet), (1, 10));
    assert_eq!(n.reading(), "established, data both ways, closed in order");
    assert!(((n.last.as_f64_secs() - n.first.as_f64_secs()) - 0.009).abs() < 1e-6);

    let r = get("10.0.0.1:40001 > 10.0.0.2:23");
    assert_eq!((r.state, r.history.as_str()), (FlowState::Rej, "Sr"));
    assert_eq!(r.reading(), "refused with a reset");

    let u = get("10.0.0.1:40002 > 10.0.0.3:443");
    assert_eq!((u.state, u.history.as_str()), (FlowState::S0, "S"));
    assert_eq!(u.reading(), "attempted, never answered");

    // The SYN/ACK came first, so its receiver is the originator.
    let b = get("10.0.0.9:31337 > 198.51.100.7:80");
    assert_eq!((b.state, b.history.as_str()), (FlowState::ReplyOnly, "^h"));
    assert_eq!((b.orig_packets, b.resp_packets), (0, 1));
    assert!(b
        .reading()
        .starts_with("reply with no request in the capture"));

    let d = get("10.0.0.1:53000 > 10.0.0.53:53");
    assert_eq!(d.proto, flows::FlowProto::Udp);
    assert_eq!((d.state, d.history.as_str()), (FlowState::TwoWay, "Dd"));
    assert_eq!((d.orig_packets, d.resp_packets), (1, 1));

    let ping = get("10.0.0.1 > 10.0.0.2");
    assert_eq!(ping.proto, flows::FlowProto::Icmp { v6: false, kind: 8 });
    assert_eq!((ping.orig_packets, ping.resp_packets), (1, 1));
    assert_eq!(ping.state, FlowState::TwoWay);
    let lone = get("10.0.0.1 > 192.0.2.50");
    assert_eq!(
        (lone.state, lone.history.as_str()),
        (FlowState::ReplyOnly, "^d")
    );

    // Per-packet flow ids.
    assert_eq!(ft.flow_of(1), Some(0));
    assert_eq!(ft.flow_of(10), Some(0));
    assert_eq!(ft.flow_of(12), Some(r.id));
    assert_eq!(ft.flow_of(18), Some(ping.id));
    assert_eq!(ft.flow_of(0), None);
    assert_eq!(ft.flow_of(1000), None);

    // The second fragment has no UDP header but joins its datagram's flow.
    let frag = get("10.0.0.1:5000 > 10.0.0.2:6000");
    assert_eq!(
        (frag.orig_packets, frag.first_packet, frag.last_packet),
        (2, 72, 73)
    );
    assert_eq!(ft.flow_of(73), Some(frag.id));

    let keepalive = get("10.0.0.1:40014 > 10.0.0.2:80");
    assert_eq!(keepalive.state, FlowState::S1);
    let rstfin = get("10.0.0.1:40017 > 10.0.0.2:80");
    assert_eq!(rstfin.state, FlowState::Rsto);
    assert_eq!(rstfin.history, "ShADFfR");
    let retr = get("10.0.0.1:40010 > 10.0.0.2:80");
    assert_eq!(retr.history, "ShADTa");

    // The whole table serializes (the JSON API of the overview and the web view).
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json[0]["state"], "SF");
    assert_eq!(json[0]["orig"]["host"], "10.0.0.1");
    assert_eq!(json[0]["orig"]["port"], 40000);
    assert_eq!(json[0]["proto"], "tcp");
}

#[test]
fn tcp_analysis_detections() {
    let (ft, dets) = run(&capture("flows.pcap"));
    let mine = ours(&dets);
    let got: BTreeSet<(String, Vec<u64>)> = mine
        .iter()
        .map(|d| (d.key.clone(), d.packets.clone()))
        .collect();
    let want: BTreeSet<(String, Vec<u64>)> = [
        (
            "tcp.analysis.retransmission:10.0.0.1:40010>10.0.0.2:80",
            vec![24],
        ),
        (
            "tcp.analysis.duplicate_ack:10.0.0.1:40011>10.0.0.2:80",
            vec![33, 34],
        ),
        (
            "tcp.analysis.retransmission:10.0.0.1:40011>10.0.0.2:80",
            vec![35],
        ),
        (
            "tcp.analysis.zero_window:10.0.0.1:40012>10.0.0.2:80",
            vec![41],
        ),
        (
            "tcp.analysis.window_full:10.0.0.1:40013>10.0.0.2:80",
            vec![46],
        ),
        (
            "tcp.analysis.keep_alive:10.0.0.1:40014>10.0.0.2:80",
            vec![52],
        ),
        (
            "tcp.analysis.lost_segment:10.0.0.1:40015>10.0.0.2:80",
            vec![58],
        ),
        (
            "tcp.analysis.out_of_order:10.0.0.1:40015>10.0.0.2:80",
            vec![59],
        ),
        (
            "tcp.analysis.lost_segment:10.0.0.1:40016>10.0.0.2:80",
            vec![64],
        ),
        (
            "tcp.analysis.rst_after_fin:10.0.0.1:40017>10.0.0.2:80",
            vec![71],
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(got, want);

    // One detection per connection and kind, with the count and the evidence bytes of the first
    // packet it refers to.
    let dup = mine
        .iter()
        .find(|d| d.finding.id == flows::DUPLICATE_ACK)
        .unwrap();
    assert_eq!(param(dup, "count"), "2");
    assert_eq!(param(dup, "packet"), "33");
    assert_eq!(param(dup, "src"), "10.0.0.2:80");
    let ev = &dup.finding.evidence[0];
    // Ethernet 14 + IPv4 20 + TCP ack at offset 8.
    assert_eq!(
        (ev.packet, ev.field.as_str(), ev.offset, ev.length),
        (33, "tcp.ack_raw", 42, 4)
    );
    let r = dup.render();
    assert_eq!(r.finding.severity.as_str(), "info");
    assert!(r.finding.text.contains("33, 34"), "{}", r.finding.text);
    assert!(!r.finding.text.contains('{'), "{}", r.finding.text);

    let zw = mine
        .iter()
        .find(|d| d.finding.id == flows::ZERO_WINDOW)
        .unwrap();
    let ev = &zw.finding.evidence[0];
    assert_eq!(
        (ev.field.as_str(), ev.offset, ev.length),
        ("tcp.window_size_value", 48, 2)
    );
    let rf = mine
        .iter()
        .find(|d| d.finding.id == flows::RST_AFTER_FIN)
        .unwrap();
    assert_eq!(rf.finding.evidence[0].field, "tcp.flags.reset");

    // Every detection renders without unfilled placeholders.
    for d in &mine {
        let r = d.render();
        for t in [&r.finding.title, &r.finding.text, &r.finding.next] {
            assert!(!t.contains('{'), "{}: {t}", d.key);
        }
    }

    // Per-packet notes for the explain view.
    assert_eq!(ft.packet_notes(35), vec![flows::RETRANSMISSION]);
    assert_eq!(ft.packet_notes(58), vec![flows::LOST_SEGMENT]);
    assert!(
        ft.packet_notes(53).is_empty(),
        "the keep-alive's ACK is not a dup ACK"
    );
    assert!(
        ft.packet_notes(42).is_empty(),
        "a window update is not a dup ACK"
    );
    assert!(ft.packet_notes(1).is_empty());
}

#[test]
fn near_misses_give_no_analysis() {
    let (ft, dets) = run(&capture("flows_negative.pcap"));
    let mine = ours(&dets);
    assert!(mine.is_empty(), "{:#?}", mine);
    let states: Vec<(String, FlowState)> =
        ft.flows().iter().map(|f| (f.label(), f.state)).collect();
    assert_eq!(
        states,
        vec![
            ("10.0.0.1:40000 > 10.0.0.2:80".to_string(), FlowState::SF),
            ("10.0.0.1:40020 > 10.0.0.2:80".to_string(), FlowState::SF),
            ("10.0.0.1:40021 > 10.0.0.2:25".to_string(), FlowState::Rej),
            ("10.0.0.1:40022 > 10.0.0.2:80".to_string(), FlowState::S1),
            ("10.0.0.1:40023 > 10.0.0.2:8080".to_string(), FlowState::Rej),
        ]
    );
}

#[test]
fn flow_cap_is_respected() {
    let bytes = std::fs::read(capture("flows.pcap")).unwrap();
    let cap = tracelens::capture::read_all(&bytes);
    let mut ft = FlowTable::new(flows::FlowSettings {
        max_flows: 2,
        ..Default::default()
    });
    for p in &cap.packets {
        let d = p.decode();
        ft.observe(&Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        });
    }
    assert_eq!(ft.flows().len(), 2);
    // Packets 1-12 belong to the first two flows, the other 61 to none.
    assert_eq!(ft.untracked_packets, 61);
    assert_eq!(ft.flow_of(13), None);
}

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if !p.is_dir() {
        println!("skipped: no corpus at {}", p.display());
        return None;
    }
    let ok = std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        println!("skipped: tshark is not installed");
        return None;
    }
    Some(p)
}

fn tshark(path: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(args)
        .output()
        .expect("run tshark");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// TCP conversations with frame counts per direction agree with `tshark -z conv,tcp`.
#[test]
fn corpus_tcp_conversations_match_tshark() {
    let Some(root) = corpus() else { return };
    let files = [
        "tcpdump/tests/ssh.pcap",
        "tcpdump/tests/pptp.pcap",
        "tcpdump/tests/kday3.pcap",
        "tcpdump/tests/mptcp-v0.pcap",
        "tcpdump/tests/bgp-4byte-asn.pcap",
        "tcpdump/tests/resp_1_benchmark.pcap",
    ];
    let mut compared = 0;
    for f in files {
        let path = root.join(f);
        if !path.exists() {
            println!("skipped {f}: not in the corpus");
            continue;
        }
        // tshark's table: "A:p <-> B:p  frames_b_to_a bytes frames_a_to_b bytes ...".
        let text = tshark(&path, &["-q", "-z", "conv,tcp"]);
        let mut want: BTreeMap<(String, String), u64> = BTreeMap::new();
        for line in text.lines().filter(|l| l.contains("<->")) {
            let w: Vec<&str> = line.split_whitespace().collect();
            let (Some(a), Some(b), Some(ba), Some(ab)) = (w.first(), w.get(2), w.get(3), w.get(6))
            else {
                continue;
            };
            want.insert((a.to_string(), b.to_string()), ab.parse().unwrap_or(0));
            want.insert((b.to_string(), a.to_string()), ba.parse().unwrap_or(0));
        }
        let (ft, _) = run(&path);
        let mut got: BTreeMap<(String, String), u64> = BTreeMap::new();
        for fl in ft
            .flows()
            .iter()
            .filter(|x| x.proto == flows::FlowProto::Tcp)
        {
            got.insert((fl.orig.to_string(), fl.resp.to_string()), fl.orig_packets);
            got.insert((fl.resp.to_string(), fl.orig.to_string()), fl.resp_packets);
        }
        assert_eq!(got, want, "{f}");
        compared += want.len() / 2;
    }
    println!("{compared} TCP conversations agree with tshark");
}

/// Our per-packet analysis against tshark's `tcp.analysis` flags over the corpus captures tshark
/// flags anything in. (A one-off survey of all 127 corpus captures with TCP: 56 flags agree, 2
/// differ, both in the IPComp capture named below.)
#[test]
fn corpus_tcp_analysis_matches_tshark() {
    let Some(root) = corpus() else { return };
    let files = [
        "tcpdump/tests/ssh.pcap",
        "tcpdump/tests/pptp.pcap",
        "tcpdump/tests/kday3.pcap",
        "tcpdump/tests/kday4.pcap",
        "tcpdump/tests/kday7.pcap",
        "tcpdump/tests/mptcp-v0.pcap",
        "tcpdump/tests/mptcp-fclose.pcap",
        "tcpdump/tests/bgp-infinite-loop.pcap",
        "tcpdump/tests/bgp-shutdown-msg-variations.pcap",
        "tcpdump/tests/bgp-as-path-oobr.pcap",
        "tcpdump/tests/bgp-cease-hard-reset.pcap",
        "tcpdump/tests/of10_inv_OFPST_FLOW.pcap",
        "tcpdump/tests/bgp-4byte-asn.pcap",
        "tcpdump/tests/resp_1_benchmark.pcap",
        "tcpdump/tests/resp_3_malicious.pcap",
        "rusticata-pcap-parser/assets/wireshark_samples-test.pcapng",
        "rusticata-pcap-parser/assets/err-buffertoosmall.pcapng",
        "tcpdump/tests/of13_ericsson.pcapng",
        "tcpdump/tests/bgp-role.pcapng",
        "tcpdump/tests/bgp-shutdown-communication.pcapng",
    ];
    // Left out on purpose: libpcap's AH-IPcomp-IPv6.pcap, where Wireshark decompresses IPComp
    // payloads and sees TCP segments that stay compressed bytes to us, so we report gaps.
    let kinds = [
        ("tcp.analysis.retransmission", flows::RETRANSMISSION),
        ("tcp.analysis.out_of_order", flows::OUT_OF_ORDER),
        ("tcp.analysis.duplicate_ack", flows::DUPLICATE_ACK),
        ("tcp.analysis.zero_window", flows::ZERO_WINDOW),
        ("tcp.analysis.window_full", flows::WINDOW_FULL),
        ("tcp.analysis.keep_alive", flows::KEEP_ALIVE),
        ("tcp.analysis.lost_segment", flows::LOST_SEGMENT),
    ];
    let (mut agree, mut differ) = (0, Vec::new());
    for f in files {
        let path = root.join(f);
        if !path.exists() {
            println!("skipped {f}: not in the corpus");
            continue;
        }
        let mut args = vec!["-T", "fields", "-E", "occurrence=f", "-e", "frame.number"];
        for (k, _) in kinds {
            args.push("-e");
            args.push(k);
        }
        let text = tshark(&path, &args);
        let (ft, _) = run(&path);
        for line in text.lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            let Some(n) = cols.first().and_then(|c| c.parse::<u64>().ok()) else {
                continue;
            };
            let notes = ft.packet_notes(n);
            for (i, (name, id)) in kinds.iter().enumerate() {
                let theirs = cols.get(i + 1).is_some_and(|c| !c.is_empty());
                let mine = notes.contains(id);
                if theirs && mine {
                    agree += 1;
                } else if theirs != mine {
                    differ.push(format!(
                        "{f} #{n} {name}: tshark {theirs}, tracelens {mine}"
                    ));
                }
            }
        }
    }
    println!(
        "tcp.analysis flags agreeing with tshark: {agree}; differing: {}",
        differ.len()
    );
    for d in &differ {
        println!("  {d}");
    }
    assert!(agree >= 50, "only {agree} flags agree");
    assert!(differ.is_empty(), "{differ:#?}");
}

/// Runs the analyzer and the overview builder side by side, as `tracelens summary` does.
fn overview_of(path: &Path) -> tracelens::detect::overview::Overview {
    let bytes = std::fs::read(path).expect("read capture");
    let cap = tracelens::capture::read_all(&bytes);
    let mut a = Analyzer::new();
    let mut b = tracelens::detect::overview::OverviewBuilder::new();
    for p in &cap.packets {
        let d = p.decode();
        let o = Observed {
            number: p.number,
            ts: p.ts,
            d: &d,
        };
        a.observe(&o);
        b.observe(&o);
    }
    let dets = a.finish();
    b.build(&a.flows, &dets)
}

#[test]
fn overview_of_the_crafted_capture() {
    let ov = overview_of(&capture("flows.pcap"));
    let text = ov.to_text();
    println!("{text}");
    assert_eq!(ov.packets, 73);
    // Protocol hierarchy: every frame is Ethernet, then IPv4, then mostly TCP.
    let row = |p: &str| ov.protocols.iter().find(|r| r.proto == p).unwrap();
    assert_eq!((row("eth").depth, row("eth").packets), (0, 73));
    assert_eq!((row("ip").depth, row("ip").packets), (1, 73));
    assert_eq!((row("tcp").depth, row("tcp").packets), (2, 66));
    assert_eq!(row("udp").packets, 3);
    assert_eq!(row("icmp").packets, 3);
    assert_eq!(row("dns").depth, 3);
    // Talkers: 10.0.0.1 is in every conversation but two.
    assert_eq!(ov.talkers[0].host.to_string(), "10.0.0.1");
    assert_eq!(ov.talkers[0].conversations, 15);
    // Conversations by protocol and TCP state.
    assert_eq!(ov.conversations.total, 16);
    assert_eq!(
        ov.conversations.by_proto,
        vec![
            ("tcp".to_string(), 12),
            ("icmp".to_string(), 2),
            ("udp".to_string(), 2)
        ]
    );
    let states: Vec<(&str, u64)> = ov
        .conversations
        .tcp_states
        .iter()
        .map(|s| (s.state.code(), s.count))
        .collect();
    assert_eq!(
        states,
        vec![
            ("S1", 7),
            ("REJ", 1),
            ("REPLY", 1),
            ("RSTO", 1),
            ("S0", 1),
            ("SF", 1)
        ]
    );
    // Findings worst first.
    let sev: Vec<_> = ov.findings.iter().map(|f| f.severity).collect();
    let mut sorted = sev.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(sev, sorted);
    assert!(ov.findings.iter().any(|f| f.id == flows::RETRANSMISSION));
    // The account names the facts a reader needs.
    let all = ov.account.join(" ");
    for needle in [
        "73 packets",
        "16 conversations (12 tcp, 2 icmp and 2 udp)",
        "The busiest sender is 10.0.0.1",
        "1 refused with a reset",
        "1 attempted, never answered",
        "TCP had to resend data 2 times in 2 of 12 connections",
    ] {
        assert!(all.contains(needle), "missing {needle:?} in {all}");
    }
    assert!(text.contains("Protocol hierarchy"));
    assert!(text.contains("Findings (worst first)"));
    let json = serde_json::to_value(&ov).unwrap();
    assert_eq!(json["conversations"]["tcp_states"][0]["state"], "S1");
}

#[test]
fn overview_of_the_negative_capture_is_calm() {
    let ov = overview_of(&capture("flows_negative.pcap"));
    assert!(ov
        .findings
        .iter()
        .all(|f| !flows::IDS.contains(&f.id.as_str())));
    assert!(!ov.account.join(" ").contains("resend"));
}

/// The overview over a few real captures: it must not panic, and its account must read sanely.
#[test]
fn corpus_overviews() {
    let Some(root) = corpus() else { return };
    for f in [
        "tcpdump/tests/pptp.pcap",
        "tcpdump/tests/ssh.pcap",
        "rusticata-pcap-parser/assets/wireshark_samples-test.pcapng",
    ] {
        let path = root.join(f);
        if !path.exists() {
            continue;
        }
        let ov = overview_of(&path);
        println!("==== {f}\n{}", ov.to_text());
        assert!(ov.packets > 0);
        let eth: u64 = ov
            .protocols
            .iter()
            .filter(|r| r.depth == 0)
            .map(|r| r.packets)
            .sum();
        assert_eq!(eth, ov.packets, "{f}: link layers add up to all packets");
    }
}

/// Every corpus capture through the analyzer: no panic, every packet in at most one flow and the
/// per-direction counts adding up; prints what the TCP analysis raises across the corpus.
#[test]
fn corpus_flow_counts_add_up() {
    let Some(root) = corpus() else { return };
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("pcap" | "pcapng" | "cap")
            ) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let (mut flows_total, mut packets_total) = (0usize, 0u64);
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let cap = tracelens::capture::read_all(&bytes);
        let mut a = Analyzer::new();
        for p in &cap.packets {
            let d = p.decode();
            a.observe(&Observed {
                number: p.number,
                ts: p.ts,
                d: &d,
            });
        }
        let dets = a.finish();
        let in_flows = cap
            .packets
            .iter()
            .filter(|p| a.flows.flow_of(p.number).is_some())
            .count() as u64;
        let counted: u64 = a.flows.flows().iter().map(|f| f.packets()).sum();
        assert_eq!(in_flows, counted, "{}", path.display());
        flows_total += a.flows.flows().len();
        packets_total += cap.packets.len() as u64;
        for d in ours(&dets) {
            *kinds.entry(d.finding.id.to_string()).or_default() += 1;
        }
    }
    println!(
        "{} captures, {packets_total} packets, {flows_total} flows; flow-table detections: {kinds:?}",
        files.len()
    );
}

/// Cut-off packets (every prefix of every crafted frame) go through the flow table and the
/// overview without panicking; headers too short to analyze still count in their flow.
#[test]
fn truncated_frames_are_counted_not_fatal() {
    let bytes = std::fs::read(capture("flows.pcap")).unwrap();
    let cap = tracelens::capture::read_all(&bytes);
    let mut ft = FlowTable::default();
    let mut ob = tracelens::detect::overview::OverviewBuilder::new();
    let mut n = 0u64;
    for p in &cap.packets {
        for cut in 0..=p.data.len() {
            n += 1;
            let d = tracelens::decode(&p.data[..cut], p.link_type);
            let o = Observed {
                number: n,
                ts: p.ts,
                d: &d,
            };
            ft.observe(&o);
            ob.observe(&o);
        }
    }
    let mut dets = Vec::new();
    ft.finish(&mut dets);
    let ov = ob.build(&ft, &dets);
    assert_eq!(ov.packets, n);
    assert!(!ov.to_text().is_empty());
}
