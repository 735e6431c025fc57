"""kg: a knowledge-graph builder and graph query tool for the machine-learning literature.

Data flows one way: ingest -> extract -> link -> store -> query / export. See DESIGN notes in README.
"""

__version__ = "0.1.0"
