#!/usr/bin/env python3
"""A token endpoint for docker-registry's `auth: token` mode, for registry_auth.sh.

Signs RS256 JWTs (x5c = the signing certificate, which the registry trusts through
rootcertbundle). Users: alice:s3cret-pw. Grants: pull of any repository to anyone; push and
the catalog to alice; nothing on "denied/*". GET with optional Basic (and offline_token=true
for a refresh token), POST grant_type=refresh_token|password as docker's OAuth2 client.
If the file EXPIRE_FLAG exists, the next token is already expired (and the file removed).
Every request is logged to LOG as one line (method, user, grant, scopes), never a secret.
Usage: token_issuer.py PORT KEY CERT SERVICE ISSUER LOG EXPIRE_FLAG
"""
import base64, json, os, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

PORT, KEY, CERT, SERVICE, ISSUER, LOG, EXPIRE_FLAG = sys.argv[1:8]
USERS = {"alice": "s3cret-pw"}
key = serialization.load_pem_private_key(open(KEY, "rb").read(), password=None)
cert = x509.load_pem_x509_certificate(open(CERT, "rb").read())
x5c = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
refresh_tokens = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [x5c]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


def grant(user, scope):
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    kind, name, actions = parts[0], ":".join(parts[1:-1]), parts[-1].split(",")
    if kind == "registry" and name == "catalog":
        return {"type": kind, "name": name, "actions": ["*"]} if user else None
    if kind != "repository" or name.startswith("denied/"):
        return None
    allowed = [a for a in actions if a == "pull" or (a in ("push", "delete", "*") and user)]
    return {"type": kind, "name": name, "actions": allowed} if allowed else None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def issue(self, user, scopes, offline, how):
        now = int(time.time())
        expired = os.path.exists(EXPIRE_FLAG)
        if expired:
            os.unlink(EXPIRE_FLAG)
        access = [g for g in (grant(user, s) for s in scopes) if g]
        exp = now - 600 if expired else now + 300
        claims = {"iss": ISSUER, "sub": user or "", "aud": SERVICE, "exp": exp, "nbf": now - 700,
                  "iat": now, "jti": uuid.uuid4().hex, "access": access}
        with open(LOG, "a") as log:
            log.write("%s user=%s scopes=%s offline=%s expired=%s\n" % (how, user or "-", " ".join(scopes),
                                                                     offline, expired))
        body = {"token": jwt(claims), "access_token": "", "expires_in": 300,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}
        del body["access_token"]
        if offline and user:
            rt = uuid.uuid4().hex
            refresh_tokens[rt] = user
            body["refresh_token"] = rt
        self.answer(200, body)

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        user = None
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            name, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            if USERS.get(name) != pw:
                with open(LOG, "a") as log:
                    log.write("GET refused user=%s\n" % name)
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
            user = name
        self.issue(user, q.get("scope", []), q.get("offline_token", [""])[0] == "true", "GET")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        grant_type = form.get("grant_type", [""])[0]
        user = None
        if grant_type == "refresh_token":
            user = refresh_tokens.get(form.get("refresh_token", [""])[0])
        elif grant_type == "password":
            name = form.get("username", [""])[0]
            user = name if USERS.get(name) == form.get("password", [""])[0] else None
        if user is None:
            with open(LOG, "a") as log:
                log.write("POST refused grant=%s\n" % grant_type)
            return self.answer(401, {"error": "invalid_grant", "error_description": "unknown refresh token"})
        scopes = " ".join(form.get("scope", [])).split()
        self.issue(user, scopes, form.get("access_type", [""])[0] == "offline", "POST grant=" + grant_type)


ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
