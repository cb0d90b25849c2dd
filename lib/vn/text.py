"""Vietnamese text: cleaning, tone placement, search folding, name case and sorting.

Names arrive in every Unicode shape (NFC, NFD, old or new tone placement, Cyrillic
look-alikes pasted from other documents). We never rewrite what a person typed without
telling them; these helpers give *comparison* and *display* forms, and the caller keeps
the original.
"""

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Literal

ToneStyle = Literal["new", "old"]

# Combining tone marks, in the order the project sorts them: no tone, huyền, sắc, hỏi,
# ngã, nặng. (Printed dictionaries put sắc after ngã; we follow the order most software
# and the project's brief use, and keep it in this one table.)
TONE_MARKS: dict[str, int] = {
    "\u0300": 1,  # huyền (grave)
    "\u0301": 2,  # sắc (acute)
    "\u0309": 3,  # hỏi (hook above)
    "\u0303": 4,  # ngã (tilde)
    "\u0323": 5,  # nặng (dot below)
}
# Marks that make a different *letter* (ă â ê ô ơ ư), not a tone.
QUALITY_MARKS = frozenset("\u0306\u0302\u031b")

VOWELS = frozenset("aăâeêioôơuưy")
_MARKED_VOWELS = frozenset("ăâêôơư")


def _words(text: str) -> list[str]:
    return text.split()


# The Vietnamese alphabet in collation order, then letters Vietnamese does not use
# (loan words, minority names), then digits: everything gets a stable place.
SORT_ALPHABET: tuple[str, ...] = (
    *_words("a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y"),
    *"fjwz",
    *"0123456789",
)
_SORT_INDEX = {letter: i for i, letter in enumerate(SORT_ALPHABET)}

# Invisible characters that Word, web pages and messaging apps slip into names. The soft
# hyphen (U+00AD) is deliberately NOT here: in the legacy TCVN3 encoding it is the
# letter "ư", and removing it would destroy text that encodings.fix_legacy can repair.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u180e"))

# Cyrillic letters that look exactly like Latin ones. Every lower-case entry has its
# upper-case partner too, so that lower-casing a word never turns it into a word that
# would be mapped differently (keeps fold() idempotent).
_LOOKALIKES: dict[str, str] = {
    "а": "a", "А": "A", "е": "e", "Е": "E", "о": "o", "О": "O", "р": "p", "Р": "P",
    "с": "c", "С": "C", "у": "y", "У": "Y", "х": "x", "Х": "X", "і": "i", "І": "I",
    "ј": "j", "Ј": "J", "ѕ": "s", "Ѕ": "S", "һ": "h", "Һ": "H", "ԁ": "d", "Ԁ": "D",
    "ԛ": "q", "Ԛ": "Q", "ԝ": "w", "Ԝ": "W", "ӏ": "l", "Ӏ": "I",
    "В": "B", "К": "K", "М": "M", "Н": "H", "Т": "T",
}  # fmt: skip
_LOOKALIKE_TABLE = str.maketrans(_LOOKALIKES)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u052f"


def _fix_lookalikes(word: str) -> str:
    # Only a word made of look-alikes (plus Latin) is a pasting accident; a word with a
    # genuinely Cyrillic letter (д, ж, л ...) is real Russian text and is left alone.
    if not any(_is_cyrillic(c) for c in word):
        return word
    if any(_is_cyrillic(c) and c not in _LOOKALIKES for c in word):
        return word
    return word.translate(_LOOKALIKE_TABLE)


# What nfc() may change besides the Unicode form and spacing: eth, invisible characters,
# Cyrillic look-alikes.
_SPECIAL = re.compile("[\u00d0\u00f0\u200b\u200c\u200d\u2060\ufeff\u180e\u0400-\u052f]")


def is_clean(s: str) -> bool:
    """True when nfc(s) == s, decided in C without running it (most text already is)."""
    return (
        unicodedata.is_normalized("NFC", s) and not _SPECIAL.search(s) and " ".join(s.split()) == s
    )


def nfc(s: str) -> str:
    """Clean text for storage and comparison: NFC, Đ not Ð, no look-alikes, one space.

    Run encodings.fix_legacy() *before* this on raw imports: TCVN3 uses "Ð" for "é".
    """
    return s if is_clean(s) else _nfc(s)


def _nfc(s: str) -> str:
    s = unicodedata.normalize("NFD", s).translate(_INVISIBLE)
    # U+00D0 (Icelandic eth) is visually identical to Đ and is what some fonts and
    # keyboard layouts produce; Vietnamese has only Đ/đ.
    s = s.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")
    words = [_fix_lookalikes(w) for w in s.split()]
    return unicodedata.normalize("NFC", " ".join(words))


def _clusters(nfd: str) -> list[tuple[str, str]]:
    """Split decomposed text into (base character, its combining marks)."""
    out: list[tuple[str, str]] = []
    for ch in nfd:
        if unicodedata.combining(ch) and out:
            base, marks = out[-1]
            out[-1] = (base, marks + ch)
        else:
            out.append((ch, ""))
    return out


def _tone_index(letters: list[str], style: ToneStyle) -> int | None:
    """Index of the letter that carries the tone in a toneless lower-case syllable.

    Returns None when the word is not one syllable (no vowel, or two vowel groups).
    """
    n = len(letters)
    start = 0
    while start < n and letters[start] not in VOWELS:
        start += 1
    end = start
    while end < n and letters[end] in VOWELS:
        end += 1
    if start == end or any(ch in VOWELS for ch in letters[end:]):
        return None
    initial = "".join(letters[:start])
    # In "qu" and "gi" the u/i belong to the consonant: quý, già, giữa (but gì, gìn).
    if end - start >= 2 and (
        (initial == "q" and letters[start] == "u") or (initial == "g" and letters[start] == "i")
    ):
        start += 1
    marked = [i for i in range(start, end) if letters[i] in _MARKED_VOWELS]
    if marked:  # â ê ô ơ ư ă always carry the tone (ươ: on ơ, the last one)
        return marked[-1]
    if end - start == 1:
        return start
    if end < n:  # closed syllable: the last vowel (hoàn, huỳnh, toán)
        return end - 1
    if end - start >= 3:  # oai, oay, uya, uyu, oeo: the middle vowel
        return start + 1
    # Open oa/oe/uy: the only place the styles differ. "New style" (kiểu mới, school
    # spelling since 1980) puts the tone on the main vowel: hoà, khoẻ, thuỷ; "old style"
    # on the first: hòa, khỏe, thủy. Other pairs (ai, ao, ia, ua, ...) take it first.
    if letters[start] + letters[start + 1] in ("oa", "oe", "uy") and style == "new":
        return start + 1
    return start


def _retone_word(word: str, style: ToneStyle) -> str:
    clusters = _clusters(unicodedata.normalize("NFD", word))
    tones = [m for _, marks in clusters for m in marks if m in TONE_MARKS]
    if len(tones) != 1:
        return word  # nothing to move, or malformed (two tones): leave as typed
    bare: list[str] = []  # each letter without its tone, case kept
    for base, marks in clusters:
        if not ("a" <= base.lower() <= "z" or base in "đĐ"):
            return word
        bare.append(unicodedata.normalize("NFC", base + marks.replace(tones[0], "")))
    lower = [b.lower() for b in bare]
    if any(len(b) != 1 for b in lower):
        return word  # a mark that is not Vietnamese (a + diaeresis ...)
    index = _tone_index(lower, style)
    if index is None:
        return word
    bare[index] += tones[0]
    return unicodedata.normalize("NFC", "".join(bare))


def _map_words(s: str, func: Callable[[str], str]) -> str:
    """Apply func to each run of letters (with their marks) in NFD text."""
    out: list[str] = []
    run: list[str] = []
    for ch in s:
        if ch.isalpha() or (unicodedata.combining(ch) and run):
            run.append(ch)
            continue
        if run:
            out.append(func("".join(run)))
            run = []
        out.append(ch)
    if run:
        out.append(func("".join(run)))
    return "".join(out)


def canonical_tones(s: str, *, style: ToneStyle = "new") -> str:
    """One tone placement for comparison: "Hòa" and "Hoà" give the same string.

    The canonical form is the *new style* (hoà, khoẻ, thuỷ), the placement taught in
    schools; style="old" gives hòa, khỏe, thủy. Only open oa/oe/uy syllables differ.
    Show people what they typed; compare on this.
    """
    text = unicodedata.normalize("NFD", nfc(s))
    return unicodedata.normalize("NFC", _map_words(text, lambda w: _retone_word(w, style)))


def fold(s: str) -> str:
    """Search key: lower case, no diacritics, đ→d, single spaces ("nguyen thi thuy")."""
    if s.isascii():  # no diacritics to take off ("12/3/1975", most addresses' numbers)
        return " ".join(s.lower().split())
    decomposed = unicodedata.normalize("NFD", nfc(s).lower())
    bare = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return " ".join(bare.replace("đ", "d").split())


def _is_cased(ch: str) -> bool:
    return ch.isupper() or ch.islower() or ch.istitle()


def title_name(s: str) -> str:
    """Vietnamese title case for names, keeping the person's own tone placement.

    Every word starts with a capital, and so does each part after "-" or an apostrophe
    (H'Hen, Mai-Anh), which is how minority names are officially written.
    """
    out: list[str] = []
    capitalise = True
    for ch in nfc(s):
        if _is_cased(ch):
            out.append(ch.title() if capitalise else ch.lower())
            capitalise = False
        else:
            out.append(ch)
            if ch.isspace() or ch in "-'’‘ʼ":
                capitalise = True
    # Case changes can un-normalise (e.g. a look-alike becomes upper case): clean again.
    return nfc("".join(out))


def split_name(full: str) -> tuple[str, str, str]:
    """(surname, middle, given): first word, the words between, last word.

    A one-word name is a given name. Compound surnames (Tôn Nữ, Âu Dương) cannot be
    told from middle names without a list, so they land in "middle"; sorting by given
    name first is unaffected.
    """
    words = nfc(full).split()
    if not words:
        return ("", "", "")
    if len(words) == 1:
        return ("", "", words[0])
    return (words[0], " ".join(words[1:-1]), words[-1])


def _token(index: int) -> str:
    # Two letters from b..z (25 x 25 slots): fixed width, so tokens compare one by one.
    return chr(98 + index // 25) + chr(98 + index % 25)


def _escape(ch: str) -> str:
    # Letters outside the alphabet (Cyrillic, CJK ...): "zz" + code point in base 25,
    # after every alphabet token, stable, still only a-z.
    code, digits = ord(ch), []
    for _ in range(5):
        code, rest = divmod(code, 25)
        digits.append(chr(98 + rest))
    return "zz" + "".join(reversed(digits))


# Names repeat their words endlessly (a few hundred surnames and given names cover almost
# everyone), so caching per word makes bulk generation and re-keying cheap.
@functools.lru_cache(maxsize=65536)
def _encode_word(word: str) -> str:
    tokens: list[str] = []
    tone = 0
    for base, marks in _clusters(unicodedata.normalize("NFD", word.lower())):
        tone = tone or next((TONE_MARKS[m] for m in marks if m in TONE_MARKS), 0)
        quality = "".join(m for m in marks if m in QUALITY_MARKS)
        letter = unicodedata.normalize("NFC", base + quality)
        if letter in _SORT_INDEX:
            tokens.append(_token(_SORT_INDEX[letter]))
        elif base in _SORT_INDEX:
            tokens.append(_token(_SORT_INDEX[base]))
        elif base.isalnum():
            tokens.append(_escape(base))
        # punctuation, symbols and stray marks are ignored, as collations do
    if not tokens:
        return ""
    # Word end: "a" (below every token, so "An" < "Anh") then the tone as b..g. The tone
    # is compared only after all the letters of the word, as in a dictionary
    # (ha < hà < há < hai), and so old/new tone placement cannot change the order.
    return "".join(tokens) + "a" + chr(98 + tone)


def sort_key(full_name: str) -> str:
    """A key that sorts people the Vietnamese way under any collation.

    Order: given name, then middle name(s), then surname; letters in Vietnamese
    alphabet order (a ă â b c d đ ...); within a word, tones after the letters (no tone,
    huyền, sắc, hỏi, ngã, nặng). The key has only a-z, because glibc collations such as
    PostgreSQL's en_US.UTF-8 ignore spaces and punctuation; for such strings every
    collation agrees with plain byte order. Components are joined by "aa", which sorts
    below any letter token, so a shorter middle name sorts first.

    Length: 2 characters per letter, 2 per word, 4 more; a 255-character column holds
    names of about 100 letters, far beyond real ones.
    """
    words = [w for w in (_encode_word(w) for w in nfc(full_name).split()) if w]
    if not words:
        return "aaaa"
    given = words[-1]
    surname = words[0] if len(words) > 1 else ""
    middle = "".join(words[1:-1])
    return given + "aa" + middle + "aa" + surname


# Syllable structure, for telling real Vietnamese words from encoding garbage.
_INITIALS = frozenset(
    ["", *_words("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x")]
)
_NUCLEI = frozenset(
    _words(
        "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi "
        "ua uâ uê ui uô uơ uy ưa ưi ươ ưu yê iêu oai oay oao oeo uây uôi uya uyê uyu ươi "
        "ươu yêu"
    )
)
_FINALS = frozenset(["", *_words("c ch m n ng nh p t")])


# Loan words with "oo" (xoong, boong) are left out on purpose: no name has them, and
# TCVN3 garbage makes them often ("Coõng" for VNI "Công").
# Nuclei that end in a glide (ai, ao, ưu ...) never take a final consonant; these never
# stand without one (ăn, ân, muôn, người). Open "iê" is allowed for Ê Đê names (Niê).
_OPEN_ONLY = frozenset(
    [n for n in _NUCLEI if len(n) > 1 and n[-1] in "iyou" and n != "uy"] + _words("ia ua ưa uya")
)
_CLOSED_ONLY = frozenset(_words("ă â oă uâ yê uyê uô ươ"))
_STOP_FINALS = frozenset(_words("c ch p t"))  # these take only sắc or nặng


@functools.lru_cache(maxsize=65536)  # a few thousand syllables make up all Vietnamese text
def is_vietnamese_syllable(word: str) -> bool:
    """True when word is one well-formed Vietnamese syllable (any case).

    Checks initial, vowel nucleus and final consonant, one tone at most, placed where
    either the old or the new style puts it, and only sắc/nặng before c, ch, p, t. Used
    to tell real words from encoding garbage, so it errs on the strict side.
    """
    clusters = _clusters(unicodedata.normalize("NFD", word.lower()))
    letters: list[str] = []
    tones: list[tuple[int, int]] = []  # (letter index, tone)
    for base, marks in clusters:
        letter = unicodedata.normalize(
            "NFC", base + "".join(m for m in marks if m not in TONE_MARKS)
        )
        if len(letter) != 1 or not ("a" <= base <= "z" or base == "đ"):
            return False
        tones += [(len(letters), TONE_MARKS[m]) for m in marks if m in TONE_MARKS]
        letters.append(letter)
    if len(tones) > 1 or not letters:
        return False
    start = 0
    while start < len(letters) and letters[start] not in VOWELS:
        start += 1
    end = start
    while end < len(letters) and letters[end] in VOWELS:
        end += 1
    initial, nucleus = "".join(letters[:start]), "".join(letters[start:end])
    final = "".join(letters[end:])
    # qu + vowel (quý, quyết) and gi + vowel (già, giữa); but gì, gìn, guốc.
    if len(nucleus) >= 2 and initial + nucleus[0] in ("qu", "gi"):
        initial, nucleus = initial + nucleus[0], nucleus[1:]
    if not (initial in _INITIALS and nucleus in _NUCLEI and final in _FINALS):
        return False
    if initial == "qu" and nucleus[0] in "ouư":  # qu already has its glide (but quốc)
        return False
    if (final and nucleus in _OPEN_ONLY) or (not final and nucleus in _CLOSED_ONLY):
        return False
    if not tones:
        return final not in _STOP_FINALS  # "mat" is not a word, "mát" and "mạt" are
    position, tone = tones[0]
    if final in _STOP_FINALS and tone not in (2, 5):
        return False
    return position in (_tone_index(letters, "new"), _tone_index(letters, "old"))
