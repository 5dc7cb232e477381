"""The lead encoder runs on one BLAS thread: the same vectors, and the setting restored."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import ThreadpoolController, threadpool_info

from tidings.enrich import embeddings

LEADS = [
    "Storm floods the harbour town\nWater rose a metre overnight along the quay.",
    "Council approves the new bridge",
    "",
    "A longer lead about the election count, with several sentences that run on past the "
    "first line\nand a second line that says who won the seat and by how many votes.",
]


@pytest.fixture(scope="module")
def encoder() -> embeddings.Encoder:
    try:
        return embeddings.load_encoder()
    except embeddings.EmbeddingsUnavailable as exc:
        pytest.skip(str(exc))


def _blas_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "blas"]


def test_one_blas_thread_gives_the_vectors_of_several(encoder: embeddings.Encoder) -> None:
    texts = [t for t in LEADS if t]
    with ThreadpoolController().limit(limits=2, user_api="blas"):
        several = encoder._batch(texts)  # what encode computed before the limit
    shipped = encoder.encode(texts)
    np.testing.assert_allclose(shipped, several, rtol=0, atol=1e-6)
    assert np.allclose(np.linalg.norm(shipped, axis=1), 1.0)


def test_encode_limits_blas_inside_and_restores_it_after(encoder: embeddings.Encoder,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    before = _blas_threads()
    seen: list[list[int]] = []
    batch = encoder._batch

    def spy(texts: list[str]) -> np.ndarray:
        seen.append(_blas_threads())
        return batch(texts)

    monkeypatch.setattr(encoder, "_batch", spy)
    rows = encoder.encode(LEADS)
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert _blas_threads() == before
    assert not rows[2].any()  # the empty text: a zero row
