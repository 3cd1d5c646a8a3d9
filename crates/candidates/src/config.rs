//! Index and LSH settings: raw (as a user gives them) → validated.

use std::path::PathBuf;

/// Inverted-index settings as given; validate with [`RawIndexConfig::validate`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawIndexConfig {
    /// Fingerprints found in more than this many documents are dropped (stock
    /// phrases, site chrome). Lower: fewer and cheaper candidates, but a source
    /// reused more than `max_df − 1` times loses the fingerprints it shares with them.
    pub max_df: u32,
    /// Fewest shared fingerprints for a candidate pair. 1 finds every shared run of
    /// `w + k − 1` tokens but also every shared stock phrase; 2–3 cuts most noise.
    pub min_shared: u32,
    /// Fewest shared fingerprints per fingerprint of the side with the higher
    /// containment (`max(containment_a, containment_b)`), unless the pair shares at
    /// least `strong_shared`; 0 keeps all. Cuts pairs of long texts that share a
    /// couple of incidental runs.
    pub min_containment: f32,
    /// Pairs sharing at least this many fingerprints are kept whatever their
    /// containment (a few paragraphs of a wire story inside a long article).
    pub strong_shared: u32,
    /// What to do with fingerprints over `max_df`.
    pub frequent: Frequent,
    /// Bytes of postings and pair records held in memory before sorted runs are
    /// spilled to temporary files.
    pub memory_budget: usize,
    /// Directory for spill files (default: the system temporary directory).
    pub temp_dir: Option<PathBuf>,
}

impl Default for RawIndexConfig {
    /// `max_df = 64, min_shared = 2, min_containment = 0.2, strong_shared = 6,
    /// memory_budget = 1 GiB` (chosen by measurement with winnowing `k = 4, w = 4`,
    /// see `docs/candidates-notes.md`): a pair is a candidate when it shares ≥ 2
    /// fingerprints and either ≥ 20 % of one side's or ≥ 6 in all.
    fn default() -> Self {
        RawIndexConfig {
            max_df: 64,
            min_shared: 2,
            min_containment: 0.2,
            strong_shared: 6,
            frequent: Frequent::Drop,
            memory_budget: 1 << 30,
            temp_dir: None,
        }
    }
}

/// Treatment of fingerprints held by more than `max_df` documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frequent {
    /// Ignore them: they pair nothing, are left out of every containment
    /// denominator, and queries skip them.
    #[default]
    Drop,
    /// Link each holder to the earliest (smallest id) holder only: linear pair
    /// records instead of quadratic; the hub keeps evidence of everything copied
    /// from it (a wire story republished by hundreds of sites), other holders
    /// pair through it. They stay in containment denominators; queries match
    /// them against the hub only.
    Star,
}

/// Why settings were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("max_df must be at least 2 (a fingerprint in one document pairs nothing), got {0}")]
    MaxDf(u32),
    #[error("min_shared must be at least 1, got {0}")]
    MinShared(u32),
    #[error("{name} must be in [0, 1], got {value}")]
    Fraction { name: &'static str, value: f32 },
    #[error("memory budget must be at least 64 KiB, got {0} bytes")]
    Budget(usize),
    #[error("LSH needs at least one band and one row, got {bands} × {rows}")]
    Bands { bands: usize, rows: usize },
    #[error("max_bucket must be at least 2, got {0}")]
    MaxBucket(usize),
}

/// Validated index settings; the only form [`crate::IndexBuilder`] accepts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndexConfig(RawIndexConfig);

impl RawIndexConfig {
    /// Checks ranges.
    pub fn validate(self) -> Result<IndexConfig, ConfigError> {
        if self.max_df < 2 {
            return Err(ConfigError::MaxDf(self.max_df));
        }
        if self.min_shared == 0 {
            return Err(ConfigError::MinShared(self.min_shared));
        }
        if !(0.0..=1.0).contains(&self.min_containment) {
            return Err(ConfigError::Fraction {
                name: "min_containment",
                value: self.min_containment,
            });
        }
        if self.memory_budget < 1 << 16 {
            return Err(ConfigError::Budget(self.memory_budget));
        }
        Ok(IndexConfig(self))
    }
}

impl IndexConfig {
    /// The validated settings.
    pub fn get(&self) -> &RawIndexConfig {
        &self.0
    }

    /// Whether a fingerprint held by `df` documents is over the cut-off
    /// (`df > max_df`): such fingerprints are dropped (or linked as a star) before
    /// any pair is formed from them.
    pub fn is_frequent(&self, df: u64) -> bool {
        df > u64::from(self.0.max_df)
    }

    /// The candidate rule: documents `a < b` sharing `shared` kept fingerprints,
    /// of which they hold `kept_a` and `kept_b` (after the df cut-off), are a
    /// candidate when `shared >= min_shared` and either one side's containment
    /// reaches `min_containment` or `shared >= strong_shared`. The one definition
    /// [`crate::IndexBuilder`] and distributed runners apply.
    pub fn candidate(
        &self,
        a: u32,
        b: u32,
        shared: u32,
        kept_a: u32,
        kept_b: u32,
    ) -> Option<crate::Candidate> {
        let c = &self.0;
        if shared < c.min_shared {
            return None;
        }
        let ca = shared as f32 / kept_a.max(1) as f32;
        let cb = shared as f32 / kept_b.max(1) as f32;
        (ca.max(cb) >= c.min_containment || shared >= c.strong_shared).then_some(crate::Candidate {
            a,
            b,
            shared,
            containment_a: ca,
            containment_b: cb,
        })
    }
}

/// MinHash-LSH banding settings as given; validate with [`RawLshConfig::validate`].
///
/// A pair with Jaccard similarity `s` shares at least one band with probability
/// `1 − (1 − s^rows)^bands`; the threshold where that probability is steepest is
/// about `(1/bands)^(1/rows)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RawLshConfig {
    /// Number of bands.
    pub bands: usize,
    /// Signature values per band (`bands × rows` must not exceed the signature length).
    pub rows: usize,
    /// Pairs whose estimated Jaccard over the whole signature is below this are dropped.
    pub min_jaccard: f32,
    /// Buckets larger than this are linked as a star to their smallest document
    /// instead of as all pairs (linear output for huge duplicate clusters).
    pub max_bucket: usize,
}

impl Default for RawLshConfig {
    /// 42 bands × 3 rows of a 128-value signature (threshold ≈ 0.29; a pair at
    /// J = 0.5 is found with probability 0.996, at J = 0.2 with 0.29), min_jaccard
    /// 0.3, max_bucket 256. Chosen by measurement with MinHash over word 3-grams.
    fn default() -> Self {
        RawLshConfig {
            bands: 42,
            rows: 3,
            min_jaccard: 0.3,
            max_bucket: 256,
        }
    }
}

/// Validated LSH settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LshConfig(RawLshConfig);

impl RawLshConfig {
    /// Checks ranges.
    pub fn validate(self) -> Result<LshConfig, ConfigError> {
        if self.bands == 0 || self.rows == 0 {
            return Err(ConfigError::Bands {
                bands: self.bands,
                rows: self.rows,
            });
        }
        if !(0.0..=1.0).contains(&self.min_jaccard) {
            return Err(ConfigError::Fraction {
                name: "min_jaccard",
                value: self.min_jaccard,
            });
        }
        if self.max_bucket < 2 {
            return Err(ConfigError::MaxBucket(self.max_bucket));
        }
        Ok(LshConfig(self))
    }
}

impl LshConfig {
    /// The validated settings.
    pub fn get(&self) -> &RawLshConfig {
        &self.0
    }

    /// Probability that a pair of Jaccard similarity `s` shares at least one band.
    pub fn probability(&self, s: f32) -> f32 {
        let (b, r) = (self.0.bands as i32, self.0.rows as i32);
        1.0 - (1.0 - s.powi(r)).powi(b)
    }

    /// Whether a bucket of `len` documents is linked as a star to its smallest
    /// document instead of as all pairs.
    pub fn stars(&self, len: usize) -> bool {
        len > self.0.max_bucket
    }

    /// The approximate similarity threshold `(1/bands)^(1/rows)`.
    pub fn threshold(&self) -> f32 {
        (1.0 / self.0.bands as f32).powf(1.0 / self.0.rows as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_refuses_bad_values() {
        assert!(RawIndexConfig {
            max_df: 1,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawIndexConfig {
            min_shared: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawIndexConfig {
            min_containment: 1.5,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawIndexConfig {
            memory_budget: 10,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawIndexConfig::default().validate().is_ok());
        assert!(RawLshConfig {
            bands: 0,
            ..Default::default()
        }
        .validate()
        .is_err());
        assert!(RawLshConfig {
            max_bucket: 1,
            ..Default::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn lsh_curve() {
        let c = RawLshConfig::default().validate().unwrap();
        assert!((c.threshold() - 0.288).abs() < 0.01);
        assert!(c.probability(0.5) > 0.99);
        assert!(c.probability(0.1) < 0.05);
    }
}
