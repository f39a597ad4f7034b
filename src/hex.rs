//! Lowercase hex, for the secrets kept in text files and snapshots.

/// Lowercase hex of `b`.
pub fn encode(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 * b.len());
    for x in b {
        s.push(char::from_digit(u32::from(x >> 4), 16).expect("nibble"));
        s.push(char::from_digit(u32::from(x & 15), 16).expect("nibble"));
    }
    s
}

/// Exactly `N` bytes from `2N` hex digits (either case), else `None`.
pub fn decode<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_refuses_bad_lengths_and_digits() {
        let b = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::encode(&b), "0001abff");
        assert_eq!(super::decode::<4>("0001ABff"), Some(b));
        assert_eq!(super::decode::<4>("0001ab"), None);
        assert_eq!(super::decode::<2>("zz00"), None);
    }
}
