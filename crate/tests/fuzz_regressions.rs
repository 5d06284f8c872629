//! The fuzz targets' checks under `cargo test`: every seed in `crate/fuzz/seeds/<target>/` and
//! every kept crash input in `tests/captures/fuzz/<target>/` goes through the same function the
//! cargo-fuzz binary runs (`crate/fuzz/src/lib.rs`, included here), so a fixed crash stays fixed
//! without nightly flags or libFuzzer. A crash found by `scripts/fuzz.sh` is minimised with
//! `cargo fuzz tmin`, copied under `tests/captures/fuzz/<target>/` with a name that says what it
//! was, and gets a line in the table below.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

type Check = fn(&[u8]);

const TARGETS: &[(&str, Check)] = &[
    ("capture_chunks", fuzz::capture_chunks),
    ("decode_frame", fuzz::decode_frame),
    ("analysis", fuzz::analysis),
    ("hex_dump", fuzz::hex_dump),
    ("filter_parse", fuzz::filter_parse),
];

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs every file of `dir` through `check`, collecting the panics with the file that caused them.
fn replay(target: &str, check: Check, dir: &Path, failures: &mut Vec<String>) -> usize {
    let files = files_in(dir);
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_default();
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| check(&bytes))) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{target}: {}: {msg}", f.display()));
        }
    }
    files.len()
}

#[test]
fn seeds_pass_every_fuzz_check() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let mut failures = Vec::new();
    for (target, check) in TARGETS {
        let n = replay(target, *check, &root.join(target), &mut failures);
        assert!(n >= 3, "{target}: only {n} seeds in {}", root.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn kept_crash_inputs_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/captures/fuzz");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        replayed += replay(target, *check, &root.join(target), &mut failures);
    }
    eprintln!("{replayed} kept fuzz inputs replayed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn degenerate_inputs_pass_every_fuzz_check() {
    // What libFuzzer tries first: nothing, one byte, and runs of one value.
    for (_, check) in TARGETS {
        for input in [&[][..], &[0], &[0xff], &[0; 64], &[0xff; 64], &[b'('; 300]] {
            check(input);
        }
    }
}

/// The minimised crash input of a target, kept under `tests/captures/fuzz/`.
fn kept(target: &str, name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/captures/fuzz")
        .join(target)
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn radiotap_vendor_data_claimed_past_the_capture() {
    // decode_frame found it: a 14-byte frame whose radiotap header claims 32,775 bytes and
    // whose vendor namespace says 5,137 bytes of vendor data follow it. The vendor data field
    // covered the claimed bytes, past the end of the frame.
    let input = kept("decode_frame", "radiotap-vendor-data-past-capture");
    fuzz::decode_frame(&input);
    let frame = &input[2..];
    let d = tracelens::decode(frame, tracelens::decode::linktype::IEEE802_11_RADIOTAP);
    let l = d.layer("radiotap").expect("radiotap layer");
    assert_eq!(l.u64("radiotap.vendor_data_len"), Some(5137));
    assert!(
        l.field("radiotap.vendor_data").is_none(),
        "none of it was captured"
    );
    // Two bytes of it captured: the field covers those two.
    let longer = [frame, &[0xaa, 0xbb]].concat();
    let d2 = tracelens::decode(&longer, tracelens::decode::linktype::IEEE802_11_RADIOTAP);
    let data = d2
        .field("radiotap.vendor_data")
        .expect("the captured vendor bytes");
    assert_eq!((data.offset, data.len), (14, 2));
    let e = l.error.as_ref().expect("the cut is reported");
    assert_eq!(
        e.message,
        "radiotap header claims 32775 bytes; only 14 captured"
    );
}

#[test]
fn ipv6_esp_header_cut_by_the_capture() {
    // hex_dump found it: an IPv6 hop-by-hop header naming ESP as the next header, ending the
    // frame. The ESP SPI field claimed four bytes that were never captured.
    let input = kept("hex_dump", "ipv6-esp-spi-past-capture.txt");
    fuzz::hex_dump(&input);
    let text = String::from_utf8_lossy(&input);
    let h = tracelens::hexinput::parse_hex_dump(&text).expect("a hex dump");
    let d = tracelens::decode(&h.bytes, h.link_type);
    assert_eq!(h.bytes.len(), 62);
    assert_eq!(d.u64("ipv6.hopopts.nxt"), Some(50));
    assert!(d.field("esp.spi").is_none(), "no SPI without its bytes");
    // With the SPI captured, it is shown where it is.
    let mut longer = h.bytes.clone();
    longer.extend_from_slice(&[0, 0, 0x10, 0x01]);
    let d = tracelens::decode(&longer, h.link_type);
    let spi = d.field("esp.spi").expect("SPI");
    assert_eq!(
        (spi.offset, spi.len, spi.value.as_u64()),
        (62, 4, Some(0x1001))
    );
}

#[test]
fn ipv4_source_route_option_two_bytes_long() {
    // decode_frame found it (a 30-minute run): an IPv4 loose source route option (type 131)
    // whose length byte says 2, too short for even its pointer. Working out the route's last
    // address subtracted the 3 bytes of type, length and pointer from that length.
    let input = kept("decode_frame", "ipv4-source-route-option-length-2");
    fuzz::decode_frame(&input);
    let frame = &input[2..];
    let d = tracelens::decode(frame, tracelens::decode::linktype::RAW_ALT14);
    let ip = d.layer("ip").expect("an IPv4 layer");
    let lens: Vec<u64> = ip
        .fields
        .iter()
        .filter(|f| f.name == "ip.opt.len")
        .filter_map(|f| f.value.as_u64())
        .collect();
    assert!(lens.contains(&2), "{lens:?}");
    assert!(ip.field("ip.src_rt").is_none(), "no addresses in two bytes");
}
