//! Scoring sentence pairs given as tab-separated lines (`whence similar --pairs`).

use serde_json::{json, Value};

use crate::judge::{features, probability, Features, FEATURE_NAMES};
use crate::{EmbedError, Model};

/// What `score` means and how the verdict is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rule {
    /// `score` is the probability of [`crate::judge`] (cosine, token soft
    /// alignment and lexical checks combined; in [0, 1]); default threshold
    /// [`crate::DEFAULT_JUDGE_THRESHOLD`].
    #[default]
    Judge,
    /// `score` is the plain cosine of the two sentence vectors (in [-1, 1]);
    /// default threshold [`crate::DEFAULT_PARAPHRASE_THRESHOLD`].
    Cosine,
}

impl Rule {
    /// The rule's default threshold.
    pub fn default_threshold(self) -> Threshold {
        Threshold(match self {
            Rule::Judge => crate::DEFAULT_JUDGE_THRESHOLD,
            Rule::Cosine => crate::DEFAULT_PARAPHRASE_THRESHOLD,
        })
    }
}

/// The verdict on one pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairScore {
    /// Under [`Rule::Judge`] the probability of a paraphrase, in [0, 1]; under
    /// [`Rule::Cosine`] the cosine of the two sentence vectors, in [-1, 1].
    pub score: f32,
    /// `score >= threshold`.
    pub paraphrase: bool,
    /// What the decision was made from (the cosine is among them).
    pub features: Features,
}

impl PairScore {
    /// `{"score": 0.831234, "paraphrase": true}` (score rounded to 6 decimals).
    pub fn to_json(&self) -> Value {
        json!({"score": round6(self.score), "paraphrase": self.paraphrase})
    }

    /// The regression inputs as a JSON object keyed by [`FEATURE_NAMES`]
    /// (rounded to 6 decimals).
    pub fn features_json(&self) -> Value {
        let m: serde_json::Map<String, Value> = FEATURE_NAMES
            .iter()
            .zip(self.features.to_array())
            .map(|(n, x)| (n.to_string(), json!(round6(x))))
            .collect();
        Value::Object(m)
    }
}

fn round6(x: f32) -> f64 {
    (f64::from(x) * 1e6).round() / 1e6
}

/// A paraphrase threshold: a finite number in [-1, 1] (the range of a cosine;
/// probabilities use [0, 1] of it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold(f32);

impl Threshold {
    /// Checks the range.
    pub fn new(x: f32) -> Result<Threshold, EmbedError> {
        if x.is_finite() && (-1.0..=1.0).contains(&x) {
            Ok(Threshold(x))
        } else {
            Err(EmbedError::Options(format!(
                "the threshold must be a number between -1 and 1, not {x}"
            )))
        }
    }

    /// The value.
    pub fn get(self) -> f32 {
        self.0
    }
}

impl Default for Threshold {
    /// The default threshold of the default rule ([`Rule::Judge`]).
    fn default() -> Self {
        Rule::default().default_threshold()
    }
}

/// Splits one input line into its two sentences: exactly two tab-separated
/// columns, a trailing `\r` ignored. The error says what was found instead.
pub fn parse_pair_line(line: &str) -> Result<(&str, &str), String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() {
        return Err("empty line; expected two tab-separated sentences".into());
    }
    let cols: Vec<&str> = line.split('\t').collect();
    match cols.as_slice() {
        [a, b] => Ok((a, b)),
        _ => Err(format!(
            "expected two tab-separated columns, found {}",
            cols.len()
        )),
    }
}

/// Scores pairs of sentences with one batched embedding of all their sentences
/// ([`Model::embed_tokens`]: one forward pass per sentence, not cached).
pub fn score_pairs(
    model: &Model,
    pairs: &[(&str, &str)],
    rule: Rule,
    threshold: Threshold,
) -> Result<Vec<PairScore>, EmbedError> {
    let mut sentences = Vec::with_capacity(pairs.len() * 2);
    for (a, b) in pairs {
        sentences.push(*a);
        sentences.push(*b);
    }
    let v = model.embed_tokens(&sentences)?;
    Ok(pairs
        .iter()
        .zip(v.chunks(2))
        .map(|((a, b), ab)| {
            let f = features(a, b, &ab[0], &ab[1]);
            let score = match rule {
                Rule::Judge => probability(&f),
                Rule::Cosine => f.cosine,
            };
            PairScore {
                score,
                paraphrase: score >= threshold.get(),
                features: f,
            }
        })
        .collect())
}

/// Scores a block of input lines, numbered from `first_line` (1-based), into one
/// JSON object per line, in order: `{"line", "score", "paraphrase"}`, or
/// `{"line", "error"}` for a line that is not two tab-separated sentences.
/// With `with_features`, each scored line also has `"features"`
/// ([`PairScore::features_json`]). Only a failure of the model itself is an `Err`.
pub fn score_pair_lines(
    model: &Model,
    lines: &[String],
    first_line: usize,
    rule: Rule,
    threshold: Threshold,
    with_features: bool,
) -> Result<Vec<Value>, EmbedError> {
    let parsed: Vec<Result<(&str, &str), String>> =
        lines.iter().map(|l| parse_pair_line(l)).collect();
    let good: Vec<(&str, &str)> = parsed.iter().filter_map(|p| p.clone().ok()).collect();
    let mut scores = score_pairs(model, &good, rule, threshold)?.into_iter();
    Ok(parsed
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let line = first_line + i;
            match p {
                Ok(_) => {
                    let s = scores.next().expect("one score per parsed pair");
                    let mut v =
                        json!({"line": line, "score": round6(s.score), "paraphrase": s.paraphrase});
                    if with_features {
                        v["features"] = s.features_json();
                    }
                    v
                }
                Err(e) => json!({"line": line, "error": e}),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_exactly_two_columns() {
        assert_eq!(parse_pair_line("a b\tc d"), Ok(("a b", "c d")));
        assert_eq!(parse_pair_line("a\tb\r"), Ok(("a", "b")));
        assert_eq!(parse_pair_line("a\t"), Ok(("a", "")));
        assert!(parse_pair_line("just one").unwrap_err().contains("found 1"));
        assert!(parse_pair_line("a\tb\tc").unwrap_err().contains("found 3"));
        assert!(parse_pair_line("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn thresholds_outside_the_cosine_range_are_refused() {
        assert!(Threshold::new(0.5).is_ok());
        assert!(Threshold::new(1.5).is_err());
        assert!(Threshold::new(f32::NAN).is_err());
    }
}
