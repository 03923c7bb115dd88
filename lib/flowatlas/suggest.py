"""Did-you-mean hints for a misspelt id, country or field name.

>>> did_you_mean("emial", ["email", "name"])
"did you mean 'email'?"
>>> did_you_mean("zzz", ["email", "name"])
''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` hint, or an empty string."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


__all__ = ["did_you_mean"]
