"""One small map for the examples in the package's docstrings (and for a first look).

A customer registers through an app; the controller keeps the account in Singapore and logs IP
addresses; a US mail processor gets email addresses for advertising, which the one-paragraph
policy does not declare.

>>> from flowatlas.loader import load_texts
>>> m = load_texts(EXAMPLE)
>>> sorted(m.nodes), sorted(m.flows)
(['app', 'db', 'log', 'person', 'send'], ['f-log', 'f-mail', 'f-save', 'f-signup'])
"""

EXAMPLE = {
    "map.yaml": """
map: {id: example, name: Example, controller: acme, home: SG, policy: pol}
organisations:
  - {id: acme, name: Acme, role: controller, jurisdiction: SG}
  - {id: mailer, name: Mailer, role: processor, jurisdiction: US}
nodes:
  - {id: person, name: Customer, kind: subject, subject: account-holder}
  - {id: app, name: App, kind: system, owner: acme, jurisdiction: SG}
  - {id: db, name: Accounts, kind: store, owner: acme, jurisdiction: SG,
     retention: while_service, encrypted_at_rest: true, erase: true, export: true}
  - {id: log, name: Logs, kind: store, owner: acme, jurisdiction: SG,
     retention: P30D, encrypted_at_rest: true, erase: false, export: false}
  - {id: send, name: Mail service, kind: system, owner: mailer, jurisdiction: US}
flows:
  - {id: f-signup, from: person, to: app, types: [email, ip-address, name], purposes: [provide-service],
     context: registration}
  - {id: f-save, from: app, to: db, types: [email, name], purposes: [provide-service]}
  - {id: f-log, from: app, to: log, types: [ip-address], purposes: [security]}
  - {id: f-mail, from: app, to: send, types: [email], purposes: [advertising],
     sharing_basis: on_instruction}
policies:
  - id: pol
    title: Privacy statement
    version: "1"
    controller: acme
    declarations:
      - {id: collect, kind: collection, clause: "1", quote: "We collect your email address, name and IP address.",
         types: [email, ip-address, name], contexts: [registration]}
      - {id: use, kind: purpose, clause: "2", quote: "We use it to provide and secure the service.",
         purposes: [provide-service, security]}
      - {id: where, kind: storage, clause: "3", quote: "We store it in Singapore.", locations: [SG]}
""",
}

__all__ = ["EXAMPLE"]
