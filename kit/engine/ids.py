"""Athlete ids: one rule for every path that accepts one (issue 11 item 6).

An athlete id decides whose record an observation joins. Look-alike ids (a zero-width space,
a soft hyphen, a right-to-left override, Cyrillic ``АТН-05`` for Latin ``ATH-05``) were stored
as different athletes, so ``log list --athlete ATH-05`` silently left out their episodes. The
rule, applied by the observation model, the CSV reader, the DataFrame validator, the form (which
goes through the model) and the store:

1. the id is **NFC-normalised** (``"e" + U+0301`` and ``"é"`` are the same id);
2. **control and format characters are refused** (Unicode categories ``Cc`` and ``Cf``: NUL,
   tabs, line breaks, zero-width spaces and joiners, the soft hyphen, bidirectional overrides,
   the byte-order mark; also surrogates ``Cs`` and the line/paragraph separators ``Zl``/``Zp``),
   with the character's position (1-based) and name in the message;
3. a **warning** (the id is still accepted) when the id mixes scripts (Latin with Cyrillic,
   say), is written in another script but looks like plain ASCII, or is **confusable** with an
   id already in the store: same skeleton in the sense of Unicode TR39 (UTS #39, section 4), the
   warning names the existing id.

Skeletons use the confusables data shipped in the ``confusable-homoglyphs`` package (derived
from Unicode's ``confusables.txt``; no network at run time): NFD, then every character replaced
by a fixed representative of its confusable class (ASCII when the class has one), then NFD
again. The package's data holds single-character confusables only; sequences such as ``rn``
for ``m`` are not detected.

References
----------
Unicode Technical Standard #39, Unicode Security Mechanisms, section 4 (confusable detection)
and section 5.1 (mixed-script detection). Unicode Standard Annex #15 (normalisation forms).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable

from confusable_homoglyphs.categories import alias
from confusable_homoglyphs.confusables import confusables_data

__all__ = ["REFUSED_CATEGORIES", "normalise_athlete_id", "athlete_id_problem", "refused_ids", "skeleton", "scripts",
           "id_warnings", "lookalike_warnings"]

#: Unicode general categories an athlete id may not contain.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_CATEGORY_WORDS = {"Cc": "control character", "Cf": "invisible format character", "Cs": "surrogate code point",
                   "Zl": "line separator", "Zp": "paragraph separator"}


def _char_name(c: str) -> str:
    return f"U+{ord(c):04X}" + (f" {unicodedata.name(c)}" if unicodedata.name(c, "") else "")


@functools.lru_cache(maxsize=4096)  # a team log repeats a few dozen ids over thousands of rows (import: ~5 µs a row saved)
def athlete_id_problem(value: str) -> str | None:
    """What is wrong with an athlete id as typed (``None``: nothing), naming the first bad character's position.

    >>> athlete_id_problem("ATH\\u200b-05")[:70]
    'contains an invisible format character (U+200B ZERO WIDTH SPACE) at po'
    """
    for i, c in enumerate(value, start=1):
        cat = unicodedata.category(c)
        if cat in REFUSED_CATEGORIES:
            return (f"contains {'an' if _CATEGORY_WORDS[cat][0] in 'aeiou' else 'a'} {_CATEGORY_WORDS[cat]} "
                    f"({_char_name(c)}) at position {i}; an athlete id must be plain text so it cannot be mistaken "
                    "for another athlete")
    return None


def normalise_athlete_id(value: str) -> str:
    """The athlete id in NFC; ``ValueError`` (the message says what and where) if refused.

    Raises
    ------
    ValueError
        If the id holds a control, format or separator character (see :data:`REFUSED_CATEGORIES`).
    """
    why = athlete_id_problem(value)
    if why is not None:
        raise ValueError(why)
    return unicodedata.normalize("NFC", value)


def refused_ids(values: Iterable[object]) -> dict[str, str]:
    """``{id: why}`` for the refused ones among ``values`` (give each distinct value once; non-text is skipped)."""
    out = {}
    for v in values:
        if isinstance(v, str):
            why = athlete_id_problem(v)
            if why is not None:
                out[v] = why
    return out


@functools.lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Character -> the representative of its confusable class (built once from the package's data)."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for c, glyphs in confusables_data.items():
        for g in glyphs:
            h = g["c"]
            if len(c) == 1 and len(h) == 1:
                a, b = find(c), find(h)
                if a != b:
                    parent[max(a, b, key=_rank)] = min(a, b, key=_rank)
    return {c: find(c) for c in parent}


def _rank(c: str) -> tuple[int, int]:
    """Representatives: ASCII letters and digits first, then other ASCII, then the lowest code point."""
    return (0 if c.isascii() and c.isalnum() else 1 if c.isascii() else 2, ord(c))


def skeleton(value: str) -> str:
    """The TR39-style skeleton: two ids that look alike have the same skeleton.

    >>> skeleton("АТН-05") == skeleton("ATH-05")  # Cyrillic А, Т, Н
    True
    """
    proto = _prototypes()
    text = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFD", "".join(proto.get(c, c) for c in text))


def scripts(value: str) -> set[str]:
    """The scripts of the id's letters (``COMMON`` and ``INHERITED``, such as digits and ``-``, left out)."""
    found = set()
    for c in value:
        try:
            a = alias(c)
        except Exception:  # a code point the package's table does not cover
            continue
        if a not in ("COMMON", "INHERITED"):
            found.add(a)
    return found


def id_warnings(value: str, existing: Iterable[str] = ()) -> list[str]:
    """Warnings for an (already normalised) athlete id: mixed scripts, ASCII look-alike, confusable with ``existing``.

    Parameters
    ----------
    value : str
        The id to be stored.
    existing : iterable of str
        Ids already in the store; an equal id is not a warning.
    """
    return lookalike_warnings([value], [value, *existing])


def lookalike_warnings(new: Iterable[str], every: Iterable[str]) -> list[str]:
    """:func:`id_warnings` for each id in ``new`` against ``every`` id (each skeleton computed once).

    Parameters
    ----------
    new : iterable of str
        Ids just stored (or about to be).
    every : iterable of str
        Every id in the store, ``new`` included.
    """
    groups: dict[str, list[str]] = {}
    for other in sorted(set(every)):
        groups.setdefault(skeleton(other), []).append(other)
    out = []
    for value in sorted(set(new)):
        sc = scripts(value)
        if len(sc) > 1:
            out.append(f"athlete id {value!r} mixes scripts ({', '.join(sorted(s.title() for s in sc))}): "
                       "check it was typed on the right keyboard")
        sk = skeleton(value)
        if not value.isascii() and sk.isascii() and sk != value:
            out.append(f"athlete id {value!r} looks like {sk!r} but is not written in plain Latin letters")
        for other in groups.get(sk, ()):
            if other != value:
                out.append(f"athlete id {value!r} looks like the existing id {other!r} but is a different id: "
                           f"use {other!r} if it is the same athlete")
    return out
