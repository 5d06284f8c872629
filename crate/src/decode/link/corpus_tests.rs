//! Corpus comparisons against tshark (filled in next).
