"""SPARQL over the store: read-only checks, parameter binding, time limits and result formats.

Everything that runs a query goes through `run_query`, so the CLI, the Python API and the benchmark share one
set of guarantees:

* queries never reach the network and never change the store: `SERVICE`, `LOAD` and every update keyword are
  refused before execution by a tokenizer that skips strings, comments, IRIs, variables and prefixed names, so a
  concept literal "Service" stays queryable;
* the common prefixes of `kg.terms.PREFIXES` are pre-declared through Oxigraph's `prefixes=` option rather than
  by prepending text, so syntax errors point at the user's own line and column, and a query's own `PREFIX` wins;
* parameters are bound as RDF terms through Oxigraph's variable substitution, never pasted into the text, so a
  value full of quotes and braces cannot change the query (named queries also fill VALUES blocks with stored
  labels serialised by pyoxigraph, and LIMIT clauses with validated integers: see `NamedQuery`);
* a time limit runs the query in a forked child that is killed when the limit passes: Oxigraph has no way to
  interrupt a query, and an abandoned thread would keep burning a core.

Named queries live in `kg/queries/NAME.rq`; the comment block at the top of each file declares its description,
parameters and examples (see `NamedQuery`).
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import datetime as dt
import difflib
import functools
import io
import json
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, Protocol, TypeAlias, TypeVar
from xml.etree import ElementTree

import pyoxigraph as ox

from kg.derived import label_key
from kg.errors import KgError, UsageError
from kg.paths import QUERIES_DIR
from kg.terms import BASE, PREFIXES

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
ResultKind = Literal["bindings", "boolean", "graph"]
T = TypeVar("T")

MAX_TIMEOUT = 1_000_000.0  # seconds (11.6 days); a longer time limit, "inf" included, means none
_PR_SET_PDEATHSIG = 1  # prctl(2) option: signal sent to this process when its parent dies
XSD = PREFIXES["xsd"]
_XSD_STRING = XSD + "string"


class QueryTimeoutError(KgError):
    """The query ran past its time limit and was stopped; 124 is the exit status timeout(1) uses."""

    exit_code = 124


# --------------------------------------------------------------------------------------------- read-only guard

# One token per alternative; order matters: strings, IRIs and comments are consumed whole before any word is seen.
_TOKEN = re.compile(
    r"""
      (?P<long_string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')
    | (?P<string>"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<comment>\#[^\r\n]*)
    | (?P<variable>[?$]\w+)
    | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\.)*)
    | (?P<word>[^\W\d]\w*)
    | (?P<number>(?:[0-9]*\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_NETWORK_KEYWORDS = frozenset({"SERVICE", "LOAD"})
_UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


def _significant_tokens(sparql: str) -> list[re.Match[str]]:
    """The tokens of `sparql` without comments and white space."""
    return [t for t in _TOKEN.finditer(sparql) if t.lastgroup != "comment" and not t.group().isspace()]


def _apply_edits(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span replaced; the spans must not overlap."""
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def check_read_only(sparql: str, source: str = "<query>") -> None:
    """Refuse `SERVICE`, `LOAD`, SPARQL Update keywords, and `FROM`/`FROM NAMED` naming a graph not the store's own.

    Oxigraph would execute `SERVICE` against any URL, so this check is what keeps queries off the network; other
    engines dereference a `FROM <url>` they do not hold, so a dataset may name only the store's own graphs (IRIs
    under `kg.terms.BASE`, as `kg build --store URL` writes them). Words inside strings, IRIs, comments, variables
    and prefixed names are not keywords and pass. `kg query`, the Python API and `kg serve` all call this, and
    `kg serve` before a query reaches a worker.
    """
    tokens = _significant_tokens(sparql)
    for index, token in enumerate(tokens):
        if token.lastgroup != "word":
            continue
        word = token.group().upper()
        if word in _NETWORK_KEYWORDS:
            reason = "queries never reach the network"
        elif word in _UPDATE_KEYWORDS:
            reason = "the store is read-only here and SPARQL updates are refused"
        elif word == "FROM":
            _check_from(sparql, tokens, index, source)
            continue
        else:
            continue
        line, column = _position(sparql, token.start())
        raise KgError(f"{source}:{line}:{column}: {word} is not allowed: {reason}")


def check_dataset(graphs: Iterable[str], what: str = "the request") -> None:
    """Refuse graph IRIs (the SPARQL Protocol's default-graph-uri and named-graph-uri) outside the store's own."""
    for graph in graphs:
        if not graph.startswith(BASE):
            raise KgError(f"{what}: graph <{graph}> is not allowed: {_FROM_REASON}")


_FROM_REASON = f"queries never reach the network, and only the store's own graphs (<{BASE}...>) can be named"


def _check_from(sparql: str, tokens: list[re.Match[str]], index: int, source: str) -> None:
    """Refuse the `FROM [NAMED] <iri>` at tokens[index] unless the IRI is one of the store's own graphs."""
    following = tokens[index + 1 : index + 3]
    if following and following[0].lastgroup == "word" and following[0].group().upper() == "NAMED":
        following = following[1:]
    target = following[0] if following else None
    graph = _resolve_iri(target.group(), _declared_prefixes(tokens)) if target is not None else None
    if graph is None or not graph.startswith(BASE):
        shown = target.group() if target is not None else "(nothing)"
        line, column = _position(sparql, tokens[index].start())
        raise KgError(f"{source}:{line}:{column}: FROM {shown} is not allowed: {_FROM_REASON}")


def _declared_prefixes(tokens: list[re.Match[str]]) -> dict[str, str]:
    """The common prefixes overridden by the query's own `PREFIX p: <iri>` declarations."""
    prefixes = dict(PREFIXES)
    for index, token in enumerate(tokens[:-2]):
        if token.lastgroup == "word" and token.group().upper() == "PREFIX":
            name, iri = tokens[index + 1], tokens[index + 2]
            if name.lastgroup == "pname" and iri.lastgroup == "iri":
                prefixes[name.group().split(":", 1)[0]] = iri.group()[1:-1]
    return prefixes


def _resolve_iri(text: str, prefixes: Mapping[str, str]) -> str | None:
    """The absolute IRI an `<iri>` or prefixed-name token stands for; None for anything else (a relative IRI
    resolves against a BASE the query may set, so it is not trusted)."""
    if text.startswith("<"):
        iri = text[1:-1]
        return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) else None
    prefix, colon, local = text.partition(":")
    return prefixes[prefix] + local if colon and prefix in prefixes else None


def without_lateral(sparql: str) -> str:
    """The query with every `LATERAL { ... }` turned into a plain group, for engines without SEP-0006 (rdflib).

    The named queries use LATERAL only as a join-order hint around blocks that give the same rows joined
    normally; a block holding only an OPTIONAL is unwrapped, since a group made of an OPTIONAL alone would not
    keep the rows it does not match.
    """
    tokens = _significant_tokens(sparql)
    edits: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens[:-1]):
        if token.lastgroup != "word" or token.group().upper() != "LATERAL" or tokens[index + 1].group() != "{":
            continue
        close = _group_end(tokens, index + 1)
        body = tokens[index + 2 : index + 4]
        only_optional = (
            len(body) == 2
            and body[0].group().upper() == "OPTIONAL"
            and body[1].group() == "{"
            and _group_end(tokens, index + 3) == close - 1
        )
        edits.append((token.start(), tokens[index + 1].end(), "" if only_optional else "{"))
        if only_optional:
            edits.append((tokens[close].start(), tokens[close].end(), ""))
    return _apply_edits(sparql, edits)


def _group_end(tokens: list[re.Match[str]], opening: int) -> int:
    """Index of the token closing the group opened by tokens[opening] (the last token if it never closes)."""
    depth = 0
    for index in range(opening, len(tokens)):
        if tokens[index].lastgroup == "other":
            depth += {"{": 1, "}": -1}.get(tokens[index].group(), 0)
            if depth == 0:
                return index
    return len(tokens) - 1


# ------------------------------------------------------------------------------------------- printing IRIs

_ESCAPABLE = frozenset("_~.-!$&'()*+,;=/?#@%")
# Longest namespace first, so kgid: wins over a shorter namespace that is its prefix.
_NAMESPACES = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()), key=lambda item: -len(item[0]))


def _local_name(local: str) -> str | None:
    """`local` as a SPARQL/Turtle local name (PN_LOCAL), with backslash escapes where the grammar needs them
    ("dataset/imagenet" -> "dataset\\/imagenet"); None when a character cannot be written in one (a space), and
    for any non-ASCII character, most of which the grammar allows but not all (it is written in full then)."""
    out = []
    last = len(local) - 1
    for index, char in enumerate(local):
        inner = 0 < index < last
        if (char.isascii() and char.isalnum()) or char in "_:" or (char == "-" and index) or (char == "." and inner):
            out.append(char)
        elif char in _ESCAPABLE:
            out.append("\\" + char)
        else:
            return None
    return "".join(out)


def sparql_term(term: Term) -> str:
    """An IRI as text that pastes back into a SPARQL query: a prefixed name with one of the pre-declared prefixes
    (escaped where needed: `kgid:dataset\\/imagenet`), else `<IRI>`; other terms as N-Triples."""
    if isinstance(term, ox.NamedNode):
        for namespace, prefix in _NAMESPACES:
            if term.value.startswith(namespace):
                local = _local_name(term.value[len(namespace) :])
                if local is not None:
                    return f"{prefix}:{local}"
                break
        return f"<{term.value}>"
    return str(term)


def inline_substitutions(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with `substitutions` written in as VALUES blocks, for an engine without Oxigraph's substitution
    (a remote SPARQL 1.1 server).

    SEP-0007 substitution binds a variable everywhere, sub-SELECTs included, before evaluation. The same rows come
    from a `VALUES` block opening the query's WHERE group and the group of every sub-SELECT that projects the
    variable (or `*`): a sub-SELECT's LIMIT then applies after the binding, as it does with substitution. Terms are
    written by pyoxigraph, never pasted from user text.
    """
    if not substitutions:
        return sparql
    for name, term in substitutions.items():
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise UsageError(f"?{name}: only IRIs and literals can be bound on a remote endpoint, not {term}")
    tokens = _significant_tokens(sparql)
    edits: list[tuple[int, int, str]] = []
    for index, token in enumerate(tokens):
        word = token.group().upper() if token.lastgroup == "word" else ""
        if word not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            continue
        opening = _where_group(tokens, index)
        outermost = not edits and all(t.group() != "{" for t in tokens[:index])
        names = [n for n in substitutions if outermost or _projects(tokens, index, opening, n)]
        if opening is not None and names:
            variables = " ".join(f"?{n}" for n in names)
            row = " ".join(str(substitutions[n]) for n in names)
            at = tokens[opening].end()
            edits.append((at, at, f" VALUES ({variables}) {{ ({row}) }} "))
        elif outermost and opening is None:
            raise UsageError("parameters need a WHERE clause to be bound on a remote endpoint")
    return _apply_edits(sparql, edits)


def _where_group(tokens: list[re.Match[str]], form: int) -> int | None:
    """Index of the `{` opening the WHERE group of the query form (SELECT, ASK, ...) at tokens[form]."""
    index = form + 1
    if tokens[form].group().upper() == "CONSTRUCT" and index < len(tokens) and tokens[index].group() == "{":
        index = _group_end(tokens, index) + 1  # skip the template
    for position in range(index, len(tokens)):
        if tokens[position].group() == "{":
            return position
    return None


def _projects(tokens: list[re.Match[str]], form: int, opening: int | None, name: str) -> bool:
    """Whether the SELECT at tokens[form] projects ?name (listed, `AS ?name`, or `*`)."""
    if tokens[form].group().upper() != "SELECT" or opening is None:
        return False
    depth = 0
    for position in range(form + 1, opening):
        text = tokens[position].group()
        depth += {"(": 1, ")": -1}.get(text, 0)
        previous = tokens[position - 1].group().upper()
        if text == "*" and depth == 0:
            return True
        if tokens[position].lastgroup == "variable" and text[1:] == name and (depth == 0 or previous == "AS"):
            return True
    return False


# ------------------------------------------------------------------------------------------------- results


def python_value(term: Term | None) -> Any:
    """The Python value of an RDF term: numbers, booleans and dates for typed literals, strings otherwise."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    datatype = term.datatype.value
    if not datatype.startswith(XSD):
        return term.value
    converter = _LITERAL_CONVERTERS.get(datatype[len(XSD) :])
    if converter is None:
        return term.value
    try:
        return converter(term.value)
    except (ValueError, InvalidOperation):
        return term.value  # an ill-typed literal keeps its lexical form rather than failing the whole result


def _boolean(lexical: str) -> bool:
    if lexical not in ("true", "false", "1", "0"):
        raise ValueError(lexical)
    return lexical in ("true", "1")


_INTEGER_TYPES = (
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
)
_LITERAL_CONVERTERS: dict[str, Any] = {
    **dict.fromkeys(_INTEGER_TYPES, int),
    "decimal": Decimal,
    "double": float,
    "float": float,
    "boolean": _boolean,
    "date": dt.date.fromisoformat,
    "dateTime": dt.datetime.fromisoformat,
}


def _json_term(term: Term) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    encoded: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


_RESULTS_XML_NS = "http://www.w3.org/2005/sparql-results#"


def _xml_term(parent: ElementTree.Element, term: Term) -> None:
    """One RDF term inside a SPARQL Query Results XML <binding> (or a triple term's part)."""
    if isinstance(term, ox.NamedNode):
        ElementTree.SubElement(parent, "uri").text = term.value
    elif isinstance(term, ox.BlankNode):
        ElementTree.SubElement(parent, "bnode").text = term.value
    elif isinstance(term, ox.Triple):
        triple = ElementTree.SubElement(parent, "triple")
        for part, value in (("subject", term.subject), ("predicate", term.predicate), ("object", term.object)):
            _xml_term(ElementTree.SubElement(triple, part), value)
    else:
        literal = ElementTree.SubElement(parent, "literal")
        literal.text = term.value
        if term.language:
            literal.set("xml:lang", term.language)
        elif term.datatype.value != _XSD_STRING:
            literal.set("datatype", term.datatype.value)


def _csv_value(term: Term | None) -> str:
    """A term in SPARQL CSV: the bare IRI, the lexical form or `_:label`; an unbound variable is empty."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


_TSV_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _tsv_value(term: Term | None) -> str:
    """A term in SPARQL TSV: Turtle syntax, with numbers and booleans abbreviated when Turtle allows it."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        bare = _TSV_BARE.get(term.datatype.value)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
    return str(term)


def _serialize_triples(triples: tuple[ox.Triple, ...], rdf_format: ox.RdfFormat) -> str:
    """Triples as text in `rdf_format`, declaring the common prefixes where the format has them."""
    data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES)
    return (data or b"").decode("utf-8")


def compact(term: Term | None) -> str:
    """A term as a person reads it in a table: IRIs as they paste back into a query (`sparql_term`), bare literal
    values, nothing when unbound."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return sparql_term(term)
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return str(term)


@dataclass(frozen=True)
class QueryResult:
    """The outcome of one query: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).

    Terms stay pyoxigraph terms so every format is exact; `rows` converts them to Python values for notebooks.
    """

    kind: ResultKind
    variables: tuple[str, ...] = ()
    solutions: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = ()

    def __len__(self) -> int:
        return len(self.triples) if self.kind == "graph" else len(self.solutions)

    @property
    def bindings(self) -> list[dict[str, Term]]:
        """One dict per solution, variable name -> RDF term; unbound variables are absent, as in SPARQL JSON."""
        return [
            {name: term for name, term in zip(self.variables, row, strict=True) if term is not None}
            for row in self.solutions
        ]

    @property
    def rows(self) -> list[dict[str, Any]]:
        """One dict per solution with every variable as a key and a Python value (None when unbound)."""
        return [
            {name: python_value(term) for name, term in zip(self.variables, row, strict=True)} for row in self.solutions
        ]

    @property
    def graph(self) -> str | None:
        """CONSTRUCT/DESCRIBE results as Turtle with the common prefixes; None for other query forms."""
        if self.kind != "graph":
            return None
        return _serialize_triples(self.triples, ox.RdfFormat.TURTLE)

    def to_rdf(self, rdf_format: ox.RdfFormat) -> str:
        """CONSTRUCT/DESCRIBE results in `rdf_format` (with the common prefixes where it has them)."""
        return _serialize_triples(self.triples, rdf_format)

    def without(self, names: Iterable[str]) -> QueryResult:
        """The same result with the columns `names` removed (named queries drop the echo of their inputs)."""
        drop = set(names)
        keep = [index for index, name in enumerate(self.variables) if name not in drop]
        if len(keep) == len(self.variables):
            return self
        return replace(
            self,
            variables=tuple(self.variables[index] for index in keep),
            solutions=tuple(tuple(row[index] for index in keep) for row in self.solutions),
        )

    def to_json(self) -> str:
        """SPARQL 1.1 Query Results JSON; JSON-LD for CONSTRUCT/DESCRIBE, which have no results format."""
        if self.kind == "graph":
            return _serialize_triples(self.triples, ox.RdfFormat.JSON_LD)
        if self.kind == "boolean":
            document: dict[str, Any] = {"head": {}, "boolean": self.boolean}
        else:
            document = {
                "head": {"vars": list(self.variables)},
                "results": {
                    "bindings": [
                        {name: _json_term(term) for name, term in binding.items()} for binding in self.bindings
                    ]
                },
            }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    def to_xml(self) -> str:
        """SPARQL Query Results XML; RDF/XML for CONSTRUCT/DESCRIBE."""
        if self.kind == "graph":
            return _serialize_triples(self.triples, ox.RdfFormat.RDF_XML)
        root = ElementTree.Element("sparql", xmlns=_RESULTS_XML_NS)
        head = ElementTree.SubElement(root, "head")
        if self.kind == "boolean":
            ElementTree.SubElement(root, "boolean").text = "true" if self.boolean else "false"
        else:
            for name in self.variables:
                ElementTree.SubElement(head, "variable", name=name)
            results = ElementTree.SubElement(root, "results")
            for binding in self.bindings:
                result = ElementTree.SubElement(results, "result")
                for name, term in binding.items():
                    _xml_term(ElementTree.SubElement(result, "binding", name=name), term)
        return '<?xml version="1.0"?>\n' + ElementTree.tostring(root, encoding="unicode")

    def to_csv(self) -> str:
        """SPARQL 1.1 CSV (CRLF line ends, plain values); Turtle for CONSTRUCT/DESCRIBE."""
        return self._delimited(",")

    def to_tsv(self) -> str:
        """SPARQL 1.1 TSV (`?var` header, terms in Turtle syntax); Turtle for CONSTRUCT/DESCRIBE."""
        return self._delimited("\t")

    def _delimited(self, delimiter: str) -> str:
        if self.kind == "graph":
            return self.graph or ""
        if self.kind == "boolean":
            return "true" if self.boolean else "false"
        if delimiter == "\t":
            lines = ["\t".join(f"?{name}" for name in self.variables)]
            lines += ["\t".join(_tsv_value(term) for term in row) for row in self.solutions]
            return "".join(line + "\n" for line in lines)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.variables)
        writer.writerows([_csv_value(term) for term in row] for row in self.solutions)
        return buffer.getvalue()


# ----------------------------------------------------------------------------------------------- execution


def to_term(value: object) -> Term:
    """An RDF term for a Python value bound to a query variable (terms pass through unchanged).

    Strings become plain literals, never IRIs: pass a `pyoxigraph.NamedNode` to bind an IRI.
    """
    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "double"))
    if isinstance(value, Decimal):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "decimal"))
    if isinstance(value, dt.datetime):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "dateTime"))
    if isinstance(value, dt.date):
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(XSD + "date"))
    if isinstance(value, str):
        return ox.Literal(value)
    raise KgError(f"cannot bind a {type(value).__name__} to a query variable: use a string, number, date or term")


_SYNTAX_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_CHARACTER_CLASS = re.compile(r",?\s*\[[^\]]*\](?:\s*\|\s*\[[^\]]*\])*")


# Every bare word SPARQL 1.1 (and the SPARQL 1.2 drafts Oxigraph follows) knows: keywords and built-in functions.
# Any other word outside strings, IRIs, prefixed names and variables is a misspelling.
SPARQL_WORDS = frozenset(
    (
        "BASE", "PREFIX", "SELECT", "DISTINCT", "REDUCED", "AS", "CONSTRUCT", "WHERE", "DESCRIBE", "ASK", "FROM",
        "NAMED", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "VALUES", "LOAD", "SILENT",
        "INTO", "CLEAR", "DROP", "CREATE", "ADD", "TO", "MOVE", "COPY", "INSERT", "DATA", "DELETE", "WITH", "USING",
        "DEFAULT", "ALL", "GRAPH", "OPTIONAL", "SERVICE", "BIND", "UNDEF", "MINUS", "UNION", "FILTER", "A", "TRUE",
        "FALSE", "NOT", "IN", "EXISTS", "SEPARATOR", "LATERAL", "VERSION", "STR", "LANG", "LANGMATCHES", "DATATYPE",
        "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE",
        "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY",
        "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384",
        "SHA512", "COALESCE", "IF", "STRLANG", "STRDT", "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
        "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT",
        "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "LANGDIR", "STRLANGDIR", "HASLANG", "HASLANGDIR",
        "ADJUST",
    )
)  # fmt: skip


def _unknown_word(sparql: str) -> tuple[str, int] | None:
    """The first bare word of the query that is no SPARQL keyword or function, with its offset; a language tag
    ("chat"@en) is not a word."""
    previous = ""
    for token in _TOKEN.finditer(sparql):
        kind, text = token.lastgroup, token.group()
        if kind == "word" and previous != "@" and text.upper() not in SPARQL_WORDS:
            return text, token.start()
        previous = text if kind == "other" else ""
    return None


def _misspelling(sparql: str, source: str) -> str | None:
    """An unknown word named with the keyword it probably means, or None when every word is SPARQL."""
    unknown = _unknown_word(sparql)
    if unknown is None:
        return None
    word, offset = unknown
    line, column = _position(sparql, offset)
    close = difflib.get_close_matches(word.upper(), sorted(SPARQL_WORDS), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else " (a keyword or function name was expected)"
    return f"{source}:{line}:{column}: SPARQL syntax error: unknown word {word!r}{hint}"


def _syntax_message(error: SyntaxError, sparql: str, source: str) -> str:
    """One line naming source, line and column: the misspelt keyword if there is one, else Oxigraph's
    expectation list stripped of character classes."""
    text = " ".join(str(error).split())
    misspelt = _misspelling(sparql, source)
    if misspelt is not None:
        return misspelt
    match = _SYNTAX_POSITION.match(text)
    if match is None:
        return f"{source}: SPARQL syntax error: {text}"
    line, column, detail = int(match[1]), int(match[2]), match[3]
    if "Prefix not found" in detail:
        unknown = _unknown_prefix(sparql)
        if unknown is not None:
            prefix, (line, column) = unknown[0], _position(sparql, unknown[1])
            return f"{source}:{line}:{column}: SPARQL syntax error: unknown prefix {prefix!r}; declare it with PREFIX"
    detail = _CHARACTER_CLASS.sub("", detail).replace("one of ,", "one of").strip(" ,")
    if detail in ("expected", "expected one of"):  # the list held only character classes
        detail = "unexpected text"
    elif detail == "expected CONSTRUCT":  # Oxigraph names only the last query form it tried
        detail = "expected a query form: SELECT, CONSTRUCT, DESCRIBE or ASK (after any PREFIX and BASE)"
    lines = sparql.splitlines() or [""]
    near = lines[line - 1][max(column - 1, 0) :].strip()[:40] if line <= len(lines) else ""
    where = f" (at {near!r})" if near else " (at the end of the query)" if line >= len(lines) else " (at the line end)"
    return f"{source}:{line}:{column}: SPARQL syntax error: {detail}{where}"


def _unknown_prefix(sparql: str) -> tuple[str, int] | None:
    """The first prefixed name whose prefix is neither pre-declared nor declared by the query, with its offset."""
    declared = set(PREFIXES)
    previous = ""
    for token in _TOKEN.finditer(sparql):
        kind, text = token.lastgroup, token.group()
        if kind in ("comment", "other") and not text.strip():
            continue
        if kind == "pname":
            prefix = text.split(":", 1)[0]
            if previous == "PREFIX":
                declared.add(prefix)
            elif prefix not in declared and prefix != "_":
                return prefix + ":", token.start()
        previous = text.upper() if kind == "word" else ""
    return None


def materialise(outcome: object) -> QueryResult:
    """A QueryResult from what an engine's `query` returned (pyoxigraph results, or a QueryResult already)."""
    if isinstance(outcome, QueryResult):  # an engine that materialises itself (a remote endpoint)
        return outcome
    if isinstance(outcome, ox.QueryBoolean):
        return QueryResult(kind="boolean", boolean=bool(outcome))
    if isinstance(outcome, ox.QueryTriples):
        return QueryResult(kind="graph", triples=tuple(outcome))
    assert isinstance(outcome, ox.QuerySolutions)
    variables = tuple(variable.value for variable in outcome.variables)
    return QueryResult(kind="bindings", variables=variables, solutions=tuple(tuple(s) for s in outcome))


class QueryEngine(Protocol):
    """What a query runs on: a pyoxigraph `Store`, or `kg.remote_store.SparqlEndpoint` for a remote server."""

    def query(
        self, query: str, *, prefixes: dict[str, str] | None = ..., substitutions: dict[ox.Variable, Term] | None = ...
    ) -> Any: ...


@dataclass(frozen=True)
class _Job:
    """One query ready to run: everything the child process needs, inherited through fork."""

    sparql: str
    substitutions: dict[ox.Variable, Term] = field(default_factory=dict)
    source: str = "<query>"

    def run(self, store: QueryEngine) -> QueryResult:
        try:
            outcome = store.query(self.sparql, prefixes=PREFIXES, substitutions=self.substitutions or None)
            return materialise(outcome)
        except SyntaxError as error:
            raise KgError(_syntax_message(error, self.sparql, self.source)) from None
        except (OSError, RuntimeError, ValueError, TypeError) as error:
            raise KgError(f"{self.source}: query failed: {' '.join(str(error).split())}") from None


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when `parent` dies (Linux), so a killed `kg query` leaves no worker."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _child(function: Callable[[], object], what: str, sender: Any, parent: int) -> None:
    """Body of the forked child: call `function` and send back ("ok", result) or ("error", KgError)."""
    _die_with(parent)
    try:
        sender.send(("ok", function()))
    except KgError as error:
        sender.send(("error", error))
    except Exception as error:  # anything else must still reach the parent as a message, not as a hang
        sender.send(("error", KgError(f"{what}: failed: {' '.join(str(error).split())}")))
    finally:
        sender.close()


def call_with_deadline(function: Callable[[], T], timeout: float, what: str = "query") -> T:
    """Call `function` in a forked child and kill the child if no result arrives within `timeout` seconds.

    Fork shares the parent's memory, open store included, with the child copy-on-write, so nothing is copied
    or reopened and the overhead stays at a few milliseconds (bench/bench_query.py measures it). The result
    comes back pickled. Raises QueryTimeoutError when the time runs out.
    """
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        raise KgError("a time limit needs the 'fork' start method, which this platform lacks") from None
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(function, what, sender, os.getpid()), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryTimeoutError(f"{what}: stopped after the {timeout:g} s time limit")
        status, payload = receiver.recv()
    except EOFError:
        child.join()
        raise KgError(f"{what}: the worker process ended without a result (exit code {child.exitcode})") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if status == "error":
        raise payload
    return payload


def run_query(
    store: QueryEngine,
    sparql: str,
    *,
    substitutions: Mapping[str, object] | None = None,
    timeout: float | None = None,
    source: str = "<query>",
) -> QueryResult:
    """Run a read-only SPARQL query; `substitutions` bind variables to terms (see `to_term`).

    `timeout` (seconds) stops the query in a killed child process; over MAX_TIMEOUT (or infinite) it sets no limit.
    `source` names the query in error messages
    ("queries/x.rq", "<stdin>").
    """
    check_read_only(sparql, source)
    if timeout is not None and not timeout > 0:
        raise UsageError(f"the time limit must be a positive number of seconds, not {timeout}")
    if timeout is not None and timeout > MAX_TIMEOUT:
        timeout = None  # "inf" or 1e300: no limit (a wait that long overflows the operating system's timers)
    job = _Job(
        sparql=sparql,
        substitutions={ox.Variable(name): to_term(value) for name, value in (substitutions or {}).items()},
        source=source,
    )
    if timeout is None:
        return job.run(store)
    return call_with_deadline(functools.partial(job.run, store), timeout, source)


# ------------------------------------------------------------------------------------------- named queries

PARAM_TYPES: tuple[str, ...] = ("literal", "integer", "iri", "term", "label", "paper", "limit")

_PARAM_LINE = re.compile(
    r"@param\s+(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>\w+)"
    r"(?:\s*\{(?P<choices>[^}]*)\})?"
    r"(?:\s*=\s*(?P<default>.*?))?"
    r"(?:\s+--\s+(?P<doc>.*))?\s*$"
)

# Every stored label the text matches. A store built by `GraphStore` keys each label in lower case (kg:labelKey,
# see kg.derived), so the match is one index lookup. A graph without keys (loaded from a file, or built before
# keys existed) falls back to looking up the usual case forms through the index, and to a scan of all labels with
# LCASE only when none of them exists (the scan costs a full pass: about 100 ms at 50k labels).
_HAS_KEYS = "ASK { ?node kg:labelKey ?key }"
_LABELS_BY_KEY = (
    "SELECT DISTINCT ?key ?label WHERE { ?node kg:labelKey ?key . "
    "{ ?node skos:prefLabel ?label } UNION { ?node skos:altLabel ?label } }"
)
_LABEL_EXISTS = "ASK { { ?node skos:prefLabel ?label } UNION { ?node skos:altLabel ?label } }"
_LABEL_SCAN = (
    "SELECT DISTINCT ?key ?label WHERE { { ?node skos:prefLabel ?label } UNION { ?node skos:altLabel ?label } "
    "FILTER(LCASE(STR(?label)) = ?key) }"
)


_TITLE_EXISTS = "ASK { ?node dcterms:title ?label }"
_TITLE_SCAN = "SELECT DISTINCT ?key ?label WHERE { ?node dcterms:title ?label FILTER(LCASE(STR(?label)) = ?key) }"
# LATERAL: the type is checked for the few nodes found, not joined with every paper (0.1 vs 105 ms at 10k papers).
_PAPER_BY_TEXT = (
    "SELECT DISTINCT ?p ?text WHERE { { ?p kg:arxivId ?text } UNION { ?p dcterms:identifier ?text } "
    "UNION { ?p dcterms:title ?text } LATERAL { ?p a kg:Paper } }"
)
_PAPER_EXISTS = "ASK { ?paper a kg:Paper }"


def _case_forms(text: str) -> list[str]:
    return list(dict.fromkeys([text, text.lower(), text.upper(), text.title(), text[:1].upper() + text[1:]]))


def _ignoring_case(store: QueryEngine, text: str, exists: str, scan: str) -> tuple[ox.Literal, ...]:
    """The literals equal to `text` ignoring case: the usual case forms looked up through the index (`exists`
    binds ?label), and a scan comparing lower cases (`scan` binds ?key) only when none of them is stored."""
    forms = _case_forms(text)
    found = [ox.Literal(form) for form in forms if run_query(store, exists, substitutions={"label": form}).boolean]
    if not found:
        rows = run_query(store, scan, substitutions={"key": text.lower()})
        found = [term for _, term in rows.solutions if isinstance(term, ox.Literal)]
    return tuple(sorted(found, key=str))


def stored_labels(store: QueryEngine, text: str) -> tuple[ox.Literal, ...]:
    """The preferred and alternative labels in `store` equal to `text` ignoring case.

    With label keys (every store `kg build` writes), the labels of the nodes keyed by `text` in lower case are
    read through the index, and those whose own key is that key are kept (a node keyed "lora" may also have the
    alias "low-rank adaptation"). Without keys, the usual case forms of `text` (as typed, lower, upper, title,
    first letter capital) are looked up, and all labels are scanned only when none of them is stored; there, a
    stored casing that is not a usual form is missed when a usual form exists ("LoRA" beside "Lora").
    """
    text = text.strip()
    if run_query(store, _HAS_KEYS).boolean:
        key = label_key(text)
        rows = run_query(store, _LABELS_BY_KEY, substitutions={"key": key})
        found = [term for _, term in rows.solutions if isinstance(term, ox.Literal) and label_key(term.value) == key]
        return tuple(sorted(found, key=str))
    return _ignoring_case(store, text, _LABEL_EXISTS, _LABEL_SCAN)


def paper_term(store: QueryEngine, value: object, what: str = "paper") -> Term:
    """The term a `paper` parameter binds: the IRI it gives, else its text when a paper's arXiv id, identifier or
    title equals it, else the stored title equal to it ignoring case (titles have no index by lower case: the
    usual case forms are tried through the index first, then every title is compared), else the text itself,
    which matches nothing."""
    if _looks_like_iri(value):
        return _iri(value, what)
    text = str(value.value if isinstance(value, ox.Literal) else value).strip()
    if run_query(store, _PAPER_BY_TEXT, substitutions={"text": text}).solutions:
        return ox.Literal(text)
    titles = _ignoring_case(store, text, _TITLE_EXISTS, _TITLE_SCAN)
    return titles[0] if titles else ox.Literal(text)


def paper_exists(store: QueryEngine, term: Term) -> bool:
    """Whether `term`, as `paper_term` bound it, names a paper in `store`."""
    if isinstance(term, ox.NamedNode):
        return bool(run_query(store, _PAPER_EXISTS, substitutions={"paper": term}).boolean)
    return bool(run_query(store, _PAPER_BY_TEXT, substitutions={"text": term}).solutions)


_ALL_KEYS = "SELECT DISTINCT ?label WHERE { ?node kg:labelKey ?label }"
_ALL_LABELS = (
    "SELECT DISTINCT ?label WHERE { VALUES ?class { kg:Method kg:Dataset kg:Hardware kg:Metric kg:Task } "
    "?node a ?class ; skos:prefLabel|skos:altLabel ?label }"
)
_ALL_TITLES = "SELECT DISTINCT ?label WHERE { ?node dcterms:title ?label }"


_NON_WORD = re.compile(r"\W+")


def _words(text: str) -> str:
    """`text` as space-separated words with a space at each end, so `in` tests whole-word containment."""
    return f" {_NON_WORD.sub(' ', text).strip()} "


def _sharing_words(key: str, names: Iterable[str], limit: int) -> list[str]:
    """Names holding at least three quarters (and two) of the words of `key`, most shared first: the title a user
    half remembers ("mini omni language models hear"), which spelling similarity misses in a long title."""
    wanted = set(_words(key).split())
    if len(wanted) < 2:
        return []
    scored = []
    for name in names:
        shared = len(wanted.intersection(_words(name).split()))
        if shared >= 2 and shared >= 0.75 * len(wanted):
            scored.append((-shared, len(name), name))
    return [name for _, _, name in sorted(scored)[:limit]]


def suggestions(store: QueryEngine, kind: str, text: str, limit: int = 5) -> tuple[str, ...]:
    """Stored names nearest to `text`, for "did you mean": labels of concepts (`kind` "label") or paper titles
    ("paper"), ignoring case: names that contain the text (shortest first), then names that share most of its
    words, then close spellings (difflib), then names the text contains as whole words ("QLoRA" for "QLoRA
    adapters", longest first).

    It reads every label key or title (about 1.5 s CPU at the corpus's 104k label keys, 2026-12-03), so it is for
    the moment something matched nothing, not for every query. Labels are read through their lower-case keys
    (kg:labelKey) where the store has them, and only the chosen ones are looked up in their stored case."""
    key = " ".join(text.lower().split())
    if not key:
        return ()
    keyed = kind != "paper" and run_query(store, _HAS_KEYS).boolean
    by_key: dict[str, str] = {}
    for (term,) in run_query(store, _ALL_TITLES if kind == "paper" else _ALL_KEYS if keyed else _ALL_LABELS).solutions:
        if isinstance(term, ox.Literal):
            by_key.setdefault(term.value.lower(), term.value)
    containing = sorted((k for k in by_key if key in k), key=lambda k: (len(k), k))[:limit]
    close = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)
    words = _words(key)
    contained = sorted((k for k in by_key if len(k) >= 3 and _words(k) in words), key=lambda k: (-len(k), k))
    ranked = list(dict.fromkeys([*containing, *_sharing_words(key, by_key, limit), *close, *contained]))[:limit]
    if keyed:
        return tuple(next((label.value for label in stored_labels(store, k)), k) for k in ranked)
    return tuple(by_key[k] for k in ranked)


@dataclass(frozen=True)
class Param:
    """A declared parameter: `# @param name: type {a|b} = default -- description`.

    Types: `literal` (a plain string literal), `integer`, `iri` (a full IRI or a prefixed name with a common
    prefix), `term` (an IRI when the value looks like one, see `_looks_like_iri`, otherwise a literal), `label`
    (text matched against stored labels ignoring case, see `stored_labels`), `paper` (a paper's IRI, arXiv id,
    identifier, or title in any case, see `paper_term`) and `limit` (the number of rows).
    """

    name: str
    type: str
    default: str | None = None
    choices: tuple[str, ...] = ()
    description: str = ""

    def describe(self) -> str:
        kind = self.type + (" {" + "|".join(self.choices) + "}" if self.choices else "")
        default = "required" if self.default is None else f"default {self.default}"
        return f"{self.name}: {kind}, {default}" + (f" -- {self.description}" if self.description else "")

    def term(self, value: object, query: str) -> Term:
        """The RDF term bound for `value` (literal, integer, iri and term types), checked against type and choices."""
        if self.type == "literal":
            text = value.value if isinstance(value, ox.Literal) else str(value)
            if self.choices:
                canonical = {choice.lower(): choice for choice in self.choices}.get(text.strip().lower())
                if canonical is None:
                    raise UsageError(f"{query}: {self.name} must be one of {', '.join(self.choices)}, not {text!r}")
                text = canonical
            return ox.Literal(text)
        if self.type == "integer":
            return ox.Literal(str(self.integer(value, query)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "term" and not _looks_like_iri(value):
            return value if isinstance(value, ox.Literal) else ox.Literal(str(value))
        return _iri(value, f"{query}: {self.name}")

    def integer(self, value: object, query: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                raise UsageError(f"{query}: {self.name} must be an integer, not {value!r}") from None
        if self.type == "limit" and number < 0:
            raise UsageError(f"{query}: {self.name} must not be negative, not {number}")
        return number


def _looks_like_iri(value: object) -> bool:
    """True for a NamedNode, an http(s):, urn: or file: IRI, or a prefixed name with a common prefix.

    Deliberately narrow: "LoRA:X" is a valid IRI too, but as a `term` parameter it is meant as a title or id.
    """
    if isinstance(value, ox.NamedNode):
        return True
    text = str(value).strip().removeprefix("<").removesuffix(">")
    prefix, colon, _ = text.partition(":")
    return (
        bool(colon) and (prefix.lower() in ("http", "https", "urn", "file") or prefix in PREFIXES) and " " not in text
    )


_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def _iri(value: object, what: str) -> ox.NamedNode:
    """A NamedNode from an IRI, `<IRI>`, or a prefixed name using one of the common prefixes, escaped as SPARQL
    writes it (kgid:paper\\/arxiv-2401.00001, as `kg query` prints it) or not (kgid:paper/arxiv-2401.00001)."""
    if isinstance(value, ox.NamedNode):
        return value
    text = str(value).strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    try:
        return ox.NamedNode(text)
    except ValueError:
        raise UsageError(f"{what} must be an IRI, not {value!r}") from None


@dataclass(frozen=True)
class Binding:
    """A named query's parameters resolved: terms to substitute, label terms for VALUES blocks, the row limit."""

    substitutions: dict[str, Term] = field(default_factory=dict)
    values: dict[str, tuple[Term, ...]] = field(default_factory=dict)
    limit: int | None = None


@dataclass(frozen=True)
class _Slots:
    """Where a query's text takes rendered values: the inside of `VALUES ?name { ... }` and each LIMIT number."""

    values: dict[str, list[tuple[int, int]]]
    limits: list[tuple[int, int]]


def _slots(text: str) -> _Slots:
    tokens = _significant_tokens(text)
    values: dict[str, list[tuple[int, int]]] = {}
    limits: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        word = token.group().upper() if token.lastgroup == "word" else ""
        following = tokens[index + 1 : index + 3]
        if word == "LIMIT" and following and following[0].lastgroup == "number":
            limits.append(following[0].span())
        elif word == "VALUES" and len(following) == 2 and following[0].lastgroup == "variable":
            if following[1].group() != "{":
                continue
            close = next((t for t in tokens[index + 3 :] if t.group() == "}"), None)
            if close is not None:
                values.setdefault(following[0].group()[1:], []).append((following[1].end(), close.start()))
    return _Slots(values, limits)


@dataclass(frozen=True)
class NamedQuery:
    """A `.rq` file with its header: the leading `#` lines hold a description (their first paragraph: what the
    query answers; a later paragraph, after an empty `#` line, is for maintainers, such as the plan), `@param` and
    `@example` lines.

    Most parameters are bound by Oxigraph substitution, so their variable must be in the SELECT clause; the
    runner drops those columns from the result, since they only echo the input. Two kinds cannot be
    substitutions: a `label` stands for every stored label it matches, so it fills the query's
    `VALUES ?name { ... }` block with those labels (serialised by pyoxigraph, never the user's text), and a
    `limit` sets the number of every LIMIT clause, because SPARQL takes only a literal integer there (a validated
    Python int is written). The values in the file are the defaults, so a `.rq` file also runs as it is.
    """

    name: str
    path: Path
    text: str
    description: str
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> NamedQuery:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise KgError(f"{path}: cannot read the query: {error}") from None
        description: list[str] = []
        params: list[Param] = []
        examples: list[str] = []
        in_description = True  # the description is the first paragraph; later text (the plan) is for maintainers
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            content = stripped.lstrip("#").strip()
            if content.startswith("@param"):
                params.append(_parse_param(content, path, number))
            elif content.startswith("@example"):
                examples.append(content.removeprefix("@example").strip())
            elif content.startswith("@"):
                raise KgError(f"{path}:{number}: unknown header tag {content.split()[0]!r}")
            elif not content:
                in_description = not description
            elif in_description:
                description.append(content)
        query = cls(path.stem, path, text, " ".join(description), tuple(params), tuple(examples))
        query._check_slots()
        return query

    def _check_slots(self) -> None:
        names = [param.name for param in self.params]
        if len(set(names)) != len(names):
            raise KgError(f"{self.path}: a parameter is declared twice")
        slots = _slots(self.text)
        for param in self.params:
            if param.type == "label" and len(slots.values.get(param.name, [])) != 1:
                raise KgError(f"{self.path}: label parameter {param.name!r} needs one 'VALUES ?{param.name} {{ }}'")
            if param.type == "limit" and not slots.limits:
                raise KgError(f"{self.path}: limit parameter {param.name!r} needs a LIMIT clause")
        if sum(param.type == "limit" for param in self.params) > 1:
            raise KgError(f"{self.path}: at most one parameter may be of type limit")

    def bind(self, store: QueryEngine, values: Mapping[str, object]) -> Binding:
        """Check `values` against the declared parameters, fill defaults, and resolve them to terms."""
        declared = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            expected = ", ".join(declared) or "none"
            raise UsageError(f"{self.name}: unknown parameter {unknown[0]!r} (parameters: {expected})")
        substitutions: dict[str, Term] = {}
        labels: dict[str, tuple[Term, ...]] = {}
        limit: int | None = None
        for param in self.params:
            value = values.get(param.name, param.default)
            if value is None:
                raise UsageError(f"{self.name}: missing parameter {param.name!r} ({param.describe()})")
            if param.type == "limit":
                limit = param.integer(value, self.name)
            elif param.type == "label":
                labels[param.name] = stored_labels(store, str(value))
            elif param.type == "paper":
                substitutions[param.name] = paper_term(store, value, f"{self.name}: {param.name}")
            else:
                substitutions[param.name] = param.term(value, self.name)
        return Binding(substitutions, labels, limit)

    def render(self, binding: Binding) -> str:
        """The query text with the label VALUES blocks and the LIMIT numbers of `binding` written in."""
        slots = _slots(self.text)
        edits = [
            (start, end, " " + " ".join(str(term) for term in binding.values[name]) + " ")
            for name, spans in slots.values.items()
            if name in binding.values
            for start, end in spans
        ]
        if binding.limit is not None:
            edits += [(start, end, str(int(binding.limit))) for start, end in slots.limits]
        return _apply_edits(self.text, edits)


def _parse_param(content: str, path: Path, number: int) -> Param:
    match = _PARAM_LINE.fullmatch(content)
    if match is None:
        raise KgError(f"{path}:{number}: cannot read {content!r}: expected '@param name: type = default -- text'")
    if match["type"] not in PARAM_TYPES:
        raise KgError(f"{path}:{number}: unknown parameter type {match['type']!r} (types: {', '.join(PARAM_TYPES)})")
    choices = tuple(choice.strip() for choice in (match["choices"] or "").split("|") if choice.strip())
    default = match["default"].strip() if match["default"] else None
    return Param(match["name"], match["type"], default or None, choices, (match["doc"] or "").strip())


def named_queries(directory: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every named query in `directory`, sorted by name."""
    return [NamedQuery.load(path) for path in sorted(directory.glob("*.rq"))]


def named_query(name: str, directory: Path = QUERIES_DIR) -> NamedQuery:
    """The named query `name`, matched ignoring case; UsageError with the nearest names when there is none. Each
    file is read once per version (a server runs the same few queries all day)."""
    known = {path.stem.lower(): path for path in sorted(directory.glob("*.rq"))}
    path = known.get(name.strip().lower()) if re.fullmatch(r"[A-Za-z0-9_-]+", name.strip()) else None
    if path is None:
        close = difflib.get_close_matches(name.strip().lower(), list(known), n=3, cutoff=0.5)
        hint = f"did you mean {' or '.join(close)}? " if close else ""
        raise UsageError(f"no named query {name!r} ({hint}known: {', '.join(known)}); `kg query --list` describes them")
    stat = path.stat()
    return _load_named(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _load_named(path: Path, mtime_ns: int, size: int) -> NamedQuery:
    """`NamedQuery.load`, memoised on the file's modification time and size: an edited file is read again."""
    return NamedQuery.load(path)


def run_named(
    store: QueryEngine,
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    timeout: float | None = None,
    directory: Path = QUERIES_DIR,
) -> QueryResult:
    """Run the named query `name` with `params`; the columns of substituted parameters are dropped."""
    query = named_query(name, directory)
    binding = query.bind(store, params or {})
    result = run_query(
        store, query.render(binding), substitutions=binding.substitutions, timeout=timeout, source=str(query.path)
    )
    return result.without(binding.substitutions)


@dataclass(frozen=True)
class Unmatched:
    """A parameter whose value names nothing in the graph, with the nearest stored names."""

    param: str
    kind: str  # "label" (a concept) or "paper"
    value: str
    suggestions: tuple[str, ...]

    def message(self) -> str:
        what = "no concept labelled" if self.kind == "label" else "no paper with the arXiv id, identifier or title"
        hint = f" (did you mean: {'; '.join(self.suggestions)}?)" if self.suggestions else ""
        return f"{what} {self.value!r} ({self.param}){hint}"


def unmatched_parameters(
    store: QueryEngine, name: str, params: Mapping[str, object] | None = None, *, directory: Path = QUERIES_DIR
) -> list[Unmatched]:
    """The `label` and `paper` parameters of a named query whose values match nothing in `store` (ignoring case),
    each with suggestions: why a query that came back empty did, when the reason is a name the graph lacks."""
    query = named_query(name, directory)
    values = params or {}
    found = []
    for param in query.params:
        value = values.get(param.name, param.default)
        if value is None or param.type not in ("label", "paper"):
            continue
        text = str(value).strip()
        if param.type == "label" and not stored_labels(store, text):
            found.append(Unmatched(param.name, "label", text, suggestions(store, "label", text)))
        elif param.type == "paper" and not paper_exists(store, paper_term(store, value)):
            found.append(Unmatched(param.name, "paper", text, suggestions(store, "paper", text)))
    return found
