//! A bounded embedding cache keyed by a 128-bit hash of the sentence text.
//!
//! Two generations approximate least-recently-used eviction in O(1): lookups and
//! inserts go to the young generation; when it holds half the capacity, the old
//! generation is dropped and the young one becomes old. A hit in the old
//! generation moves the entry back to the young one, so sentences in use survive.
//! At most `capacity` entries are held at any time.

use std::collections::HashMap;
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_128;

/// The cache key of a sentence: its xxh3-128 hash.
pub(crate) fn key(text: &str) -> u128 {
    xxh3_128(text.as_bytes())
}

#[derive(Debug)]
pub(crate) struct Cache {
    half: usize,
    young: HashMap<u128, Arc<[f32]>>,
    old: HashMap<u128, Arc<[f32]>>,
    hits: u64,
    misses: u64,
}

impl Cache {
    /// A cache holding at most `capacity` vectors (0 disables it).
    pub(crate) fn new(capacity: usize) -> Cache {
        Cache {
            half: capacity / 2,
            young: HashMap::new(),
            old: HashMap::new(),
            hits: 0,
            misses: 0,
        }
    }

    pub(crate) fn get(&mut self, k: u128) -> Option<Arc<[f32]>> {
        if let Some(v) = self.young.get(&k) {
            self.hits += 1;
            return Some(v.clone());
        }
        if let Some(v) = self.old.remove(&k) {
            self.hits += 1;
            self.put(k, v.clone());
            return Some(v);
        }
        self.misses += 1;
        None
    }

    pub(crate) fn put(&mut self, k: u128, v: Arc<[f32]>) {
        if self.half == 0 {
            return;
        }
        if self.young.len() >= self.half && !self.young.contains_key(&k) {
            self.old = std::mem::take(&mut self.young);
        }
        self.old.remove(&k);
        self.young.insert(k, v);
    }

    pub(crate) fn len(&self) -> usize {
        self.young.len() + self.old.len()
    }

    pub(crate) fn stats(&self) -> (u64, u64) {
        (self.hits, self.misses)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v(x: f32) -> Arc<[f32]> {
        Arc::from(vec![x])
    }

    #[test]
    fn recent_entries_survive_and_old_ones_go() {
        let mut c = Cache::new(4);
        c.put(1, v(1.0));
        c.put(2, v(2.0));
        // 1 is used again: moved to the young generation when the next one turns.
        c.put(3, v(3.0)); // young {3}, old {1,2}
        assert_eq!(c.get(1).unwrap()[0], 1.0); // young {3,1}, old {2}
        c.put(4, v(4.0)); // young {4}, old {3,1}; 2 dropped
        assert!(c.get(2).is_none());
        assert_eq!(c.get(1).unwrap()[0], 1.0);
        assert_eq!(c.get(4).unwrap()[0], 4.0);
    }

    #[test]
    fn zero_capacity_holds_nothing() {
        let mut c = Cache::new(0);
        c.put(1, v(1.0));
        assert!(c.get(1).is_none());
        assert_eq!(c.len(), 0);
    }

    proptest! {
        #[test]
        fn never_exceeds_capacity_and_never_lies(
            cap in 0usize..20,
            ops in proptest::collection::vec((0u128..30, any::<bool>()), 0..200),
        ) {
            let mut c = Cache::new(cap);
            for (k, is_put) in ops {
                if is_put {
                    c.put(k, v(k as f32));
                } else if let Some(got) = c.get(k) {
                    prop_assert_eq!(got[0], k as f32);
                }
                prop_assert!(c.len() <= cap);
            }
        }
    }
}
