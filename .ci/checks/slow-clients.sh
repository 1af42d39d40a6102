#!/usr/bin/env bash
# The slow-client part of the fault suite: too heavy for `dotnet test` (4,000 connections per attack).
exec bash "$(dirname "$0")/../../tests/faults/slow-clients.sh"
