//! Word k-grams of token keys, skipping masked tokens, hashed to 64 bits.

/// One k-gram: its 64-bit hash and the token index where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Shingle {
    /// Well-mixed hash of the k keys (a function of the keys only, not of `pos`).
    pub hash: u64,
    /// Token index of the k-gram's first token.
    pub pos: u32,
}

const K1: u64 = 0x9E37_79B9_7F4A_7C15;
const K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// The murmur3 64-bit finalizer: a bijection that spreads every input bit.
#[inline]
pub(crate) fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^ (h >> 33)
}

/// Hash of a k-gram of keys. Order-sensitive, seeded, stable across machines.
#[inline]
pub(crate) fn kgram_hash(keys: &[u64], seed: u64) -> u64 {
    let mut h = seed ^ (keys.len() as u64).wrapping_mul(K2);
    for &k in keys {
        h = (h.rotate_left(27) ^ k).wrapping_mul(K1);
    }
    fmix64(h)
}

/// Appends to `out` every k-gram of `keys` whose k tokens are all unmasked.
///
/// `mask[i] == true` excludes token `i`: no k-gram containing it is formed, so a
/// masked token neither contributes to a shingle nor joins the text on its two sides.
/// Positions beyond the end of a shorter mask count as unmasked (a mask is expected
/// to have `keys.len()` entries). Sequences shorter than `k` give no k-gram.
pub fn shingles_into(
    keys: &[u64],
    mask: Option<&[bool]>,
    k: usize,
    seed: u64,
    out: &mut Vec<Shingle>,
) {
    if let Some(m) = mask {
        debug_assert_eq!(m.len(), keys.len(), "mask length differs from keys");
    }
    if k == 0 || keys.len() < k {
        return;
    }
    out.reserve(keys.len() + 1 - k);
    match mask {
        None => {
            for (start, win) in keys.windows(k).enumerate() {
                out.push(Shingle {
                    hash: kgram_hash(win, seed),
                    pos: pos32(start),
                });
            }
        }
        Some(mask) => {
            let mut run = 0usize;
            for j in 0..keys.len() {
                if mask.get(j).copied().unwrap_or(false) {
                    run = 0;
                    continue;
                }
                run += 1;
                if run >= k {
                    let start = j + 1 - k;
                    out.push(Shingle {
                        hash: kgram_hash(&keys[start..=j], seed),
                        pos: pos32(start),
                    });
                }
            }
        }
    }
}

/// Token index as `u32`, saturating (documents beyond 4 billion tokens are not expected).
#[inline]
fn pos32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_tokens_break_kgrams() {
        let keys = [1, 2, 3, 4, 5, 6, 7];
        let mut all = Vec::new();
        shingles_into(&keys, None, 3, 0, &mut all);
        assert_eq!(all.len(), 5);
        let mask = [false, false, false, true, false, false, false];
        let mut some = Vec::new();
        shingles_into(&keys, Some(&mask), 3, 0, &mut some);
        let pos: Vec<u32> = some.iter().map(|s| s.pos).collect();
        assert_eq!(pos, vec![0, 4]);
        assert_eq!(some[0].hash, all[0].hash);
        assert_eq!(some[1].hash, all[4].hash);
    }

    #[test]
    fn hash_depends_on_order_and_seed() {
        assert_ne!(kgram_hash(&[1, 2, 3], 0), kgram_hash(&[3, 2, 1], 0));
        assert_ne!(kgram_hash(&[1, 2, 3], 0), kgram_hash(&[1, 2, 3], 1));
        assert_ne!(kgram_hash(&[0, 0], 0), kgram_hash(&[0, 0, 0], 0));
    }

    #[test]
    fn short_input_gives_nothing() {
        let mut out = Vec::new();
        shingles_into(&[1, 2], None, 3, 0, &mut out);
        shingles_into(&[], None, 3, 0, &mut out);
        assert!(out.is_empty());
    }
}
