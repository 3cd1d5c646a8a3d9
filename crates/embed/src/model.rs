//! Loading a model directory and embedding sentences with it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candle_core::Device;
use serde::Deserialize;
use tokenizers::{Encoding, Tokenizer, TruncationParams};

use crate::bert::{mean_pool_normalize, Bert, RawBertConfig};
use crate::cache::{self, Cache};
use crate::EmbedError;

/// One sentence as [`Model::embed_tokens`] returns it: the unit-length sentence
/// vector and the unit-length contextual vectors of its real (non-special)
/// tokens, in order. Invariant: `tokens.len()` is a multiple of `dim`.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceVectors {
    pooled: Vec<f32>,
    tokens: Vec<f32>,
    dim: usize,
}

impl SentenceVectors {
    /// Builds one from parts (e.g. vectors computed elsewhere). `None` when
    /// `dim` is 0, `pooled` is not `dim` long, or `tokens` is not a whole
    /// number of `dim`-long rows. Rows are used as given (callers normalise).
    pub fn new(pooled: Vec<f32>, tokens: Vec<f32>, dim: usize) -> Option<SentenceVectors> {
        (dim > 0 && pooled.len() == dim && tokens.len().is_multiple_of(dim)).then_some(
            SentenceVectors {
                pooled,
                tokens,
                dim,
            },
        )
    }

    /// The sentence vector (what [`Model::embed`] returns).
    pub fn pooled(&self) -> &[f32] {
        &self.pooled
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of real tokens (special tokens excluded; after truncation).
    pub fn token_count(&self) -> usize {
        self.tokens.len() / self.dim
    }

    /// The vector of token `i` (0-based among the real tokens).
    pub fn token(&self, i: usize) -> &[f32] {
        &self.tokens[i * self.dim..(i + 1) * self.dim]
    }

    /// All token vectors, row after row.
    pub fn token_rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.tokens.chunks_exact(self.dim)
    }
}

/// A padded batch of encodings: `ids`, `types` and `mask` are `batch * seq`
/// row-major, `mask` 1 on real tokens and 0 on padding.
pub(crate) struct Batch {
    pub(crate) ids: Vec<u32>,
    pub(crate) types: Vec<u32>,
    pub(crate) mask: Vec<f32>,
    pub(crate) batch: usize,
    pub(crate) seq: usize,
}

impl Batch {
    /// Pads `encodings` to the longest (at least one position). An empty
    /// encoding gets one attended padding token, so pooling has something to
    /// average. Errors when an id is outside the vocabulary.
    pub(crate) fn pad<'a>(
        encodings: impl ExactSizeIterator<Item = &'a Encoding> + Clone,
        vocab: usize,
    ) -> Result<Batch, EmbedError> {
        let batch = encodings.len();
        let seq = encodings
            .clone()
            .map(|e| e.get_ids().len())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = vec![0u32; batch * seq];
        let mut types = vec![0u32; batch * seq];
        let mut mask = vec![0f32; batch * seq];
        for (row, e) in encodings.enumerate() {
            let n = e.get_ids().len();
            for (t, (&id, &ty)) in e.get_ids().iter().zip(e.get_type_ids()).enumerate() {
                if id as usize >= vocab {
                    return Err(EmbedError::Tokenize(format!(
                        "token id {id} is outside the model's vocabulary ({vocab})"
                    )));
                }
                ids[row * seq + t] = id;
                types[row * seq + t] = ty;
            }
            for m in &mut mask[row * seq..row * seq + n] {
                *m = 1.0;
            }
            if n == 0 {
                // A tokenizer without special tokens and an empty sentence:
                // pool over one padding token rather than nothing.
                mask[row * seq] = 1.0;
            }
        }
        Ok(Batch {
            ids,
            types,
            mask,
            batch,
            seq,
        })
    }
}

/// The weights file of a model directory.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The architecture file of a model directory.
pub const CONFIG_FILE: &str = "config.json";
/// The tokenizer file of a model directory (Hugging Face `tokenizers` format).
pub const TOKENIZER_FILE: &str = "tokenizer.json";
/// Optional: sentence-transformers' settings (its `max_seq_length` is honoured).
pub const SENTENCE_CONFIG_FILE: &str = "sentence_bert_config.json";
/// Optional: sentence-transformers' pooling settings (only mean pooling is accepted).
pub const POOLING_CONFIG_FILE: &str = "1_Pooling/config.json";

/// Embedding settings as given, before validation.
#[derive(Clone, Debug)]
pub struct RawEmbedOptions {
    /// Sentences run through the encoder together (each batch is padded to its
    /// longest sentence; sentences are sorted by length first).
    pub batch_size: usize,
    /// Most embeddings kept in the cache (0 disables it).
    pub cache_capacity: usize,
    /// Tokens kept per sentence, special tokens included; `None`: the model's own
    /// (`max_seq_length` of `sentence_bert_config.json`, else the position limit).
    pub max_length: Option<usize>,
}

impl Default for RawEmbedOptions {
    fn default() -> Self {
        RawEmbedOptions {
            batch_size: 32,
            cache_capacity: 100_000,
            max_length: None,
        }
    }
}

/// Validated [`RawEmbedOptions`]: `batch_size >= 1`, `max_length >= 2` when given.
#[derive(Clone, Debug)]
pub struct EmbedOptions {
    batch_size: usize,
    cache_capacity: usize,
    max_length: Option<usize>,
}

impl RawEmbedOptions {
    /// Checks the ranges.
    pub fn validate(self) -> Result<EmbedOptions, EmbedError> {
        if self.batch_size == 0 {
            return Err(EmbedError::Options("batch_size must be at least 1".into()));
        }
        if matches!(self.max_length, Some(n) if n < 2) {
            return Err(EmbedError::Options(
                "max_length must leave room for [CLS] and [SEP] (at least 2)".into(),
            ));
        }
        Ok(EmbedOptions {
            batch_size: self.batch_size,
            cache_capacity: self.cache_capacity,
            max_length: self.max_length,
        })
    }
}

impl Default for EmbedOptions {
    fn default() -> Self {
        RawEmbedOptions::default()
            .validate()
            .expect("the default options are valid")
    }
}

#[derive(Deserialize)]
struct SentenceConfig {
    max_seq_length: Option<usize>,
}

#[derive(Deserialize)]
struct PoolingConfig {
    #[serde(default = "yes")]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
}

fn yes() -> bool {
    true
}

/// A sentence-embedding model: a BERT encoder, its tokenizer, mean pooling and
/// L2 normalisation, as sentence-transformers computes them. `Send + Sync`:
/// share one behind an `Arc` and call [`Model::embed`] from any thread.
pub struct Model {
    dir: PathBuf,
    bert: Bert,
    tokenizer: Tokenizer,
    max_length: usize,
    batch_size: usize,
    cache: Mutex<Cache>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("dir", &self.dir)
            .field("dim", &self.dim())
            .field("max_length", &self.max_length)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, EmbedError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(EmbedError::MissingFile {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(EmbedError::io(path, e)),
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, EmbedError> {
    serde_json::from_slice(bytes).map_err(|e| EmbedError::bad(path, format!("not valid: {e}")))
}

impl Model {
    /// Loads `dir/config.json`, `dir/tokenizer.json` and `dir/model.safetensors`
    /// with the default options.
    ///
    /// Errors name the file that is missing or wrong: a tensor absent or of the
    /// wrong shape, a tokenizer whose ids exceed the vocabulary, an unsupported
    /// architecture or pooling.
    pub fn load(dir: impl AsRef<Path>) -> Result<Model, EmbedError> {
        Model::load_with(dir, &EmbedOptions::default())
    }

    /// [`Model::load`] with explicit options.
    pub fn load_with(dir: impl AsRef<Path>, options: &EmbedOptions) -> Result<Model, EmbedError> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(EmbedError::MissingFile {
                path: dir.to_path_buf(),
            });
        }
        let config_path = dir.join(CONFIG_FILE);
        let tok_path = dir.join(TOKENIZER_FILE);
        let weights_path = dir.join(WEIGHTS_FILE);
        // Report every missing file in one go would be nicer, but the first is
        // enough to act on; check existence before the slow parts.
        for p in [&config_path, &tok_path, &weights_path] {
            if !p.is_file() {
                return Err(EmbedError::MissingFile { path: p.clone() });
            }
        }
        let raw: RawBertConfig = parse_json(&config_path, &read(&config_path)?)?;
        let cfg = raw.validate(&config_path)?;

        let mut max_length = cfg.max_positions;
        let st_path = dir.join(SENTENCE_CONFIG_FILE);
        if st_path.is_file() {
            let st: SentenceConfig = parse_json(&st_path, &read(&st_path)?)?;
            if let Some(n) = st.max_seq_length {
                if n < 2 {
                    return Err(EmbedError::bad(
                        &st_path,
                        "max_seq_length must be at least 2",
                    ));
                }
                max_length = max_length.min(n);
            }
        }
        if let Some(n) = options.max_length {
            max_length = max_length.min(n);
        }
        let pool_path = dir.join(POOLING_CONFIG_FILE);
        if pool_path.is_file() {
            let p: PoolingConfig = parse_json(&pool_path, &read(&pool_path)?)?;
            if !p.pooling_mode_mean_tokens
                || p.pooling_mode_cls_token
                || p.pooling_mode_max_tokens
                || p.pooling_mode_mean_sqrt_len_tokens
            {
                return Err(EmbedError::bad(
                    &pool_path,
                    "only mean pooling (pooling_mode_mean_tokens alone) is supported",
                ));
            }
        }

        let mut tokenizer = Tokenizer::from_bytes(read(&tok_path)?)
            .map_err(|e| EmbedError::bad(&tok_path, format!("not a usable tokenizer: {e}")))?;
        let vocab = tokenizer.get_vocab_size(true);
        if vocab > cfg.vocab_size {
            return Err(EmbedError::bad(
                &tok_path,
                format!(
                    "has {vocab} tokens but config.json's vocab_size is {}: tokenizer and weights do not belong together",
                    cfg.vocab_size
                ),
            ));
        }
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length,
                ..Default::default()
            }))
            .map_err(|e| EmbedError::bad(&tok_path, format!("cannot set truncation: {e}")))?;
        // The template must add its special tokens, or pooling would differ from
        // the reference; a tokenizer without one is still accepted.

        let device = Device::Cpu;
        let bytes = read(&weights_path)?;
        let tensors = candle_core::safetensors::load_buffer(&bytes, &device).map_err(|e| {
            EmbedError::bad(
                &weights_path,
                format!("not a readable safetensors file: {e}"),
            )
        })?;
        drop(bytes);
        let bert = Bert::from_tensors(cfg, tensors, &weights_path, &device)?;
        Ok(Model {
            dir: dir.to_path_buf(),
            bert,
            tokenizer,
            max_length,
            batch_size: options.batch_size,
            cache: Mutex::new(Cache::new(options.cache_capacity)),
        })
    }

    /// The directory the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The encoder (shared by [`crate::CrossEncoder`], which clones it cheaply).
    pub(crate) fn bert(&self) -> &Bert {
        &self.bert
    }

    /// The tokenizer, truncating at [`Model::max_length`] (pairs: longest first).
    pub(crate) fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Sequences run through the encoder together.
    pub(crate) fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Length of the vectors [`Model::embed`] returns.
    pub fn dim(&self) -> usize {
        self.bert.config().hidden_size
    }

    /// Tokens kept per sentence, special tokens included; longer ones are cut.
    pub fn max_length(&self) -> usize {
        self.max_length
    }

    /// Embeddings held in the cache now, and (hits, misses) since loading.
    pub fn cache_stats(&self) -> (usize, u64, u64) {
        let c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let (h, m) = c.stats();
        (c.len(), h, m)
    }

    /// One unit-length vector per sentence, in input order.
    ///
    /// Sentences already embedded come from the cache; the others are tokenized,
    /// sorted by length, run in batches padded to each batch's longest sentence
    /// (cut at [`Model::max_length`] tokens), mean-pooled over their real tokens
    /// and L2-normalised. Repeated sentences are computed once. The empty string
    /// is a valid sentence. Matrix products use all cores.
    pub fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let keys: Vec<u128> = sentences.iter().map(|s| cache::key(s)).collect();
        let mut found: Vec<Option<Arc<[f32]>>> = Vec::with_capacity(sentences.len());
        // Unique missing sentences, in first-seen order.
        let mut todo: Vec<usize> = Vec::new();
        let mut todo_of: HashMap<u128, usize> = HashMap::new();
        {
            let mut c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (i, &k) in keys.iter().enumerate() {
                let hit = c.get(k);
                if hit.is_none() && !todo_of.contains_key(&k) {
                    todo_of.insert(k, todo.len());
                    todo.push(i);
                }
                found.push(hit);
            }
        }
        let computed = self.compute(&todo.iter().map(|&i| sentences[i]).collect::<Vec<_>>())?;
        let computed: Vec<Arc<[f32]>> = computed.into_iter().map(Arc::from).collect();
        {
            let mut c = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (j, &i) in todo.iter().enumerate() {
                c.put(keys[i], computed[j].clone());
            }
        }
        Ok(found
            .into_iter()
            .zip(&keys)
            .map(|(hit, k)| match hit {
                Some(v) => v.to_vec(),
                None => computed[todo_of[k]].to_vec(),
            })
            .collect())
    }

    /// Cosine similarity of two sentences' embeddings (in [-1, 1]).
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32, EmbedError> {
        let v = self.embed(&[a, b])?;
        Ok(crate::cosine(&v[0], &v[1]))
    }

    /// The sentence vector of [`Model::embed`] and, from the same forward pass,
    /// one contextual vector per real token (the encoder's last hidden state,
    /// `[CLS]`/`[SEP]` and other special tokens left out, each row L2-normalised),
    /// for [`crate::judge`]. The pooled vector equals what [`Model::embed`]
    /// returns for the sentence (same batching; padding does not change it).
    ///
    /// Not cached (token vectors are ~20× the size of a sentence vector): embed
    /// each sentence once and keep the result. Cost: the same forward pass as
    /// `embed`, plus copying `tokens × dim` floats out.
    pub fn embed_tokens(&self, sentences: &[&str]) -> Result<Vec<SentenceVectors>, EmbedError> {
        self.run(sentences, true)
    }

    /// Embeds without the cache.
    fn compute(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(self
            .run(sentences, false)?
            .into_iter()
            .map(|s| s.pooled)
            .collect())
    }

    /// The forward passes; token vectors are kept only when `tokens`.
    fn run(&self, sentences: &[&str], tokens: bool) -> Result<Vec<SentenceVectors>, EmbedError> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        let encodings = self
            .tokenizer
            .encode_batch(sentences.to_vec(), true)
            .map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        let mut order: Vec<usize> = (0..sentences.len()).collect();
        order.sort_by_key(|&i| (encodings[i].get_ids().len(), i));
        let dim = self.dim();
        let mut out: Vec<Option<SentenceVectors>> = vec![None; sentences.len()];
        for chunk in order.chunks(self.batch_size) {
            let Batch {
                ids,
                types,
                mask,
                batch,
                seq,
            } = Batch::pad(
                chunk.iter().map(|&i| &encodings[i]),
                self.bert.config().vocab_size,
            )?;
            let hidden = self.bert.forward(&ids, &types, &mask, batch, seq)?;
            let vecs = mean_pool_normalize(&hidden, &mask, batch, seq)?;
            let all: Vec<f32> = if tokens {
                hidden.flatten_all()?.to_vec1()?
            } else {
                Vec::new()
            };
            for (row, (&i, pooled)) in chunk.iter().zip(vecs).enumerate() {
                let mut token_vectors = Vec::new();
                if tokens {
                    let e = &encodings[i];
                    for (t, &special) in e.get_special_tokens_mask().iter().enumerate() {
                        if special != 0 {
                            continue;
                        }
                        let start = (row * seq + t) * dim;
                        let v = &all[start..start + dim];
                        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
                        token_vectors.extend(v.iter().map(|x| x / norm));
                    }
                }
                out[i] = Some(SentenceVectors {
                    pooled,
                    tokens: token_vectors,
                    dim,
                });
            }
        }
        Ok(out
            .into_iter()
            .map(|v| v.expect("every sentence is in exactly one batch"))
            .collect())
    }
}
