"""No secret in the repository, the Dagster instance config or anything a run writes (logs,
event log, dbt and GX artifacts): credentials come from the environment only. Export files and
the analysts' copy are written read-only for group and others, whatever the umask."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.reliability.crash import CANARIES

ROOT = Path(__file__).resolve().parents[2]

# Shapes of real credentials (the providers' documented prefixes), and credential-named keys
# given a literal value in a config file.
SECRET_SHAPES = {
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "Stripe secret key": re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}"),
    "Stripe webhook secret": re.compile(r"\bwhsec_[0-9A-Za-z]{10,}"),
    "GitHub token": re.compile(r"\bgh[pousr]_[0-9A-Za-z]{30,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}"),
    "URL with a password": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]{3,}@"),
}
# the value on the key's own line: a key opening a block (a dbt profile's `secrets:` list) holds
# none itself, its entries are scanned as keys of their own
CREDENTIAL_KEY = re.compile(
    r"(?im)^\s*(?P<key>[\w.-]*(?:password|passwd|secret|token|api_?key|private_?key)[\w.-]*)"
    r"[ \t]*[:=][ \t]*(?P<value>[^\s#].*)$"
)
# keys whose value names a Kubernetes Secret (deploy/k8s), never holds one
SECRET_REFERENCES = {"secretKeyRef", "postgres_password_secret"}
CONFIG_SUFFIXES = (".yml", ".yaml", ".toml", ".ini", ".cfg", ".env", ".json")
# a credential key may name where its value comes from, never hold it
FROM_ENVIRONMENT = re.compile(
    r"""^(?:['"]?\{\{\s*env_var\(|['"]?\$\{|\{?\s*env\s*:|env:|['"]{2}|null|~)"""
)


def find_secrets(name: str, text: str) -> list[str]:
    found = [
        f"{what}: {match.group(0)[:12]}…"
        for what, shape in SECRET_SHAPES.items()
        for match in shape.finditer(text)
    ]
    if name.endswith(CONFIG_SUFFIXES) or Path(name).name.startswith(".env"):
        for match in CREDENTIAL_KEY.finditer(text):
            if match["key"] in SECRET_REFERENCES:
                continue
            if not FROM_ENVIRONMENT.match(match["value"].strip()):
                found.append(f"literal credential: {match.group(0).strip()[:40]}…")
    return found


def test_the_scan_finds_what_it_looks_for():
    """The scan is not vacuous: each kind of secret it knows is found when planted."""
    # assembled here, so this file does not hold what the repository scan looks for
    planted = {
        "a.py": 'KEY = "AKIA' + 'IOSFODNN7EXAMPLE"',
        "b.pem": "-----BEGIN RSA " + "PRIVATE KEY-----",
        "c.py": "stripe.api_key = 'sk_" + "live_51H8xY2abcdefghijklmn'",
        "d.yaml": "password: hunter2hunter2",
        "q.yml": "secrets:\n  - type: s3\n    secret: hunter2hunter2",
        "e.toml": 'api_key = "abcdef123456"',
        "f.py": "url = 'postgresql://u2c:" + "s3cret@db/u2c'",
    }
    for name, text in planted.items():
        assert find_secrets(name, text), name
    for name, text in {
        "dagster.yaml": "password:\n  env: DAGSTER_PG_PASSWORD",
        "g.yaml": "      password:\n        env: DAGSTER_PG_PASSWORD",
        "profiles.yml": "path: \"{{ env_var('U2C_DATA_DIR', '../data') }}\"",
        "p.yml": "secrets:\n- type: s3\n  secret: \"{{ env_var('AWS_SECRET_ACCESS_KEY') }}\"",
        "k.yaml": "    secretKeyRef: {name: u2c-postgres, key: postgresql-password}",
        "l.yaml": "  postgres_password_secret: u2c-postgres",
    }.items():
        assert not find_secrets(name, text), name


def test_no_secret_in_the_repository():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    found = {}
    for name in listed.stdout.decode().split("\0"):
        path = ROOT / name
        if not name or not path.is_file() or name == "uv.lock":
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        if hits := find_secrets(name, text):
            found[name] = hits
    assert found == {}


def test_the_dagster_instance_takes_credentials_from_the_environment():
    def credentials(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                if re.search(r"password|username|hostname|secret|token", str(key)):
                    yield f"{path}.{key}", value
                yield from credentials(value, f"{path}.{key}")

    for name in ("dagster.yaml", "dagster.postgres.yaml"):
        for where, value in credentials(yaml.safe_load((ROOT / name).read_text())):
            assert isinstance(value, dict) and set(value) == {"env"}, (name, where)


def test_no_secret_of_the_environment_reaches_any_file_a_run_writes(uninterrupted):
    """The run had CANARIES in its environment (a Postgres password, API keys): none is in the
    instance config, the event log, compute logs, dbt logs and artifacts, GX results, the lake,
    the exports, the analysts' copy or what u2c printed."""
    scanned = 0
    for directory, _, names in os.walk(uninterrupted):
        for name in names:
            payload = (Path(directory) / name).read_bytes()
            scanned += 1
            for variable, secret in CANARIES.items():
                assert secret.encode() not in payload, (variable, Path(directory) / name)
    assert scanned > 100
    assert (uninterrupted / "dagster_home" / "dagster.yaml").exists()


def test_exports_and_the_analysts_copy_are_read_only_for_group_and_others(uninterrupted):
    """The run had umask 002 (group-writable by default): every export file, batch directory
    and the published copy are still 0644 / 0755."""
    published = uninterrupted / "published" / "marts.duckdb"
    exports = uninterrupted / "exports"
    checked = [published, published.parent, exports]
    for kind in ("usage_daily", "journals", "close"):
        checked.append(exports / kind)
        checked += list((exports / kind).rglob("*"))
    assert len(checked) > 10
    for path in checked:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o022 == 0, (path, oct(mode))  # no write for group or others
        assert mode & 0o044 == 0o044, (path, oct(mode))  # readable by finance and analysts
        if path.is_dir():
            assert mode == 0o755, (path, oct(mode))
        elif path.is_file():
            assert mode == 0o644, (path, oct(mode))
