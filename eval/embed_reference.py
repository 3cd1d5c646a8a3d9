#!/usr/bin/env python3
"""Reference sentence embeddings in numpy (float64), to check whence-embed.

Not part of the test suite and not standard library: needs `numpy`,
`tokenizers` and `safetensors` (pip). It recomputes what sentence-transformers
computes for a BERT model directory (tokenizer.json with truncation at
max_seq_length and no padding, one sentence at a time; BERT forward with exact
GELU; mean pooling; L2 normalisation) and compares with vectors printed by
`cargo run --release -p whence-embed --example embed -- MODEL_DIR`:

    python3 eval/embed_reference.py MODEL_DIR SENTENCES.txt WHENCE_VECTORS.jsonl
"""

import json
import math
import os
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer


def main(model_dir, sentences_path, vectors_path):
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    max_len = cfg["max_position_embeddings"]
    st = os.path.join(model_dir, "sentence_bert_config.json")
    if os.path.exists(st):
        max_len = min(max_len, json.load(open(st)).get("max_seq_length") or max_len)
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len)
    w = {k.removeprefix("bert."): v.astype(np.float64)
         for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()}
    h, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    d = h // heads
    eps = cfg.get("layer_norm_eps", 1e-12)
    erf = np.vectorize(math.erf)

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    def embed(text):
        ids = tok.encode(text).ids
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = ln(x, "embeddings.LayerNorm")
        for l in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{l}."
            q = lin(x, p + "attention.self.query").reshape(n, heads, d).transpose(1, 0, 2)
            k = lin(x, p + "attention.self.key").reshape(n, heads, d).transpose(1, 0, 2)
            v = lin(x, p + "attention.self.value").reshape(n, heads, d).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, h)
            a = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            f = lin(a, p + "intermediate.dense")
            f = 0.5 * f * (1 + erf(f / math.sqrt(2)))
            x = ln(lin(f, p + "output.dense") + a, p + "output.LayerNorm")
        m = x.mean(0)
        return m / max(np.linalg.norm(m), 1e-12)

    sentences = open(sentences_path, encoding="utf-8").read().splitlines()
    mine = [np.array(json.loads(l)) for l in open(vectors_path)]
    assert len(mine) == len(sentences), (len(mine), len(sentences))
    cos, maxdiff = [], 0.0
    for s, v in zip(sentences, mine):
        r = embed(s)
        cos.append(float(r @ v / (np.linalg.norm(r) * np.linalg.norm(v))))
        maxdiff = max(maxdiff, float(np.abs(r - v).max()))
    print(json.dumps({"sentences": len(cos), "min_cosine": min(cos),
                      "mean_cosine": sum(cos) / len(cos), "max_abs_diff": maxdiff}))


if __name__ == "__main__":
    main(*sys.argv[1:4])
