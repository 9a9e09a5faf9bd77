#!/usr/bin/env bash
# Pack-and-install check (not part of `npm test`; needs the npm registry): packs this repository
# (`prepare` builds dist/), checks what the tarball holds, installs it into an empty ESM project
# with plain `npm install` (no overrides), redacts one line with the DEFAULT detectors (rules,
# dictionaries, ner with the bundled model), round-trips the optional vault, prints the sizes.
#
#   bench/pack-check.sh            # from the repository root; KEEP=1 keeps the temp folder
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/phi-redact-pack.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "temp folder: $tmp"; else trap 'rm -rf "$tmp"' EXIT; fi
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== npm pack"
(cd "$root" && npm pack --silent --pack-destination "$tmp" >/dev/null)
tgz=$(ls "$tmp"/phi-redact-*.tgz)
tar tzf "$tgz" | sed 's#^package/##' | sort > "$tmp/contents.txt"
echo "tarball: $(basename "$tgz"), $(stat -c %s "$tgz") bytes ($(du -h "$tgz" | cut -f1)), $(wc -l < "$tmp/contents.txt") files"

# What the runtime reads must be there; training code, sources, tests and benchmarks must not.
for f in package.json dist/index.js dist/index.d.ts dist/cli/main.js dist/bundle/cli.js dist/bundle/poolWorker.js dist/bundle/THIRD-PARTY-LICENSES.txt dist/generated/lexicon.bin dist/generated/assets.json assets/rules/dates.yaml \
  assets/dictionaries/names.yaml assets/safe-harbor/zip3-restricted.yaml models/phi-ner/config.json \
  models/phi-ner/model.onnx models/phi-ner/tokenizer.json models/phi-ner/tokenizer_config.json \
  models/MODEL_CARD.md review-page/index.html corpora/sample/gold.jsonl; do
  grep -qxF "$f" "$tmp/contents.txt" || fail "the tarball lacks $f"
done
if grep -E '^(src|test|bench|models/train|corpora/generator|corpora/synthetic|node_modules|out)/' "$tmp/contents.txt"; then
  fail "the tarball ships files it should not (above)"
fi
echo "contents: runtime files present; no src/, test/, bench/, models/train/, generator or synthetic corpora"

echo "== install into an empty project"
app="$tmp/app"
mkdir "$app"
cd "$app"
npm init -y >/dev/null
npm pkg set type=module
ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund "$tgz" 2>&1 | grep -v '^npm warn install-scripts' || true
[ -d node_modules/phi-redact ] || fail "npm install did not install phi-redact"

echo "== five-line script (default detectors)"
cat > demo.mjs <<'EOF'
import { loadPipeline } from 'phi-redact';
const p = await loadPipeline();
const r = await p.redact('Pt John Smith seen 3/4/2021, call 617-555-0142.');
console.log(r.text);
await p.dispose();
EOF
out=$(node demo.mjs)
echo "$out"
[ "$out" = 'Pt [NAME] seen [DATE], call [CONTACT].' ] || fail "unexpected redaction"

echo "== vault round trip (better-sqlite3)"
head -c 32 /dev/urandom | base64 > key.txt
chmod 600 key.txt
echo 'Pt John Smith seen 3/4/2021.' | npx --no-install phi-redact redact - --quiet --policy surrogate --key-file key.txt --vault vault.db > surrogate.txt
back=$(npx --no-install phi-redact reidentify --vault vault.db --key-file key.txt - < surrogate.txt 2>/dev/null)
[ "$back" = 'Pt John Smith seen 3/4/2021.' ] || fail "the vault did not restore the text"
echo "restored: $back"

echo "== sizes"
echo "tarball:                  $(du -h "$tgz" | cut -f1) ($(stat -c %s "$tgz") bytes)"
echo "node_modules:             $(du -sh node_modules | cut -f1)"
echo "node_modules/phi-redact:  $(du -sh node_modules/phi-redact | cut -f1)"
echo "largest packages:"
du -sh node_modules/* node_modules/@*/* 2>/dev/null | sort -h | tail -5 | sed 's/^/  /'
echo "OK"
