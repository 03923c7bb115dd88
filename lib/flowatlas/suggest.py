"""Did-you-mean hints for a misspelt id, country or field name.

A word is compared with the choices as written, then with ``_`` and ``-`` and case set aside,
then through common synonyms (``phone`` for ``contact-number``, ``UK`` for ``GB``), then by
spelling (:func:`difflib.get_close_matches`).

>>> did_you_mean("emial", ["email", "name"])
"did you mean 'email'?"
>>> did_you_mean("phone", ["contact-number", "email"]), did_you_mean("UK", ["GB", "US"])
("did you mean 'contact-number'?", "did you mean 'GB'?")
>>> did_you_mean("Device_Information", ["device", "ip-address"])
"did you mean 'device'?"
>>> did_you_mean("Email address", ["email", "name"], names={"email": "Email address", "name": "Name"})
"did you mean 'email'?"
>>> did_you_mean("zzz", ["email", "name"])
''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

#: Words people write for a term of the base taxonomy or a country code, and the term.
SYNONYMS: dict[str, str] = {
    "phone": "contact-number",
    "phone-number": "contact-number",
    "telephone": "contact-number",
    "mobile": "contact-number",
    "mobile-number": "contact-number",
    "e-mail": "email",
    "email-address": "email",
    "mail": "email",
    "ip": "ip-address",
    "ip-addr": "ip-address",
    "device-information": "device",
    "device-info": "device",
    "gps": "gps-location",
    "location": "gps-location",
    "messages": "chat-text",
    "chat": "chat-text",
    "full-name": "name",
    "uk": "GB",
    "el": "GR",
}


def _key(word: str) -> str:
    return "-".join(word.lower().replace("_", "-").split())


def did_you_mean(word: str, choices: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    """A ``did you mean 'x'?`` hint, or an empty string. ``names`` (id -> name) lets a word
    written as a term's name ("Email address", "date of birth") find its id."""
    options = sorted(set(choices))
    by_key = {_key(c): c for c in options}
    key = _key(str(word))
    close = by_key.get(key) or (SYNONYMS.get(key) if SYNONYMS.get(key) in options else None)
    if close is None and names:
        by_name = {_key(n): i for i, n in sorted(names.items()) if i in by_key.values()}
        close = by_name.get(key)
        if close is None:  # a word of a name: "passport" for "Passport number"
            within = {i for n, i in by_name.items() if f"-{key}-" in f"-{n}-"} | {
                i for i in by_key.values() if f"-{key}-" in f"-{i}-"
            }
            close = within.pop() if len(within) == 1 else None
        if close is None:
            found = difflib.get_close_matches(key, list(by_name), n=1, cutoff=0.8)
            close = by_name[found[0]] if found else None
    if close is None:
        found = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
        close = found[0] if found else None
    return f"did you mean '{close}'?" if close else ""


__all__ = ["SYNONYMS", "did_you_mean"]
