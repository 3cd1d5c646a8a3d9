//! Scoring sentence pairs given as tab-separated lines (`whence similar --pairs`).

use serde_json::{json, Value};

use crate::cross::Adapter;
use crate::judge::{features, probability, Features, FEATURE_NAMES};
use crate::{CrossEncoder, EmbedError, Model};

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
    /// `score` is the probability of a trained cross-encoder
    /// ([`crate::CrossEncoder`], both sentences read together; in [0, 1]);
    /// default threshold the one stored with its [`Adapter`].
    Cross,
}

impl Rule {
    /// The rule's default threshold ([`Rule::Cross`]: 0.5; a trained
    /// adapter carries its own, which [`PairScorer::new`] uses).
    pub fn default_threshold(self) -> Threshold {
        Threshold(match self {
            Rule::Judge => crate::DEFAULT_JUDGE_THRESHOLD,
            Rule::Cosine => crate::DEFAULT_PARAPHRASE_THRESHOLD,
            Rule::Cross => 0.5,
        })
    }
}

/// The verdict on one pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairScore {
    /// Under [`Rule::Judge`] and [`Rule::Cross`] the probability of a
    /// paraphrase, in [0, 1]; under [`Rule::Cosine`] the cosine of the two
    /// sentence vectors, in [-1, 1].
    pub score: f32,
    /// `score >= threshold`.
    pub paraphrase: bool,
    /// The pair's bi-encoder and lexical features (the cosine is among
    /// them), when they were asked for or needed.
    pub features: Option<Features>,
}

impl PairScore {
    /// `{"score": 0.831234, "paraphrase": true}` (score rounded to 6
    /// decimals), plus `"features"` when they were computed.
    pub fn to_json(&self) -> Value {
        let mut v = json!({"score": round6(self.score), "paraphrase": self.paraphrase});
        if let Some(f) = &self.features {
            v["features"] = features_json(f);
        }
        v
    }
}

/// The features as a JSON object keyed by [`FEATURE_NAMES`] (rounded to 6
/// decimals).
pub fn features_json(f: &Features) -> Value {
    let m: serde_json::Map<String, Value> = FEATURE_NAMES
        .iter()
        .zip(f.to_array())
        .map(|(n, x)| (n.to_string(), json!(round6(x))))
        .collect();
    Value::Object(m)
}

/// Scores sentence pairs by one [`Rule`]: the judge of `whence similar`.
#[derive(Debug)]
pub struct PairScorer<'m> {
    model: &'m Model,
    cross: Option<CrossEncoder>,
    rule: Rule,
    threshold: Threshold,
    features: bool,
}

impl<'m> PairScorer<'m> {
    /// A scorer with `model`. Under [`Rule::Cross`], `judge` is the
    /// cross-encoder's adapter (required: none is built in) and the threshold
    /// defaults to the adapter's; the other rules ignore `judge`. `features`
    /// also reports each pair's [`Features`] (computed anyway under
    /// [`Rule::Judge`] and [`Rule::Cosine`]; one more encoder pass per
    /// sentence under [`Rule::Cross`]). Errors when the adapter is missing or
    /// does not belong to `model`.
    pub fn new(
        model: &'m Model,
        rule: Rule,
        judge: Option<&Adapter>,
        threshold: Option<Threshold>,
        features: bool,
    ) -> Result<PairScorer<'m>, EmbedError> {
        let cross = match (rule, judge) {
            (Rule::Cross, Some(a)) => Some(CrossEncoder::new(model, a)?),
            (Rule::Cross, None) => {
                return Err(EmbedError::Options(
                    "the cross-encoder rule needs a trained judge (an adapter file)".into(),
                ))
            }
            _ => None,
        };
        let threshold = match (threshold, &cross) {
            (Some(t), _) => t,
            (None, Some(c)) => Threshold::new(c.threshold())?,
            (None, None) => rule.default_threshold(),
        };
        Ok(PairScorer {
            model,
            cross,
            rule,
            threshold,
            features,
        })
    }

    /// The threshold in use.
    pub fn threshold(&self) -> Threshold {
        self.threshold
    }

    /// The rule in use.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// Scores pairs of sentences, in order: one batched cross-encoder run
    /// (both orders of every pair) under [`Rule::Cross`]; one batched
    /// embedding of all sentences ([`Model::embed_tokens`], not cached) for
    /// the cosine and the features.
    pub fn score(&self, pairs: &[(&str, &str)]) -> Result<Vec<PairScore>, EmbedError> {
        let features: Vec<Option<Features>> = if self.features || self.cross.is_none() {
            let sentences: Vec<&str> = pairs.iter().flat_map(|(a, b)| [*a, *b]).collect();
            let v = self.model.embed_tokens(&sentences)?;
            pairs
                .iter()
                .zip(v.chunks(2))
                .map(|((a, b), ab)| Some(features(a, b, &ab[0], &ab[1])))
                .collect()
        } else {
            vec![None; pairs.len()]
        };
        let scores: Vec<f32> = match &self.cross {
            Some(c) => c.probabilities(pairs)?,
            None => features
                .iter()
                .map(|f| {
                    let f = f.as_ref().expect("computed without a cross-encoder");
                    match self.rule {
                        Rule::Cosine => f.cosine,
                        _ => probability(f),
                    }
                })
                .collect(),
        };
        Ok(scores
            .into_iter()
            .zip(features)
            .map(|(score, f)| PairScore {
                score,
                paraphrase: score >= self.threshold.get(),
                features: if self.features { f } else { None },
            })
            .collect())
    }

    /// Scores a block of input lines, numbered from `first_line` (1-based),
    /// into one JSON object per line, in order: `{"line", "score",
    /// "paraphrase"}` (and `"features"` when asked for), or `{"line",
    /// "error"}` for a line that is not two tab-separated sentences. Only a
    /// failure of the model itself is an `Err`.
    pub fn score_lines(
        &self,
        lines: &[String],
        first_line: usize,
    ) -> Result<Vec<Value>, EmbedError> {
        let parsed: Vec<Result<(&str, &str), String>> =
            lines.iter().map(|l| parse_pair_line(l)).collect();
        let good: Vec<(&str, &str)> = parsed.iter().filter_map(|p| p.clone().ok()).collect();
        let mut scores = self.score(&good)?.into_iter();
        Ok(parsed
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let line = first_line + i;
                match p {
                    Ok(_) => {
                        let s = scores.next().expect("one score per parsed pair");
                        let mut v = json!({"line": line});
                        if let (Value::Object(m), Value::Object(rest)) = (&mut v, s.to_json()) {
                            m.extend(rest);
                        }
                        v
                    }
                    Err(e) => json!({"line": line, "error": e}),
                }
            })
            .collect())
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
