"""A small valid map, split over files, used as the base of many tests.

It uses its own mini taxonomy (load with ``base_taxonomy=False``) so tests do not depend on the
shipped base taxonomy's contents.
"""

from __future__ import annotations

MINI: dict[str, str] = {
    "map.yaml": """\
map:
  id: mini
  name: Mini
  controller: acme
  home: SG
""",
    "taxonomy.yaml": """\
information_types:
  - {id: personal, name: Personal information, sensitivity: ordinary}
  - {id: contact, name: Contact, parent: personal}
  - {id: email, name: Email, parent: contact}
  - {id: phone, name: Phone, parent: contact}
  - {id: credentials, name: Credentials, parent: personal, sensitivity: sensitive}
  - {id: password, name: Password, parent: credentials}
purposes:
  - {id: service, name: Provide the service}
  - {id: support, name: Support, parent: service}
  - {id: ads, name: Advertising}
data_subjects:
  - {id: user, name: User}
""",
    "orgs.yaml": """\
organisations:
  - {id: acme, name: Acme, role: controller, jurisdiction: SG, group: acme-group}
  - id: mailer
    name: Mailer Inc
    role: processor
    jurisdiction: US
    safeguards:
      - {kind: contract, countries: [US]}
""",
    "nodes.yaml": """\
nodes:
  - {id: user, name: Users, kind: subject, subject: user}
  - {id: app, name: App, kind: system, owner: acme, jurisdiction: SG}
  - id: db
    name: Database
    kind: store
    owner: acme
    jurisdiction: SG
    retention: while_service
    encrypted_at_rest: true
    erase: true
    export: true
  - {id: mail, name: Mail relay, kind: system, owner: mailer, jurisdiction: US}
""",
    "flows.yaml": """\
flows:
  - {id: f1, from: user, to: app, types: [email, password], purposes: [service], context: registration}
  - {id: f2, from: app, to: db, types: [email, password], purposes: [service]}
  - id: f3
    from: app
    to: mail
    types: [email]
    purposes: [support]
    sharing_basis: on_instruction
    transfer_basis: contract
""",
    "policy.yaml": """\
policies:
  - id: pol
    title: Mini statement
    version: "1"
    controller: acme
    declarations:
      - {id: d1, kind: collection, clause: "1", quote: we collect your email, subjects: [user],
         contexts: [registration], types: [email, password]}
      - {id: d2, kind: storage, clause: "2", quote: we store in Singapore, locations: [SG]}
""",
}
