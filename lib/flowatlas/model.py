"""The map model: small, typed, immutable records (pydantic v2 dataclasses).

A *map* is a folder of YAML files. Each file is a mapping whose top-level keys are sections
(``map``, ``information_types``, ``purposes``, ``data_subjects``, ``organisations``, ``nodes``,
``flows``, ``policies``); the loader merges the sections of every file. The classes below are
both the validator and the source of the published JSON Schema (``flowatlas schema``).

Every record carries ``src`` (file, line, column) set by the loader, never written in YAML, so
that errors and findings can point a person at the line to change.

Vocabularies (roles, collection contexts, sharing and transfer bases, safeguard kinds) are
closed ``Literal`` sets so that editors autocomplete them; information types, purposes and
data-subject categories are open taxonomies (``flowatlas/data/taxonomy.yaml`` plus whatever a
map adds) checked by the loader.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Any, Literal, dataclass_transform

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic.json_schema import SkipJsonSchema

from flowatlas.source import Source  # re-exported: every record carries one

# --------------------------------------------------------------------------- vocabularies

Id = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        max_length=200,
        description="Identifier: letters, digits, '-', '_' and '.', starting with a letter or digit.",
    ),
]
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

Sensitivity = Literal["ordinary", "sensitive"]

OrgRole = Literal[
    "controller",  # the organisation whose statement is audited
    "affiliate",  # a related company of the controller's group
    "processor",  # processes on the controller's instruction (service provider, contractor, agent)
    "sub_processor",  # engaged by a processor
    "third_party",  # an independent third party deciding its own purposes
    "authority",  # public authority, regulator, law enforcement or court
    "acquirer",  # party to a merger, acquisition or asset transfer
    "client",  # a controller the map's organisation processes data for, as its processor (GDPR Art. 30(2))
]
ORG_ROLES: tuple[str, ...] = OrgRole.__args__  # type: ignore[attr-defined]

NodeKind = Literal["subject", "system", "store"]

SharingBasis = Literal[
    "internal",  # stays with the controller (default when both ends are the controller's)
    "consent",  # the data subject's explicit prior consent
    "on_instruction",  # processing on the controller's instruction (a processor)
    "corporate_transaction",  # merger, acquisition, asset transfer
    "legal_obligation",  # law, regulation, authority requirement
    "legal_process",  # court judgments, rulings, legal procedure
    "contract_enforcement",  # service agreements, disputes, safety, legal rights
    "user_authorised",  # circumstances legally authorised by the user
    "legitimate_interests",  # the controller's or a third party's legitimate interests (GDPR Art. 6(1)(f))
    "sale",  # sold: disclosed for money or other valuable consideration
]
SHARING_BASES: tuple[str, ...] = SharingBasis.__args__  # type: ignore[attr-defined]

#: The sharing basis a recipient's role decides, where it does: a processor (or sub-processor)
#: acts on the controller's instruction; an acquirer receives data in a corporate transaction. A
#: flow to another organisation that records no sharing basis shares on this one.
ROLE_SHARING_BASIS: dict[str, str] = {
    "processor": "on_instruction",
    "sub_processor": "on_instruction",
    "acquirer": "corporate_transaction",
}

#: A transfer basis: one of a shipped regime's (data/regimes/*.yaml: PDPR regs 10-12, GDPR Art.
#: 45-49, the UK GDPR, the FADP, the PIPL, the LGPD, the DPDP Act); ``flowatlas validate`` checks it
#: against them and ``flowatlas taxonomy --kind transfer`` lists them.
TransferBasis = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=60,
        description="A transfer basis of a shipped regime (flowatlas taxonomy --kind transfer): e.g. contract, "
        "standard_contractual_clauses, adequacy, standard_contract, not_restricted.",
    ),
]

SafeguardKind = Literal[
    "contract",  # a contract naming the countries it covers (PDPR reg 11/12(1)(b))
    "binding_corporate_rules",  # BCR covering related organisations
    "certification",  # APEC CBPR/PRP, Global CBPR/PRP
    "binding_instrument",  # any other legally binding instrument
    "standard_contractual_clauses",  # GDPR Art. 46(2)(c)
    "approved_code",  # GDPR Art. 40/42 codes and certifications
    "security_assessment",  # an approval after a regulator's security assessment (PIPL Art. 38(1)(1), Art. 40)
]
SAFEGUARD_KINDS: tuple[str, ...] = SafeguardKind.__args__  # type: ignore[attr-defined]

#: A certification scheme (APEC-CBPR, Global-CBPR, DPF, CN-PIP-CERT, other) or standard clauses
#: (EU-SCC-2021, UK-IDTA, UK-Addendum, CN-SC, BR-SCC) a regime names; checked by validate.
CertificationScheme = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=60)]

RETENTION_WHILE_SERVICE = "while_service"
#: Events a retention period may count from (``account_closure+P30D``).
RETENTION_EVENTS: tuple[str, ...] = (
    "collection",
    "service_end",
    "account_closure",
    "contract_end",
    "last_activity",
    "consent_withdrawal",
)
Retention = Annotated[
    str,
    Field(
        description=(
            "An ISO 8601 duration from collection (P30D, P1Y6M, PT12H); or EVENT+DURATION, counted "
            "from an event: collection, service_end, account_closure, contract_end, last_activity, "
            "consent_withdrawal (account_closure+P30D, contract_end+P7Y); or 'while_service' (kept "
            "while the service is provided) or 'indefinite'."
        ),
        examples=["P30D", "account_closure+P30D", "contract_end+P7Y", "while_service"],
    ),
]

Country = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 country code (checked against pycountry).",
        examples=["SG", "US", "DE"],
    ),
]

Place = Annotated[
    str,
    Field(
        pattern=r"^[A-Z][A-Z0-9_-]*$",
        max_length=40,
        description=(
            "A country (ISO 3166-1 alpha-2, checked against pycountry) or a region group: EU, EEA "
            "(shipped with flowatlas) or one the map defines in 'regions'."
        ),
        examples=["SG", "EU", "EEA"],
    ),
]

DeclarationKind = Literal[
    "collection",  # types collected from a subject in a context (1.x)
    "storage",  # storage locations (2.1)
    "retention",  # how long, and the exceptions allowing longer (2.2)
    "security",  # a security measure promised (3.x)
    "purpose",  # purposes of use (4)
    "sharing",  # a sharing basis with the recipient roles it allows (5.x)
    "prohibition",  # a negative or limiting statement (5 opening)
    "transfer",  # a declared cross-border transfer, destinations and safeguard
    "right",  # data-subject rights offered (6.x)
    "change_notice",  # promise to notify of changes (7)
]
DECLARATION_KINDS: tuple[str, ...] = DeclarationKind.__args__  # type: ignore[attr-defined]

Prohibited = Literal[
    "sharing",  # "we will not share it with third parties": recipients of recipient_roles
    "storage",  # "we do not record / store T": no store holds the types
    "use",  # "we never use T for P": no flow carries the types (all, when none) for the purposes
    "location",  # "it never leaves R": no system or store outside locations holds the types
    "sale",  # "we never sell your data": no flow has sharing_basis sale
]
PROHIBITED: tuple[str, ...] = Prohibited.__args__  # type: ignore[attr-defined]

SecurityMeasure = Literal[
    "encryption_in_transit",
    "encryption_at_rest",
    "password_encryption",
    "backups",
    "access_control",
    "audit",
    "confidentiality",
    "incident_response",
    "certification",
]

Right = Literal[
    "access",
    "rectification",
    "erasure",
    "portability",
    "withdraw_consent",
    "account_closure",
    "complaint",
]
RIGHTS: tuple[str, ...] = Right.__args__  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- base class


#: Every record refuses unknown keys. str_strip_whitespace also makes pydantic-core hand out one
#: cached str object per distinct value: every "node-a" of the map is the same object, so the
#: audit's dict and set lookups compare by identity. Without it on ids, validation is 0.06 s
#: faster on 50,000 flows, but graph + audit were 0.03-0.3 s slower in each of three alternating
#: runs (docs/performance.md).
RECORD_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(Field,))
def record(cls: type | None = None, /, **config: Any) -> Any:
    """Make a class a map record: a frozen, keyword-only pydantic dataclass with ``__slots__``.

    Records are dataclasses rather than ``BaseModel`` s for their size: a 13-field flow takes
    144 bytes instead of about 1,270 (a ``BaseModel`` instance carries a ``__dict__`` and a
    ``__pydantic_fields_set__`` set). Validation costs the same; the audit of a 50,000-flow map,
    which reads every flow many times, runs faster with records that fit the CPU caches
    (docs/performance.md). Extra ``config`` keys are added to :data:`RECORD_CONFIG`.
    """

    def wrap(c: type) -> type:
        merged = ConfigDict(**RECORD_CONFIG, **config)  # type: ignore[typeddict-item]
        return pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=merged)(c)

    return wrap if cls is None else wrap(cls)


@record
class Record:
    """Base of every map record: immutable, unknown keys refused, provenance attached."""

    #: set by the loader (``object.__setattr__``), never written in YAML
    src: SkipJsonSchema[Source | None] = Field(default=None, exclude=True, repr=False)


def record_dict(rec: Record) -> dict:
    """A record's fields as plain data (nested records too), without ``src``."""
    return _dumper(type(rec)).dump_python(rec)  # type: ignore[arg-type]  # (mypy checks the instance __hash__ of a class)


@functools.cache
def _dumper(cls: type[Any]) -> TypeAdapter:
    return TypeAdapter(cls)


# --------------------------------------------------------------------------- taxonomy


@record
class InformationType(Record):
    """A type of information in a hierarchy (``personal`` > ``contact`` > ``email``)."""

    id: Id
    name: str
    parent: Id | None = Field(default=None, description="Broader type; omit for a root.")
    sensitivity: Sensitivity | None = Field(
        default=None, description="ordinary or sensitive; inherited from the parent when omitted."
    )
    fides: str | None = Field(
        default=None, description="Matching fideslang data-category key, e.g. user.contact.email."
    )
    description: str | None = None


@record
class Purpose(Record):
    """A purpose of use in a hierarchy, optionally mapped to a fideslang data-use key."""

    id: Id
    name: str
    parent: Id | None = None
    fides: str | None = Field(default=None, description="fideslang data-use key, e.g. essential.service.")
    lawful_basis: Id | None = Field(
        default=None,
        description="Lawful basis of processing for this purpose, from the regime's list (flowatlas taxonomy "
        "--kind bases): e.g. consent, contract, legitimate_interests. A flow's own lawful_basis overrides it.",
    )
    description: str | None = None


@record
class SubjectCategory(Record):
    """A category of data subject (account holder, demo user, ...)."""

    id: Id
    name: str
    parent: Id | None = None
    fides: str | None = Field(default=None, description="fideslang data-subject key, e.g. customer.")
    description: str | None = None


@record
class CollectionContext(Record):
    """A context in which personal data is collected from a person (registration, a job
    application, a visit to a website, ...): the base list, plus the map's own."""

    id: Id
    name: str
    description: str | None = None


# --------------------------------------------------------------------------- transfers

#: What a transfer impact assessment concluded (EDPB Recommendations 01/2020, step 6).
TiaConclusion = Literal["adequate", "adequate_with_measures", "not_adequate"]


@record
class TransferAssessment(Record):
    """A transfer impact assessment recorded on a transfer (``tia:``), following the six steps of
    EDPB Recommendations 01/2020: who assessed it when, what they concluded, when it must be
    reviewed, and where the document is."""

    assessed: date
    by: str = Field(min_length=1, description="Who assessed it (a person or a team).")
    conclusion: TiaConclusion
    review_by: date | None = Field(default=None, description="When it must be assessed again (re-evaluation, step 6).")
    document: str | None = Field(default=None, description="Where the assessment is (a path, a URL, a ticket).")
    measures: tuple[str, ...] = Field(
        default_factory=tuple, description="The supplementary measures it relies on (step 4)."
    )


# --------------------------------------------------------------------------- organisations


@record
class Safeguard(Record):
    """A transfer safeguard held by an organisation."""

    kind: SafeguardKind
    countries: tuple[Place, ...] = Field(
        default_factory=tuple,
        description="Destination countries or regions the instrument covers (required for a contract).",
    )
    scheme: CertificationScheme | None = Field(
        default=None,
        description="For kind certification: the scheme (APEC-CBPR, Global-CBPR, DPF, CN-PIP-CERT, other); for kind "
        "standard_contractual_clauses: the clauses (EU-SCC-2021, the default where the regime has one; UK-IDTA, "
        "UK-Addendum, CN-SC, BR-SCC).",
    )
    reference: str | None = Field(default=None, description="Contract number, certificate id, URL.")
    valid_until: date | None = None


@record
class EvidenceLinks(Record):
    """How machine-made evidence names a node or an organisation (``flowatlas reconcile``)."""

    terraform: tuple[str, ...] = Field(
        default_factory=tuple,
        description="Terraform resource addresses whose region is this node's observed location, e.g. "
        "aws_s3_bucket.recordings or module.media.aws_s3_bucket.recordings.",
    )
    repository: tuple[str, ...] = Field(
        default_factory=tuple,
        description="Code repositories (as a scanner's report names them) whose code is this system.",
    )
    names: tuple[str, ...] = Field(
        default_factory=tuple,
        description="What code scanners call this recipient: a product name or a domain (mixpanel.com).",
    )
    description: str | None = None


@record
class Organisation(Record):
    """A legal entity with a role relative to the controller and a home jurisdiction."""

    id: Id
    name: str
    role: OrgRole
    jurisdiction: Country
    group: Id | None = Field(
        default=None,
        description="Corporate group; organisations sharing a group are related (for BCR).",
    )
    category: Id | None = Field(
        default=None,
        description="What kind of organisation it is (insurer, pharmacy, ...), as sharing declarations name "
        "recipients in 'recipients'.",
    )
    engaged_by: Id | None = Field(default=None, description="For a sub_processor: the organisation that engaged it.")
    subjects: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="For a client: the data-subject categories whose data the map's organisation processes on "
        "its behalf (its processor record, GDPR Art. 30(2)).",
    )
    international_organisation: Id | None = Field(
        default=None,
        description="The organisation is an international organisation a regime recognises by this id (e.g. EPO).",
    )
    safeguards: tuple[Safeguard, ...] = Field(default_factory=tuple)
    evidence: EvidenceLinks | None = Field(default=None, description="How code scanners name this organisation.")
    fides: dict[str, Any] | None = Field(
        default=None,
        description="What a Fides organization says that the map does not model (its controller, data protection "
        "officer and representative with their contact details, its security policy): kept by `flowatlas import "
        "fides` so that `flowatlas export fides` writes it back. Read by nothing else.",
    )
    description: str | None = None


# --------------------------------------------------------------------------- nodes


@record
class Node(Record):
    """A data subject, a system (process) or a store, owned by an organisation."""

    id: Id
    name: str
    kind: NodeKind
    owner: Id | None = Field(default=None, description="Organisation id; required for systems and stores.")
    jurisdiction: Country | None = Field(
        default=None, description="Where it is located; required for systems and stores."
    )
    subject: Id | None = Field(default=None, description="Data-subject category, for kind: subject.")
    # stores
    retention: Retention | None = Field(default=None, description="Stores: how long data is kept.")
    retention_purposes: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Stores: purposes justifying retention beyond the service (e.g. legal-compliance).",
    )
    encrypted_at_rest: bool | None = None
    keys_held_by: Id | None = Field(
        default=None,
        description="The organisation holding the keys of the data encrypted here (the exporter's own keys are a "
        "supplementary measure against access in the destination).",
    )
    access_control: str | None = Field(default=None, description="Stores: who may access, how.")
    erase: bool | None = Field(default=None, description="Stores: erase requests reach it.")
    export: bool | None = Field(default=None, description="Stores: access/export requests reach it.")
    generates: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Systems: information types the system creates itself (identifiers, logs, derived data), "
        "so that emitting them needs no incoming flow.",
    )
    backup_of: Id | None = Field(default=None, description="Stores: the store this backs up.")
    replica_of: Id | None = Field(default=None, description="Stores: the store this replicates.")
    illustrative: bool = False
    evidence: EvidenceLinks | None = Field(
        default=None, description="The Terraform resources, code repositories or scanner names of this node."
    )
    fides: dict[str, Any] | None = Field(
        default=None,
        description="What a Fides manifest says of this system or dataset that the map does not model (its "
        "system_type and department, a dataset's collections, fields and fides_meta, a declaration's "
        "special-category basis): kept by `flowatlas import fides` so that `flowatlas export fides` writes it "
        "back. Read by nothing else.",
    )
    description: str | None = None


# --------------------------------------------------------------------------- flows


@record(populate_by_name=True)
class Flow(Record):
    """A directed flow of information types from one node to another."""

    id: Id
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    types: tuple[Id, ...] = Field(min_length=1)
    purposes: tuple[Id, ...] = Field(min_length=1)
    context: Id | None = Field(
        default=None,
        description="Context of collection (a 'contexts' id: registration, product_use, job_application, ...; "
        "flowatlas taxonomy --kind contexts); required where the flow starts at a subject.",
    )
    subjects: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Subject categories whose data it carries; derived from upstream when omitted.",
    )
    sharing_basis: SharingBasis | None = Field(
        default=None, description="Required where the flow leaves the controller."
    )
    transfer_basis: TransferBasis | None = Field(default=None, description="Required where the flow crosses a border.")
    lawful_basis: Id | None = Field(
        default=None,
        description="Lawful basis of the processing, from the regime's list (flowatlas taxonomy --kind bases); "
        "when omitted, each purpose's own lawful_basis.",
    )
    in_transit: bool = Field(default=False, description="Data only passes through the destination country (relay).")
    encrypted: bool = Field(default=True, description="Encrypted in transit (TLS or better).")
    subjects_per_year: int | None = Field(
        default=None,
        ge=0,
        description="How many people's data the sender transfers this way in a calendar year (counted since 1 "
        "January, as PIPL's thresholds count): the volume bases with limits read.",
    )
    tia: TransferAssessment | None = Field(
        default=None, description="The transfer impact assessment recorded for this transfer."
    )
    evidence: str | None = Field(default=None, description="Ticket, config or code path.")
    description: str | None = None


# --------------------------------------------------------------------------- regions


@record
class RegionMember(Record):
    """A member of a region group, with the dates of its membership (both inclusive)."""

    country: Place = Field(description="A country, or another region whose members all belong.")
    since: date | None = Field(default=None, description="First day of membership.")
    until: date | None = Field(default=None, description="Last day of membership (e.g. GB in the EU: 2020-01-31).")


@record
class Region(Record):
    """A named group of countries (EU, EEA, or the map's own), usable wherever a country is."""

    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_-]*$", max_length=40, description="Capitals, e.g. EU, APAC.")]
    name: str
    members: tuple[Place | RegionMember, ...] = Field(
        min_length=1, description="Country codes or region ids, each optionally {country, since, until}."
    )
    valid_from: date | None = Field(default=None, description="First day the group applies.")
    valid_until: date | None = Field(default=None, description="Last day the group applies.")
    description: str | None = None


# --------------------------------------------------------------------------- policy


@record
class Declaration(Record):
    """One statement of the policy, citing its clause with a short quote.

    Which fields matter depends on ``kind``; empty lists mean "not limited by this field".
    """

    id: Id
    kind: DeclarationKind
    clause: str = Field(description='Clause number in the statement, e.g. "1.2(d)".')
    quote: str = Field(min_length=1, description="A short verbatim quote of the clause.")
    subjects: tuple[Id, ...] = Field(default_factory=tuple)
    contexts: tuple[Id, ...] = Field(default_factory=tuple, description="Collection: the contexts it covers.")
    types: tuple[Id, ...] = Field(default_factory=tuple)
    purposes: tuple[Id, ...] = Field(default_factory=tuple)
    recipient_roles: tuple[OrgRole, ...] = Field(default_factory=tuple)
    recipients: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Sharing: the organisations (ids) or organisation categories it names; another "
        "organisation of the same role is not covered.",
    )
    bases: tuple[SharingBasis, ...] = Field(default_factory=tuple)
    lawful_bases: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Sharing and purpose declarations: the lawful bases of processing they rely on "
        '("only with your explicit consent": [consent]); a flow relying on another is incorrect.',
    )
    locations: tuple[Place, ...] = Field(default_factory=tuple, description="Countries or regions.")
    transfer_bases: tuple[TransferBasis, ...] = Field(default_factory=tuple)
    retention: Retention | None = None
    prohibits: Prohibited | None = Field(
        default=None,
        description="For kind: prohibition, what it forbids (default sharing, with recipient_roles): "
        "storage of types, use of types for purposes, locations outside those listed, sale.",
    )
    measures: tuple[SecurityMeasure, ...] = Field(default_factory=tuple)
    rights: tuple[Right, ...] = Field(default_factory=tuple)
    optional: bool = Field(default=False, description="Collection the subject may choose to give.")
    note: str | None = None


@record
class Policy(Record):
    """A version of a privacy statement, as data."""

    id: Id
    title: str
    version: str
    effective: date | None = None
    controller: Id
    url: str | None = None
    statement: str | None = Field(
        default=None,
        description="The statement's text: a UTF-8 file of the map folder (e.g. statement.txt); "
        "validate checks that every declaration's quote occurs in it.",
    )
    declarations: tuple[Declaration, ...] = Field(default_factory=tuple)


# --------------------------------------------------------------------------- map header


#: The map format this release writes, and the default of ``map.format``.
MAP_FORMAT: Literal[1] = 1
#: Every map format this release reads (docs/map-format.md, "Format versions": a map valid under
#: a format stays valid, with the same findings, under every release that reads that format).
MAP_FORMATS: tuple[int, ...] = (1,)


@record
class MapInfo(Record):
    """The ``map`` section: exactly one per map."""

    format: Literal[1] = Field(
        default=MAP_FORMAT,
        description="The map format version the map is written in (1, the default when absent); a release "
        "refuses a format it does not read, naming the ones it does.",
    )
    id: Id
    name: str
    controller: Id = Field(description="Organisation id of the controller.")
    home: Country = Field(description="Home jurisdiction; selects the transfer regime.")
    policy: Id | None = Field(default=None, description="Policy audited by default (latest if omitted).")
    illustrative: bool = Field(default=False, description="The architecture is an illustration.")
    as_of: date | None = Field(
        default=None,
        description="The date the map is audited as of: region membership, transfer bases, schemes and "
        "adequacy decisions are taken as they stood that day (default: the day it runs).",
    )
    evidence: tuple[str, ...] = Field(
        default_factory=tuple,
        description="Evidence files the report reconciles the map with (code scans, Terraform state), relative "
        "to the map folder; an 'evidence' folder at the top of the map is not read as map files.",
    )
    description: str | None = None


# --------------------------------------------------------------------------- file and map


class MapFile(BaseModel):
    """One YAML file of a map: any subset of the sections. Used for the JSON Schema."""

    model_config = ConfigDict(extra="forbid", title="flowatlas map file")

    map: MapInfo | None = None
    information_types: list[InformationType] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default_factory=list)
    data_subjects: list[SubjectCategory] = Field(default_factory=list)
    contexts: list[CollectionContext] = Field(default_factory=list)
    organisations: list[Organisation] = Field(default_factory=list)
    nodes: list[Node] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)


SECTIONS: dict[str, type[Record]] = {
    "information_types": InformationType,
    "purposes": Purpose,
    "data_subjects": SubjectCategory,
    "contexts": CollectionContext,
    "organisations": Organisation,
    "nodes": Node,
    "flows": Flow,
    "policies": Policy,
    "regions": Region,
}
