#!/usr/bin/env bash
# deploy/kubernetes/ parsed and checked for the objects and fields the deployment relies on.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 .ci/checks/kubernetes.py
