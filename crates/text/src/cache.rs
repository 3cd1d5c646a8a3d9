//! A bounded map from short words to what analysis made of them.
//!
//! Keys are words of at most [`MAX_WORD`] bytes packed into two integers
//! ([`short_key`]), so a lookup hashes two words of memory and compares two, with
//! no allocation. The bound is kept with two generations: new words go into the
//! young map; when it is full the old map is dropped and the young one becomes
//! old. A hit in the old map copies the entry back into the young one, so words
//! in steady use survive every rotation. The cache only ever returns what was
//! inserted for that exact word: it changes speed, never results.

use rustc_hash::FxHashMap;

/// Longest word, in bytes, that [`short_key`] packs.
pub(crate) const MAX_WORD: usize = 15;

/// Entries per generation: 7/8 of a power of two, the most a hash table of that
/// many buckets holds without growing.
const GENERATION: usize = 56 * 1024;

/// Most entries held in total.
pub(crate) const ENTRIES: usize = 2 * GENERATION;

/// Key of a word of at most [`MAX_WORD`] bytes: the bytes, zero-padded to 16, in
/// little-endian order, with the length in the last byte — the same as copying the
/// word into a zeroed `[u8; 16]`, setting byte 15 to the length and reading it as
/// two `u64`. Equal keys mean equal words. Built from overlapping loads.
#[inline]
pub(crate) fn short_key(word: &str) -> Option<(u64, u64)> {
    let b = word.as_bytes();
    let n = b.len();
    let le32 = |s: &[u8]| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64;
    let le64 = |s: &[u8]| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]);
    let (lo, hi) = match n {
        0..=3 => {
            let lo = b
                .iter()
                .enumerate()
                .fold(0u64, |v, (i, &x)| v | (x as u64) << (8 * i));
            (lo, 0)
        }
        // bytes 0..4 and n-4..n; where they overlap both hold the same byte
        4..=8 => (le32(b) | le32(&b[n - 4..]) << (8 * (n - 4)), 0),
        // bytes 0..8, and n-8..n shifted down past the bytes below 8
        9..=MAX_WORD => (le64(b), le64(&b[n - 8..]) >> (8 * (16 - n))),
        _ => return None,
    };
    Some((lo, hi | (n as u64) << 56))
}

/// Two-generation bounded cache keyed by [`short_key`].
#[derive(Debug)]
pub(crate) struct WordCache<V> {
    young: FxHashMap<(u64, u64), V>,
    old: FxHashMap<(u64, u64), V>,
}

impl<V> Default for WordCache<V> {
    fn default() -> Self {
        WordCache {
            young: FxHashMap::default(),
            old: FxHashMap::default(),
        }
    }
}

impl<V: Copy> WordCache<V> {
    /// The value stored for `key`, if still held.
    #[inline]
    pub(crate) fn get(&mut self, key: (u64, u64)) -> Option<V> {
        if let Some(&v) = self.young.get(&key) {
            return Some(v);
        }
        let v = *self.old.get(&key)?;
        self.insert(key, v);
        Some(v)
    }

    /// Stores `value` for `key` (not already in the young generation).
    pub(crate) fn insert(&mut self, key: (u64, u64), value: V) {
        if self.young.len() >= GENERATION {
            // the young map becomes old; the old map's allocation is reused
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
        }
        self.young.insert(key, value);
    }

    /// Number of entries held (a word may be counted in both generations).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(word: &str) -> Option<(u64, u64)> {
        let b = word.as_bytes();
        if b.len() > MAX_WORD {
            return None;
        }
        let mut a = [0u8; 16];
        a[..b.len()].copy_from_slice(b);
        a[15] = b.len() as u8;
        let lo = u64::from_le_bytes(a[..8].try_into().unwrap());
        let hi = u64::from_le_bytes(a[8..].try_into().unwrap());
        Some((lo, hi))
    }

    #[test]
    fn keys_of_every_length() {
        let s = "abcdefghijklmnopqrstu";
        for n in 0..=s.len() {
            assert_eq!(short_key(&s[..n]), naive(&s[..n]), "{n}");
        }
        assert_ne!(short_key("a"), short_key("a\0"));
        assert_ne!(short_key("ab"), short_key("ba"));
    }

    #[test]
    fn generations_bound_the_size_and_keep_hot_words() {
        let mut c = WordCache::default();
        let hot = short_key("the").unwrap();
        c.insert(hot, 0u32);
        for i in 0..(5 * GENERATION) as u32 {
            c.insert(short_key(&format!("w{i}")).unwrap(), i + 1);
            if i % 1000 == 0 {
                assert_eq!(c.get(hot), Some(0));
            }
            assert!(c.len() <= ENTRIES);
        }
        assert_eq!(c.get(short_key("w0").unwrap()), None);
        let last = (5 * GENERATION - 1) as u32;
        assert_eq!(
            c.get(short_key(&format!("w{last}")).unwrap()),
            Some(last + 1)
        );
    }

    proptest! {
        #[test]
        fn key_matches_naive_packing(w in "\\PC{0,8}") {
            prop_assert_eq!(short_key(&w), naive(&w));
        }
    }
}
