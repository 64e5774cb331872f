#!/usr/bin/python3
"""Validates OCI documents against the image-spec JSON Schemas (draft-04).

Usage:
  validate_schema.py [--expect-invalid] SCHEMA_DIR FILE...
  validate_schema.py --tsv INDEX.tsv SCHEMA_DIR

A FILE's schema comes from its name prefix: manifest__*, index__*, config__*, descriptor__*,
layout__*. With --tsv, every example listed in the image-spec INDEX.tsv (file, media type) is
validated with the schema upstream uses for its media type. Besides the schemas, the checks
upstream runs in Go are repeated: registered digest algorithms need lower-case hex of the right
length, and config Env entries must be KEY=value. With --expect-invalid every FILE must fail.
Exit status 0 when every file met the expectation, 1 otherwise, 2 on usage errors.
"""

import json
import os
import re
import sys
from urllib.parse import urldefrag

import jsonschema

SCHEMA_BY_KIND = {
    "manifest": "image-manifest-schema.json",
    "index": "image-index-schema.json",
    "config": "config-schema.json",
    "descriptor": "content-descriptor.json",
    "layout": "image-layout-schema.json",
}

SCHEMA_BY_MEDIA_TYPE = {
    "application/vnd.oci.descriptor.v1+json": "content-descriptor.json",
    "application/vnd.oci.layout.header.v1+json": "image-layout-schema.json",
    "application/vnd.oci.image.manifest.v1+json": "image-manifest-schema.json",
    "application/vnd.oci.image.index.v1+json": "image-index-schema.json",
    "application/vnd.oci.image.config.v1+json": "config-schema.json",
}

REGISTERED_DIGESTS = {"sha256": 64, "sha384": 96, "sha512": 128}
ENV_RE = re.compile(r"^[^=]+=.*$", re.S)


def load_schemas(schema_dir):
    schemas = {}
    for name in os.listdir(schema_dir):
        if name.endswith(".json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                schemas[name] = json.load(f)
    return schemas


def make_resolver_class(schemas):
    # The schemas' relative refs resolve against nested ids to URLs no file declares; every ref
    # names its file in the last path segment, so resolve by that.
    class ByFileName(jsonschema.RefResolver):
        def resolve_from_url(self, url):
            base, fragment = urldefrag(url)
            name = base.rsplit("/", 1)[-1]
            if name not in schemas:
                raise jsonschema.RefResolutionError("no local schema for " + url)
            return self.resolve_fragment(schemas[name], fragment)

    return ByFileName


def descriptors(doc, kind):
    if kind == "descriptor":
        yield "descriptor", doc
        return
    if not isinstance(doc, dict):
        return
    for key in ("config", "subject"):
        if isinstance(doc.get(key), dict):
            yield key, doc[key]
    for key in ("layers", "manifests"):
        if isinstance(doc.get(key), list):
            for i, d in enumerate(doc[key]):
                if isinstance(d, dict):
                    yield "%s[%d]" % (key, i), d


def extra_checks(doc, kind):
    """The checks upstream's validator.go runs outside the schemas."""
    errors = []
    for where, d in descriptors(doc, kind):
        digest = d.get("digest")
        if isinstance(digest, str) and ":" in digest:
            algorithm, encoded = digest.split(":", 1)
            want = REGISTERED_DIGESTS.get(algorithm)
            if want and (len(encoded) != want or not re.fullmatch("[a-f0-9]+", encoded)):
                errors.append("%s.digest: bad %s digest %r" % (where, algorithm, digest))
    if kind == "config" and isinstance(doc, dict) and isinstance(doc.get("config"), dict):
        for i, env in enumerate(doc["config"].get("Env") or []):
            if not isinstance(env, str) or not ENV_RE.match(env):
                errors.append("config.Env[%d]: %r is not KEY=value" % (i, env))
    if kind == "config" and isinstance(doc, dict) and isinstance(doc.get("rootfs"), dict):
        for i, diff_id in enumerate(doc["rootfs"].get("diff_ids") or []):
            if not isinstance(diff_id, str) or not re.fullmatch("sha256:[a-f0-9]{64}", diff_id):
                errors.append("rootfs.diff_ids[%d]: %r is not a sha256 digest" % (i, diff_id))
    return errors


def validate(path, schema_name, schemas, resolver_class):
    """Returns a list of error strings; empty when valid."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return ["cannot read JSON: %s" % e]
    schema = schemas[schema_name]
    resolver = resolver_class.from_schema(schema)
    validator = jsonschema.Draft4Validator(
        schema, resolver=resolver, format_checker=jsonschema.draft4_format_checker)
    errors = ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "(root)", e.message)
              for e in validator.iter_errors(doc)]
    kind = next((k for k, v in SCHEMA_BY_KIND.items() if v == schema_name), "")
    return errors + extra_checks(doc, kind)


def main(argv):
    args = argv[1:]
    expect_invalid = False
    tsv = None
    if args and args[0] == "--expect-invalid":
        expect_invalid = True
        args = args[1:]
    elif len(args) >= 2 and args[0] == "--tsv":
        tsv = args[1]
        args = args[2:]
    if not args or (tsv is None and len(args) < 2):
        print(__doc__, file=sys.stderr)
        return 2
    schema_dir, files = args[0], args[1:]
    schemas = load_schemas(schema_dir)
    resolver_class = make_resolver_class(schemas)

    jobs = []  # (path, schema name)
    if tsv:
        base = os.path.dirname(tsv)
        with open(tsv, encoding="utf-8") as f:
            for line in f.read().splitlines()[1:]:
                if line.strip():
                    name, media_type = line.split("\t")[:2]
                    jobs.append((os.path.join(base, name), SCHEMA_BY_MEDIA_TYPE[media_type]))
    for path in files:
        kind = os.path.basename(path).split("__", 1)[0]
        if kind not in SCHEMA_BY_KIND:
            print("FAIL %s: no schema for name prefix %r" % (path, kind))
            return 2
        jobs.append((path, SCHEMA_BY_KIND[kind]))

    failed = 0
    for path, schema_name in jobs:
        errors = validate(path, schema_name, schemas, resolver_class)
        if expect_invalid:
            if errors:
                print("ok (invalid as expected) %s: %s" % (path, errors[0]))
            else:
                print("FAIL %s: expected invalid, but it validates against %s" % (path, schema_name))
                failed += 1
        elif errors:
            print("FAIL %s against %s:" % (path, schema_name))
            for e in errors:
                print("  " + e)
            failed += 1
        else:
            print("ok %s" % path)
    print("%d file(s), %d unexpected" % (len(jobs), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
