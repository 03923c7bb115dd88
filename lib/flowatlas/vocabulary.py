"""The vocabulary a map may use, listed for a newcomer: ``flowatlas taxonomy [MAP] --kind KIND``.

* ``types``, ``purposes``, ``subjects``: the hierarchies (the base taxonomy, plus the map's own
  terms when a map is given), indented by depth, with sensitivity and fideslang key;
* ``roles``, ``sharing``, ``transfer``, ``contexts``, ``safeguards``: the closed lists of the map
  format;
* ``countries``: ISO 3166-1 alpha-2 codes;
* ``bases``: the lawful bases of processing of the map's regime (GDPR Art. 6(1), the PDPA's),
  under a heading naming it; without a map (``every_regime``), every shipped regime's, each under
  its own heading;
* ``regions``: the region groups (shipped, and the map's own) with their countries on the map's
  ``as_of`` date.

>>> from flowatlas.examples import EXAMPLE
>>> from flowatlas.loader import load_texts
>>> lines = vocabulary_lines(load_texts(EXAMPLE), "types")
>>> [line.strip() for line in lines if line.strip().startswith(("contact ", "email "))]
['contact  Contact information  [user.contact]', 'email  Email address  [user.contact.email]']
"""

from __future__ import annotations

import pycountry

from flowatlas.atlas import Map
from flowatlas.model import ORG_ROLES, SHARING_BASES, SafeguardKind
from flowatlas.regimes import Regime, lawful_bases_for, regime_for, regimes
from flowatlas.taxonomy import Hierarchy

#: The kinds ``flowatlas taxonomy --kind`` lists.
KINDS: tuple[str, ...] = (
    "types",
    "purposes",
    "subjects",
    "roles",
    "sharing",
    "transfer",
    "contexts",
    "safeguards",
    "countries",
    "regions",
    "bases",
)


def _tree(tree: Hierarchy, label: dict[str, str]) -> list[str]:
    out: list[str] = []

    def walk(item: str, depth: int) -> None:
        out.append("  " * depth + f"{item}  {label[item]}".rstrip())
        for child in tree.children.get(item, ()):
            walk(child, depth + 1)

    for root in tree.roots:
        walk(root, 0)
    return out


#: A map holding nothing but the base taxonomy (what a map may use before it adds its own terms).
BASE_ONLY = {
    "map.yaml": "map: {id: base, name: Base taxonomy, controller: c, home: SG}\n"
    "organisations: [{id: c, name: C, role: controller, jurisdiction: SG}]\n"
}


def _bases(r: Regime, why: str) -> list[str]:
    return [f"# {r.id}: lawful bases of processing{why}"] + [
        f"{b.id}  {b.summary} ({b.cite})" for b in r.lawful_bases.values()
    ]


def vocabulary_lines(m: Map, kind: str, *, every_regime: bool = False) -> list[str]:
    """The terms of one kind of vocabulary, one per line (hierarchies indented by depth).

    ``every_regime``: for ``bases``, list every shipped regime's, not only the map's.

    >>> from flowatlas.loader import load_texts
    >>> lines = vocabulary_lines(load_texts(BASE_ONLY), "bases", every_regime=True)
    >>> [line for line in lines if line.startswith("#")][:2]
    ['# SG-PDPA: lawful bases of processing', '# EU-GDPR: lawful bases of processing']
    """
    if kind == "types":
        labels = {
            t.id: t.name
            + (" (sensitive)" if t.sensitivity == "sensitive" else "")
            + (f"  [{t.fides}]" if t.fides else "")
            for t in m.types.values()
        }
        return _tree(m.type_tree, labels)
    if kind == "purposes":
        return _tree(
            m.purpose_tree, {p.id: p.name + (f"  [{p.fides}]" if p.fides else "") for p in m.purposes.values()}
        )
    if kind == "subjects":
        return _tree(
            m.subject_tree, {s.id: s.name + (f"  [{s.fides}]" if s.fides else "") for s in m.subjects.values()}
        )
    if kind == "contexts":
        return [f"{c.id}  {c.name}" for c in m.contexts.values()]
    closed = {
        "roles": ORG_ROLES,
        "sharing": SHARING_BASES,
        "safeguards": SafeguardKind.__args__,  # type: ignore[attr-defined]
    }
    if kind in closed:
        return list(closed[kind])
    if kind == "countries":
        return [f"{c.alpha_2}  {c.name}" for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)]
    if kind == "transfer":
        return [
            line
            for r in regimes()
            for line in [
                f"# {r.id}: transfer bases ({r.cite})",
                *(f"{b.id}  {b.summary} ({b.cite})" for b in r.bases.values()),
                "",
            ]
        ][:-1]
    if kind == "bases":
        if every_regime:
            return [line for r in regimes() for line in [*_bases(r, ""), ""]][:-1]
        regime = regime_for(m.home)
        if regime is not None:
            return _bases(regime, f" (the regime of the map's home, {m.home})")
        return [f"# no regime ships for {m.home}: the bases of every regime are accepted"] + [
            f"{b.id}  {b.summary} ({b.cite})" for b in lawful_bases_for(m.home).values()
        ]
    if kind == "regions":
        return [f"{r.id}  {r.name}: {', '.join(sorted(m.places(r.id)))} (as of {m.as_of})" for r in m.regions.values()]
    raise ValueError(kind)


__all__ = ["BASE_ONLY", "KINDS", "vocabulary_lines"]
