"""Fold the ways players write a character onto one: simplified, traditional, Japanese kanji.

A player types 恋爱裁判 or 樱 for the titles 恋愛裁判 and 桜: every form of a character is
folded onto its simplified one, through OpenCC's character tables (opencc-python-reimplemented
ships them): traditional to simplified (TSCharacters) and Japanese shinjitai to traditional
(JPVariants, read backwards), so 桜 → 櫻 → 樱 and 愛 → 爱. Only single characters are folded,
never phrases: search compares characters, and a fold that merges two rare characters only
widens a search a little.
"""

import os
import threading
from typing import Dict, Iterator, Tuple

_lock = threading.Lock()
_table = {}  # type: Dict[int, str]  # empty until first use


def dictionary_lines(name: str) -> Iterator[Tuple[str, str]]:
    """Yield (character, first variant) from one of OpenCC's character tables."""
    import opencc  # on first use: no file is read when the app starts

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", name)
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            fields = line.split("\t")
            if len(fields) == 2 and len(fields[0]) == 1:
                variants = fields[1].split()
                if variants and len(variants[0]) == 1:
                    yield fields[0], variants[0]


def build_table() -> Dict[int, str]:
    """Return a str.translate table from each character's variants to its simplified form."""
    simplified = dict(dictionary_lines("TSCharacters.txt"))
    folded = dict(simplified)
    for traditional, japanese in dictionary_lines("JPVariants.txt"):
        if japanese != traditional and japanese not in simplified:
            folded[japanese] = simplified.get(traditional, traditional)
    table = {}  # type: Dict[int, str]
    for character, target in folded.items():
        seen = {character}
        while target in folded and target not in seen:  # fold chains to their end: 亞 → 亚
            seen.add(target)
            target = folded[target]
        if target != character:
            table[ord(character)] = target
    return table


def variant_table() -> Dict[int, str]:
    """Return the folding table, built once per process."""
    if not _table:
        with _lock:
            if not _table:
                _table.update(build_table())
    return _table


def fold_variants(text: str) -> str:
    """Write every Chinese character of a text in its simplified form: 恋愛 and 戀愛 → 恋爱."""
    return text.translate(variant_table())
