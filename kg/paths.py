"""Default locations, resolved once so every command agrees on them."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
QUERIES_DIR = Path(__file__).resolve().parent / "queries"

DEFAULT_SEEDS = Path("seeds")
DEFAULT_STORE = Path(".kg") / "store"
DEFAULT_EXPORTS = Path("exports")
