"""The base taxonomy shipped in the package: complete for the statement, valid fideslang keys."""

from __future__ import annotations

import pytest

from flowatlas.loader import BASE_TAXONOMY, _base_document, load_texts

MAP_HEADER = {
    "m.yaml": "map: {id: t, name: T, controller: a, home: SG}\n"
    "organisations: [{id: a, name: A, role: controller, jurisdiction: SG}]\n"
}

#: Every information type the Absoloop statement names (clauses 1.1 to 1.4).
STATEMENT_TYPES = [
    "name",
    "email",
    "contact-number",
    "password",
    "photo",
    "bank-account",  # 1.1
    "device-type",
    "device-model",
    "operating-system",  # 1.2(a)
    "ip-address",
    "signal-strength",
    "network-type",  # 1.2(b)
    "user-id",
    "channel-info",
    "usage-duration",
    "channel-name",
    "channel-log",  # 1.2(c)
    "chat-text",
    "picture",
    "audio",
    "video",
    "image",
    "sound",
    "portrait",
    "communication-content",  # 1.2(d)
    "gps-location",
    "latitude",
    "longitude",  # 1.2(e)
    "mailing-address",
    "inquiry-content",
    "wechat-account",
    "qq-account",  # 1.3
    "contact-person",
    "delivery-address",  # 1.4
]
SENSITIVE = ["password", "bank-account", "gps-location", "latitude", "longitude", "chat-text", "portrait"]
SUBJECTS = [
    "account-holder",
    "corporate-end-user",
    "conversation-participant",
    "demo-user",
    "inquirer",
    "delivery-contact",
]


@pytest.fixture(scope="module")
def base():
    return load_texts(MAP_HEADER)


def test_every_statement_type_exists_under_personal(base):
    missing = [t for t in STATEMENT_TYPES if t not in base.types]
    assert not missing
    for t in STATEMENT_TYPES:
        assert base.type_tree.ancestors(t)[-1] == "personal", t


def test_sensitivity(base):
    for t in SENSITIVE:
        assert base.is_sensitive(t), t
    for t in ("device-type", "network-type", "email"):
        assert not base.is_sensitive(t), t


def test_subject_categories(base):
    assert set(SUBJECTS) <= set(base.subjects)


def test_fides_keys_exist_in_fideslang(base):
    fideslang = pytest.importorskip("fideslang")
    tax = fideslang.DEFAULT_TAXONOMY
    categories = {c.fides_key for c in tax.data_category}
    uses = {u.fides_key for u in tax.data_use}
    subjects = {s.fides_key for s in tax.data_subject}
    checked = 0
    for t in base.types.values():
        if t.fides:
            assert t.fides in categories, f"{t.id}: {t.fides} is not a fideslang data category"
            checked += 1
    for p in base.purposes.values():
        if p.fides:
            assert p.fides in uses, f"{p.id}: {p.fides} is not a fideslang data use"
            checked += 1
    for s in base.subjects.values():
        if s.fides:
            assert s.fides in subjects, f"{s.id}: {s.fides} is not a fideslang data subject"
    assert checked >= 20


def test_base_taxonomy_is_valid_yaml_with_no_other_sections():
    data = _base_document(BASE_TAXONOMY).data
    assert set(data) <= {"information_types", "purposes", "data_subjects"}


def test_map_may_extend_and_its_own_term_wins_over_a_shipped_one(base):
    """A map adds terms; one it defines that the base taxonomy also has is the map's (noted at
    its line): a map valid today stays valid when flowatlas ships that term. Twice in the map's
    own files is still an error."""
    ext = dict(MAP_HEADER)
    ext["x.yaml"] = "information_types:\n  - {id: vehicle-plate, name: Vehicle plate, parent: government-id}\n"
    m = load_texts(ext)
    assert m.type_tree.covers("personal", "vehicle-plate") and m.is_sensitive("vehicle-plate") and m.notes == ()
    ext["y.yaml"] = "information_types:\n  - {id: email, name: Email again, parent: personal}\n"
    m = load_texts(ext)
    assert m.types["email"].name == "Email again" and not m.type_tree.covers("contact", "email")
    [note] = m.notes
    assert (note.src.file, note.src.line) == ("y.yaml", 2) and "'email' is also in flowatlas's own" in note.message
    from flowatlas.errors import MapValidationError

    ext["z.yaml"] = "information_types:\n  - {id: email, name: Email thrice, parent: contact}\n"
    with pytest.raises(MapValidationError, match="duplicate information type id 'email'"):
        load_texts(ext)


def test_base_taxonomy_has_what_a_second_organisation_needs(base):
    """Date of birth, government ids, payment cards, health and biometric data: each with its
    sensitivity and its fideslang key (checked against fideslang by the test above)."""
    m = load_texts(MAP_HEADER)
    for t, sensitive in (
        ("date-of-birth", False),
        ("passport-number", True),
        ("payment-card", True),
        ("medical-record", True),
        ("genetic", True),
        ("fingerprint", True),
    ):
        assert t in m.types and m.is_sensitive(t) is sensitive, t
        assert any(m.types[a].fides for a in m.type_tree.ancestors(t)), t
    assert m.types["health"].fides == "user.health_and_medical"
    assert m.types["biometric"].fides == "user.biometric"
