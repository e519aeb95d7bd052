#!/usr/bin/env python3
"""Asserts the security properties of docker-compose.yml that can be checked without running it.

Reads the resolved configuration (`docker-compose config`, YAML or JSON) on stdin; prints each
violation and exits 1 if there is any. Checked: only the API publishes ports, apart from Grafana on the
host's loopback address only (operators reach it through an SSH tunnel), with its admin password from a
secret and anonymous access off; Temporal, its database, EventStoreDB and Prometheus are only on
internal networks; Temporal requires client certificates and its clients
(the app, the setup, the tools, the UI) present one; EventStoreDB runs secure with TLS and changed
default passwords; the app reaches EventStoreDB with TLS through a connection string from a secret;
no password or private key is written in the file; secrets come from files; the audit signing key is
a secret outside the data folder.
"""
import json
import re
import sys

text = sys.stdin.read()
try:
    config = json.loads(text)
except ValueError:
    import yaml  # docker-compose v1 prints YAML only; its own dependency python3-yaml is present

    config = yaml.safe_load(text)

services = config.get("services", {})
networks = config.get("networks", {}) or {}
secrets = config.get("secrets", {}) or {}
problems = []


def env(name):
    value = services.get(name, {}).get("environment") or {}
    if isinstance(value, list):
        value = dict(item.split("=", 1) if "=" in item else (item, "") for item in value)
    return {k: "" if v is None else str(v) for k, v in value.items()}


def service_secrets(name):
    return {s if isinstance(s, str) else s.get("source") for s in services.get(name, {}).get("secrets") or []}


def service_networks(name):
    value = services.get(name, {}).get("networks") or {"default": None}
    return list(value) if isinstance(value, (list, dict)) else []


def internal(network):
    return bool((networks.get(network) or {}).get("internal"))


def host_ip(port):
    """The host address a published port binds: compose v2 gives a mapping, v1 a string host:published:target."""
    if isinstance(port, dict):
        return port.get("host_ip") or ""
    parts = str(port).split("/")[0].split(":")
    return parts[0] if len(parts) == 3 else ""


# Grafana is the operators' only published tool, and only on the loopback address: it shows case counts
# per jurisdiction and every route's traffic, so it must not be reachable from the network.
LOOPBACK_ONLY = {"grafana"}
GRAFANA_NETWORK = "grafana-edge"

for name, service in services.items():
    if name in LOOPBACK_ONLY:
        exposed = [p for p in service.get("ports") or [] if host_ip(p) != "127.0.0.1"]
        if exposed:
            problems.append(f"{name} publishes {exposed} beyond 127.0.0.1; it may publish on the host's loopback address only")
    elif service.get("ports") and name != "api":
        problems.append(f"{name} publishes ports; only the API (and Grafana on 127.0.0.1) may")
    for key, value in env(name).items():
        if re.search(r"PASSWORD|PWD|SECRET|PRIVATE", key) and not key.endswith("_FILE") and value and not value.startswith("/run/secrets/"):
            problems.append(f"{name}: {key} is written in the compose file; use a secret file")
        if "PRIVATE KEY" in value or re.search(r"(esdb(\+discover)?|smtps?)://[^/@]+:[^/@]+@", value):
            problems.append(f"{name}: {key} holds a credential; use a secret file")

for name in ("temporal", "postgresql", "eventstoredb", "temporal-ui", "temporal-admin-tools", "temporal-setup", "eventstore-setup", "worker", "projector", "prometheus"):
    if name not in services:
        problems.append(f"service {name} is missing")
        continue
    outside = [n for n in service_networks(name) if not internal(n)]
    if outside:
        problems.append(f"{name} joins non-internal networks {outside}; it must be reachable only on an internal network")

# Only the API (its published side), the mail relay (its way to the smarthost) and Grafana (its
# loopback port, on a network of its own) reach outside.
for name in services:
    if name in ("api", "mail-relay"):
        continue
    allowed = {GRAFANA_NETWORK} if name == "grafana" else set()
    outside = [n for n in service_networks(name) if not internal(n) and n not in allowed]
    if outside and not any(p.startswith(f"{name} joins") for p in problems):
        problems.append(f"{name} joins non-internal networks {outside}; only the API, the mail relay and Grafana (on {GRAFANA_NETWORK}) may")
others_on_ops = [n for n in services if n != "grafana" and GRAFANA_NETWORK in service_networks(n)]
if others_on_ops:
    problems.append(f"{others_on_ops} join {GRAFANA_NETWORK}, Grafana's published network; nothing else may")

if "grafana" in services:
    grafana = env("grafana")
    if grafana.get("GF_AUTH_ANONYMOUS_ENABLED", "false").lower() != "false":
        problems.append("grafana: GF_AUTH_ANONYMOUS_ENABLED must be false (no anonymous access)")
    if not grafana.get("GF_SECURITY_ADMIN_PASSWORD__FILE", "").startswith("/run/secrets/"):
        problems.append("grafana: GF_SECURITY_ADMIN_PASSWORD__FILE must name a secret file (the admin password)")
    if "GF_SECURITY_ADMIN_PASSWORD" in grafana:
        problems.append("grafana: GF_SECURITY_ADMIN_PASSWORD is written in the compose file; use GF_SECURITY_ADMIN_PASSWORD__FILE")
    wanted = {v[len("/run/secrets/"):] for v in grafana.values() if v.startswith("/run/secrets/")}
    if wanted - service_secrets("grafana"):
        problems.append(f"grafana: uses secrets it is not given: {sorted(wanted - service_secrets('grafana'))}")
if "mail-relay" in services and "backend" not in service_networks("mail-relay"):
    problems.append("mail-relay must join the backend network, where the projector reaches it")

temporal = env("temporal")
if temporal.get("TEMPORAL_TLS_REQUIRE_CLIENT_AUTH") != "true":
    problems.append("temporal: TEMPORAL_TLS_REQUIRE_CLIENT_AUTH must be true (mutual TLS)")
for key in ("TEMPORAL_TLS_FRONTEND_CERT", "TEMPORAL_TLS_FRONTEND_KEY", "TEMPORAL_TLS_CLIENT1_CA_CERT", "TEMPORAL_TLS_SERVER_CERT", "TEMPORAL_TLS_SERVER_KEY"):
    if not temporal.get(key, "").startswith("/run/secrets/"):
        problems.append(f"temporal: {key} must name a secret file")

for name in ("worker", "projector", "api"):
    e = env(name)
    if "EVENTSTORE_URL" in e:
        problems.append(f"{name}: EVENTSTORE_URL carries the store password; use EVENTSTORE_URL_FILE")
    if not e.get("EVENTSTORE_URL_FILE", "").startswith("/run/secrets/"):
        problems.append(f"{name}: EVENTSTORE_URL_FILE must name a secret file")
    wanted = {v[len("/run/secrets/"):] for v in e.values() if v.startswith("/run/secrets/")}
    missing = wanted - service_secrets(name)
    if missing:
        problems.append(f"{name}: uses secrets it is not given: {sorted(missing)}")
    if "SMTP_URL" in e:
        problems.append(f"{name}: SMTP_URL carries the mailer's password; use SMTP_URL_FILE")
    if name == "projector" and not e.get("SMTP_URL_FILE", "").startswith("/run/secrets/"):
        problems.append("projector: SMTP_URL_FILE must name a secret file (the projector mails the notices)")
    if name == "projector":
        if service_secrets(name) & {"audit-signing-key", "temporal-app-key"}:
            problems.append("projector: reads the event store only; it must not hold the audit key or a Temporal client key")
        continue
    for key in ("TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_KEY_FILE", "TEMPORAL_TLS_CA_FILE"):
        if not e.get(key, "").startswith("/run/secrets/"):
            problems.append(f"{name}: {key} must name a secret file (mutual TLS to Temporal)")
    key_file = e.get("AUDIT_SIGNING_KEY_FILE", "")
    data_dir = e.get("DATA_DIR", "/data").rstrip("/")
    if not key_file.startswith("/run/secrets/") or key_file.startswith(data_dir + "/"):
        problems.append(f"{name}: AUDIT_SIGNING_KEY_FILE must be a secret outside DATA_DIR")
    if "AUDIT_SIGNING_KEY" in e or e.get("AUDIT_KEY_IN_DATA_DIR") == "allow":
        problems.append(f"{name}: the audit key must come from its secret file, outside the data folder")

for name in ("temporal-setup", "temporal-admin-tools", "temporal-ui"):
    e = env(name)
    if not any(k in e for k in ("TEMPORAL_TLS_CERT", "TEMPORAL_TLS_CLIENT_CERT_PATH")):
        problems.append(f"{name}: needs a client certificate for Temporal's mutual TLS")

esdb = env("eventstoredb")
if esdb.get("EVENTSTORE_INSECURE", "false").lower() == "true":
    problems.append("eventstoredb: must not run insecure")
for key in ("EVENTSTORE_CERTIFICATE_FILE", "EVENTSTORE_CERTIFICATE_PRIVATE_KEY_FILE"):
    if not esdb.get(key, "").startswith("/run/secrets/"):
        problems.append(f"eventstoredb: {key} must name a secret file")
entry = " ".join(services.get("eventstoredb", {}).get("entrypoint") or [])
if "EVENTSTORE_DEFAULT_ADMIN_PASSWORD" not in entry or "/run/secrets/" not in entry:
    problems.append("eventstoredb: the admin password must be replaced from a secret (not admin/changeit)")
if "changeit" in text:
    problems.append("the default EventStoreDB password changeit appears in the configuration")

for name, secret in secrets.items():
    if not (secret or {}).get("file") and not (secret or {}).get("external"):
        problems.append(f"secret {name} must come from a file (or be external)")
for needed in ("audit-signing-key", "eventstore-url", "postgres-password", "eventstore-admin-password", "temporal-app-key"):
    if needed not in secrets:
        problems.append(f"secret {needed} is missing")

if problems:
    for p in problems:
        print(f"check-compose: {p}", file=sys.stderr)
    sys.exit(1)
print(f"check-compose: security properties hold ({len(services)} services, only the API published, Grafana on 127.0.0.1)")
