"""Parses deploy/kubernetes/ and checks what the deployment relies on (no cluster needed).

Every manifest must parse; the objects and fields the README promises must be there and agree with each
other: selectors, named ports, probes on the admin port, the drain budget against the grace period, the
ConfigMap mounted as a directory at GATEWAY_CONFIG's folder, PROXY protocol on both ends.
"""
import json
import os
import re
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIRECTORY = os.path.join(ROOT, "deploy", "kubernetes")
errors = []


def expect(condition, message):
    if not condition:
        errors.append(message)
    return condition


def seconds(value):
    match = re.fullmatch(r"(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.\d+)?", value or "")
    if not match:
        errors.append(f"'{value}' is not a TimeSpan such as 00:00:10")
        return 0
    days, hours, minutes, secs = (int(g) if g else 0 for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + secs


def load():
    objects = {}
    files = sorted(f for f in os.listdir(DIRECTORY) if f.endswith((".yaml", ".yml")))
    for name in files:
        with open(os.path.join(DIRECTORY, name), encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if document is None:
                    continue
                expect(isinstance(document, dict) and "kind" in document, f"{name}: a document without kind")
                if document.get("kind") == "Kustomization":
                    objects["Kustomization"] = (name, document)
                    continue
                expect("apiVersion" in document and document.get("metadata", {}).get("name"), f"{name}: {document.get('kind')} needs apiVersion and metadata.name")
                expect(document["kind"] not in objects, f"{name}: a second {document['kind']}")
                objects[document["kind"]] = (name, document)
    return files, objects


def main():
    files, objects = load()
    for kind, api in [("Deployment", "apps/v1"), ("ConfigMap", "v1"), ("Service", "v1"), ("PodDisruptionBudget", "policy/v1")]:
        if expect(kind in objects, f"no {kind} in deploy/kubernetes"):
            expect(objects[kind][1]["apiVersion"] == api, f"{kind} must be {api}")
    if errors:
        return

    _, kustomization = objects.get("Kustomization", (None, {"resources": []}))
    listed = set(kustomization.get("resources", []))
    expect(listed == set(f for f in files if f != "kustomization.yaml"), f"kustomization.yaml resources {sorted(listed)} differ from the manifests")

    deployment = objects["Deployment"][1]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    expect(all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()), "Deployment selector does not match its pod labels")
    expect(spec.get("replicas", 1) >= 2, "run at least two replicas")
    rolling = spec.get("strategy", {}).get("rollingUpdate", {})
    expect(rolling.get("maxUnavailable") == 0, "rolling updates must not reduce capacity (maxUnavailable: 0)")

    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot must be true")
    expect(pod.get("securityContext", {}).get("runAsUser", 0) != 0, "pod must not run as uid 0")
    containers = pod["containers"]
    expect(len(containers) == 1, "one container expected")
    container = containers[0]
    context = container.get("securityContext", {})
    expect(context.get("allowPrivilegeEscalation") is False, "container must set allowPrivilegeEscalation: false")
    expect("ALL" in context.get("capabilities", {}).get("drop", []), "container must drop ALL capabilities")

    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    expect(ports.get("http") == 8080 and ports.get("admin") == 9901, f"container ports must be http 8080 and admin 9901, found {ports}")
    env = {e["name"]: e.get("value") for e in container.get("env", [])}

    for probe, path in [("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")]:
        get = container.get(probe, {}).get("httpGet", {})
        expect(get.get("path") == path, f"{probe} must GET {path}")
        expect(get.get("port") in ("admin", 9901), f"{probe} must use the admin port")
    admin_urls = env.get("Gateway__Admin__Urls", "")
    expect(re.search(r"//(0\.0\.0\.0|\*|\+|\[::\]):9901", admin_urls) is not None, "Gateway__Admin__Urls must bind the pod's interfaces on 9901 for the probes")

    requests = container.get("resources", {}).get("requests", {})
    expect("cpu" in requests and "memory" in requests, "container resources.requests needs cpu and memory")

    delay = seconds(env.get("Gateway__ShutdownDelay", "00:00:00"))
    timeout = seconds(env.get("Gateway__ShutdownTimeout", "00:00:30"))
    grace = pod.get("terminationGracePeriodSeconds", 30)
    expect(delay > 0, "set Gateway__ShutdownDelay so the load balancer can take a stopping pod out first")
    expect(grace > delay + timeout, f"terminationGracePeriodSeconds ({grace}) must exceed ShutdownDelay + ShutdownTimeout ({delay + timeout})")

    configmap_name, configmap = objects["ConfigMap"]
    config_path = env.get("GATEWAY_CONFIG", "/etc/gateway/gateway.json")
    config_dir, config_file = os.path.split(config_path)
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = [m for m in container.get("volumeMounts", []) if volumes.get(m["name"], {}).get("configMap", {}).get("name") == configmap["metadata"]["name"]]
    if expect(len(mounts) == 1, "the ConfigMap must be mounted once"):
        mount = mounts[0]
        expect(mount["mountPath"] == config_dir, f"the ConfigMap must be mounted at {config_dir} (GATEWAY_CONFIG's folder)")
        expect("subPath" not in mount, "a subPath mount never sees ConfigMap updates: mount the directory")
        expect(mount.get("readOnly") is True, "mount the configuration read-only")
    if expect(config_file in configmap.get("data", {}), f"{configmap_name}: no {config_file} key"):
        try:
            config = json.loads(configmap["data"][config_file])
            proxy = config.get("ReverseProxy", {})
            expect(proxy.get("Routes") and proxy.get("Clusters"), f"{configmap_name}: {config_file} needs ReverseProxy routes and clusters")
        except json.JSONDecodeError as error:
            errors.append(f"{configmap_name}: {config_file} is not JSON: {error}")

    service = objects["Service"][1]
    expect(service["spec"].get("type") == "LoadBalancer", "the Service must be type LoadBalancer")
    expect(all(labels.get(k) == v for k, v in service["spec"]["selector"].items()), "Service selector does not match the pods")
    for port in service["spec"]["ports"]:
        expect(port.get("targetPort") in ("http", 8080), "the Service must target the public port only, never admin")
    annotations = service["metadata"].get("annotations", {})
    proxy_protocol = annotations.get("service.beta.kubernetes.io/aws-load-balancer-proxy-protocol") == "*"
    expect(proxy_protocol, "the Service must enable PROXY protocol on the AWS NLB")
    expect(annotations.get("service.beta.kubernetes.io/aws-load-balancer-type") in ("external", "nlb"), "the Service must ask for an AWS NLB")
    expect(env.get("Gateway__ProxyProtocol__Mode") == ("Required" if proxy_protocol else "Off"), "Gateway__ProxyProtocol__Mode must match the Service's PROXY protocol setting")

    pdb = objects["PodDisruptionBudget"][1]
    expect(all(labels.get(k) == v for k, v in pdb["spec"]["selector"]["matchLabels"].items()), "PodDisruptionBudget selector does not match the pods")
    expect("maxUnavailable" in pdb["spec"] or "minAvailable" in pdb["spec"], "PodDisruptionBudget needs maxUnavailable or minAvailable")


if __name__ == "__main__":
    main()
    if errors:
        for error in errors:
            print(f"deploy/kubernetes: {error}", file=sys.stderr)
        sys.exit(1)
    print("deploy/kubernetes: manifests parse and agree")
