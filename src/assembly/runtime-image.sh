#!/bin/sh
# The Java inside the platform tarball: a runtime image that jlink makes from the build's JDK with
# only the modules the CLI uses, so that novaproxy runs on a machine with no Java at all.
# Usage: runtime-image.sh JAVA_HOME CLI_JAR OUTPUT_DIR   (the build runs it; see pom.xml)
set -eu
java_home=$1
jar=$2
out=$3

# The modules the CLI's classes and its libraries refer to, as jdeps finds them.
used=$("$java_home/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps "$jar")
# Left out: java.desktop (11 MB of the image, 9 MB of the tarball). Nothing novaproxy runs needs
# it: Jackson's java.beans support is optional (its module says 'requires static') and skipped
# when absent; an IAM request class's @java.beans.Transient is an annotation, which the JVM ignores
# when its class is missing; jline's Desktop.browse is in a console builtin novaproxy never starts.
# Added: modules the JDK finds by name at run time, which jdeps cannot see: jdk.crypto.ec (the
# elliptic curves of TLS: the Nova API's and AWS's handshakes) and jdk.unsupported (sun.misc.Signal,
# which jline uses for Ctrl-C and window resizes).
modules=$(printf '%s\n' "$used" | tr ',' '\n' | grep -vx 'java.desktop' | tr '\n' ',')
modules="${modules}jdk.crypto.ec,jdk.unsupported"

rm -rf "$out"
# Smaller: no debug attributes in the classes, no C headers, no man pages. --compress=1 (shared
# strings) over 2 (zip): the tarball is gzipped anyway, and gzip shrinks an uncompressed image
# better than an image of zipped entries, so the download is smaller with 1 (19 MB, against 24
# MB with 2), for 7 MB more on disk (47 MB against 40 MB).
"$java_home/bin/jlink" \
  --add-modules "$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=1 \
  --output "$out"
echo "runtime image: $out ($modules)"
