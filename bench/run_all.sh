#!/usr/bin/env bash
# Every benchmark in one command: extraction, store load, the corpus build at scale, named queries, exports,
# kg serve and the concept map on the real corpus.
# Usage: bash bench/run_all.sh   (after the README's test set-up command; expects ../shared/corpus/hf-daily-api)
# The store of the real corpus is built once (by bench_query.py) and reused by the scripts after it.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== extraction throughput vs the bare spaCy tokenizer"
$py bench/bench_extract.py
echo "== store: Oxigraph bulk load vs rdflib in-memory"
$py bench/bench_store.py
echo "== corpus build: default settings vs one process, incremental add, kg validate, scaling to 50k papers"
$py bench/bench_build.py
echo "== named queries: Oxigraph vs rdflib in-memory"
$py bench/bench_query.py --store "$work/store"
echo "== exports: kg vs rdflib and networkx serialisers"
$py bench/bench_export.py --store "$work/store"
echo "== kg serve: 10 concurrent clients vs oxigraph serve-read-only and in-process pyoxigraph"
$py bench/bench_serve.py --store "$work/store"
echo "== concept map: writing and opening 2,000 and 10,000 concepts, vs pyvis and nx.spring_layout"
$py bench/bench_map.py --store "$work/store"
