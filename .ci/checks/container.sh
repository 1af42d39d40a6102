#!/usr/bin/env bash
# The Dockerfile's build replayed without Docker, and the published entry point run with --check.
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 .ci/checks/container.py
