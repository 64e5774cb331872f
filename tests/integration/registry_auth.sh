#!/bin/bash
# Registry auth and trust against the real docker-registry on 127.0.0.1: htpasswd Basic over TLS
# with a test CA trusted through certs.d, login/logout into config.json, a credential helper
# spoken to on stdin/stdout, client certificates, Bearer tokens signed by a test issuer that
# the registry verifies, and search over _catalog. No password may show up in any output.
BUILDER=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
netns_reexec "$@"  # a RUN joins the default bridge: never the host's network
[ "$(id -u)" = 0 ] || skip "needs root (sandbox)"
for t in docker-registry skopeo umoci curl openssl htpasswd; do need_tool "$t"; done
PY=/usr/bin/python3
$PY -c 'import cryptography' 2>/dev/null || PY=python3
$PY -c 'import cryptography' 2>/dev/null || skip "python3-cryptography not installed"
PW='s3cret-pw'
export DOCKER_CONFIG="$WORK/docker" BUILDER_CERTS_DIR="$WORK/certs.d"
unset REGISTRY_AUTH_FILE

# start_registry NAME PORT EXTRA_YAML: a registry on 127.0.0.1:PORT, waited for.
start_registry() {
  local name=$1 port=$2
  {
    printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$WORK/data-$name"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    printf '%s\n' "$3"
  } >"$WORK/$name.yml"
  docker-registry serve "$WORK/$name.yml" >"$WORK/$name.log" 2>&1 &
  local pid=$!
  add_cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
  for _ in $(seq 100); do
    curl -sk -o /dev/null "https://127.0.0.1:$port/v2/" 2>/dev/null && return 0
    curl -s -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null && return 0
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2
  fail "registry $name did not come up"
}
no_leak() {  # no_leak FILE...: the password is in none of them
  for f in "$@"; do grep -qF "$PW" "$f" && { cat "$f"; fail "the password leaked into $f"; }; done
  return 0
}

# A CA, a server certificate for 127.0.0.1 and a client certificate, all made here.
cd "$WORK" || fail "cd"
ossl() { openssl "$@" >>"$WORK/openssl.log" 2>&1 || { cat "$WORK/openssl.log" >&2; fail "openssl $1"; }; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=builder test CA"
ossl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 2 -subj "/CN=untrusted CA"
ossl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
ossl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
ossl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj "/CN=builder client"
printf 'extendedKeyUsage=clientAuth\n' >client.ext
ossl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2 -extfile client.ext
htpasswd -Bbn alice "$PW" >"$WORK/htpasswd" 2>/dev/null || fail "htpasswd"

# Seed image (busybox rootfs) as an OCI layout.
seed_layout
seed() { skopeo copy --quiet --dest-tls-verify=false "$@" >"$WORK/skopeo.log" 2>&1 || { cat "$WORK/skopeo.log" >&2; fail "skopeo copy $*"; }; }

### 1. htpasswd Basic over TLS, the CA trusted through certs.d.
P1=$(free_port); R1="127.0.0.1:$P1"
start_registry basic "$P1" "  tls:
    certificate: $WORK/server.crt
    key: $WORK/server.key
auth:
  htpasswd:
    realm: test
    path: $WORK/htpasswd"
seed --dest-creds "alice:$PW" "oci:$SEED:bb" "docker://$R1/lib/bb:1"
mkdir -p "$BUILDER_CERTS_DIR/$R1" && cp ca.crt "$BUILDER_CERTS_DIR/$R1/ca.crt"
mkdir -p "$DOCKER_CONFIG"
printf '{"proxies":{"default":{"noProxy":"*.test"}},"detachKeys":"ctrl-x,x"}' >"$DOCKER_CONFIG/config.json"
export BUILDER_ROOT="$WORK/store1"

"$BUILDER" pull -q "$R1/lib/bb:1" >"$WORK/out" 2>"$WORK/err" && fail "pull without credentials succeeded"
grep -q "requires credentials" "$WORK/err" || { cat "$WORK/err"; fail "no-credentials error unclear"; }
"$BUILDER" login -u alice -p wrong-pw "$R1" >"$WORK/out" 2>"$WORK/err" && fail "login with a wrong password succeeded"
grep -q "login $R1: unauthorized: incorrect username or password" "$WORK/err" || { cat "$WORK/err"; fail "wrong password: unclear error"; }
grep -q "wrong-pw" "$WORK/err" "$WORK/out" && fail "the wrong password was printed"
grep -q auths "$DOCKER_CONFIG/config.json" && fail "a refused login stored credentials"
"$BUILDER" login -u alice -p "$PW" "$R1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "login failed"; }
grep -qx "Login Succeeded" "$WORK/out" || { cat "$WORK/out"; fail "no Login Succeeded"; }
grep -q "WARNING! Using --password via the CLI is insecure" "$WORK/err" || { cat "$WORK/err"; fail "no -p warning"; }
grep -q "stored unencrypted in $DOCKER_CONFIG/config.json" "$WORK/err" || { cat "$WORK/err"; fail "no unencrypted warning"; }
no_leak "$WORK/out" "$WORK/err"
[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] || fail "config.json is not mode 0600"
$PY - "$DOCKER_CONFIG/config.json" "$R1" "$PW" <<'PY' || fail "config.json content"
import base64, json, sys
c = json.load(open(sys.argv[1]))
assert c["proxies"]["default"]["noProxy"] == "*.test" and c["detachKeys"] == "ctrl-x,x", c
assert base64.b64decode(c["auths"][sys.argv[2]]["auth"]).decode() == "alice:" + sys.argv[3]
PY
"$BUILDER" pull -q "$R1/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "pull with the login's credentials failed"; }
[ "$(cat "$WORK/out")" = "$R1/lib/bb:1" ] || fail "pull printed $(cat "$WORK/out")"
if "$BUILDER" --help 2>/dev/null | grep -q "^  push "; then
  "$BUILDER" tag "$R1/lib/bb:1" "$R1/lib/pushed:1" || fail "tag"
  "$BUILDER" push "$R1/lib/pushed:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "push with the login's credentials failed"; }
  skopeo inspect --creds "alice:$PW" --cert-dir "$BUILDER_CERTS_DIR/$R1" "docker://$R1/lib/pushed:1" >/dev/null 2>&1 || fail "the pushed image is not in the registry"
else
  note "builder push not there yet: push part skipped"
fi
# build --cache-to type=registry pushes the cache with the login's credentials over TLS.
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$WORK/ctx" && echo data >"$WORK/ctx/f"
  printf 'FROM %s/lib/bb:1\nCOPY f /f\n' "$R1" >"$WORK/ctx/Dockerfile"
  "$BUILDER" build --progress plain --cache-to "type=registry,ref=$R1/cache/app:1" "$WORK/ctx" >"$WORK/out" 2>"$WORK/err" ||
    { cat "$WORK/err"; fail "build --cache-to type=registry with the login's credentials failed"; }
  grep -q "exported registry cache $R1/cache/app:1: 1 entries" "$WORK/err" || { cat "$WORK/err"; fail "no cache export line"; }
  skopeo inspect --raw --creds "alice:$PW" --cert-dir "$BUILDER_CERTS_DIR/$R1" "docker://$R1/cache/app:1" 2>&1 |
    grep -q 'application/vnd.builder.cache.config.v1+json' || fail "the registry does not serve the pushed cache"
  no_leak "$WORK/out" "$WORK/err"
fi
# --password-stdin
printf '%s\n' "$PW" | "$BUILDER" login -u alice --password-stdin "$R1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "login --password-stdin failed"; }
grep -q "insecure" "$WORK/err" && fail "--password-stdin warned about -p"
# search over _catalog (htpasswd grants the catalog to any valid user)
"$BUILDER" search "$R1/b" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "search failed"; }
head -n1 "$WORK/out" | grep -q "^NAME *DESCRIPTION *STARS *OFFICIAL" || { cat "$WORK/out"; fail "search header"; }
grep -q "^$R1/lib/bb " "$WORK/out" || { cat "$WORK/out"; fail "search did not find lib/bb"; }
"$BUILDER" search --format '{{.Name}}' "$R1/nothing-like-this" >"$WORK/out" 2>"$WORK/err" || fail "empty search failed"
[ -s "$WORK/out" ] && { cat "$WORK/out"; fail "a search for an absent name found something"; }
# logout
"$BUILDER" logout "$R1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "logout failed"; }
grep -qx "Removing login credentials for $R1" "$WORK/out" || { cat "$WORK/out"; fail "logout message"; }
grep -q "$R1" "$DOCKER_CONFIG/config.json" && fail "logout left the entry"
grep -q detachKeys "$DOCKER_CONFIG/config.json" || fail "logout lost unknown keys"
"$BUILDER" logout "$R1" >"$WORK/out" 2>&1 || fail "second logout failed"
grep -qx "Not logged in to $R1" "$WORK/out" || { cat "$WORK/out"; fail "second logout message"; }
export BUILDER_ROOT="$WORK/store1b"
"$BUILDER" pull -q "$R1/lib/bb:1" >/dev/null 2>"$WORK/err" && fail "pull after logout succeeded"
# An untrusted CA: a TLS error naming the registry.
mkdir -p "$WORK/certs-bad/$R1" && cp other-ca.crt "$WORK/certs-bad/$R1/ca.crt"
BUILDER_CERTS_DIR="$WORK/certs-bad" "$BUILDER" login -u alice --password-stdin "$R1" <<<"$PW" >"$WORK/out" 2>"$WORK/err" &&
  fail "login against an untrusted certificate succeeded"
grep -q "$R1" "$WORK/err" && grep -qi "certificate" "$WORK/err" || { cat "$WORK/err"; fail "untrusted CA: unclear error"; }

### 2. A credential helper (credsStore) on PATH, spoken to on stdin/stdout.
mkdir -p "$WORK/bin"
cat >"$WORK/bin/docker-credential-testhelper" <<HELPER
#!/bin/sh
# Logs each call's argv and stdin; keeps one secret in a file.
in=\$(cat)
echo "argv: \$*" >>"$WORK/helper.argv"
echo "\$1 \$in" >>"$WORK/helper.stdin"
case "\$1" in
  store) printf '%s' "\$in" >"$WORK/helper.store" ;;
  get) if [ -s "$WORK/helper.store" ]; then cat "$WORK/helper.store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) rm -f "$WORK/helper.store" ;;
  list) echo '{}' ;;
esac
HELPER
chmod +x "$WORK/bin/docker-credential-testhelper"
export PATH="$WORK/bin:$PATH"
printf '{"credsStore":"testhelper","auths":{}}' >"$DOCKER_CONFIG/config.json"
printf '%s' "$PW" | "$BUILDER" login -u alice --password-stdin "$R1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "login with a helper failed"; }
grep -q "unencrypted" "$WORK/err" && fail "the helper login warned about unencrypted storage"
grep -q "^store .*\"Secret\":\"$PW\"" "$WORK/helper.stdin" || { cat "$WORK/helper.stdin"; fail "store did not get the secret on stdin"; }
grep -q "\"ServerURL\":\"$R1\"" "$WORK/helper.stdin" || fail "store did not get the server URL"
no_leak "$WORK/helper.argv" "$DOCKER_CONFIG/config.json" "$WORK/out" "$WORK/err"
export BUILDER_ROOT="$WORK/store2"
"$BUILDER" pull -q "$R1/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "pull with the helper's credentials failed"; }
grep -qx "get $R1" "$WORK/helper.stdin" || { cat "$WORK/helper.stdin"; fail "pull did not ask the helper (get SERVER on stdin)"; }
"$BUILDER" logout "$R1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "logout with a helper failed"; }
grep -qx "erase $R1" "$WORK/helper.stdin" || { cat "$WORK/helper.stdin"; fail "logout did not erase in the helper"; }
[ -e "$WORK/helper.store" ] && fail "the helper still holds the secret"
grep -qx "argv: store" "$WORK/helper.argv" && grep -qx "argv: get" "$WORK/helper.argv" && grep -qx "argv: erase" "$WORK/helper.argv" ||
  { cat "$WORK/helper.argv"; fail "helper argv is not just the action"; }
rm -f "$DOCKER_CONFIG/config.json"

### 3. Client certificates: a registry that requires one (http.tls.clientcas).
P2=$(free_port); R2="127.0.0.1:$P2"
start_registry mtls "$P2" "  tls:
    certificate: $WORK/server.crt
    key: $WORK/server.key
    clientcas:
      - $WORK/ca.crt"
mkdir -p "$WORK/skopeo-certs" && cp client.crt "$WORK/skopeo-certs/client.cert" && cp client.key "$WORK/skopeo-certs/client.key" && cp ca.crt "$WORK/skopeo-certs/ca.crt"
seed --dest-cert-dir "$WORK/skopeo-certs" "oci:$SEED:bb" "docker://$R2/lib/bb:1"
mkdir -p "$BUILDER_CERTS_DIR/$R2" && cp ca.crt "$BUILDER_CERTS_DIR/$R2/ca.crt"
export BUILDER_ROOT="$WORK/store3"
"$BUILDER" pull -q "$R2/lib/bb:1" >/dev/null 2>"$WORK/err" && fail "pull without a client certificate succeeded"
grep -q "$R2" "$WORK/err" || { cat "$WORK/err"; fail "no-client-certificate error does not name the registry"; }
cp client.crt "$BUILDER_CERTS_DIR/$R2/client.cert"
"$BUILDER" pull -q "$R2/lib/bb:1" >/dev/null 2>"$WORK/err" && fail "a client.cert without client.key was accepted"
grep -q "missing key client.key" "$WORK/err" || { cat "$WORK/err"; fail "missing key: unclear error"; }
cp client.key "$BUILDER_CERTS_DIR/$R2/client.key"
"$BUILDER" pull -q "$R2/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "pull with a client certificate failed"; }

### 4. Bearer tokens from a test issuer whose JWTs the registry verifies.
ossl req -x509 -newkey rsa:2048 -nodes -keyout token.key -out token.crt -days 2 -subj "/CN=token signer"
TP=$(free_port)
$PY "$HERE/token_issuer.py" "$TP" token.key token.crt test-registry test-issuer "$WORK/tokens.log" "$WORK/expire-next" \
  >"$WORK/issuer.out" 2>&1 &
ISSUER_PID=$!
add_cleanup "kill $ISSUER_PID 2>/dev/null; wait $ISSUER_PID 2>/dev/null"
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$TP/token" && break; sleep 0.1; done
P3=$(free_port); R3="127.0.0.1:$P3"
start_registry token "$P3" "auth:
  token:
    realm: http://127.0.0.1:$TP/token
    service: test-registry
    issuer: test-issuer
    rootcertbundle: $WORK/token.crt"
curl -s -o /dev/null -w '%{http_code}' "http://$R3/v2/" | grep -q 401 || fail "the token registry does not challenge"
# Seed with a token skopeo gets from the issuer (alice may push).
seed --dest-creds "alice:$PW" "oci:$SEED:bb" "docker://$R3/lib/bb:1"
: >"$WORK/tokens.log"
export BUILDER_ROOT="$WORK/store4"
"$BUILDER" pull -q "$R3/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" "$WORK/tokens.log"; fail "anonymous token pull failed"; }
grep -q "^GET user=- scopes=repository:lib/bb:pull" "$WORK/tokens.log" || { cat "$WORK/tokens.log"; fail "no anonymous pull token was asked for"; }
"$BUILDER" pull -q "$R3/denied/bb:1" >"$WORK/out" 2>"$WORK/err" && fail "a pull of a refused scope succeeded"
grep -q "pull access denied for denied/bb by $R3" "$WORK/err" || { cat "$WORK/err"; fail "refused scope: unclear error"; }
# login through the token endpoint: offline token -> identity token stored.
"$BUILDER" login -u alice --password-stdin "$R3" <<<"wrong-pw" >"$WORK/out" 2>"$WORK/err" && fail "token login with a wrong password succeeded"
grep -q "unauthorized: incorrect username or password" "$WORK/err" || { cat "$WORK/err"; fail "token login: unclear error"; }
"$BUILDER" login -u alice --password-stdin "$R3" <<<"$PW" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "token login failed"; }
grep -q "offline=True" "$WORK/tokens.log" || { cat "$WORK/tokens.log"; fail "login did not ask for an offline token"; }
$PY - "$DOCKER_CONFIG/config.json" "$R3" <<'PY' || fail "identity token not stored"
import json, sys
e = json.load(open(sys.argv[1]))["auths"][sys.argv[2]]
assert e.get("identitytoken"), e
PY
no_leak "$DOCKER_CONFIG/config.json"
# A pull with the identity token: an OAuth2 POST; the first token the issuer gives is expired,
# so the registry refuses it and builder fetches another.
: >"$WORK/tokens.log"
touch "$WORK/expire-next"
export BUILDER_ROOT="$WORK/store5"
"$BUILDER" pull -q "$R3/lib/bb:1" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" "$WORK/tokens.log"; fail "pull with the identity token failed"; }
grep -q "^POST grant=refresh_token user=alice scopes=repository:lib/bb:pull .*expired=True" "$WORK/tokens.log" ||
  { cat "$WORK/tokens.log"; fail "no expired first token"; }
[ "$(grep -c "^POST grant=refresh_token user=alice" "$WORK/tokens.log")" -ge 2 ] || { cat "$WORK/tokens.log"; fail "the expired token was not refreshed"; }
# search needs the catalog scope: alice has it.
"$BUILDER" search --format '{{.Name}}' "$R3/bb" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err"; fail "token search failed"; }
grep -qx "$R3/lib/bb" "$WORK/out" || { cat "$WORK/out"; fail "token search did not list lib/bb"; }
grep -q "scopes=registry:catalog:\*" "$WORK/tokens.log" || { cat "$WORK/tokens.log"; fail "search did not ask for the catalog scope"; }
"$BUILDER" logout "$R3" >/dev/null || fail "logout of the token registry"
note ok
