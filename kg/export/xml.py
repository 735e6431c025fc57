"""What XML 1.0 allows, in one place: the two XML exports (RDF/XML and GraphML) must both respect it."""

from __future__ import annotations

import re

# NameStartChar and NameChar of XML 1.0 (fifth edition), without the colon, which namespaces reserve.
NAME_START_CHARS = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
NAME_CHARS = NAME_START_CHARS + r"\-.0-9\u00b7\u0300-\u036f\u203f\u2040"

# xs:NMTOKEN: one or more name characters, colon included (GraphML ids and attribute names).
NMTOKEN = re.compile(f"[:{NAME_CHARS}]+")
# The local part RDF/XML needs at the end of a predicate IRI to write it as an element name.
LOCAL_NAME = re.compile(f"[{NAME_START_CHARS}][{NAME_CHARS}]*$")

# Characters XML 1.0 cannot carry at all, not even as character references (the complement of Char) ...
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# ... and the same set as UTF-8 bytes, for scanning serialised output without decoding it: C0 controls other
# than tab, LF and CR, U+FFFE and U+FFFF (surrogates cannot occur in valid UTF-8).
NOT_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
REPLACEMENT = "\ufffd"
