#!/usr/bin/env bash
# Offline verification of a license and of a lease (JMH, sample mode: median and tail in µs), on the default JDK
# and on JDK 25 where present. Needs a built tree (./mvnw -DskipTests install).
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=bench/target/loadgen.jar
for JAVA in java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do
  command -v "$JAVA" >/dev/null || [ -x "$JAVA" ] || continue
  echo "== $("$JAVA" -version 2>&1 | head -1)"
  "$JAVA" -cp "$JAR" org.openjdk.jmh.Main LicenseVerifyJmh -rf text -rff /dev/null 2>&1 \
    | grep -E "^Benchmark|LicenseVerifyJmh\.verify(License|Lease)(:p0\.(50|99)0*)?\s" || true
done
