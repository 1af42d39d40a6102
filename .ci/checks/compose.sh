#!/usr/bin/env bash
# docker-compose.yml against the Compose schema (needs no Docker engine).
set -euo pipefail
cd "$(dirname "$0")/../.."
docker-compose -f docker-compose.yml config -q
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' deploy/compose/gateway/gateway.json
echo "docker-compose.yml is valid"
