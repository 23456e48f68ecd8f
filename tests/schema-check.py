# SPDX-License-Identifier: Apache-2.0
"""tests/schema-check.py: validate ackprof's JSON output against schema/KIND.schema.json.

usage: PYTHON tests/schema-check.py [--any] FILE...   (PYTHON: build/pytest-venv/bin/python,
       which has jsonschema; "-" is stdin)

A file is one JSON document (-o json, possibly indented) or JSON Lines (-o jsonl, batch):
every document in it must name its kind, and the schema of that kind (draft 2020-12)
must accept it.  With --any, a file that holds no JSON at all (a text report) passes;
without it, it fails.  Exit 0: all valid; 1: a document failed (each reason on stderr);
2: usage or a schema that is not valid draft 2020-12 itself.
"""
import json
import os
import sys

import jsonschema

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMAS = os.environ.get("ACKPROF_SCHEMA_DIR", os.path.join(TOP, "schema"))
_cache = {}


def validator(kind):
    if kind not in _cache:
        path = os.path.join(SCHEMAS, "%s.schema.json" % kind)
        if not os.path.exists(path):
            return None
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        _cache[kind] = jsonschema.Draft202012Validator(schema)
    return _cache[kind]


def documents(text):
    """The documents of text: one (indented) document, or one a line; None: not JSON."""
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    docs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line))
        except ValueError:
            return None
    return docs


def check(name, text, any_ok):
    docs = documents(text)
    if not docs:
        if any_ok:
            return []
        return ["%s: no JSON document" % name]
    errors = []
    for i, d in enumerate(docs, 1):
        where = "%s: document %d" % (name, i)
        if not isinstance(d, dict) or not isinstance(d.get("kind"), str):
            errors.append("%s: no \"kind\"" % where)
            continue
        v = validator(d["kind"])
        if v is None:
            errors.append("%s: no schema for kind %r" % (where, d["kind"]))
            continue
        for e in v.iter_errors(d):
            path = "/".join(str(p) for p in e.absolute_path)
            errors.append("%s (%s): %s: %s" % (where, d["kind"], path or "(top)", e.message))
    return errors


def main(argv):
    any_ok = "--any" in argv
    files = [a for a in argv if a != "--any"]
    if not files:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    errors = []
    try:
        for name in files:
            if name == "-":
                text = sys.stdin.read()
            else:
                with open(name, encoding="utf-8") as f:
                    text = f.read()
            errors += check(name, text, any_ok)
    except jsonschema.SchemaError as e:
        print("schema-check: a schema is not valid draft 2020-12: %s" % e.message, file=sys.stderr)
        return 2
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
