"""The records extraction builds in bulk have hand-written initialisers: they must stay in step with the fields."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from kg.records import Concept, Mention, Result


@pytest.mark.parametrize("record", [Mention, Concept, Result])
def test_initialiser_takes_the_fields_in_order_with_their_defaults(record: type) -> None:
    parameters = list(inspect.signature(record.__init__).parameters.values())[1:]
    fields = dataclasses.fields(record)
    assert [p.name for p in parameters] == [f.name for f in fields]
    expected = [inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields]
    assert [p.default for p in parameters] == expected


def test_records_keep_dataclass_behaviour() -> None:
    mention = Mention("hardware", "8 A100", "abstract", 3, 9, "A100", "On 8 A100.", 0.9, "hardware/x", count=8)
    same = Mention(
        type="hardware",
        text="8 A100",
        field="abstract",
        start=3,
        end=9,
        concept="A100",
        sentence="On 8 A100.",
        confidence=0.9,
        source="hardware/x",
        count=8,
    )
    assert mention == same and hash(mention) == hash(same)
    assert mention.proposed is False and mention.vendor is None
    assert dataclasses.replace(mention, vendor="NVIDIA").vendor == "NVIDIA"
    assert pickle.loads(pickle.dumps(mention)) == mention
    assert dataclasses.asdict(Concept("method", "LoRA")) == {"type": "method", "label": "LoRA", "aliases": ()}
    with pytest.raises(dataclasses.FrozenInstanceError):
        mention.start = 0  # type: ignore[misc]
