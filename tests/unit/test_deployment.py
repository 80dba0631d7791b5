"""The Kubernetes deployment (deploy/): the instance config loads with Dagster and dagster-k8s
as a cluster would load it, and the manifests agree with it and with each other: names a file
refers to exist in another, the image is one, the local and cluster instances keep one writer."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config
from dagster._core.launcher import RunLauncher
from dagster._serdes import ConfigurableClassData

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
CONFIG_MAP_ENV = {
    "U2C_DATA_DIR": "/data",
    "U2C_K8S_NAMESPACE": "usage-to-cash",
    "DAGSTER_PG_HOST": "postgres",
    "DAGSTER_PG_PORT": "5432",
    "DAGSTER_PG_DB": "dagster",
    "DAGSTER_PG_USERNAME": "dagster",
}
KUBECONFIG = """
apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: test, user: {token: not-a-secret}}]
contexts: [{name: test, context: {cluster: test, user: test}}]
current-context: test
"""


def manifests() -> list[dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    docs = []
    for name in kustomization["resources"]:
        docs += [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]
    return docs


def named(kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in manifests() if doc["kind"] == kind}


def containers() -> list[dict]:
    return [
        container
        for deployment in named("Deployment").values()
        for container in deployment["spec"]["template"]["spec"]["containers"]
    ]


def env_refs(node) -> set[str]:
    """Every `{env: NAME}` in a Dagster config tree."""
    if isinstance(node, dict):
        if set(node) == {"env"}:
            return {node["env"]}
        return set().union(*(env_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(set(), *(env_refs(value) for value in node))
    return set()


@pytest.fixture
def cluster_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    config_map = named("ConfigMap")["u2c-env"]["data"]
    for name, value in {**config_map, "DAGSTER_PG_PASSWORD": "from-the-secret"}.items():
        monkeypatch.setenv(name, value)
    return config_map


def test_the_instance_config_validates_and_keeps_the_local_instance_rules(tmp_path, cluster_env):
    (tmp_path / "dagster.yaml").write_text((K8S / "dagster.yaml").read_text())
    config, _ = dagster_instance_config(str(tmp_path))
    local = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    for block in ("telemetry", "concurrency", "run_coordinator", "retention"):
        assert config[block] == local[block], block
    assert config["concurrency"]["runs"]["max_concurrent_runs"] == 1
    postgres = yaml.safe_load((ROOT / "dagster.postgres.yaml").read_text())
    assert config["storage"] == postgres["storage"]


def test_the_run_launcher_loads_with_the_cluster_settings(tmp_path, cluster_env):
    from dagster_k8s import K8sRunLauncher

    launcher_block = yaml.safe_load((K8S / "dagster.yaml").read_text())["run_launcher"]
    # outside a cluster the launcher reads a kubeconfig instead of the pod's service account
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(KUBECONFIG)
    config = {
        **launcher_block["config"],
        "load_incluster_config": False,
        "kubeconfig_file": str(kubeconfig),
    }
    launcher = ConfigurableClassData(
        launcher_block["module"], launcher_block["class"], yaml.safe_dump(config)
    ).rehydrate(as_type=RunLauncher)
    assert isinstance(launcher, K8sRunLauncher)
    assert launcher.job_namespace == cluster_env["U2C_K8S_NAMESPACE"]
    # what the launcher names exists in the manifests
    assert config["service_account_name"] in named("ServiceAccount")
    assert config["env_config_maps"] == ["u2c-env"] and "u2c-env" in named("ConfigMap")
    claims = {volume["persistentVolumeClaim"]["claimName"] for volume in config["volumes"]}
    assert claims <= set(named("PersistentVolumeClaim"))
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    generated = {item["name"] for item in kustomization["configMapGenerator"]}
    assert config["instance_config_map"] in generated
    assert kustomization["generatorOptions"]["disableNameSuffixHash"] is True
    secrets = {
        entry["valueFrom"]["secretKeyRef"]["name"]
        for container in containers()
        for entry in container.get("env", [])
        if "valueFrom" in entry
    }
    assert secrets == {config["postgres_password_secret"]}
    # the run pod sees the data dir where the code server sees it
    (mount,) = config["volume_mounts"]
    assert mount["mountPath"] == cluster_env["U2C_DATA_DIR"]


def test_every_environment_variable_the_instance_reads_is_provided():
    instance = yaml.safe_load((K8S / "dagster.yaml").read_text())
    provided = set(named("ConfigMap")["u2c-env"]["data"]) | {"DAGSTER_PG_PASSWORD"}
    assert env_refs(instance) <= provided
    assert set(CONFIG_MAP_ENV) == set(named("ConfigMap")["u2c-env"]["data"])
    for container in containers():
        assert {"configMapRef": {"name": "u2c-env"}} in container["envFrom"]
        names = {entry["name"] for entry in container["env"]}
        assert "DAGSTER_HOME" in names
        if container["name"] != "code-location":  # the webserver and the daemon open storage
            assert "DAGSTER_PG_PASSWORD" in names


def test_one_image_and_the_code_location_it_serves():
    images = {container["image"] for container in containers()}
    assert len(images) == 1
    (code,) = (c for c in containers() if c["name"] == "code-location")
    current = {e["name"]: e.get("value") for e in code["env"]}["DAGSTER_CURRENT_IMAGE"]
    assert current == code["image"]  # the launcher starts runs on this image
    module = code["command"][code["command"].index("-m") + 1]
    assert importlib.util.find_spec(module) is not None
    port = int(code["command"][code["command"].index("-p") + 1])
    (server,) = (
        entry["grpc_server"]
        for entry in yaml.safe_load((K8S / "workspace.yaml").read_text())["load_from"]
    )
    service = named("Service")[server["host"]]
    assert server["port"] == port == service["spec"]["ports"][0]["port"]
    assert (
        service["spec"]["selector"]
        == named("Deployment")[server["host"]]["spec"]["selector"]["matchLabels"]
    )
    # the code server sees the data dir where the run pods see it (the launcher's volume)
    pod = named("Deployment")[server["host"]]["spec"]["template"]["spec"]
    claims = {
        v["name"]: v["persistentVolumeClaim"]["claimName"]
        for v in pod["volumes"]
        if "persistentVolumeClaim" in v
    }
    assert set(claims.values()) <= set(named("PersistentVolumeClaim"))
    data_dir = named("ConfigMap")["u2c-env"]["data"]["U2C_DATA_DIR"]
    assert [m["name"] for m in code["volumeMounts"] if m["mountPath"] == data_dir] == list(claims)


def test_the_image_holds_every_package_of_the_wheel_and_the_files_settings_read():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    copied = set()
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            copied |= set(line.split()[1:-1])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert set(packages) | {"dbt_project", "dagster.yaml", "dagster.postgres.yaml"} <= copied
    assert {"pyproject.toml", "uv.lock"} <= copied
    extra = re.search(r"uv sync .*--extra (\S+)", dockerfile).group(1)
    assert any("dagster-k8s" in dep for dep in project["project"]["optional-dependencies"][extra])
