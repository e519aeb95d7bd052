#!/usr/bin/env bash
# Validates docker-compose.yml (syntax, merge keys, variable defaults) without pulling or starting
# anything, then asserts its security properties that can be checked statically
# (scripts/check-compose-security.py: only the API published, Grafana on 127.0.0.1 only, Temporal,
# EventStoreDB and Prometheus on an internal network, mutual TLS to Temporal, EventStoreDB secure,
# secrets from files). The secret files need not exist for this. Where docker-compose is not installed
# the check is skipped, not failed: the compose setup is optional and the rest of the project does not
# need it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: skipped: docker-compose not installed"
  exit 0
fi

if docker-compose -f docker-compose.yml config -q; then
  echo "check-compose: docker-compose.yml is valid ($(docker-compose -f docker-compose.yml config --services | wc -l) services)"
else
  echo "check-compose: docker-compose.yml is invalid" >&2
  exit 1
fi

# Compose v2 prints JSON on request; v1 (which prints its usage, exit 0, for an unknown option) prints
# YAML only, and brings python3-yaml to read it.
if docker-compose version --short 2>/dev/null | grep -q '^1\.'; then
  resolved="$(docker-compose -f docker-compose.yml config)"
else
  resolved="$(docker-compose -f docker-compose.yml config --format json)"
fi
python3 scripts/check-compose-security.py <<<"$resolved"
