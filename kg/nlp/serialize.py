"""The JSON shape of an extraction, as `kg extract --format jsonl` writes it (one object per paper)."""

from __future__ import annotations

from typing import Any

from kg.ingest.link_kinds import link_kind
from kg.records import Extraction, Mention, Result


def extraction_to_dict(extraction: Extraction) -> dict[str, Any]:
    """{"id", "title", "mentions": [...], "results": [...], "repositories": [...], "links": [...]}; offsets
    index the field's text. `repositories` are canonical GitHub repositories; `links` every URL the paper gives,
    as written, each with its kind (`kg.ingest.link_kinds`)."""
    paper = extraction.paper
    return {
        "id": paper.id,
        "title": paper.title,
        "mentions": [mention_to_dict(mention) for mention in extraction.mentions],
        "results": [result_to_dict(result) for result in extraction.results],
        "repositories": list(paper.repositories),
        "links": [{"url": url, "kind": link_kind(url)} for url in paper.links],
    }


def mention_to_dict(mention: Mention) -> dict[str, Any]:
    """One mention; hardware mentions also carry their count and vendor."""
    data: dict[str, Any] = {
        "type": mention.type,
        "text": mention.text,
        "field": mention.field,
        "start": mention.start,
        "end": mention.end,
        "concept": mention.concept,
        "proposed": mention.proposed,
        "confidence": mention.confidence,
        "source": mention.source,
    }
    if mention.type == "hardware":
        data["count"] = mention.count
        data["vendor"] = mention.vendor
    return data


def result_to_dict(result: Result) -> dict[str, Any]:
    return {
        "metric": result.metric,
        "value": result.value,
        "unit": result.unit,
        "dataset": result.dataset,
        "sentence": result.sentence,
    }
