//! Encodings of the values the tables hold: spans, signatures, passages, texts.
//! All little-endian, fixed width; texts are zstd frames behind a one-byte tag.

use whence_core::{Passage, PassageKind, Relation, Span};

use crate::StoreError;

/// A 64-bit hash as an SQLite integer whose signed order is the hash's unsigned order.
pub(crate) fn key(h: u64) -> i64 {
    (h ^ (1 << 63)) as i64
}

/// The hash back from [`key`].
pub(crate) fn unkey(k: i64) -> u64 {
    (k as u64) ^ (1 << 63)
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

pub(crate) fn encode_spans(spans: &[Span]) -> Vec<u8> {
    let mut out = Vec::with_capacity(spans.len() * 8);
    for s in spans {
        out.extend_from_slice(&(s.start() as u32).to_le_bytes());
        out.extend_from_slice(&(s.end() as u32).to_le_bytes());
    }
    out
}

/// Spans back, checked against the text they point into.
pub(crate) fn decode_spans(b: &[u8], text: &str) -> Result<Vec<Span>, StoreError> {
    if !b.len().is_multiple_of(8) {
        return Err(corrupt("span list"));
    }
    b.chunks_exact(8)
        .map(|c| {
            Span::checked(text, u32_at(c, 0) as usize, u32_at(c, 4) as usize)
                .map_err(|_| corrupt("span outside its text"))
        })
        .collect()
}

pub(crate) fn encode_u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

pub(crate) fn decode_u32s(b: &[u8]) -> Result<Vec<u32>, StoreError> {
    if !b.len().is_multiple_of(4) {
        return Err(corrupt("signature"));
    }
    Ok(b.chunks_exact(4).map(|c| u32_at(c, 0)).collect())
}

const PASSAGE_BYTES: usize = 21;

fn kind_code(k: PassageKind) -> u8 {
    match k {
        PassageKind::Verbatim => 0,
        PassageKind::Edited => 1,
        PassageKind::Paraphrase => 2,
    }
}

pub(crate) fn encode_passages(ps: &[Passage]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ps.len() * PASSAGE_BYTES);
    for p in ps {
        for x in [p.a.start(), p.a.end(), p.b.start(), p.b.end()] {
            out.extend_from_slice(&(x as u32).to_le_bytes());
        }
        out.push(kind_code(p.kind));
        out.extend_from_slice(&p.score.to_le_bytes());
    }
    out
}

pub(crate) fn decode_passages(b: &[u8]) -> Result<Vec<Passage>, StoreError> {
    if !b.len().is_multiple_of(PASSAGE_BYTES) {
        return Err(corrupt("passages"));
    }
    b.chunks_exact(PASSAGE_BYTES)
        .map(|c| {
            let span = |i| {
                let (s, e) = (u32_at(c, i) as usize, u32_at(c, i + 4) as usize);
                if s <= e {
                    Ok(Span::new(s, e))
                } else {
                    Err(corrupt("passage span"))
                }
            };
            let kind = match c[16] {
                0 => PassageKind::Verbatim,
                1 => PassageKind::Edited,
                2 => PassageKind::Paraphrase,
                _ => return Err(corrupt("passage kind")),
            };
            Ok(Passage {
                a: span(0)?,
                b: span(8)?,
                kind,
                score: f32::from_le_bytes([c[17], c[18], c[19], c[20]]),
            })
        })
        .collect()
}

/// Every relation, to read one back by its contract name.
const RELATIONS: [Relation; 7] = [
    Relation::NearDuplicate,
    Relation::ADerivedFromB,
    Relation::BDerivedFromA,
    Relation::UnknownDirection,
    Relation::SharedSource,
    Relation::Unrelated,
    Relation::Template,
];

#[cfg(test)]
mod relation_tests {
    use super::*;

    #[test]
    fn every_relation_reads_back() {
        for r in RELATIONS {
            assert_eq!(decode_relation(r.as_str()).unwrap(), r);
        }
        assert!(decode_relation("no_such_relation").is_err());
    }
}

pub(crate) fn decode_relation(s: &str) -> Result<Relation, StoreError> {
    RELATIONS
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| corrupt(&format!("unknown relation {s:?}")))
}

const RAW: u8 = 0;
const ZSTD: u8 = 1;
/// Texts shorter than this are stored as they are.
const COMPRESS_FROM: usize = 256;

/// A text as stored: zstd (level 3) when that is smaller, else raw.
pub(crate) fn encode_text(text: &str) -> Vec<u8> {
    if text.len() >= COMPRESS_FROM {
        if let Ok(z) = zstd::bulk::compress(text.as_bytes(), 3) {
            if z.len() + 1 < text.len() {
                let mut out = Vec::with_capacity(z.len() + 1);
                out.push(ZSTD);
                out.extend_from_slice(&z);
                return out;
            }
        }
    }
    let mut out = Vec::with_capacity(text.len() + 1);
    out.push(RAW);
    out.extend_from_slice(text.as_bytes());
    out
}

/// The text back, byte-identical; `bytes` is its stored length.
pub(crate) fn decode_text(b: &[u8], bytes: usize) -> Result<String, StoreError> {
    let raw = match b.split_first() {
        Some((&RAW, rest)) => rest.to_vec(),
        Some((&ZSTD, rest)) => {
            zstd::bulk::decompress(rest, bytes).map_err(|_| corrupt("compressed text"))?
        }
        _ => return Err(corrupt("text encoding")),
    };
    if raw.len() != bytes {
        return Err(corrupt("text length"));
    }
    String::from_utf8(raw).map_err(|_| corrupt("text is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn keys_keep_unsigned_order(a: u64, b: u64) {
            prop_assert_eq!(a.cmp(&b), key(a).cmp(&key(b)));
            prop_assert_eq!(unkey(key(a)), a);
        }

        #[test]
        fn texts_round_trip(s in "\\PC{0,2000}") {
            let e = encode_text(&s);
            prop_assert_eq!(decode_text(&e, s.len()).unwrap(), s);
        }
    }

    #[test]
    fn passages_round_trip() {
        let ps = vec![
            Passage {
                a: Span::new(0, 10),
                b: Span::new(5, 15),
                kind: PassageKind::Edited,
                score: 0.875,
            },
            Passage {
                a: Span::new(20, 40),
                b: Span::new(0, 3),
                kind: PassageKind::Paraphrase,
                score: 0.5,
            },
        ];
        assert_eq!(decode_passages(&encode_passages(&ps)).unwrap(), ps);
        assert!(decode_passages(&[1, 2, 3]).is_err());
    }

    #[test]
    fn long_repetitive_text_is_compressed() {
        let t = "The river rose overnight. ".repeat(100);
        assert!(encode_text(&t).len() < t.len() / 4);
        assert!(decode_text(&encode_text(&t), t.len() + 1).is_err());
    }
}
