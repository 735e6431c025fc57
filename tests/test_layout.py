"""Where the title and the abstract sit in the text the pipeline reads, and which spans belong to one field."""

from __future__ import annotations

from kg.nlp import Layout
from kg.nlp.candidates import Candidate
from kg.records import Paper


def candidate(start: int, end: int) -> Candidate:
    return Candidate(start, end, "method", "test/rule", 0.5)


def test_title_and_abstract_are_joined_by_a_blank_line() -> None:
    text, layout = Layout.of(Paper(key="k", id="k", title="LoRA", abstract="We adapt."))
    assert text == "LoRA\n\nWe adapt."
    assert layout == Layout(title_end=4, abstract_start=6)


def test_placing_keeps_spans_within_one_field_with_their_text_and_drops_those_across_both() -> None:
    text, layout = Layout.of(Paper(key="k", id="k", title="LoRA", abstract="We adapt."))
    inside_title, across, inside_abstract = candidate(0, 4), candidate(2, 8), candidate(9, 14)
    assert layout.place(text, [inside_title, across, inside_abstract]) == [
        (inside_title, "LoRA"),
        (inside_abstract, "adapt"),
    ]


def test_a_paper_without_title_is_all_abstract() -> None:
    text, layout = Layout.of(Paper(key="k", id="k", title="", abstract="We adapt."))
    assert text == "We adapt." and layout.place(text, [candidate(3, 8)]) == [(candidate(3, 8), "adapt")]
