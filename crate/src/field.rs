//! Decoded fields: a Wireshark display-filter name, a typed value, and the bytes it came from.
//!
//! The byte range is what lets the interface highlight evidence, so every field a decoder emits
//! carries its offset and length in the frame (and a bit mask for flags that share a byte).

use serde::Serialize;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A field's value, in the natural type of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    UInt(u64),
    Int(i64),
    Str(String),
    Bytes(Vec<u8>),
    Mac([u8; 6]),
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
    /// A field that has no value of its own (a subtree such as `ip.opt.rr`).
    None,
}

impl Value {
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::UInt(v) => Some(*v),
            Value::Bool(b) => Some(u64::from(*b)),
            Value::Int(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as JSON: numbers and booleans as themselves, everything else as its display text.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::UInt(v) => serde_json::Value::from(*v),
            Value::Int(v) => serde_json::Value::from(*v),
            Value::None => serde_json::Value::Null,
            other => serde_json::Value::String(other.to_string()),
        }
    }
}

/// Formats a MAC address as Wireshark does: lower-case hex pairs joined by colons.
pub fn fmt_mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{}", if *b { "1" } else { "0" }),
            Value::UInt(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            Value::Str(s) => f.write_str(s),
            Value::Bytes(b) => {
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        f.write_str(":")?;
                    }
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
            Value::Mac(m) => f.write_str(&fmt_mac(m)),
            Value::Ipv4(a) => write!(f, "{a}"),
            Value::Ipv6(a) => write!(f, "{a}"),
            Value::None => Ok(()),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// One decoded field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Wireshark display-filter name, e.g. `ip.src`, `tcp.flags.syn`.
    pub name: &'static str,
    /// Short human label for the field tree, e.g. "Source address".
    pub label: &'static str,
    pub value: Value,
    /// Offset of the first byte in the frame.
    pub offset: usize,
    /// Number of bytes the field occupies (at least 1 for a bit field).
    pub len: usize,
    /// For bit fields: the mask within the `len` bytes, big-endian; 0 for whole-byte fields.
    pub mask: u64,
    /// Nesting level inside its layer: 0 for top-level fields, 1 for a flag inside `tcp.flags`, etc.
    pub depth: u8,
    /// Optional readable rendering of the value (e.g. `0x0800 (IPv4)`, `Don't fragment`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

thread_local! {
    /// Whether decoders write fields' readable renderings; off during a lean decode.
    static RENDER: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    /// Whether decoders verify TCP, UDP and ICMP checksums over the payload.
    static VERIFY: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Runs `f` with the transport checksums left unverified (no `*.checksum.status` field), for a
/// pass that never reads their verdict: the flow table and the cross-packet detectors.
pub fn without_verifying<T>(f: impl FnOnce() -> T) -> T {
    with_off(&VERIFY, f)
}

/// False inside [`without_verifying`].
pub fn verifying() -> bool {
    VERIFY.with(std::cell::Cell::get)
}

/// Runs `f` with fields' readable renderings turned off (the `display` texts are left `None`),
/// for passes that only read values: the analysis of a whole capture, summary lines.
pub fn without_renderings<T>(f: impl FnOnce() -> T) -> T {
    with_off(&RENDER, f)
}

/// Runs `f` with a decoding switch off, and puts it back as it was afterwards (even if `f`
/// panics, so a caller catching the panic does not inherit the switch).
fn with_off<T>(
    flag: &'static std::thread::LocalKey<std::cell::Cell<bool>>,
    f: impl FnOnce() -> T,
) -> T {
    struct Restore(&'static std::thread::LocalKey<std::cell::Cell<bool>>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            self.0.with(|r| r.set(self.1));
        }
    }
    let _restore = Restore(flag, flag.with(|r| r.replace(false)));
    f()
}

impl Field {
    /// Sets the readable rendering of the value (`0x0800 (IPv4)`), unless renderings are off
    /// (see [`without_renderings`]), in which case `text` is never called.
    pub fn show(&mut self, text: impl FnOnce() -> String) -> &mut Field {
        if RENDER.with(std::cell::Cell::get) {
            self.display = Some(text());
        }
        self
    }

    /// [`Field::show`] when `cond` holds.
    pub fn show_if(&mut self, cond: bool, text: impl FnOnce() -> String) -> &mut Field {
        if cond {
            self.show(text);
        }
        self
    }

    /// The value as shown in a field tree: the readable rendering when there is one.
    pub fn shown(&self) -> String {
        match &self.display {
            Some(d) => d.clone(),
            None => self.value.to_string(),
        }
    }
}
