"""Checks the Dockerfile as far as this machine can without a Docker engine.

The build stage is replayed in a scratch directory standing in for the image: only what its COPY lines
bring in, then its RUN lines, with TARGETARCH=amd64. The runtime stage is checked for what the
deployment relies on (base images, non-root user, ports, environment), and the published entry point
is run with --check against the compose and Kubernetes configuration files.
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SKIPPED_DIRS = {"bin", "obj", "TestResults"}


def fail(message):
    print(f"container check: {message}", file=sys.stderr)
    sys.exit(1)


def parse_dockerfile(path):
    stages, lines, current = [], [], ""
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if not current and line.lstrip().startswith("#"):
                continue
            current += line.rstrip("\\").strip() + " "
            if not line.endswith("\\"):
                if current.strip():
                    lines.append(current.strip())
                current = ""
    for line in lines:
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = [w for w in rest.split() if not w.startswith("--platform")]
            stages.append({"image": words[0], "name": words[2] if len(words) > 2 else None, "steps": []})
        elif stages:
            stages[-1]["steps"].append((instruction, rest.strip()))
    return stages


def copy_into(source, destination):
    if os.path.isdir(source):
        for entry in os.listdir(source):
            if entry in SKIPPED_DIRS:
                continue
            copy_into(os.path.join(source, entry), os.path.join(destination, entry))
    else:
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        shutil.copy2(source, destination)


def replay_build(stage, image_root, env):
    workdir = "/"
    for instruction, rest in stage["steps"]:
        if instruction == "WORKDIR":
            workdir = os.path.join(workdir, rest)
            os.makedirs(image_root + workdir, exist_ok=True)
        elif instruction == "COPY":
            *sources, destination = shlex.split(rest)
            target = image_root + (destination if destination.startswith("/") else os.path.join(workdir, destination))
            into_directory = destination.endswith("/") or len(sources) > 1
            for source in sources:
                path = os.path.join(ROOT, source)
                if not os.path.exists(path):
                    fail(f"COPY {source}: no such file in the build context")
                if os.path.isdir(path):
                    copy_into(path, target)
                else:
                    copy_into(path, os.path.join(target, os.path.basename(path)) if into_directory else target)
        elif instruction == "RUN":
            command = rest.replace(" /app", f" {image_root}/app")
            print(f"== RUN {rest}")
            result = subprocess.run(["bash", "-c", command], cwd=image_root + workdir, env=env)
            if result.returncode != 0:
                fail(f"RUN {rest} exited with {result.returncode}")


def check(configuration, app, env, expect_valid=True):
    result = subprocess.run([os.path.join(app, "Gateway"), "--check"], env=dict(env, GATEWAY_CONFIG=configuration),
                            capture_output=True, text=True, cwd=app)
    output = result.stdout + result.stderr
    if expect_valid and (result.returncode != 0 or "Configuration is valid" not in result.stdout):
        fail(f"Gateway --check {configuration} exited with {result.returncode}:\n{output}")
    if not expect_valid and result.returncode != 1:
        fail(f"Gateway --check with {configuration} should exit 1, got {result.returncode}:\n{output}")
    shown = os.path.relpath(configuration, ROOT) if configuration.startswith(ROOT) else os.path.basename(configuration)
    print(f"Gateway --check {shown}: exit {result.returncode}: {output.strip().splitlines()[0]}")


def main():
    stages = parse_dockerfile(os.path.join(ROOT, "Dockerfile"))
    if len(stages) != 2:
        fail(f"expected a two-stage build, found {len(stages)} stages")
    build, runtime = stages
    if build["image"] != "mcr.microsoft.com/dotnet/sdk:10.0" or runtime["image"] != "mcr.microsoft.com/dotnet/aspnet:10.0":
        fail(f"unexpected base images {build['image']}, {runtime['image']}")

    steps = runtime["steps"]
    env_lines = " ".join(rest for instruction, rest in steps if instruction == "ENV")
    image_env = dict(part.split("=", 1) for part in shlex.split(env_lines))
    users = [rest for instruction, rest in steps if instruction == "USER"]
    exposed = " ".join(rest for instruction, rest in steps if instruction == "EXPOSE").split()
    entrypoint = [json.loads(rest) for instruction, rest in steps if instruction == "ENTRYPOINT"]
    if users != ["$APP_UID"]:
        fail(f"the runtime stage must run as the image's non-root user (USER $APP_UID), found {users}")
    if sorted(exposed) != ["8080", "9901"]:
        fail(f"EXPOSE must list 8080 and 9901, found {exposed}")
    if image_env.get("GATEWAY_CONFIG") != "/etc/gateway/gateway.json":
        fail("GATEWAY_CONFIG must be /etc/gateway/gateway.json")
    if image_env.get("DOTNET_USE_POLLING_FILE_WATCHER") not in ("true", "1"):
        fail("DOTNET_USE_POLLING_FILE_WATCHER must be set for mounted configuration to reload")
    if entrypoint != [["/app/Gateway"]]:
        fail(f"unexpected ENTRYPOINT {entrypoint}")

    image_root = tempfile.mkdtemp(prefix="gateway-image-")
    try:
        env = dict(os.environ, TARGETARCH="amd64", DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
        replay_build(build, image_root, env)
        app = os.path.join(image_root, "app")
        if not os.access(os.path.join(app, "Gateway"), os.X_OK):
            fail("the publish output has no Gateway executable for the ENTRYPOINT")

        run_env = {k: v for k, v in os.environ.items() if not k.startswith("ASPNETCORE_")}
        run_env.update(image_env)
        check(os.path.join(ROOT, "deploy/compose/gateway/gateway.json"), app, run_env)

        with open(os.path.join(ROOT, "deploy/kubernetes/configmap.yaml"), encoding="utf-8") as handle:
            configmap = yaml.safe_load(handle)
        kubernetes_config = os.path.join(image_root, "configmap-gateway.json")
        with open(kubernetes_config, "w", encoding="utf-8") as handle:
            handle.write(configmap["data"]["gateway.json"])
        check(kubernetes_config, app, run_env)
        check(os.path.join(image_root, "missing.json"), app, run_env, expect_valid=False)
    finally:
        shutil.rmtree(image_root, ignore_errors=True)


if __name__ == "__main__":
    main()
