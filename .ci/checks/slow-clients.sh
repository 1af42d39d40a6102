#!/usr/bin/env bash
# The slow-client part of the fault suite: too heavy for `dotnet test` (4,000 connections per attack).
# Fails the run when a normal request fails, the gateway dies, or the p99 of normal requests reaches 100 ms
# during any attack (issue 6). Prints its figures on every run.
exec bash "$(dirname "$0")/../../tests/faults/slow-clients.sh"
