"""Hardware, with counts and vendors: "8 GPUs", "2,240 NVIDIA A100", "Jetson Nano", "Snapdragon 835", "FPGA".

Model names follow naming schemes (a letter and three digits for NVIDIA data-centre parts, RTX and four digits,
TPU and a version), so they are matched by shape rather than listed one by one, and new parts are found too.
Every pattern is bounded by non-word characters, so a substring never counts: the "tpu" inside "output" is not a
TPU.  Ambiguous short names (T4, L4, H20, M2) count only beside a vendor or "GPU".  Vocabulary hardware found by
the gazetteer gets the same count and vendor treatment, and lends its label to an overlapping match.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.candidates import Candidate, by_start, candidates, text_of
from kg.nlp.gazetteer import Gazetteer
from kg.nlp.text import fold
from kg.nlp.tokens import WordClass, token_view

VENDORS: tuple[str, ...] = (
    "NVIDIA",
    "Nvidia",
    "AMD",
    "Intel",
    "Google",
    "Apple",
    "Qualcomm",
    "Huawei",
    "Graphcore",
    "Cerebras",
    "IBM",
    "Xilinx",
    "Samsung",
    "Arm",
    "ARM",
)
_VENDOR_CANON = {"Nvidia": "NVIDIA", "ARM": "Arm"}
_NUMBER_WORDS = {
    "single": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "sixteen": 16,
    "thirty-two": 32,
    "sixty-four": 64,
}
_SUFFIX = r"(?:(?: Tensor Core)? GPUs?\b)?"


@dataclass(frozen=True)
class HardwareFamily:
    """One naming scheme: its regex (group `model`, optionally `family`, `ti`), vendor, and how it is labelled.

    `trigger` matches the first token of a mention; the full regex is only tried where a token matches it.
    """

    name: str
    trigger: str
    regex: str
    vendor: str | None
    label: str  # format string over the match's groups, e.g. "RTX {model}"; missing groups read as empty
    needs_context: bool = False  # only beside a vendor or a trailing "GPU"


_DATACENTER = r"[AHVPBL]100|A800|H[28]00|V100|P100|K80|B200|GB200|GH200|A[456]000|L40S?"
_CONTEXT_ONLY = r"T4|L4|A10G?|A30|A40|H20|P40|P4"
FAMILIES: tuple[HardwareFamily, ...] = (
    HardwareFamily(
        "nvidia-datacenter",
        rf"Tesla|(?:{_DATACENTER})s?",
        rf"(?:Tesla )?(?P<model>{_DATACENTER})s?",
        "NVIDIA",
        "{model}",
    ),
    HardwareFamily(
        "nvidia-context",
        rf"Tesla|(?:{_CONTEXT_ONLY})s?",
        rf"(?:Tesla )?(?P<model>{_CONTEXT_ONLY})s?",
        "NVIDIA",
        "{model}",
        needs_context=True,
    ),
    HardwareFamily(
        "nvidia-geforce",
        r"GeForce|Quadro|[RG]TX(?:A?\d{4})?",
        r"(?:(?:GeForce|Quadro) )?(?P<family>RTX|GTX)[ -]?(?P<model>A?\d{4})(?: ?(?P<ti>Ti|SUPER|Super))?",
        "NVIDIA",
        "{family} {model}{ti}",
    ),
    HardwareFamily(
        "nvidia-number",
        r"[2-5]0[5-9]0",
        r"(?<=NVIDIA )(?P<model>[2-5]0[5-9]0)(?: ?(?P<ti>Ti))?",
        "NVIDIA",
        "RTX {model}{ti}",
    ),
    HardwareFamily("nvidia-titan", r"(?i:titan)", r"(?i:titan) (?P<model>Xp|XP|X|V|RTX)", "NVIDIA", "TITAN {model}"),
    HardwareFamily(
        "nvidia-jetson",
        r"Jetson",
        r"Jetson(?: (?P<model>Nano|TX[12]|(?:AGX )?Xavier(?: NX)?|(?:AGX )?Orin(?: Nano| NX)?))?",
        "NVIDIA",
        "Jetson {model}",
    ),
    HardwareFamily("nvidia-dgx", r"DGX", r"DGX(?:[- ](?P<model>1|2|A100|H100|Station))?", "NVIDIA", "DGX {model}"),
    HardwareFamily(
        "google-tpu",
        r"Cloud|TPUs?(?:v\d[a-z]?)?",
        r"(?:Cloud )?TPUs?(?:[ -]?(?P<model>v\d[a-z]?))?(?: Pods?)?",
        "Google",
        "TPU {model}",
    ),
    HardwareFamily(
        "amd-instinct",
        r"Instinct|MI\d+[AX]?",
        r"(?:Instinct )?(?P<model>MI(?:25|50|60|100|210|250X?|300[AX]?))",
        "AMD",
        "{model}",
    ),
    HardwareFamily(
        "qualcomm-snapdragon", r"Snapdragon", r"Snapdragon (?P<model>\d{3,4}\+?)", "Qualcomm", "Snapdragon {model}"
    ),
    HardwareFamily(
        "raspberry-pi",
        r"Raspberry",
        r"Raspberry (?i:pi)(?: (?P<model>[2-5]|Zero)(?: Model [AB]\+?| B\+?)?)?",
        None,
        "Raspberry Pi {model}",
    ),
    HardwareFamily(
        "apple-silicon", r"M[1-4]", r"(?<=Apple )(?P<model>M[1-4](?: Pro| Max| Ultra)?)", "Apple", "{model}"
    ),
    HardwareFamily(
        "apple-iphone",
        r"iPhone(?:\d+)?",
        r"iPhone(?: (?P<model>\d{1,2}(?: Pro(?: Max)?| Plus| mini)?))?",
        "Apple",
        "iPhone {model}",
    ),
    HardwareFamily(
        "intel-xeon",
        r"Xeon",
        r"Xeon(?: (?P<model>Phi|Gold|Platinum|Silver|E\d-\d{4}\w*)(?: \d{4}\w*)?)?",
        "Intel",
        "Xeon {model}",
    ),
    HardwareFamily("intel-core", r"Core", r"Core (?P<model>i[3579])(?:-\d{4,5}[A-Z]*)?", "Intel", "Core {model}"),
    HardwareFamily("intel-loihi", r"Loihi2?", r"Loihi(?: ?(?P<model>2))?", "Intel", "Loihi {model}"),
    HardwareFamily("intel-gaudi", r"Gaudi[23]?", r"Gaudi(?: ?(?P<model>[23]))?", "Intel", "Gaudi {model}"),
    HardwareFamily("ibm-truenorth", r"TrueNorth", r"TrueNorth", "IBM", "TrueNorth"),
    HardwareFamily("spinnaker", r"SpiNNaker2?", r"SpiNNaker(?: ?(?P<model>2))?", None, "SpiNNaker {model}"),
    HardwareFamily(
        "huawei-ascend", r"Ascend(?:9\d0[A-Z]?)?", r"Ascend ?(?P<model>9\d0[A-Z]?)", "Huawei", "Ascend {model}"
    ),
    HardwareFamily("graphcore-ipu", r"IPUs?", r"IPUs?", "Graphcore", "IPU"),
    HardwareFamily("cerebras", r"Cerebras", r"Cerebras(?: (?P<model>CS-\d|WSE-\d))?", "Cerebras", "Cerebras {model}"),
    HardwareFamily(
        "arm-cortex", r"Cortex-[AMR]\d{1,2}|Cortex", r"Cortex-(?P<model>[AMR]\d{1,2})", "Arm", "Cortex-{model}"
    ),
    HardwareFamily(
        "microcontroller-board",
        r"ESP32|STM32\w*|Arduino",
        r"(?P<model>ESP32|STM32\w*|Arduino(?: Uno| Nano 33(?: BLE)?)?)",
        None,
        "{model}",
    ),
    HardwareFamily("gpu", r"GPUs?", r"GPUs?", None, "GPU"),
    HardwareFamily("cpu", r"CPUs?", r"CPUs?", None, "CPU"),
    HardwareFamily("npu", r"NPUs?", r"NPUs?", None, "NPU"),
    HardwareFamily("fpga", r"FPGAs?", r"FPGAs?", None, "FPGA"),
    HardwareFamily("asic", r"ASICs?", r"ASICs?", None, "ASIC"),
    HardwareFamily("tensor-core", r"Tensor", r"Tensor Cores?", "NVIDIA", "Tensor Core"),
    HardwareFamily(
        "microcontroller",
        r"(?i:microcontrollers?)|MCUs?",
        r"(?i:microcontrollers?)(?: units?)?|MCUs?",
        None,
        "microcontroller",
    ),
    HardwareFamily("edge-device", r"[Ee]dge", r"[Ee]dge (?:devices?|hardware|platforms?)", None, "edge device"),
    HardwareFamily(
        "mobile-phone",
        r"[Mm]obile|[Ss]mart(?:phones?)?|[Cc]ell(?:phones?)?",
        r"[Mm]obile phones?|[Ss]mart ?phones?|[Cc]ell ?phones?",
        None,
        "mobile phone",
    ),
    HardwareFamily("mobile-device", r"[Mm]obile", r"[Mm]obile devices?", None, "mobile device"),
    HardwareFamily("iot-device", r"IoT", r"IoT devices?", None, "IoT device"),
    HardwareFamily(
        "embedded-device",
        r"[Ee]mbedded",
        r"[Ee]mbedded (?:devices?|platforms?|systems?|hardware)",
        None,
        "embedded device",
    ),
    HardwareFamily(
        "neuromorphic",
        r"[Nn]euromorphic",
        r"[Nn]euromorphic (?:hardware|chips?|processors?|devices?|platforms?|systems?|computers?)",
        None,
        "neuromorphic hardware",
    ),
    HardwareFamily(
        "resistive-memory",
        r"[Rr]esistive|RRAM|ReRAM|[Mm]emristors?|[Mm]emristive",
        r"[Rr]esistive (?:memory|memories|RAM|random[- ]access memory)|RRAM|ReRAM|[Mm]emristors?"
        r"|[Mm]emristive (?:devices?|crossbars?|arrays?)",
        None,
        "resistive memory",
    ),
)

_GROUPS: tuple[tuple[str, ...], ...] = tuple(tuple(re.findall(r"\(\?P<(\w+)>", family.regex)) for family in FAMILIES)
_COUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,6}")
_TIMES = ("x", "\u00d7")
_PREFIX_WINDOW = 40
_OVERLAPS = 4


_HARDWARE = int(WordClass.HARDWARE)
_TRIGGER = re.compile("|".join(f"(?:{family.trigger})" for family in FAMILIES))


def starts_hardware(word: str) -> bool:
    """Whether a hardware name can start with this token (the WordClass.HARDWARE of `kg.nlp.lexical`)."""
    return _TRIGGER.fullmatch(word) is not None


def _combined(families: tuple[HardwareFamily, ...]) -> re.Pattern[str]:
    """One alternation over all families (group `f<i>` per family, its groups renamed `f<i>_<name>`).

    A single scan of the text costs far less than one scan per family.
    """
    branches = [
        f"(?P<f{index}>" + re.sub(r"\(\?P<(\w+)>", rf"(?P<f{index}_\1>", family.regex) + ")"
        for index, family in enumerate(families)
    ]
    return re.compile(rf"(?<![\w\-.])(?:{'|'.join(branches)}){_SUFFIX}(?![\w]|-[A-Za-z0-9])")


class Hardware:
    """Adds `hardware/<family>` candidates carrying count and vendor, and counts/vendors for gazetteer hardware."""

    def __init__(self, confidence: float, known_labels: Mapping[str, str]) -> None:
        """`known_labels`: folded label -> prefLabel of the vocabulary's hardware, so that a model found by shape
        ("NVIDIA 4090") gets the same concept as its vocabulary entry ("NVIDIA GeForce RTX 4090")."""
        self.confidence = confidence
        self.known_labels = known_labels
        self.pattern = _combined(FAMILIES)

    def __call__(self, doc: Doc) -> Doc:
        text = text_of(doc)
        found = candidates(doc)
        known = [c for c in found if c.type == "hardware"]
        if len(known) > 1:
            known.sort(key=by_start)  # stable: candidates at one offset keep their order
        end = 0
        view = token_view(doc)
        for index in view.having(_HARDWARE):
            position = view.starts[index]
            match = self.pattern.match(text, position) if position >= end else None
            candidate = self._candidate(text, match, known) if match is not None else None
            if candidate is not None:
                found.append(candidate)
                end = match.end()  # type: ignore[union-attr]
        for candidate in known:
            start, count, vendor = _prefix(text, candidate.start)
            if count is not None or start != candidate.start:
                found.append(
                    Candidate(
                        start,
                        candidate.end,
                        "hardware",
                        "hardware/vocabulary",
                        self.confidence,
                        label=candidate.label,
                        units=count,
                        vendor=vendor or candidate.vendor,
                    )
                )
        return doc

    def _candidate(self, text: str, match: re.Match[str], known: list[Candidate]) -> Candidate | None:
        index = int(str(match.lastgroup)[1:])  # the family's group closes last: the suffix group does not capture
        family = FAMILIES[index]
        start, count, vendor = _prefix(text, match.start())
        if family.needs_context and vendor is None and "GPU" not in match.group():
            return None
        groups = {name: match.group(f"f{index}_{name}") or "" for name in _GROUPS[index]}
        if groups.get("ti"):
            groups["ti"] = " " + groups["ti"]
        label = " ".join(family.label.format_map(_Blank(groups)).split())
        label = self.known_labels.get(fold(label), label)
        # A vocabulary entry lends its label when it covers the model, not just the trailing "GPU".
        before = bisect_right(known, match.start(), key=by_start)
        nearby = known[max(0, before - _OVERLAPS) : before]  # vocabulary matches barely overlap: a few suffice
        overlapping = [c for c in nearby if match.start() < c.end and c.label]
        if overlapping:
            label = max(overlapping, key=lambda c: c.length).label or label
        return Candidate(
            start,
            match.end(),
            "hardware",
            f"hardware/{family.name}",
            self.confidence,
            label=label,
            units=count,
            vendor=vendor or family.vendor,
        )


class _Blank(dict[str, str]):
    """Format arguments where a group the family does not have reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _prefix(text: str, start: int) -> tuple[int, int | None, str | None]:
    """(new start, count, vendor) read from the words right before `start`: "2,240 NVIDIA " -> 2240, NVIDIA.

    The mention's span grows to include the vendor, not the count.  Reads at most _PREFIX_WINDOW characters back
    with string operations (a regex search anchored at the end would try every position of the window).
    """
    before = text[max(0, start - _PREFIX_WINDOW) : start]
    words = before.rstrip(" ")
    if len(words) == len(before):
        return start, None, None  # glued to the word before: no count or vendor
    new_start, vendor = start, None
    last = words.rsplit(" ", 1)[-1]
    if last in VENDORS and len(last) < len(words):
        vendor = _VENDOR_CANON.get(last, last)
        new_start = start - (len(before) - len(words)) - len(last)
        words = words[: -len(last)].rstrip(" ")
    last = words.rsplit(" ", 1)[-1]
    if last in _TIMES:  # "8 x A100"
        words = words[:-1].rstrip(" ")
        last = words.rsplit(" ", 1)[-1]
    elif last[-1:] in _TIMES and last[:-1].isdigit():  # "8x A100"
        last = last[:-1]
    if last.lower() in _NUMBER_WORDS:
        return new_start, _NUMBER_WORDS[last.lower()], vendor
    return new_start, int(last.replace(",", "")) if _COUNT.fullmatch(last) else None, vendor


@Language.factory("kg_hardware", default_config={"confidence": 0.9})
def make_hardware(nlp: Language, name: str, confidence: float) -> Hardware:
    """Reads the vocabulary's hardware labels from the pipeline's gazetteer, when it has one."""
    gazetteer = nlp.get_pipe("kg_gazetteer") if "kg_gazetteer" in nlp.pipe_names else None
    entries = gazetteer.entries if isinstance(gazetteer, Gazetteer) else ()
    known = {fold(label): entry.label for entry in entries if entry.type == "hardware" for label in entry.labels}
    return Hardware(confidence, known)
