//! Every finding id the code can emit, in one list. Tests check that each is in the registry and
//! that each is produced by at least one test capture. Ids named by `[[port]]` records are
//! checked the same way through the port table.

macro_rules! ids {
    ($($name:ident = $id:literal;)*) => {
        $(pub const $name: &str = $id;)*
        /// All ids the rules emit directly.
        pub const ALL: &[&str] = &[$($id),*];
    };
}

ids! {
    ADDR_LOOPBACK_SOURCE = "addr.loopback_source";
    TCP_FLAGS_NULL = "tcp.flags.null";
    ICMP_UNREACH_PORT = "icmp.unreach.port";
}
