#!/usr/bin/env bash
# Refresh the committed front-end assets from npm. Only maintainers run this;
# the built files are committed so that running xuebi needs no Node.js.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/../../src/xuebi/static/vendor"
work=$(mktemp -d)
cp "$here/package.json" "$work/"
(cd "$work" && npm install --silent --no-audit --no-fund)
nm="$work/node_modules"
cp "$nm/htmx.org/dist/htmx.min.js" "$dest/htmx/"
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$dest/bootstrap/"
mkdir -p "$dest/echarts" && cp "$nm/echarts/dist/echarts.min.js" "$dest/echarts/"
# the .map files are not shipped; drop the references so static collection does not look for them
sed -i "s/sourceMappingURL=.*$//" "$dest"/bootstrap/* "$dest"/echarts/*
rm -rf "$work"
echo "vendor assets refreshed in $dest"
