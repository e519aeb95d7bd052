#!/bin/sh
# One-shot: waits for the Temporal frontend, then makes sure the application's namespace and the
# search attributes its case workflows keep current exist. Safe to run again: it only adds what is
# missing. Runs in the temporalio/admin-tools image, whose `temporal` CLI reads TEMPORAL_ADDRESS.
set -eu

NAMESPACE="${TEMPORAL_NAMESPACE:-cloud-office}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
SEARCH_ATTRIBUTES="CaseKind CaseStatus Jurisdiction OfferingId"
WAIT_SECONDS="${TEMPORAL_SETUP_WAIT_SECONDS:-180}"

# Retries until success or WAIT_SECONDS: the frontend needs a while after its schema setup, and a new
# namespace takes a few seconds to reach every service.
retry() {
  what="$1"
  shift
  waited=0
  until "$@" >/tmp/temporal-setup.log 2>&1; do
    if [ "$waited" -ge "$WAIT_SECONDS" ]; then
      echo "temporal-setup: gave up after ${WAIT_SECONDS}s on: $what" >&2
      cat /tmp/temporal-setup.log >&2
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

frontend_serving() {
  temporal operator cluster health | grep -q SERVING
}

# Describe first, so a second run (or a retry after a create that did land) does not fail on "exists".
namespace_exists() {
  temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION"
}

search_attribute_exists() {
  temporal operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$1" ||
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$1" --type Keyword
}

echo "temporal-setup: waiting for Temporal at ${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
retry "the Temporal frontend" frontend_serving

echo "temporal-setup: namespace $NAMESPACE (retention $RETENTION)"
retry "namespace $NAMESPACE" namespace_exists
retry "namespace $NAMESPACE to be served" temporal operator namespace describe --namespace "$NAMESPACE"

for name in $SEARCH_ATTRIBUTES; do
  echo "temporal-setup: search attribute $name (Keyword)"
  retry "search attribute $name" search_attribute_exists "$name"
done

echo "temporal-setup: done"
