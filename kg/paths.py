"""Default locations, resolved once so every command agrees on them."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
QUERIES_DIR = Path(__file__).resolve().parent / "queries"

DEFAULT_SEEDS = Path("seeds")
DEFAULT_STORE = Path(".kg") / "store"
DEFAULT_EXPORTS = Path("exports")
STORE_EXPORTS = "exports"


def default_exports(store: Path) -> Path:
    """Where a store's exports and rejects reports go unless a location is given: `exports/` for the default
    store, and the `exports` folder inside any other store, so that building or exporting a second store never
    overwrites the first one's files."""
    store = Path(store)
    if store.resolve() == DEFAULT_STORE.resolve():
        return DEFAULT_EXPORTS
    return store / STORE_EXPORTS
