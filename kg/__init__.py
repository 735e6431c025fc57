"""kg: a knowledge-graph builder and graph query tool for the machine-learning literature.

Data flows one way: ingest -> extract -> link -> store -> query / export.  From a notebook::

    import kg
    with kg.open(".kg/store") as graph:
        graph.named("top-concepts", type="method")
        nxg = graph.to_networkx("cooccurrence")
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["KnowledgeGraph", "QueryResult", "open"]


def __getattr__(name: str) -> Any:
    """Import the query API on first use, so `import kg` (and the CLI's start-up) stays light."""
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
