"""The vocabulary of the graph and the deterministic IRIs of its nodes.

One place mints every IRI, so building twice gives byte-identical graphs and no module invents its own scheme.

Graph shape (the contract between `kg.rdf`, the named queries, `kg.views` and the exports)::

    paper  a kg:Paper ; dcterms:identifier "2401.00001" ; dcterms:title "..." ; dcterms:abstract "..." ;
           kg:arxivId "2401.00001" ; dcterms:issued "2024-03-07"^^xsd:date ; kg:upvotes 12 ;
           kg:githubStars 40 ; schema:url <...> ; kg:projectPage <...> ; kg:keyword "..." ;
           kg:category "cs.LG" ; dcterms:creator author ; kg:affiliatedWith org ; kg:hasRepository repo ;
           kg:hasLink link ; kg:listedIn listing ; kg:hasMention mention ; kg:hasResult result ;
           kg:proposes concept ; kg:usesMethod method ; kg:evaluatesOn dataset ; kg:reportsMetric metric ;
           kg:runsOn hardware ; kg:addressesTask task .
    listing a kg:Listing ; kg:sourceFile "seeds/000.txt" ; kg:sourceLine 12 ; kg:sourceFormat "hf-listing" .
    author  a kg:Author ; foaf:name "..." .
    org     a kg:Organization ; skos:prefLabel "..." .
    repo    a kg:Repository ; schema:url <https://github.com/owner/repo> ; skos:prefLabel "owner/repo" .
    link    a kg:Link ; schema:url <https://owner.github.io/project> ; kg:linkKind "project-page" .
    concept a kg:Method (or kg:Dataset, kg:Hardware, kg:Metric, kg:Task) ; skos:prefLabel "..." ;
            skos:altLabel "..." ; kg:paperCount 12 ; kg:labelKey "..." .
    mention a kg:Mention ; kg:denotes concept ; kg:surfaceText "..." ; kg:field "abstract" ;
            kg:startOffset 10 ; kg:endOffset 14 ; kg:sentence "..." ; kg:confidence 0.9 ;
            kg:extractor "gazetteer/phrase" ; kg:proposed false ; kg:hardwareCount 8 ; kg:vendor "NVIDIA" ;
            prov:wasDerivedFrom paper .
    result  a kg:Result ; kg:resultMetric metric ; kg:resultValue "3.5" ; kg:resultUnit "%" ;
            kg:resultDataset dataset ; kg:sentence "..." .
    concept kg:community community .
    community a kg:Community ; rdfs:label "LoRA · QLoRA · PEFT" ; kg:communityRank 1 ; kg:communitySize 42 ;
            kg:communityMethod "louvain weight=count resolution=1.0 seed=0" .

kg:paperCount and kg:labelKey (also on organisations and repositories) are derived data: the store computes them
from the other triples at each commit (`kg.derived`); `kg.rdf`'s mapping of one extraction never writes them.
Communities (kg:community, kg:Community) are derived too, by graph analytics over the whole graph: `kg.analytics`
replaces all of them at once through `GraphStore.replace_annotations`, after each build that changed the store.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/kg-ml/"
KG = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
SCHEMA = Namespace("https://schema.org/")
MLS = Namespace("http://www.w3.org/ns/mls#")

# Prefixes pre-declared for SPARQL and used when serialising.
PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "kgid": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "mls": str(MLS),
}

CONCEPT_CLASS: dict[str, URIRef] = {
    "method": KG.Method,
    "dataset": KG.Dataset,
    "hardware": KG.Hardware,
    "metric": KG.Metric,
    "task": KG.Task,
}

# The paper -> concept edge used for a mention of each type that the paper does not propose.
USES_PROPERTY: dict[str, URIRef] = {
    "method": KG.usesMethod,
    "dataset": KG.evaluatesOn,
    "hardware": KG.runsOn,
    "metric": KG.reportsMetric,
    "task": KG.addressesTask,
}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """ASCII, lower-case, hyphen-separated form of `text`, readable inside an IRI."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub("-", folded).strip("-")


def digest(*parts: str, size: int = 12) -> str:
    """A short, stable hash of `parts`; the separator keeps ("ab", "c") and ("a", "bc") apart."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:size]


def _readable(text: str) -> str:
    """A slug, suffixed by a hash whenever the slug alone could collide ("C++" and "C")."""
    s = slug(text)
    if not s:
        return digest(text)
    return s if s == text.lower() else f"{s}-{digest(text, size=6)}"


def paper_iri(key: str) -> URIRef:
    """IRI of a paper from its identity key (``arxiv:<id>`` or ``title:<normalised title>``)."""
    kind, _, value = key.partition(":")
    if kind == "arxiv":
        return ID[f"paper/arxiv-{value.replace('/', '_')}"]
    return ID[f"paper/t-{digest(value, size=16)}"]


def concept_iri(concept_type: str, label: str) -> URIRef:
    return ID[f"{concept_type}/{_readable(label)}"]


def mention_iri(paper_key: str, field: str, start: int, end: int, concept_type: str) -> URIRef:
    return ID[f"mention/{digest(paper_key, field, str(start), str(end), concept_type, size=16)}"]


def result_iri(paper_key: str, metric: str, value: str, dataset: str | None, sentence: str, unit: str | None) -> URIRef:
    """One IRI per stated value: "2times" and "2%" for one metric in one sentence are two results. The unit joins
    the digest only when there is one, so results without a unit keep the IRIs they always had."""
    parts = (paper_key, metric, value, dataset or "", sentence, *((unit,) if unit else ()))
    return ID[f"result/{digest(*parts, size=16)}"]


def repository_iri(url: str) -> URIRef:
    """IRI of a GitHub repository from its canonical URL https://github.com/owner/repo."""
    path = url.split("github.com/", 1)[-1].strip("/").lower()
    return ID[f"repo/{path}"]


def link_iri(url: str) -> URIRef:
    """IRI of a URL a paper gives (with its scheme): one node per exact address, shared by the papers giving it."""
    return ID[f"link/{digest(url, size=16)}"]


def organization_iri(name: str) -> URIRef:
    return ID[f"org/{_readable(name)}"]


def author_iri(name: str) -> URIRef:
    return ID[f"author/{_readable(name)}"]


def community_iri(rank: int) -> URIRef:
    """IRI of the community ranked `rank` (1 = the most concepts) by the last community detection."""
    return ID[f"community/{rank}"]


def listing_iri(file: str, line: int) -> URIRef:
    return ID[f"listing/{digest(file, str(line), size=16)}"]
