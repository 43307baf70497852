#!/usr/bin/env python3
"""Checks docs/openapi.yaml, the OpenAPI 3.1 description of `herald serve`'s HTTP API.

Uses only PyYAML and jsonschema (Debian: python3-yaml, python3-jsonschema), so it runs offline on a
fresh machine. It checks that:

- the file parses as YAML without duplicate keys, and says `openapi: 3.1.x`;
- every `$ref` points at something in the document;
- every operation has a unique operationId and responses, and every response has a description;
- path parameters are declared, and every route of GatewayAPI.swift is documented (and no other);
- /v1/* and /-/reload require the bearer scheme, the operations routes require nothing;
- every schema is valid JSON Schema (draft 2020-12, OpenAPI 3.1's dialect), and every example
  (media types, parameters, headers, schemas) is valid against its schema;
- the problem types listed in the Problem schema's description are exactly those the code raises
  (`Problem("slug", title: "…", status: N` in Sources/HeraldServer), with the same title and status,
  and every problem example names a listed type with its status, under a response of that status.

When the PyPI package openapi-spec-validator happens to be installed it is run as well; it is not
needed. Exits 1 with one line per problem found.

Usage: scripts/check-openapi.py [PATH]   (default docs/openapi.yaml)
"""

import pathlib
import re
import sys

try:
    import yaml
    import jsonschema
except ImportError as error:  # pragma: no cover
    sys.exit(f"check-openapi: {error.name} is missing; install python3-yaml and python3-jsonschema "
             "(scripts/install-deps does), or: python3 -m pip install pyyaml jsonschema")

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "docs" / "openapi.yaml"
SHOWN = DOC.relative_to(ROOT) if DOC.is_relative_to(ROOT) else DOC
API = ROOT / "Sources" / "HeraldServer" / "API" / "GatewayAPI.swift"
SERVER_SOURCES = ROOT / "Sources" / "HeraldServer"
PROBLEM_BASE = "https://herald.dev/problems/"
BEARER_PREFIXES = ("/v1/", "/-/reload")
# Provider webhooks are verified by the provider's signature, not the API key.
UNAUTHENTICATED_PREFIXES = ("/v1/webhooks/",)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# The routes the API must document, whatever the source says.
REQUIRED_ROUTES = {
    ("post", "/v1/events"), ("get", "/v1/events/{id}"), ("get", "/v1/deliveries"),
    ("post", "/v1/deliveries/{id}/retry"), ("post", "/-/reload"), ("get", "/-/healthy"),
    ("get", "/-/ready"), ("get", "/metrics"),
}

errors = []


def fail(where, message):
    errors.append(f"{where}: {message}")


# MARK: Loading


class UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses duplicate mapping keys (PyYAML keeps the last one silently)."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
# YAML 1.1 reads unquoted dates as datetime objects; JSON (and so OpenAPI) has only strings.
UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def load(path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except (OSError, yaml.YAMLError) as error:
        sys.exit(f"check-openapi: cannot read {SHOWN}: {error}")


# MARK: References


def pointer(document, ref):
    """The value `ref` (`#/a/b~1c`) points at, or raise KeyError."""
    if not ref.startswith("#"):
        raise KeyError(f"{ref} is not a local reference (the document must be self-contained)")
    value = document
    for raw in filter(None, ref[1:].split("/")):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(f"{ref} does not resolve ('{part}' is missing)")
    return value


def walk(value, path="#"):
    """Yields (json-pointer, node) for every dict and list in `value`."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, (dict, list)):
                yield from walk(child, f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            if isinstance(child, (dict, list)):
                yield from walk(child, f"{path}/{index}")


def check_refs(doc):
    for where, node in walk(doc):
        if isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                fail(where, "$ref must be a string")
                continue
            try:
                pointer(doc, ref)
            except KeyError as error:
                fail(where, f"$ref {error.args[0]}")
            except (ValueError, IndexError):
                fail(where, f"$ref {ref} does not resolve")


def resolved(doc, node):
    """`node`, following $ref (OpenAPI objects, not schemas) until it is not a reference; {} when
    a reference does not resolve (check_refs reports it)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            fail(str(ref), "refers to itself")
            return {}
        seen.add(ref)
        try:
            node = pointer(doc, ref)
        except (KeyError, ValueError, IndexError, TypeError):
            return {}
    return node


def dereferenced_schema(doc, schema, stack=()):
    """The schema with each local $ref replaced by its target (as `allOf` when it has siblings),
    so jsonschema needs no resolver (its API for one differs between versions)."""
    if isinstance(schema, list):
        return [dereferenced_schema(doc, item, stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        # `example`/`examples` hold data, not schemas; `properties` etc. hold schemas by name.
        if key in ("example", "examples", "enum", "const", "default"):
            out[key] = value
        elif key == "$ref":
            continue
        else:
            out[key] = dereferenced_schema(doc, value, stack)
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in stack:
            raise KeyError(f"{ref} is recursive; the checker cannot inline it")
        target = dereferenced_schema(doc, pointer(doc, ref), stack + (ref,))
        if len(out) == 0:
            return target
        out.setdefault("allOf", [])
        out["allOf"] = [target] + out["allOf"]
    return out


# MARK: Document shape


def check_top(doc):
    if not isinstance(doc, dict):
        sys.exit(f"check-openapi: {SHOWN} is not a mapping")
    version = str(doc.get("openapi", ""))
    if not re.fullmatch(r"3\.1\.\d+", version):
        fail("openapi", f"must be 3.1.x, not {version!r}")
    info = doc.get("info")
    if not isinstance(info, dict) or not info.get("title") or not info.get("version"):
        fail("info", "needs a title and a version")
    if not isinstance(doc.get("paths"), dict):
        fail("paths", "must be a mapping")


def operations(doc):
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            fail(f"paths {path}", "must be a mapping")
            continue
        for method in METHODS:
            if method in item:
                yield path, method, item, item[method]


def check_operations(doc):
    ids = {}
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for name, scheme in schemes.items():
        scheme = resolved(doc, scheme)
        if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() != "bearer":
            fail(f"securitySchemes {name}", "Herald's keys are bearer tokens: scheme must be 'bearer'")
    bearer = {name for name, scheme in schemes.items() if str(resolved(doc, scheme).get("scheme", "")).lower() == "bearer"}
    if not bearer:
        fail("components.securitySchemes", "needs an http bearer scheme for the API keys")

    for path, method, item, op in operations(doc):
        where = f"{method.upper()} {path}"
        if not isinstance(op, dict):
            fail(where, "must be a mapping")
            continue
        op_id = op.get("operationId")
        if not op_id:
            fail(where, "has no operationId")
        elif op_id in ids:
            fail(where, f"operationId {op_id!r} is also used by {ids[op_id]}")
        else:
            ids[op_id] = where
        if not op.get("summary") and not op.get("description"):
            fail(where, "has neither a summary nor a description")

        # Path parameters: each {name} declared (in the path item or the operation), and no extra.
        params = [resolved(doc, p) for p in (item.get("parameters") or []) + (op.get("parameters") or [])]
        declared = {p.get("name") for p in params if p.get("in") == "path"}
        templated = set(re.findall(r"\{([^}]+)\}", path))
        for name in templated - declared:
            fail(where, f"path parameter {{{name}}} is not declared")
        for name in declared - templated:
            fail(where, f"declares path parameter '{name}' that the path does not have")
        for p in params:
            if p.get("in") == "path" and p.get("required") is not True:
                fail(where, f"path parameter '{p.get('name')}' must have required: true")
            if "schema" not in p and "content" not in p:
                fail(where, f"parameter '{p.get('name')}' has no schema")

        responses = op.get("responses")
        if not isinstance(responses, dict) or not responses:
            fail(where, "has no responses")
            continue
        for code, response in responses.items():
            code = str(code)
            if not re.fullmatch(r"[1-5](\d\d|XX)|default", code):
                fail(where, f"response key {code!r} is not a status code")
            response = resolved(doc, response)
            if not isinstance(response, dict) or not str(response.get("description", "")).strip():
                fail(f"{where} {code}", "response has no description")

        security = op.get("security", doc.get("security"))
        needs_key = path.startswith(BEARER_PREFIXES) and not path.startswith(UNAUTHENTICATED_PREFIXES)
        names = {name for requirement in (security or []) for name in requirement}
        if needs_key and not names & bearer:
            fail(where, "needs the API key: add security with the bearer scheme")
        if not needs_key and names:
            fail(where, "takes no API key in GatewayAPI.swift: set security: []")
        for name in names - set(schemes):
            fail(where, f"security names an unknown scheme {name!r}")
        if needs_key and "401" not in {str(c) for c in responses}:
            fail(where, "needs the API key, so it must document the 401 answer")

    for name, response in ((doc.get("components") or {}).get("responses") or {}).items():
        if not str(resolved(doc, response).get("description", "")).strip():
            fail(f"components.responses {name}", "has no description")


def check_routes(doc):
    source = "\n".join(file.read_text(encoding="utf-8") for file in sorted(API.parent.glob("GatewayAPI*.swift")))
    routes = {(m.group(1), m.group(2)) for m in re.finditer(r'router\.(get|post|put|patch|delete|head)\("([^"]+)"', source)}
    if len(routes) < len(REQUIRED_ROUTES):
        fail(API.relative_to(ROOT), f"found only {len(routes)} routes (router.get/post(\"...\")); has the routing code changed shape?")
    documented = {(method, path) for path, method, _, _ in operations(doc)}
    for method, path in sorted(REQUIRED_ROUTES - documented):
        fail("paths", f"{method.upper()} {path} is a route of herald serve but is not documented")
    for method, path in sorted(routes - documented - REQUIRED_ROUTES):
        fail("paths", f"{method.upper()} {path} is routed in GatewayAPI.swift but not documented")
    for method, path in sorted(documented - routes):
        fail("paths", f"{method.upper()} {path} is documented but GatewayAPI.swift does not route it")


# MARK: Schemas and examples


def check_schemas(doc):
    for name, schema in ((doc.get("components") or {}).get("schemas") or {}).items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as error:
            fail(f"components.schemas.{name}", f"is not valid JSON Schema: {error.message} (at {'/'.join(map(str, error.path))})")


EXAMPLES_CHECKED = [0]


def validate_example(doc, where, schema, value):
    for at, node in walk(value, "") if isinstance(value, (dict, list)) else ():
        if isinstance(node, dict) and "$ref" in node:
            fail(where, f"example has a $ref at '{at}': example values are literal, tools do not resolve "
                 "references in them; write the value out, or $ref a whole Example object")
            return
    EXAMPLES_CHECKED[0] += 1
    try:
        full = dereferenced_schema(doc, schema)
    except KeyError as error:
        fail(where, str(error))
        return
    for error in sorted(jsonschema.Draft202012Validator(full).iter_errors(value), key=lambda e: list(e.path)):
        at = "/" + "/".join(map(str, error.absolute_path))
        fail(where, f"example does not match its schema at {at}: {error.message[:300]}")


def examples_of(doc, holder):
    """(name, value) for the `example` and `examples` of a media type, parameter or header."""
    if "example" in holder:
        yield "example", holder["example"]
    for name, example in (holder.get("examples") or {}).items():
        example = resolved(doc, example)
        if isinstance(example, dict) and "value" in example:
            yield name, example["value"]
        elif isinstance(example, dict) and "externalValue" not in example:
            fail(f"example {name}", "has neither value nor externalValue")


def check_examples(doc):
    # Every media type, parameter and header object in the document, wherever it sits.
    for where, node in walk(doc):
        if not isinstance(node, dict):
            continue
        if where.startswith("#/components/schemas"):
            continue
        # Media types (under `content`), parameters and headers carry `schema` beside examples.
        if "schema" in node and ("example" in node or "examples" in node):
            for name, value in examples_of(doc, node):
                validate_example(doc, f"{where} ({name})", node["schema"], value)
    # Schemas' own `examples` arrays (JSON Schema's keyword), anywhere a schema sits.
    for where, node in walk(doc):
        if not isinstance(node, dict) or "examples" not in node or not isinstance(node["examples"], list):
            continue
        if "schema" in node:  # a media type or parameter with a list is a mistake: OpenAPI wants a map
            fail(where, "`examples` of a media type, parameter or header must be a map of Example objects")
            continue
        for index, value in enumerate(node["examples"]):
            validate_example(doc, f"{where}/examples/{index}", node, value)


# MARK: Problems


def problems_in_code():
    """{slug: (title or None, status or None, file:line)} for every Problem the server builds."""
    found = {}
    pattern = re.compile(r'\bProblem\(\s*"([^"\\]+)"\s*,\s*title:\s*(?:"((?:[^"\\]|\\.)*)"|[^,]+)\s*,\s*status:\s*(\d+|[^,)]+)')
    for source in sorted(SERVER_SOURCES.rglob("*.swift")):
        # Whole-line comments (doc comments quote Problem( too) are blanked, keeping line numbers.
        text = re.sub(r"(?m)^[ \t]*//[^\n]*", "", source.read_text(encoding="utf-8"))
        for match in pattern.finditer(text):
            slug, title, status = match.group(1), match.group(2), match.group(3).strip()
            line = text.count("\n", 0, match.start()) + 1
            where = f"{source.relative_to(ROOT)}:{line}"
            entry = (title, int(status) if status.isdigit() else None, where)
            if slug in found and found[slug][:2] != entry[:2]:
                fail(where, f"problem '{slug}' is built with another title or status at {found[slug][2]}")
            found.setdefault(slug, entry)
        # A Problem whose slug is not a literal escapes this check: flag it.
        for match in re.finditer(r'\bProblem\(\s*(?!")(?!\s*\))([A-Za-z_][^,)]*),\s*title:', text):
            fail(f"{source.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}",
                 f"Problem({match.group(1)}, …) has no literal slug; check-openapi.py cannot check it is documented")
    if not found:
        fail(SERVER_SOURCES.relative_to(ROOT), 'no Problem("slug", title: …, status: …) found; has Problem changed shape?')
    return found


def problems_in_doc(doc):
    """{slug: (title, status or None)} from the table in components.schemas.Problem.description."""
    try:
        description = doc["components"]["schemas"]["Problem"]["description"]
    except (KeyError, TypeError):
        fail("components.schemas.Problem", "is missing, or has no description listing the problem types")
        return {}
    rows = {}
    row = re.compile(r"^\|\s*`" + re.escape(PROBLEM_BASE) + r"([a-z0-9-]+)`\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|", re.M)
    for match in row.finditer(description):
        slug, status, title = match.group(1), match.group(2), match.group(3)
        if slug in rows:
            fail("components.schemas.Problem", f"lists '{slug}' twice")
        rows[slug] = (title, int(status) if status.isdigit() else None)
    if not rows:
        fail("components.schemas.Problem", f"its description has no table rows like | `{PROBLEM_BASE}SLUG` | STATUS | TITLE | … |")
    return rows


def check_problems(doc):
    code = problems_in_code()
    listed = problems_in_doc(doc)
    for slug, (title, status, where) in sorted(code.items()):
        if slug not in listed:
            fail("components.schemas.Problem", f"does not list {PROBLEM_BASE}{slug}, raised at {where}")
            continue
        doc_title, doc_status = listed[slug]
        if status is not None and doc_status != status:
            fail("components.schemas.Problem", f"lists '{slug}' with status {doc_status}, but {where} answers {status}")
        if title is not None and doc_title != title:
            fail("components.schemas.Problem", f"lists '{slug}' with title {doc_title!r}, but {where} says {title!r}")
    for slug in sorted(set(listed) - set(code)):
        fail("components.schemas.Problem", f"lists '{slug}', which no Problem(\"{slug}\", …) in Sources/HeraldServer raises")

    # Each listed type is named by at least one response, so a reader knows where to expect it.
    responses_text = yaml.safe_dump({"paths": doc.get("paths"), "responses": (doc.get("components") or {}).get("responses")},
                                    allow_unicode=True, width=10_000)
    for slug in sorted(listed):
        if not re.search(r"(?<![a-z0-9-])" + re.escape(slug) + r"(?![a-z0-9-])", responses_text):
            fail("paths", f"no response names the problem type '{slug}'")

    # Problem examples: a listed type, its own status, under a response with that status.
    for where, node in walk(doc):
        if isinstance(node, dict) and isinstance(node.get("type"), str) and node["type"].startswith(PROBLEM_BASE):
            slug = node["type"][len(PROBLEM_BASE):]
            if slug not in listed:
                fail(where, f"example problem type '{slug}' is not in the Problem table")
                continue
            if listed[slug][1] is not None and node.get("status") != listed[slug][1]:
                fail(where, f"example '{slug}' has status {node.get('status')}, the table says {listed[slug][1]}")
            response_code = re.match(r"#/paths/[^/]+/[a-z]+/responses/(\d{3})/", where)
            if response_code and int(response_code.group(1)) != node.get("status"):
                fail(where, f"example '{slug}' with status {node.get('status')} sits under a {response_code.group(1)} response")


# MARK: Optional full validation


def check_with_openapi_spec_validator(doc):
    try:
        from openapi_spec_validator import validate
    except ImportError:
        return False
    try:
        validate(doc)
    except Exception as error:  # the package's error types differ between versions
        fail("openapi-spec-validator", str(error).splitlines()[0][:500])
    return True


def main():
    doc = load(DOC)
    check_top(doc)
    check_refs(doc)
    check_operations(doc)
    check_routes(doc)
    check_schemas(doc)
    check_examples(doc)
    check_problems(doc)
    full = check_with_openapi_spec_validator(doc)
    if errors:
        for error in errors:
            print(f"{SHOWN}: {error}", file=sys.stderr)
        print(f"check-openapi: {len(errors)} problem{'s' if len(errors) != 1 else ''} in {SHOWN}", file=sys.stderr)
        return 1
    count = sum(1 for _ in operations(doc))
    print(f"{SHOWN}: OpenAPI {doc['openapi']}, {count} operations, "
          f"{len(problems_in_doc(doc))} problem types, {EXAMPLES_CHECKED[0]} examples valid; refs, routes and problems match the code"
          + (" (and openapi-spec-validator agrees)" if full else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
