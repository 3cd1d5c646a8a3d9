//! The frozen layers' output for training pairs, computed once and kept —
//! in memory for one run, or in a file across runs (cross-validation trains
//! many judges on overlapping pairs).

use std::collections::HashMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::{batch_mask, encode_pairs};
use crate::model::Batch;
use crate::{EmbedError, Model};

const MAGIC: &[u8; 8] = b"WHFROZ1\n";

/// For each ordered pair `(a, b)`: the hidden states of its real tokens after
/// the embedding and the first `frozen` layers of one base model.
pub struct FrozenCache {
    base: String,
    frozen: usize,
    hidden: usize,
    map: HashMap<u128, Vec<f32>>,
    added: usize,
}

fn key(a: &str, b: &str) -> u128 {
    let mut t = Vec::with_capacity(a.len() + b.len() + 1);
    t.extend_from_slice(a.as_bytes());
    t.push(0);
    t.extend_from_slice(b.as_bytes());
    xxhash_rust::xxh3::xxh3_128(&t)
}

impl FrozenCache {
    /// An empty cache for `model` with `frozen` layers frozen.
    pub fn new(model: &Model, frozen: usize) -> Result<FrozenCache, EmbedError> {
        Ok(FrozenCache {
            base: model.bert().fingerprint()?,
            frozen,
            hidden: model.dim(),
            map: HashMap::new(),
            added: 0,
        })
    }

    /// The cache in `path` when it exists (it must be for the same model and
    /// frozen depth: an error says so otherwise), else an empty one.
    pub fn open(path: &Path, model: &Model, frozen: usize) -> Result<FrozenCache, EmbedError> {
        let mut c = FrozenCache::new(model, frozen)?;
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(c),
            Err(e) => return Err(EmbedError::io(path, e)),
        };
        let bad = |r: &str| EmbedError::bad(path, r.to_string());
        let io = |e| EmbedError::io(path, e);
        let mut r = BufReader::new(f);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic).map_err(io)?;
        if &magic != MAGIC {
            return Err(bad("not a whence frozen-output cache"));
        }
        let mut len = [0u8; 4];
        r.read_exact(&mut len).map_err(io)?;
        let mut base = vec![0u8; u32::from_le_bytes(len) as usize];
        r.read_exact(&mut base).map_err(io)?;
        let mut nums = [0u8; 24];
        r.read_exact(&mut nums).map_err(io)?;
        let word = |i: usize| u64::from_le_bytes(nums[i * 8..i * 8 + 8].try_into().expect("8"));
        let (frozen_f, hidden_f, count) = (word(0) as usize, word(1) as usize, word(2));
        if base != c.base.as_bytes() || frozen_f != frozen || hidden_f != c.hidden {
            return Err(bad(&format!(
                "made for another model or depth (frozen layers {frozen_f}, wanted {frozen}); delete it"
            )));
        }
        for _ in 0..count {
            let mut k = [0u8; 16];
            r.read_exact(&mut k).map_err(io)?;
            let mut n = [0u8; 4];
            r.read_exact(&mut n).map_err(io)?;
            let n = u32::from_le_bytes(n) as usize * c.hidden;
            let mut bytes = vec![0u8; n * 4];
            r.read_exact(&mut bytes).map_err(io)?;
            let v = bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4")))
                .collect();
            c.map.insert(u128::from_le_bytes(k), v);
        }
        Ok(c)
    }

    /// Writes the cache to `path` (replacing it).
    pub fn save(&self, path: &Path) -> Result<(), EmbedError> {
        let io = |e| EmbedError::io(path, e);
        let tmp = path.with_extension("tmp");
        let mut w = BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
        w.write_all(MAGIC).map_err(io)?;
        w.write_all(&(self.base.len() as u32).to_le_bytes())
            .map_err(io)?;
        w.write_all(self.base.as_bytes()).map_err(io)?;
        for n in [
            self.frozen as u64,
            self.hidden as u64,
            self.map.len() as u64,
        ] {
            w.write_all(&n.to_le_bytes()).map_err(io)?;
        }
        let mut keys: Vec<&u128> = self.map.keys().collect();
        keys.sort_unstable();
        for k in keys {
            let v = &self.map[k];
            w.write_all(&k.to_le_bytes()).map_err(io)?;
            w.write_all(&((v.len() / self.hidden) as u32).to_le_bytes())
                .map_err(io)?;
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            w.write_all(&bytes).map_err(io)?;
        }
        w.into_inner()
            .map_err(|e| io(e.into_error()))?
            .sync_all()
            .map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Frozen layers.
    pub fn frozen(&self) -> usize {
        self.frozen
    }

    /// Pairs computed since the cache was made or opened.
    pub fn added(&self) -> usize {
        self.added
    }

    /// Computes the pairs not yet in the cache (batched, length-sorted).
    pub(crate) fn fill(&mut self, model: &Model, pairs: &[(&str, &str)]) -> Result<(), EmbedError> {
        let mut seen = std::collections::HashSet::new();
        let todo: Vec<(&str, &str)> = pairs
            .iter()
            .copied()
            .filter(|&(a, b)| {
                let k = key(a, b);
                !self.map.contains_key(&k) && seen.insert(k)
            })
            .collect();
        if todo.is_empty() {
            return Ok(());
        }
        let bert = model.bert();
        let encodings = encode_pairs(model.tokenizer(), &todo)?;
        let mut order: Vec<usize> = (0..todo.len()).collect();
        order.sort_by_key(|&i| (encodings[i].get_ids().len(), i));
        let h = self.hidden;
        for chunk in order.chunks(model.batch_size()) {
            let b = Batch::pad(
                chunk.iter().map(|&i| &encodings[i]),
                bert.config().vocab_size,
            )?;
            let x = bert.embed(&b.ids, &b.types, b.batch, b.seq)?;
            let x = bert.forward_layers(x, &batch_mask(bert, &b)?, 0..self.frozen)?;
            let all: Vec<f32> = x.flatten_all()?.to_vec1()?;
            for (row, &i) in chunk.iter().enumerate() {
                let n = encodings[i].get_ids().len().max(1);
                let start = row * b.seq * h;
                let (a, bb) = todo[i];
                self.map
                    .insert(key(a, bb), all[start..start + n * h].to_vec());
                self.added += 1;
            }
        }
        Ok(())
    }

    /// The hidden states of `(a, b)`, token after token; `None` when not
    /// computed.
    pub(crate) fn get(&self, a: &str, b: &str) -> Option<&[f32]> {
        self.map.get(&key(a, b)).map(Vec::as_slice)
    }
}
