//! Builds the table of the page's example captures from `examples/manifest.toml`, embedding each
//! capture's bytes, so the menu and the files cannot drift apart and the page needs no fetch.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;

#[derive(serde::Deserialize)]
struct Manifest {
    example: Vec<Entry>,
}

#[derive(serde::Deserialize)]
struct Entry {
    file: String,
    title: String,
    summary: String,
    source: String,
}

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("examples");
    let manifest = dir.join("manifest.toml");
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = fs::read_to_string(&manifest).expect("web/examples/manifest.toml is readable");
    let m: Manifest = toml::from_str(&text).expect("web/examples/manifest.toml parses");
    let mut out = String::from("pub static EXAMPLES: &[Example] = &[\n");
    for e in &m.example {
        let path = dir.join(&e.file);
        assert!(path.is_file(), "example {} is missing", path.display());
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    Example {{ file: {:?}, title: {:?}, summary: {:?}, source: {:?}, bytes: include_bytes!({:?}) }},",
            e.file,
            e.title,
            e.summary,
            e.source,
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("examples.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}
