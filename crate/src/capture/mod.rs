//! Capture files: pcap (all variants), pcapng, and either of them gzip-compressed, read
//! incrementally from byte chunks of any size.
