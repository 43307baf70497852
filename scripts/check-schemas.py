#!/usr/bin/env python3
"""Validate the sample rule files and herald.yaml against the JSON Schemas in docs/.

Editors validate with these schemas (through yaml-language-server), so they must accept every
sample and reject the usual mistakes. This script checks both: the samples must pass, a set of
small known-bad snippets must fail, and the broken samples that carry in-file mistakes must fail.

YAML is read as Herald reads it: YAML 1.2 core schema (`NO`, `yes`, `2025-03-14` and `.inf` are
strings), `<<` merge keys, and duplicate keys reported.

Usage: python3 scripts/check-schemas.py            (from anywhere; needs PyYAML and jsonschema)
"""

import json
import pathlib
import re
import sys

import jsonschema
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


class CoreSchemaLoader(yaml.SafeLoader):
    """PyYAML speaks YAML 1.1; this loader resolves plain scalars by the YAML 1.2 core schema."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # merged entries may be overridden; only the mapping's own keys must differ
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


CoreSchemaLoader.yaml_implicit_resolvers = {}
for tag, regexp, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    # Herald keeps a plain .inf or .nan as a string: JSON has no such numbers.
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$",
     list("-+0123456789.")),
    ("tag:yaml.org,2002:merge", r"^<<$", ["<"]),
]:
    CoreSchemaLoader.add_implicit_resolver(tag, re.compile(regexp), first)


def _int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _float(loader, node):
    return float(loader.construct_scalar(node))


CoreSchemaLoader.add_constructor("tag:yaml.org,2002:int", _int)
CoreSchemaLoader.add_constructor("tag:yaml.org,2002:float", _float)


def load_yaml(text):
    return yaml.load(text, Loader=CoreSchemaLoader)


def validator(name):
    schema = json.loads((DOCS / name).read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def problems(validator_, document):
    return sorted(validator_.iter_errors(document), key=lambda e: list(e.absolute_path))


def describe(error):
    where = "/".join(str(p) for p in error.absolute_path) or "(top)"
    return f"{where}: {error.message[:200]}"


passed = 0
failed = 0


def ok(label):
    global passed
    passed += 1
    print(f"ok    {label}")


def fail(label, detail):
    global failed
    failed += 1
    print(f"FAIL  {label}")
    for line in detail:
        print(f"        {line}")


def expect_valid(label, validator_, text):
    try:
        document = load_yaml(text)
    except yaml.YAMLError as e:
        fail(label, [f"YAML: {e}"])
        return
    errors = problems(validator_, document)
    if errors:
        fail(label, [describe(e) for e in errors])
    else:
        ok(label)


def expect_invalid(label, validator_, text):
    try:
        document = load_yaml(text)
    except yaml.YAMLError as e:
        ok(f"{label} (rejected by YAML: {str(e).splitlines()[0]})")
        return
    errors = problems(validator_, document)
    if errors:
        ok(f"{label} (rejected: {describe(errors[0])[:90]})")
    else:
        fail(label, ["the schema accepted it"])


rules = validator("herald-rules.schema.json")
config = validator("herald-config.schema.json")

# --- The samples must be valid. ---------------------------------------------------------------
rule_files = sorted(list((ROOT / "rules").glob("*.yaml")) + list((ROOT / "rules").glob("*.yml")))
if not rule_files:
    fail("rules/*.yaml", ["no rule files found"])
for path in rule_files:
    expect_valid(str(path.relative_to(ROOT)), rules, path.read_text(encoding="utf-8"))
expect_valid("samples/herald.yaml", config, (ROOT / "samples/herald.yaml").read_text(encoding="utf-8"))

# --- Every pattern operator form from docs/rules.md must be accepted. ---------------------------
GOOD_RULE = """
rules:
  - id: every-operator
    match:
      type: [bank.card.transaction.flagged, airline.flight.delayed]
      source: [{prefix: 'urn:aurora-bank:'}]
      data:
        attempt: [1, 2, 3.5e2]
        contactless: [true, false]
        mcc_override: [null]
        middle_name: [""]
        statement: {file: [{suffix: .pdf}]}
        merchant:
          name: [{prefix: {equals-ignore-case: amazon}}]
          url: [{suffix: {equals-ignore-case: .co.id}}]
        service_type: [{equals-ignore-case: scheduled}]
        flight: [{wildcard: "XH 4*"}, "XH 4*"]
        seat_map: [{wildcard: 'maps/*/seat\\*.png'}]
        a1: [{anything-but: BR}]
        a2: [{anything-but: [BR, AR, UY]}]
        a3: [{anything-but: 200}]
        a4: [{anything-but: [1, 2, 3]}]
        a5: [{anything-but: {prefix: sa-}}]
        a6: [{anything-but: {prefix: [sa-, us-]}}]
        a7: [{anything-but: {suffix: [.tmp, .part]}}]
        a8: [{anything-but: {equals-ignore-case: [ferry, positioning]}}]
        a9: [{anything-but: {wildcard: "*/test/*"}}]
        a10: [{anything-but: {wildcard: ["*/test/*", "*/tmp/*"]}}]
        n1: [{numeric: [">=", 0.7]}]
        n2: [{numeric: [">", 15, "<=", 180]}]
        n3: [{numeric: ["=", 3]}]
        n4: [{numeric: ["<", -5000000000]}]
        e1: [{exactly: "XH 4*"}]
        atm: {id: [{exists: true}]}
        chargeback: [{exists: false}]
        login: {ip: [{cidr: 10.0.0.0/8}], ip6: [{cidr: "2001:db8::/32"}]}
        $or:
          - {currency: [INR], amount: [{numeric: [">=", 50000]}]}
          - {currency: [BRL], $or: [{amount: [{numeric: [">=", 3000]}]}, {vip: [true]}]}
    for_each: $.data.passengers
    recipient: {address: "@", locale: pt-BR, timezone: America/Sao_Paulo}
    channels: [whatsapp]
    template: t
    params:
      a: "$['detail-type']"
      b: $.data.passengers[-1]
      b2: "$.data .passengers [0]"
      c: "@['first name']"
      d: '$.data["odd key"][0]'
      e: Aurora Bank
      f: 3
      g: true
      h: {money: $.data.amount, currency: INR}
      i: {datetime: $.time}
      j: {datetime: $.time, timezone: Asia/Jakarta}
      k: {number: $.data.points}
      l: "$"
templates:
  t:
    default_locale: en
    text: {en: "{a}", zh-Hant-TW: "{a}", es-419: "{a}"}
"""
expect_valid("every operator and param form", rules, GOOD_RULE)
expect_valid("empty rule file", rules, "")
expect_valid("empty rules: and templates:", rules, "rules:\ntemplates:\n")
expect_valid("anchors, aliases and merge keys", rules, """
rules:
  - &base
    id: a
    match: {type: [x]}
    recipient: {address: $.data.customer.phone}
    channels: [sms]
    template: t
  - <<: *base
    id: b
    channels: [whatsapp]
""")

expect_valid("conversation and protection keys", rules, """
templates:
  t:
    default_locale: en
    text: {en: "Was this you?", pt-BR: "Foi você?", hi: "क्या यह आप थे?"}
    buttons:
      - id: confirm
        text: {en: "Yes", pt-BR: "Sim", hi: "हाँ"}
        keywords: {en: [YES, Y, 1], pt-BR: [SIM, S], hi: [HAAN, हाँ]}
      - id: block
        text: {en: "No", pt-BR: "Não", hi: "नहीं"}
        keywords: {en: [NO, N, 2], pt-BR: [NÃO, N], hi: [NAHI, नहीं]}
    sms_reply:
      en: "Reply YES if it was you or NO to block your card."
      pt-BR: "Responda SIM se foi você ou NÃO para bloquear o cartão."
      hi: "अगर यह आप थे तो HAAN लिखें, नहीं तो NAHI लिखें।"
rules:
  - id: fraud
    match: {type: [x]}
    recipient: {address: $.a}
    channels: [sms]
    template: t
    category: fraud
    urgent: true
    expires: 15m
    dedupe: {key: $.data.transaction_id, window: 24h}
    on_reply: {endpoint: bank-callback}
    respect_opt_out: false
  - id: delay
    match: {type: [y]}
    for_each: $.data.passengers
    recipient: {address: "@.phone"}
    channels: [sms]
    template: t
    category: service
    expires: 900
    dedupe: {key: [$.data.flight, "@.booking"]}
  - id: offer
    match: {type: [z]}
    recipient: {address: $.a}
    channels: [sms]
    template: t
    category: marketing
    respect_opt_out: true
""")

# --- Mistakes the schema must catch. ------------------------------------------------------------
BASE = """
rules:
  - id: r
    match: {type: [x]}
    recipient: {address: $.a}
    channels: [sms]
    template: t
"""


def variant(old, new):
    assert old in BASE, old
    return BASE.replace(old, new, 1)


BAD_RULES = {
    "typo'd key tempalte": variant("template: t", "tempalte: t"),
    "missing recipient": variant("    recipient: {address: $.a}\n", ""),
    "channels as a string": variant("channels: [sms]", "channels: sms"),
    "empty channels": variant("channels: [sms]", "channels: []"),
    "duplicate channel": variant("channels: [sms]", "channels: [sms, sms]"),
    "id with a space": variant("id: r", "id: card fraud"),
    "numeric id (YAML number)": variant("id: r", "id: 2024"),
    "enabled: yes (a string in YAML 1.2)": variant("id: r", "id: r\n    enabled: yes"),
    "pattern value not a list": variant("{type: [x]}", "{type: x}"),
    "empty pattern": variant("{type: [x]}", "{}"),
    "empty value list": variant("{type: [x]}", "{type: []}"),
    "unknown operator": variant("{type: [x]}", "{type: [{anything_but: [x]}]}"),
    "two keys in an operator": variant("{type: [x]}", "{type: [{prefix: a, suffix: b}]}"),
    "prefix with a number": variant("{type: [x]}", "{type: [{prefix: 5}]}"),
    "exists with a string": variant("{type: [x]}", "{type: [{exists: 'yes'}]}"),
    "numeric as a string": variant("{type: [x]}", "{type: [{numeric: '>= 5'}]}"),
    "numeric bad operator": variant("{type: [x]}", "{type: [{numeric: ['=>', 5]}]}"),
    "numeric upper bound first": variant("{type: [x]}", "{type: [{numeric: ['<', 5, '>', 1]}]}"),
    "numeric with a quoted number": variant("{type: [x]}", "{type: [{numeric: ['>', '5']}]}"),
    "wildcard with **": variant("{type: [x]}", "{type: [{wildcard: 'a**b'}]}"),
    "wildcard bad escape": variant("{type: [x]}", "{type: [{wildcard: 'a\\b'}]}"),
    "anything-but mixed list": variant("{type: [x]}", "{type: [{anything-but: [a, 1]}]}"),
    "anything-but null": variant("{type: [x]}", "{type: [{anything-but: [null]}]}"),
    "anything-but empty prefix": variant("{type: [x]}", "{type: [{anything-but: {prefix: ''}}]}"),
    "anything-but unknown form": variant("{type: [x]}", "{type: [{anything-but: {numeric: ['>', 1]}}]}"),
    "cidr without prefix length": variant("{type: [x]}", "{type: [{cidr: 10.0.0.1}]}"),
    "$or with one pattern": variant("{type: [x]}", "{$or: [{type: [x]}]}"),
    "bad path $.data..x": variant("{address: $.a}", "{address: $.data..x}"),
    "bad path wildcard": variant("{address: $.a}", "{address: '$.a[*]'}"),
    "bad path leading zero": variant("{address: $.a}", "{address: '$.a[01]'}"),
    "bad path space inside brackets": variant("{address: $.a}", "{address: '$.a[ 0 ]'}"),
    "bad path dash in shorthand": variant("{address: $.a}", "{address: $.detail-type}"),
    "recipient without address": variant("{address: $.a}", "{locale: en}"),
    "recipient unknown key": variant("{address: $.a}", "{address: $.a, language: en}"),
    "bad literal locale": variant("{address: $.a}", "{address: $.a, locale: english_US}"),
    "bad literal timezone": variant("{address: $.a}", "{address: $.a, timezone: 'Asia Kolkata'}"),
    "for_each with @": variant("id: r", "id: r\n    for_each: '@.x'"),
    "unknown currency form RUPEES": variant("template: t", "template: t\n    params: {amount: {money: $.a, currency: RUPEES}}"),
    "money without currency": variant("template: t", "template: t\n    params: {amount: {money: $.a}}"),
    "money with a literal amount": variant("template: t", "template: t\n    params: {amount: {money: 5, currency: INR}}"),
    "unknown key in datetime": variant("template: t", "template: t\n    params: {d: {datetime: $.a, zone: UTC}}"),
    "bad param name": variant("template: t", "template: t\n    params: {2fa: $.a}"),
    "null param": variant("template: t", "template: t\n    params: {a: null}"),
    "list param": variant("template: t", "template: t\n    params: {a: [1]}"),
    "duplicate key": variant("id: r", "id: r\n    id: s"),
    "unknown top-level key": BASE + "rule: []\n",
    "template without default_locale": "templates: {t: {text: {en: hi}}}",
    "template without text": "templates: {t: {default_locale: en}}",
    "template empty text": "templates: {t: {default_locale: en, text: {}}}",
    "template bad locale key": "templates: {t: {default_locale: en, text: {en: a, portuguese: b}}}",
    "template unknown key": "templates: {t: {default_locale: en, text: {en: a}, locale: en}}",
    "button title over 20": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes, that was really me'}}]}}",
    "button without id": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{text: {en: 'Yes'}}]}}",
    "WhatsApp template name with capitals": "templates: {t: {default_locale: en, text: {en: a}, whatsapp: {template: Fraud_Check}}}",
    "WhatsApp language code with a hyphen": "templates: {t: {default_locale: en, text: {en: a}, whatsapp: {template: x, languages: {en: en-US}}}}",
    "unknown category": variant("template: t", "template: t\n    category: fraud-alert"),
    "urgent: yes (a string in YAML 1.2)": variant("template: t", "template: t\n    urgent: yes"),
    "expires that is no duration": variant("template: t", "template: t\n    expires: soon"),
    "dedupe without a key": variant("template: t", "template: t\n    dedupe: {window: 24h}"),
    "dedupe key that is a literal": variant("template: t", "template: t\n    dedupe: {key: transaction_id}"),
    "dedupe with an unknown key": variant("template: t", "template: t\n    dedupe: {key: $.a, windw: 1h}"),
    "on_reply as a bare name": variant("template: t", "template: t\n    on_reply: bank-callback"),
    "on_reply with a url": variant("template: t", "template: t\n    on_reply: {url: 'https://x'}"),
    "marketing that ignores opt-outs": variant("template: t", "template: t\n    category: marketing\n    respect_opt_out: false"),
    "respect_opt_out as a string": variant("template: t", "template: t\n    respect_opt_out: 'no'"),
    "keyword of two words": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: {en: ['YES PLEASE']}}]}}",
    "keyword with punctuation": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: {en: ['YES!']}}]}}",
    "empty keyword list": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: {en: []}}]}}",
    "keywords as a list": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: [YES]}]}}",
    "sms_reply with a param": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: {en: [YES]}}], sms_reply: {en: 'Reply YES for {merchant}'}}}",
    "sms_reply as a string": "templates: {t: {default_locale: en, text: {en: a}, buttons: [{id: ok, text: {en: 'Yes'}, keywords: {en: [YES]}}], sms_reply: 'Reply YES'}}",
    "sms_reply without buttons": "templates: {t: {default_locale: en, text: {en: a}, sms_reply: {en: 'Reply YES'}}}",
}
for label, text in BAD_RULES.items():
    expect_invalid(f"rules: {label}", rules, text)

CONFIG = """
rules: rules/
endpoints:
  whatsapp: {kind: whatsapp, url: 'https://graph.facebook.com/v23.0/1/messages', token: 'env:WHATSAPP_TOKEN'}
"""
expect_valid("config: smallest", config, CONFIG)
expect_valid("config: every kind", config, """
listen: 0.0.0.0:8080
store: sqlite:/var/lib/herald/outbox.db
api_keys: [env:HERALD_API_KEY, file:/run/secrets/partner_key]
ingest: {max_body: 1MiB, max_events: 500, max_pending: 100000, duplicate_window: 24h, signing_secret: env:INGEST_SECRET}
delivery: {workers: 64, retention: 7d, lease: 60s, shutdown_grace: 10s}
endpoints:
  w: {kind: whatsapp, url: 'https://graph.facebook.com/v23.0/1/messages', token: 'file:secrets/wa'}
  t: {kind: twilio, url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json', account: AC1, token: 'env:T', from: '+15005550006', status_callback: 'https://herald.example.com/v1/webhooks/twilio'}
  h: {kind: webhook, url: 'https://ops.example.com/herald'}
  h2: {kind: webhook, url: 'https://ops.example.com/herald', token: 'file:/run/secrets/hook'}
  h3: {kind: webhook, url: 'https://push.example.com/notify', body: {to: '${recipient.address}', message: '${text}', tags: [a, 1]}}
  m: {kind: smtp, url: 'smtps://smtp.example.com:465', from: 'alerts@example.com', username: alerts, password: 'env:SMTP_PASSWORD'}
  m2: {kind: smtp, url: 'smtp://localhost:2525', from: 'alerts@example.com'}
""")
expect_valid("config: protection and WhatsApp reply keys", config, """
endpoints:
  w: {kind: whatsapp, url: 'https://graph.facebook.com/v23.0/1/messages', token: 'env:WA', app_secret: 'env:WHATSAPP_APP_SECRET', verify_token: 'file:/run/secrets/verify'}
  bank-callback: {kind: webhook, url: 'https://bank.example.com/replies', sign: 'env:BANK_CALLBACK_SECRET'}
protection:
  pacing: 5/h
  quiet_hours: {from: "22:00", to: "07:00"}
  default_timezone: America/Sao_Paulo
  opt_out_keywords: {en: [STOP, UNSUBSCRIBE], pt-BR: [SAIR, PARAR], hi: [STOP], id: [BERHENTI, STOP], es: []}
  not_understood: {en: "Sorry, we did not understand.", pt-BR: "Desculpe, não entendemos."}
""")
expect_valid("config: empty protection", config, CONFIG + "protection:\n")
expect_valid("config: a PostgreSQL store as a URL, and a node name", config,
             CONFIG + "store: postgresql://herald@db.internal:5432/herald?sslmode=verify-full\nnode: herald-1\n")
expect_valid("config: a PostgreSQL store with its password as a reference", config,
             CONFIG + "store: {url: 'postgres://herald@[::1]/herald', password: 'env:HERALD_DB_PASSWORD', pool: 32}\n")
expect_valid("config: tracing with every key", config, CONFIG + """
tracing:
  endpoint: http://otel-collector:4318
  sample: 0.01
  service_name: herald-eu
  headers: {Authorization: 'env:OTLP_AUTH', X-Scope-OrgID: bank}
""")
expect_valid("config: tracing with only its endpoint", config, CONFIG + "tracing: {endpoint: 'https://otlp.example.com/otlp'}\n")
BAD_CONFIGS = {
    "inline token": CONFIG.replace("'env:WHATSAPP_TOKEN'", "EAAGm0PX4ZCpsBAKZCZB"),
    "env: without a name": CONFIG.replace("'env:WHATSAPP_TOKEN'", "'env:'"),
    "unknown kind": CONFIG.replace("kind: whatsapp", "kind: whatsap"),
    "missing token": CONFIG.replace(", token: 'env:WHATSAPP_TOKEN'", ""),
    "key of another kind": CONFIG.replace("kind: whatsapp,", "kind: whatsapp, account: AC1,"),
    "twilio without from": "endpoints: {s: {kind: twilio, url: 'https://x', account: AC1, token: 'env:T'}}",
    "smtp with an http url": "endpoints: {m: {kind: smtp, url: 'https://mail.example.com', from: a@b.c}}",
    "smtp with a token": "endpoints: {m: {kind: smtp, url: 'smtp://mail', from: a@b.c, token: 'env:X'}}",
    "smtp username without password": "endpoints: {m: {kind: smtp, url: 'smtp://mail', from: a@b.c, username: me}}",
    "smtp password without username": "endpoints: {m: {kind: smtp, url: 'smtp://mail', from: a@b.c, password: 'env:P'}}",
    "smtp with an account": "endpoints: {m: {kind: smtp, url: 'smtp://mail', from: a@b.c, account: me}}",
    "inline API key": "api_keys: [sk_live_123]\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "store that is neither sqlite nor postgresql": "store: 'mysql://herald@db/herald'\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "postgresql store without a user": "store: 'postgres://db/herald'\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "postgresql store with a password in the url": "store: 'postgresql://herald:hunter2@db/herald'\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "postgresql store with an inline password": "store: {url: 'postgresql://herald@db/herald', password: hunter2}\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "postgresql store with an unknown sslmode": "store: 'postgresql://herald@db/herald?sslmode=allow'\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "node with a space": "node: 'herald one'\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "unknown ingest key": "ingest: {max_event: 5}\nendpoints: {h: {kind: webhook, url: 'https://x'}}",
    "webhook body as a string": "endpoints: {h: {kind: webhook, url: 'https://x', body: '${text}'}}",
    "twilio with a body": "endpoints: {s: {kind: twilio, url: 'https://x', account: AC1, token: 'env:T', from: '+1', body: {a: 1}}}",
    "whatsapp with a status_callback": "endpoints: {w: {kind: whatsapp, url: 'https://x', token: 'env:T', status_callback: 'https://y'}}",
    "twilio with a username": "endpoints: {s: {kind: twilio, url: 'https://x', account: AC1, token: 'env:T', from: '+1', username: u}}",
    "webhook without url": "endpoints: {o: {kind: webhook}}",
    "no endpoints": "rules: rules/\n",
    "empty endpoints": "endpoints: {}\n",
    "unknown top-level key": CONFIG + "endpoint: {}\n",
    "bad endpoint name": CONFIG.replace("  whatsapp:", "  what sapp:"),
    "pacing per minute": CONFIG + "protection: {pacing: 5/m}\n",
    "pacing of zero": CONFIG + "protection: {pacing: 0/h}\n",
    "quiet hours without an end": CONFIG + "protection: {quiet_hours: {from: '22:00'}}\n",
    "quiet hours at 25:00": CONFIG + "protection: {quiet_hours: {from: '25:00', to: '07:00'}}\n",
    "opt-out keyword of two words": CONFIG + "protection: {opt_out_keywords: {en: ['STOP ME']}}\n",
    "not_understood without a locale": CONFIG + "protection: {not_understood: 'Sorry'}\n",
    "unknown protection key": CONFIG + "protection: {quiet: {from: '22:00', to: '07:00'}}\n",
    "inline app_secret": CONFIG.replace("token: 'env:WHATSAPP_TOKEN'", "token: 'env:WHATSAPP_TOKEN', app_secret: 0123456789abcdef"),
    "app_secret on a webhook": "endpoints: {h: {kind: webhook, url: 'https://x', app_secret: 'env:A'}}",
    "tracing without an endpoint": CONFIG + "tracing: {sample: 0.1}\n",
    "tracing sample over 1": CONFIG + "tracing: {endpoint: 'http://c:4318', sample: 5}\n",
    "tracing sample as a percentage": CONFIG + "tracing: {endpoint: 'http://c:4318', sample: 1%}\n",
    "tracing endpoint that is not http": CONFIG + "tracing: {endpoint: 'grpc://c:4317'}\n",
    "tracing endpoint with credentials": CONFIG + "tracing: {endpoint: 'https://user:pw@c:4318'}\n",
    "unknown tracing key": CONFIG + "tracing: {endpoint: 'http://c:4318', sampling: 0.1}\n",
    "tracing header Herald's exporter sets": CONFIG + "tracing: {endpoint: 'http://c:4318', headers: {Content-Type: x}}\n",
}
for label, text in BAD_CONFIGS.items():
    expect_invalid(f"config: {label}", config, text)

# --- The broken samples carry in-file mistakes; the schema must see them. -----------------------
# (card-extra.yaml only holds a cross-file duplicate id, which only `herald check` can see.)
expect_invalid("samples/broken/herald.yaml", config,
               (ROOT / "samples/broken/herald.yaml").read_text(encoding="utf-8"))
for name in ["airline.yaml", "bank.yaml"]:
    path = ROOT / "samples/broken/rules" / name
    expect_invalid(str(path.relative_to(ROOT)), rules, path.read_text(encoding="utf-8"))
expect_valid("samples/broken/rules/card-extra.yaml (valid on its own)", rules,
             (ROOT / "samples/broken/rules/card-extra.yaml").read_text(encoding="utf-8"))

print(f"check-schemas: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
