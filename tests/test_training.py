"""`kg train`: folds, reproducibility, and the model it writes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.nlp.model import ConceptModel
from kg.training import _training_share, assign_folds


def test_folds_are_seeded_and_balanced() -> None:
    folds = assign_folds(250, 5, seed=13)
    assert folds == assign_folds(250, 5, seed=13)
    assert folds != assign_folds(250, 5, seed=14)
    assert set(Counter(folds).values()) == {50}


def test_a_training_share_is_a_seeded_subset() -> None:
    share = _training_share(100, 0.25, seed=13)
    assert sum(share) == 25
    assert share == _training_share(100, 0.25, seed=13)
    assert all(_training_share(100, 1.0, seed=13))


@pytest.mark.slow
def test_training_twice_writes_identical_bytes_and_a_usable_model(
    kg_cli: Callable[..., object], shared_dir: Path, tmp_path: Path
) -> None:
    data = shared_dir / "data" / "hf-dev"
    outputs = [tmp_path / "first.json.gz", tmp_path / "second.json.gz"]
    for output in outputs:
        run = kg_cli("train", "--data", str(data), "--reuse-stats", "--folds", "2", "-o", str(output), "-q")
        assert run.status == 0, run.stderr  # type: ignore[attr-defined]
        assert "cross-validation" in run.stdout  # type: ignore[attr-defined]
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    model = ConceptModel.load(outputs[0])
    assert model.meta["folds"] == 2
    assert model.meta["cross_validation"]["micro"]["f1"] > 0.5


@pytest.mark.slow
def test_eval_on_hf_dev_says_the_learned_figures_are_in_sample(kg_cli: Callable[..., object], shared_dir: Path) -> None:
    run = kg_cli("eval", "--set", "hf-dev", "--data", str(shared_dir / "data"), "-q")
    assert run.status == 0, run.stderr  # type: ignore[attr-defined]
    assert "in sample" in run.stderr  # type: ignore[attr-defined]
