#!/usr/bin/env bash
# The test command: runs the whole test suite with a private PostgreSQL 15 (started here, stopped at the end even on failure), so the
# PostgreSQL tests run instead of being skipped. Usage: bash eng/test.sh [extra dotnet test arguments]
set -uo pipefail
cd "$(dirname "$0")/.."
source eng/postgres.sh
trap postgres_stop EXIT
postgres_start || exit 1
export DATAIMPORT_REQUIRE_POSTGRES=1
dotnet test DataImport.Core.sln "$@"
