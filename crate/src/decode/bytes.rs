//! Checked big- and little-endian reads over frame bytes: the only way decoders reach input.
//! Every reader returns `None` past the end instead of panicking.

pub fn u8_at(b: &[u8], off: usize) -> Option<u8> {
    b.get(off).copied()
}

pub fn be16(b: &[u8], off: usize) -> Option<u16> {
    let s = b.get(off..off.checked_add(2)?)?;
    Some(u16::from_be_bytes([*s.first()?, *s.get(1)?]))
}

pub fn le16(b: &[u8], off: usize) -> Option<u16> {
    be16(b, off).map(u16::swap_bytes)
}

pub fn be32(b: &[u8], off: usize) -> Option<u32> {
    let s = array::<4>(b, off)?;
    Some(u32::from_be_bytes(s))
}

pub fn le32(b: &[u8], off: usize) -> Option<u32> {
    be32(b, off).map(u32::swap_bytes)
}

pub fn be64(b: &[u8], off: usize) -> Option<u64> {
    Some(u64::from_be_bytes(array::<8>(b, off)?))
}

pub fn le64(b: &[u8], off: usize) -> Option<u64> {
    be64(b, off).map(u64::swap_bytes)
}

/// A fixed-size copy of `N` bytes at `off`.
pub fn array<const N: usize>(b: &[u8], off: usize) -> Option<[u8; N]> {
    let s = b.get(off..off.checked_add(N)?)?;
    s.try_into().ok()
}

/// A sub-slice `off..off+len`, `None` when any of it lies past the end.
pub fn slice(b: &[u8], off: usize, len: usize) -> Option<&[u8]> {
    b.get(off..off.checked_add(len)?)
}

/// The bytes from `off` to the end (empty when `off` is past the end).
pub fn rest(b: &[u8], off: usize) -> &[u8] {
    b.get(off..).unwrap_or(&[])
}

/// Internet checksum (RFC 1071) over `data` added to an initial 32-bit sum.
pub fn ones_complement_sum(mut sum: u32, data: &[u8]) -> u32 {
    let mut chunks = data.chunks_exact(2);
    for c in &mut chunks {
        if let [a, b] = c {
            sum = sum.wrapping_add(u32::from(u16::from_be_bytes([*a, *b])));
        }
    }
    if let [last] = chunks.remainder() {
        sum = sum.wrapping_add(u32::from(*last) << 8);
    }
    sum
}

/// Folds a 32-bit one's-complement sum to the 16-bit checksum value.
pub fn fold_checksum(mut sum: u32) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_end() {
        let b = [1u8, 2, 3];
        assert_eq!(be16(&b, 1), Some(0x0203));
        assert_eq!(be16(&b, 2), None);
        assert_eq!(be32(&b, 0), None);
        assert_eq!(be16(&b, usize::MAX), None);
        assert_eq!(rest(&b, 9), &[] as &[u8]);
    }

    #[test]
    fn checksum_of_rfc1071_example() {
        // RFC 1071 section 3 example words: 0001 f203 f4f5 f6f7 sum to ddf2 (checksum 220d).
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(fold_checksum(ones_complement_sum(0, &data)), 0x220d);
    }
}
