#!/usr/bin/env bash
# Writes what docker-compose.yml's `secrets:` name into docker/secrets/ (git-ignored) for a development
# or trial deployment: a CA, the Temporal server certificate and client certificates (mutual TLS), the
# EventStoreDB node certificate, random passwords, the app's EventStoreDB connection string, and the
# audit signing key. Existing files are kept (run with --force to replace them all). Production brings
# certificates from its own CA and keeps the audit key on the signing host only.
#
#   bash docker/gen-dev-certs.sh [--force]
set -euo pipefail
cd "$(dirname "$0")"
OUT=secrets
DAYS="${CERT_DAYS:-825}"

if [[ "${1:-}" == "--force" ]]; then rm -rf "$OUT"; fi
mkdir -p "$OUT/ca"
chmod 700 "$OUT"
umask 077

# A key and a certificate signed by the CA, with the given subject alternative names and usages.
issue() {
  local name="$1" cn="$2" san="$3" usage="$4"
  [[ -f "$OUT/$name.pem" ]] && return 0
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/$name.key" 2>/dev/null
  openssl req -new -key "$OUT/$name.key" -subj "/O=Cloud Office/CN=$cn" -out "$OUT/$name.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s' \
    "$usage" "${san:+subjectAltName=$san}" >"$OUT/$name.ext"
  openssl x509 -req -in "$OUT/$name.csr" -CA "$OUT/ca/ca.pem" -CAkey "$OUT/ca.key" -CAserial "$OUT/ca.srl" -CAcreateserial \
    -days "$DAYS" -sha256 -extfile "$OUT/$name.ext" -out "$OUT/$name.pem" 2>/dev/null
  rm -f "$OUT/$name.csr" "$OUT/$name.ext"
  echo "gen-dev-certs: $name ($cn)"
}

password() {
  [[ -f "$OUT/$1" ]] || { openssl rand -base64 32 | tr -d '\n=' | tr '+/' '-_' >"$OUT/$1"; echo "gen-dev-certs: password $1"; }
}

if [[ ! -f "$OUT/ca/ca.pem" ]]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$OUT/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$OUT/ca.key" -sha256 -days "$DAYS" -subj "/O=Cloud Office/CN=Cloud Office deployment CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$OUT/ca/ca.pem"
  echo "gen-dev-certs: CA"
fi

# Temporal's frontend and internode certificate (it is also the internode client), and the clients'.
issue temporal-server temporal "DNS:temporal,DNS:localhost,IP:127.0.0.1" "serverAuth,clientAuth"
issue temporal-app cloud-office-app "" "clientAuth"
issue temporal-ops cloud-office-operators "" "clientAuth"
# EventStoreDB's node certificate: the name the app connects to, and localhost for its health probe.
issue eventstore-node eventstoredb "DNS:eventstoredb,DNS:localhost,IP:127.0.0.1" "serverAuth,clientAuth"

password postgres-password
password eventstore-admin-password
password eventstore-ops-password
password eventstore-app-password
# Grafana's admin account (user admin); docker-compose.yml reads it with GF_SECURITY_ADMIN_PASSWORD__FILE.
password grafana-admin-password

if [[ ! -f "$OUT/eventstore-url" ]]; then
  printf 'esdb://cloud-office:%s@eventstoredb:2113?tls=true&tlsCAFile=/run/secrets/ca-cert\n' "$(cat "$OUT/eventstore-app-password")" >"$OUT/eventstore-url"
  echo "gen-dev-certs: eventstore-url"
fi

# Empty: the projector keeps the mail in the maildir under /data. To send the notices, start the
# relay (`--profile mail`) and write smtp://mail-relay:587 into this file.
if [[ ! -f "$OUT/smtp-url" ]]; then
  : >"$OUT/smtp-url"
  echo "gen-dev-certs: smtp-url (empty: mail stays in the maildir; write smtp://mail-relay:587 into it and start the mail profile to send)"
fi

# The relay's password at the office's smarthost (MAIL_RELAYHOST_USERNAME's); empty for a smarthost
# that takes the relay without a login.
if [[ ! -f "$OUT/mail-relay-password" ]]; then
  : >"$OUT/mail-relay-password"
  echo "gen-dev-certs: mail-relay-password (empty: write the smarthost account's password into it)"
fi

if [[ ! -f "$OUT/audit-signing-key.pem" ]]; then
  openssl genpkey -algorithm ed25519 -out "$OUT/audit-signing-key.pem"
  echo "gen-dev-certs: audit-signing-key.pem (publish its public key: GET /api/audit/public-key)"
fi

# The containers run as non-root users: the CA certificate is public, the rest is readable by this
# machine's user (uid 1000 in the node, temporal and eventstore images) and no one else.
chmod 755 "$OUT/ca" && chmod 644 "$OUT/ca/ca.pem"
chmod 600 "$OUT"/*.key "$OUT"/*.pem "$OUT"/*password "$OUT/eventstore-url" "$OUT/smtp-url" "$OUT/mail-relay-password"
chmod 755 "$OUT"
echo "gen-dev-certs: done; secrets in docker/$OUT (CA key: docker/$OUT/ca.key — keep it off the deployment)"
