#!/bin/sh
# One-shot: creates the application's EventStoreDB user (password from its secret) and lets it read
# $all, which the projector and the verifier need. Runs with the admin password from its secret; safe
# to run again (an existing user is kept). The admin account itself is not used by the application.
set -eu

HTTP="${EVENTSTORE_HTTP:-https://eventstoredb:2113}"
APP_USER="${EVENTSTORE_APP_USER:-cloud-office}"
CA=/etc/eventstore/ca/ca.pem
ADMIN_PASSWORD="$(cat /run/secrets/eventstore-admin-password)"
APP_PASSWORD="$(cat /run/secrets/eventstore-app-password)"

# JSON string literal of a secret (passwords are generated as base64url, but be safe).
json_string() {
  printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'
}

call() {
  method="$1"
  path="$2"
  shift 2
  curl -sS --cacert "$CA" -u "admin:$ADMIN_PASSWORD" -X "$method" -o /tmp/eventstore-setup.out -w '%{http_code}' "$@" "$HTTP$path"
}

status="$(call POST /users/ -H 'Content-Type: application/json' \
  -d "{\"loginName\":\"$APP_USER\",\"fullName\":\"Cloud Office engine\",\"groups\":[\"cloud-office\"],\"password\":\"$(json_string "$APP_PASSWORD")\"}")"
case "$status" in
  201) echo "eventstore-setup: created user $APP_USER" ;;
  409) echo "eventstore-setup: user $APP_USER exists" ;;
  *) echo "eventstore-setup: creating user $APP_USER answered $status" >&2; cat /tmp/eventstore-setup.out >&2; exit 1 ;;
esac

# $all is readable by admins only; the application (group cloud-office) reads it too.
status="$(call POST '/streams/%24%24%24all' -H 'Content-Type: application/vnd.eventstore.events+json' \
  -d "[{\"eventId\":\"$(cat /proc/sys/kernel/random/uuid)\",\"eventType\":\"\$metadata\",\"data\":{\"\$acl\":{\"\$r\":[\"\$admins\",\"cloud-office\"]}}}]")"
case "$status" in
  201) echo "eventstore-setup: \$all readable by group cloud-office" ;;
  *) echo "eventstore-setup: setting the \$all ACL answered $status" >&2; cat /tmp/eventstore-setup.out >&2; exit 1 ;;
esac
