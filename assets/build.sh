#!/usr/bin/env bash
# Rebuild the committed front-end files from the pinned npm packages.
#
#   assets/build.sh        (what `make assets` runs; works from any directory)
#
# Outputs (all committed, so running the site needs no Node):
#   static/css/portal.css                 our Sass + govuk-frontend, no brand
#   static/js/govuk-frontend.min.js       govuk-frontend ES module build
#   static/js/htmx.min.js                 htmx 2.x
#   static/js/chart.umd.min.js            Chart.js 4.x UMD build
#   static/vendor-licences/               licences + VERSIONS.txt
#   tests/browser/vendor/axe.min.js       axe-core, browser tests only (+ licences)
#
# No images or fonts are copied: the built CSS references none (the only
# image govuk-frontend's Sass uses is the crown crest, mapped to `none` in
# src/_url-handlers.scss; the GDS Transport @font-face is switched off).
set -euo pipefail

ASSETS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$ASSETS_DIR/.." && pwd)"
NM="$ASSETS_DIR/node_modules"

STATIC="$ROOT_DIR/static"
CSS_OUT="$STATIC/css/portal.css"
JS_DIR="$STATIC/js"
LICENCE_DIR="$STATIC/vendor-licences"
AXE_DIR="$ROOT_DIR/tests/browser/vendor"

fail() {
  echo "build.sh: $*" >&2
  exit 1
}

cd "$ASSETS_DIR"

echo "==> npm ci"
# --ignore-scripts: nothing here needs an install script (sass's optional
# @parcel/watcher is only for `sass --watch`).
npm ci --ignore-scripts --no-audit --no-fund

mkdir -p "$STATIC/css" "$JS_DIR" "$LICENCE_DIR" "$AXE_DIR"

echo "==> sass -> ${CSS_OUT#"$ROOT_DIR"/}"
"$NM/.bin/sass" \
  --no-source-map \
  --style=compressed \
  --load-path="$NM" \
  "$ASSETS_DIR/src/portal.scss" "$CSS_OUT"

# Copy a minified script without its trailing `//# sourceMappingURL=` comment:
# the .map files are not vendored, and Django's ManifestStaticFilesStorage
# (WhiteNoise) fails collectstatic on a source map reference it cannot find.
copy_js() {
  local src="$1" dest="$2"
  [[ -f "$src" ]] || fail "missing $src"
  node -e '
    const fs = require("fs");
    const [src, dest] = process.argv.slice(1);
    let text = fs.readFileSync(src, "utf8");
    text = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
    fs.writeFileSync(dest, text);
  ' "$src" "$dest"
  echo "    ${dest#"$ROOT_DIR"/}"
}

echo "==> scripts"
copy_js "$NM/govuk-frontend/dist/govuk/govuk-frontend.min.js" "$JS_DIR/govuk-frontend.min.js"
copy_js "$NM/htmx.org/dist/htmx.min.js" "$JS_DIR/htmx.min.js"
copy_js "$NM/chart.js/dist/chart.umd.min.js" "$JS_DIR/chart.umd.min.js"
copy_js "$NM/axe-core/axe.min.js" "$AXE_DIR/axe.min.js"

echo "==> licences"
# govuk-frontend's npm package ships no LICENSE file: ours is a copy of the
# repository's LICENSE.txt (see licences/README.md).
cp "$ASSETS_DIR/licences/govuk-frontend-LICENSE.txt" "$LICENCE_DIR/govuk-frontend-LICENSE.txt"
cp "$NM/htmx.org/LICENSE" "$LICENCE_DIR/htmx.org-LICENSE.txt"
cp "$NM/chart.js/LICENSE.md" "$LICENCE_DIR/chart.js-LICENSE.md"
# Chart.js bundles @kurkle/color
cp "$NM/@kurkle/color/LICENSE.md" "$LICENCE_DIR/kurkle-color-LICENSE.md"
cp "$NM/axe-core/LICENSE" "$AXE_DIR/axe-core-LICENSE.txt"
cp "$NM/axe-core/LICENSE-3RD-PARTY.txt" "$AXE_DIR/axe-core-LICENSE-3RD-PARTY.txt"

node -e '
  const path = require("path");
  const nm = process.argv[1];
  const lines = ["# Vendored front-end packages (written by assets/build.sh)"];
  for (const name of ["govuk-frontend", "htmx.org", "chart.js", "@kurkle/color", "axe-core", "sass"]) {
    const pkg = require(path.join(nm, name, "package.json"));
    lines.push(`${pkg.name} ${pkg.version} ${pkg.license}`);
  }
  lines.push("# sass is the build tool only; axe-core is used by browser tests only.");
  process.stdout.write(lines.join("\n") + "\n");
' "$NM" > "$LICENCE_DIR/VERSIONS.txt"

echo "==> checks"
grep -q "GDS Transport" "$CSS_OUT" && fail "portal.css mentions GDS Transport"
grep -q "@font-face" "$CSS_OUT" && fail "portal.css has an @font-face"
grep -q "/assets/" "$CSS_OUT" && fail "portal.css refers to /assets/ (precompiled-CSS paths)"
grep -qiE 'url\([^)]*(crest|crown|logotype)' "$CSS_OUT" && fail "portal.css refers to a crown image"
# Every url() in the CSS must exist under static/ (collectstatic with the
# manifest storage fails on a missing one).
while IFS= read -r url; do
  case "$url" in
    data:* | "#"* | none) continue ;;
  esac
  target="$(cd "$STATIC/css" && realpath -m "$url")"
  [[ -f "$target" ]] || fail "portal.css refers to $url, which is not in static/"
done < <(grep -o 'url([^)]*)' "$CSS_OUT" | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u)
grep -q "initAll" "$JS_DIR/govuk-frontend.min.js" || fail "govuk-frontend.min.js has no initAll export"
grep -q "sourceMappingURL" "$JS_DIR"/*.js "$AXE_DIR/axe.min.js" && fail "a vendored script still names a source map"
grep -q 'version:"2\.' "$JS_DIR/htmx.min.js" || fail "htmx.min.js is not htmx 2.x"

echo "==> done"
(cd "$ROOT_DIR" && ls -l static/css/portal.css static/js/*.js static/vendor-licences/* tests/browser/vendor/*)
