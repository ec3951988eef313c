#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and drops declared symbols that no longer exist (RS0017).
# Review the diff: it is the public API change you are about to ship.
# Usage: eng/update-public-api.sh src/DataImport.Core
set -euo pipefail
project_dir="${1:?project folder}"
file="$project_dir/PublicAPI.Unshipped.txt"
for _ in 1 2 3; do
  log=$(dotnet build "$project_dir" --no-incremental 2>&1 || true)
  added=$(printf '%s\n' "$log" | grep -oP "error RS0016: Symbol '\K.*(?=' is not part of the declared public API)" | sort -u || true)
  removed=$(printf '%s\n' "$log" | grep -oP "error RS0017: Symbol '\K.*(?=' is part of the declared API, but is either not public or could not be found)" | sort -u || true)
  [ -z "$added" ] && [ -z "$removed" ] && break
  { head -n1 "$file"; { tail -n +2 "$file"; [ -n "$added" ] && printf '%s\n' "$added"; } | grep -v -x -F -f <(printf '%s\n' "$removed" | sed '/^$/d'; echo '@@none@@') | sort -u; } > "$file.tmp"
  mv "$file.tmp" "$file"
done
dotnet build "$project_dir" 2>&1 | grep -E "error RS00" | head -5 || echo "public API files are up to date"
