"""Shared normalisation: unwrapping, title keys, arXiv ids and dates."""

from __future__ import annotations

import pytest

from kg.ingest.normalize import arxiv_id, iso_date, join_wrapped, normalize_title


@pytest.mark.parametrize(
    ("wrapped", "joined"),
    [
        ("Vision and\n  Language Models", "Vision and Language Models"),
        ("multi-\nmodal", "multi-modal"),
        ("GPT-\n4o and Vision-\nLanguage", "GPT-4o and Vision-Language"),
        ("low-\nand high-resolution", "low- and high-resolution"),
        ("two steps -\nwriting", "two steps - writing"),
        ("reduced-\n(RISC)", "reduced- (RISC)"),
        ("First paragraph\nends.\n\n  Second one.\n", "First paragraph ends.\n\nSecond one."),
        ("  no breaks   at all ", "no breaks at all"),
    ],
)
def test_join_wrapped_undoes_hard_line_breaks(wrapped: str, joined: str) -> None:
    assert join_wrapped(wrapped) == joined


def test_normalize_title_folds_case_width_space_and_final_punctuation() -> None:
    assert normalize_title("  Attention  Is ALL You Need. ") == "attention is all you need"
    assert normalize_title("\uff2d\uff45\uff53\uff41: A Title?!")  # full-width "Mesa" == "mesa: a title"
    assert normalize_title("Single-Layer (SL^{2}A-INR)") == "single-layer (sl^{2}a-inr)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2401.00001", "2401.00001"),
        ("2401.00001v3", "2401.00001"),
        ("arXiv:2103.03230", "2103.03230"),
        ("https://arxiv.org/abs/2111.11124v2", "2111.11124"),
        ("https://arxiv.org/pdf/2111.11124.pdf", "2111.11124"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("p-001", None),
        ("https://example.org/abs/2401.00001", None),
        ("", None),
    ],
)
def test_arxiv_id_accepts_ids_and_urls_without_version(value: str, expected: str | None) -> None:
    assert arxiv_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-24T14:04:03.000Z", "2024-05-24"),
        ("2021-11-22", "2021-11-22"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02"),
        ("yesterday", None),
        ("2024-13-40", None),
        (None, None),
        (20240101, None),
    ],
)
def test_iso_date_reads_iso_and_rfc2822_dates(value: object, expected: str | None) -> None:
    assert iso_date(value) == expected
