#!/usr/bin/env bash
# What an application pays for the library: packs packages/tenure, installs the tarball with Express
# into an empty folder, and compares with Express alone: packages, disk, time, install scripts. Then
# type-checks the README's library example (strict) against the packed types. Needs the npm registry.
#   bash scripts/library-install.sh        # or: npm run check:install
# Fails when the library adds more than 10 packages, or any package with an install script.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=10
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm pack --silent --pack-destination "$work" -w tenure > /dev/null   # prepack builds dist/
tarball=$(ls "$work"/tenure-*.tgz)

packages() { node -e 'const l = require(process.argv[1]); console.log(Object.keys(l.packages).filter((k) => k.startsWith("node_modules/")).length)' "$1/package-lock.json"; }
scripts() { node -e 'const l = require(process.argv[1]); console.log(Object.entries(l.packages).filter(([, p]) => p.hasInstallScript).map(([k]) => k).join(" ") || "none")' "$1/package-lock.json"; }
install() {
  local dir=$1; shift
  mkdir -p "$dir"
  (cd "$dir" && npm init -y > /dev/null && npm install --no-audit --no-fund "$@" > install.log 2>&1)
}
seconds() { local t0 t1; t0=$(date +%s%N); "$@"; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }

alone_ms=$(seconds install "$work/express" express)
with_ms=$(seconds install "$work/app" "$tarball" express)
alone=$(packages "$work/express")
with=$(packages "$work/app")
added=$((with - alone))
echo "express alone:        $alone packages, $(du -sh "$work/express/node_modules" | cut -f1), ${alone_ms} ms"
echo "tenure + express:     $with packages, $(du -sh "$work/app/node_modules" | cut -f1), ${with_ms} ms (npm's cache warm from the first install)"
echo "added by tenure:      $added packages: $(node -e 'const keys = (f) => new Set(Object.keys(require(f).packages).filter((k) => k.startsWith("node_modules/")).map((k) => k.replace(/^node_modules\//, "") + "@" + require(f).packages[k].version)); const a = keys(process.argv[1]); console.log([...keys(process.argv[2])].filter((k) => !a.has(k)).join(", "))' "$work/express/package-lock.json" "$work/app/package-lock.json")"
echo "install scripts:      $(scripts "$work/app")"
echo "tarball:              $(du -h "$tarball" | cut -f1), $(tar tzf "$tarball" | wc -l) files"
if grep -qiE 'install.scripts?|EBADENGINE' "$work/app/install.log"; then cat "$work/app/install.log"; echo "library-install: npm warned" >&2; exit 1; fi
[ "$(scripts "$work/app")" = none ] || { echo "library-install: a package runs an install script" >&2; exit 1; }
[ "$added" -le "$budget" ] || { echo "library-install: tenure adds $added packages (budget $budget)" >&2; exit 1; }

# The README's library example, strict, against the packed types (tenure's exports map → dist/*.d.ts).
node -e '
  const readme = require("fs").readFileSync(process.argv[1], "utf8");
  const example = /## The library\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!example) { console.error("library-install: no ts example under ## The library"); process.exit(1); }
  require("fs").writeFileSync(process.argv[2], example);
' README.md "$work/app/example.ts"
(cd "$work/app" && npm install --no-audit --no-fund --no-save typescript @types/node @types/express > types.log 2>&1)
cat > "$work/app/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noUncheckedIndexedAccess": true, "exactOptionalPropertyTypes": true, "verbatimModuleSyntax": true, "noEmit": true,
  "types": ["node"] }, "files": ["example.ts"] }
JSON
node -e 'const p = require(process.argv[1]); p.type = "module"; require("fs").writeFileSync(process.argv[1], JSON.stringify(p))' "$work/app/package.json"
(cd "$work/app" && npx tsc -p tsconfig.json) && echo "README example:       type-checks (strict) against the packed library"
