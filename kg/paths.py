"""Default locations, resolved once so every command agrees on them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
QUERIES_DIR = Path(__file__).resolve().parent / "queries"

DEFAULT_SEEDS = Path("seeds")
DEFAULT_STORE = Path(".kg") / "store"
DEFAULT_EXPORTS = Path("exports")
STORE_EXPORTS = "exports"


def is_remote(location: str | Path) -> bool:
    """Whether a --store value names a SPARQL server (http:// or https://) rather than a folder."""
    return str(location).lower().startswith(("http://", "https://"))


def remote_name(url: str) -> str:
    """A folder name for the server at `url`: readable (host, port, path) and unique (a digest of the whole URL)."""
    parts = urlsplit(url)
    readable = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname}-{parts.port or ''}-{parts.path}").strip("-")
    return f"{readable}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def default_exports(store: Path | str) -> Path:
    """Where a store's exports and rejects reports go unless a location is given: `exports/` for the default
    store, the `exports` folder inside any other store, and `exports/<server>/` for a SPARQL server, so that
    building or exporting a second store never overwrites the first one's files."""
    if is_remote(store):
        return DEFAULT_EXPORTS / remote_name(str(store))
    store = Path(store)
    if store.resolve() == DEFAULT_STORE.resolve():
        return DEFAULT_EXPORTS
    return store / STORE_EXPORTS
