#!/usr/bin/env python3
"""Turns `kubectl kustomize deploy/kubernetes` into files `podman kube play` runs (podman 4.3; see docs/containers.md).

Usage:
  kube-play.py collector RENDERED OUTDIR IMAGE
      OUTDIR/collector.yaml: the Deployment named log-collector* and its PersistentVolumeClaims, every container's image
      set to IMAGE; OUTDIR/configmap-NAME.yaml for every ConfigMap (podman reads them with --configmap).
  kube-play.py forwarder RENDERED OUTDIR IMAGE NODE_ROOT SERVICE_IP
      OUTDIR/forwarder.yaml: the pod template of the DaemonSet named log-forwarder* as a Pod named log-forwarder,
      every container's image set to IMAGE, each hostPath moved under NODE_ROOT (a node-shaped tree), spec.nodeName
      given as "podman-node", and the Collector Service's name mapped to SERVICE_IP in hostAliases.
  kube-play.py probes RENDERED KIND_PREFIX
      one line per HTTP probe of the workload: KIND NAME PROBE PORT PATH (named ports resolved to numbers).
  kube-play.py service-port RENDERED SERVICE PORT_NAME
      the Service's port and the container port it targets, "PORT TARGET".
  kube-play.py secrets RENDERED
      "NAME KEY" for each secretKeyRef of the workloads that is not optional and names no Secret in RENDERED: they
      have to exist before the pod starts (`podman secret create NAME FILE`, FILE holding {"KEY": "<base64>"}).

Workloads are found by kind and name prefix and images are substituted, so the script does not depend on the image
names, ConfigMap names (configMapGenerator hash suffixes) or scheduling fields of the manifests. What podman cannot
play is left to podman to ignore, and listed in docs/containers.md; nothing else in the manifests is changed.
"""
import copy
import os
import sys

import yaml


def documents(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def one(docs, kind, prefix):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].startswith(prefix)]
    if len(found) != 1:
        raise SystemExit(f"expected one {kind} named {prefix}*, found {[d['metadata']['name'] for d in found]}")
    return found[0]


def set_images(pod_spec, image):
    for container in pod_spec.get("initContainers", []) + pod_spec["containers"]:
        container["image"] = image
        # Local images only: podman must not try a registry (registry.invalid, Docker Hub) for them.
        container["imagePullPolicy"] = "Never"


def write(path, docs):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False)
    print(path)


def collector(docs, outdir, image):
    deployment = copy.deepcopy(one(docs, "Deployment", "log-collector"))
    set_images(deployment["spec"]["template"]["spec"], image)
    claims = {v["persistentVolumeClaim"]["claimName"] for v in deployment["spec"]["template"]["spec"].get("volumes", [])
              if "persistentVolumeClaim" in v}
    pvcs = [d for d in docs if d["kind"] == "PersistentVolumeClaim" and d["metadata"]["name"] in claims]
    write(os.path.join(outdir, "collector.yaml"), pvcs + [deployment])
    for configmap in (d for d in docs if d["kind"] == "ConfigMap"):
        write(os.path.join(outdir, f"configmap-{configmap['metadata']['name']}.yaml"), [configmap])


def forwarder(docs, outdir, image, node_root, service_ip):
    daemonset = one(docs, "DaemonSet", "log-forwarder")
    template = copy.deepcopy(daemonset["spec"]["template"])
    spec = template["spec"]
    set_images(spec, image)
    for volume in spec.get("volumes", []):
        if "hostPath" in volume:
            volume["hostPath"]["path"] = os.path.join(node_root, volume["hostPath"]["path"].lstrip("/"))
    # podman 4.3 resolves fieldRef metadata.name and labels, not spec.nodeName (there is no node): the value a
    # kubelet would give is written in.
    for container in spec["containers"]:
        for env in container.get("env", []):
            if env.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName":
                env.pop("valueFrom")
                env["value"] = "podman-node"
    # The Service's virtual IP and DNS name are kube-proxy's and CoreDNS's work: the name maps to the Collector pod.
    service = one(docs, "Service", "log-collector")["metadata"]["name"]
    spec["hostAliases"] = [{"ip": service_ip, "hostnames": [service]}]
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "log-forwarder", "labels": template.get("metadata", {}).get("labels", {})},
           "spec": spec}
    write(os.path.join(outdir, "forwarder.yaml"), [pod])


def pod_spec(docs, prefix):
    for kind in ("Deployment", "DaemonSet"):
        found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"].startswith(prefix)]
        if found:
            return kind, found[0]["metadata"]["name"], found[0]["spec"]["template"]["spec"]
    raise SystemExit(f"no Deployment or DaemonSet named {prefix}*")


def probes(docs, prefix):
    kind, name, spec = pod_spec(docs, prefix)
    for container in spec["containers"]:
        ports = {p["name"]: p["containerPort"] for p in container.get("ports", []) if "name" in p}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = container.get(probe, {}).get("httpGet")
            if get:
                print(kind, name, probe, ports.get(get["port"], get["port"]), get["path"])


def service_port(docs, service_name, port_name):
    service = one(docs, "Service", service_name)
    port = next(p for p in service["spec"]["ports"] if p["name"] == port_name)
    _kind, _name, spec = pod_spec(docs, service_name)
    target = port.get("targetPort", port["port"])
    for container in spec["containers"]:
        for p in container.get("ports", []):
            if p.get("name") == target or p["containerPort"] == target:
                print(port["port"], p["containerPort"])
                return
    raise SystemExit(f"Service {service_name} port {port_name} targets {target}, which no container port names")


def secrets(docs):
    present = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
    needed = set()
    for workload in (d for d in docs if d["kind"] in ("Deployment", "DaemonSet")):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref and not ref.get("optional", False) and ref["name"] not in present:
                    needed.add((ref["name"], ref["key"]))
    for name, key in sorted(needed):
        print(name, key)


def main(argv):
    if len(argv) == 5 and argv[1] == "collector":
        collector(documents(argv[2]), argv[3], argv[4])
    elif len(argv) == 7 and argv[1] == "forwarder":
        forwarder(documents(argv[2]), argv[3], argv[4], argv[5], argv[6])
    elif len(argv) == 4 and argv[1] == "probes":
        probes(documents(argv[2]), argv[3])
    elif len(argv) == 3 and argv[1] == "secrets":
        secrets(documents(argv[2]))
    elif len(argv) == 5 and argv[1] == "service-port":
        service_port(documents(argv[2]), argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
