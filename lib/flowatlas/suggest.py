"""Did-you-mean hints for a misspelt id, country or field name.

A word is compared with the choices as written, then with ``_`` and ``-`` and case set aside,
then through common synonyms (``phone`` for ``contact-number``, ``UK`` for ``GB``), then with
the names and other names the choices go by (a term's name, its fideslang key: ``customer``
for ``account-holder``), then by its words (``passport`` in ``passport-number``), and only
then by spelling (:func:`difflib.get_close_matches`): what a term means outranks how close
its letters are.

>>> did_you_mean("emial", ["email", "name"])
"did you mean 'email'?"
>>> did_you_mean("phone", ["contact-number", "email"]), did_you_mean("UK", ["GB", "US"])
("did you mean 'contact-number'?", "did you mean 'GB'?")
>>> did_you_mean("Device_Information", ["device", "ip-address"])
"did you mean 'device'?"
>>> did_you_mean("Email address", ["email", "name"], names={"email": "Email address", "name": "Name"})
"did you mean 'email'?"
>>> did_you_mean("customer", ["account-holder", "corporate-end-user"], aliases={"account-holder": ["customer"]})
"did you mean 'account-holder'?"
>>> did_you_mean("postal-address", ["ip-address", "mailing-address"])
"did you mean 'mailing-address'?"
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
    "postal-address": "mailing-address",
    "postal": "mailing-address",
    "street-address": "mailing-address",
    "home-address": "mailing-address",
    "billing-address": "mailing-address",
    "shipping-address": "delivery-address",
    "dob": "date-of-birth",
    "birthday": "date-of-birth",
    "birth-date": "date-of-birth",
    "ads": "advertising",
    "behavioural-advertising": "targeted-advertising",
    "email-marketing": "direct-marketing",
    "newsletter": "direct-marketing",
    "fraud-prevention": "fraud-monitoring",
    "fraud-detection": "fraud-monitoring",
    "hr": "hr-administration",
    "human-resources": "hr-administration",
    "hiring": "recruitment",
    "recruiting": "recruitment",
    "resume": "cv",
    "compensation": "salary",
    "tax-id": "tax-number",
    "tin": "tax-number",
    "ethnicity": "racial-ethnic-origin",
    "religion": "religious-belief",
    "uk": "GB",
    "el": "GR",
}


def _key(word: str) -> str:
    return "-".join(word.lower().replace("_", "-").split())


def did_you_mean(
    word: str,
    choices: Iterable[str],
    names: Mapping[str, str] | None = None,
    aliases: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """A ``did you mean 'x'?`` hint, or an empty string. ``names`` (id -> name) lets a word
    written as a term's name ("Email address", "date of birth") find its id; ``aliases`` (id ->
    other names, such as a term's fideslang key) likewise."""
    options = sorted(set(choices))
    by_key = {_key(c): c for c in options}
    key = _key(str(word))
    close = by_key.get(key) or (SYNONYMS.get(key) if SYNONYMS.get(key) in options else None)
    spoken: dict[str, str] = {}  # every name a choice goes by, as a key -> the choice
    for i, n in sorted((names or {}).items()):
        if i in by_key.values():
            spoken.setdefault(_key(n), i)
    for i, others in sorted((aliases or {}).items()):
        if i in by_key.values():
            for a in others:
                spoken.setdefault(_key(a), i)
                spoken.setdefault(_key(a.rsplit(".", 1)[-1]), i)
    if close is None:
        close = spoken.get(key)
    if close is None:  # a word of a choice or its name: "passport" for "Passport number"
        within = {i for n, i in spoken.items() if f"-{key}-" in f"-{n}-"} | {
            i for i in by_key.values() if f"-{key}-" in f"-{i}-"
        }
        close = within.pop() if len(within) == 1 else None
    if close is None and spoken:
        found = difflib.get_close_matches(key, list(spoken), n=1, cutoff=0.8)
        close = spoken[found[0]] if found else None
    if close is None:
        found = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
        close = found[0] if found else None
    return f"did you mean '{close}'?" if close else ""


__all__ = ["SYNONYMS", "did_you_mean"]
