#!/usr/bin/python3
"""Validates OCI runtime-spec config.json documents against the runtime-spec JSON Schema (draft-04).

Usage: validate_runtime_spec.py [--expect-invalid] SCHEMA_DIR FILE...

Each FILE is validated against SCHEMA_DIR/config-schema.json; cross-file $refs ("defs.json#/...")
resolve by file name inside SCHEMA_DIR. Exit status 0 when every file met the expectation
(valid, or invalid with --expect-invalid), 1 otherwise, 2 on usage errors.
"""

import json
import os
import sys
import warnings
from urllib.parse import urldefrag

import jsonschema

# RefResolver is deprecated in newer jsonschema but is what Debian 12's 4.10 offers.
warnings.filterwarnings("ignore", category=DeprecationWarning)


def main(argv):
    args = argv[1:]
    expect_invalid = bool(args) and args[0] == "--expect-invalid"
    if expect_invalid:
        args = args[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir, files = args[0], args[1:]
    schemas = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                schemas[name] = json.load(f)

    class ByFileName(jsonschema.RefResolver):
        def resolve_from_url(self, url):
            base, fragment = urldefrag(url)
            name = base.rsplit("/", 1)[-1]
            if name not in schemas:
                raise jsonschema.RefResolutionError("no local schema for " + url)
            return self.resolve_fragment(schemas[name], fragment)

    schema = schemas["config-schema.json"]
    validator = jsonschema.Draft4Validator(schema, resolver=ByFileName.from_schema(schema))
    failed = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
            errors = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
                      for e in validator.iter_errors(doc)]
        except (OSError, ValueError) as e:
            errors = ["cannot read JSON: %s" % e]
        if expect_invalid:
            if errors:
                print("ok (invalid as expected) %s: %s" % (path, errors[0]))
            else:
                print("FAIL %s: expected invalid, but it validates" % path)
                failed += 1
        elif errors:
            print("FAIL %s:" % path)
            for e in errors:
                print("  " + e)
            failed += 1
        else:
            print("ok %s" % path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
