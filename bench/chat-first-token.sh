#!/bin/sh
# Time to the first streamed character: through the local proxy vs straight from a loopback
# upstream (FirstTokenBench). Builds what it needs first; prints figures.
set -e
cd "$(dirname "$0")/.."
[ -f dist/lib/novaproxy.jar ] || mvn -o -B -q package -DskipTests
mvn -o -B -q test-compile
exec java -cp target/test-classes:dist/lib/novaproxy.jar dev.novaproxy.chat.FirstTokenBench "$@"
