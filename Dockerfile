# syntax=docker/dockerfile:1
# The broker's container image: build with
#   docker build -t tributary:0.1.0 .
# (k8s/base/statefulset.yaml runs tributary:0.1.0; push it where your cluster pulls from and set
# the overlay's images: to that name.)

# Stage 1: the Maven build, as ./tributary does it: node's jar and its runtime libraries in
# node/target/lib. The local repository is a BuildKit cache, kept between builds.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests package -pl node -am

# Stage 2: a JRE and the broker, nothing else.
FROM eclipse-temurin:17-jre
# A fixed non-root uid and gid, the ones the StatefulSet's securityContext runs as (runAsUser,
# fsGroup), so the data volume's ownership matches with or without Kubernetes.
RUN groupadd --system --gid 10001 tributary \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /var/lib/tributary \
      --shell /usr/sbin/nologin tributary \
 && mkdir -p /var/lib/tributary \
 && chown 10001:10001 /var/lib/tributary
COPY --from=build /src/node/target/tributary-node-0.1.0-SNAPSHOT.jar /opt/tributary/tributary-node.jar
COPY --from=build /src/node/target/lib/ /opt/tributary/lib/
# The root filesystem may be read-only (the StatefulSet makes it so): the broker writes only its
# data directory (a volume) and the JVM only /tmp (an emptyDir there).
VOLUME ["/var/lib/tributary"]
USER 10001:10001
WORKDIR /var/lib/tributary
# Artery (remoting), Pekko Management (probes, bootstrap), the admin API, the Kafka listener,
# the controller quorum.
EXPOSE 25520 7626 8080 9092 26610
# The CLI, as ./tributary runs it; TRIBUTARY_JAVA_OPTS (heap, -Dconfig.file) is split by the shell,
# and exec makes java PID 1, so SIGTERM reaches the broker and starts its controlled shutdown.
ENV TRIBUTARY_JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:MetaspaceSize=128m -XX:+UseParallelGC"
ENTRYPOINT ["/bin/sh", "-c", "exec java $TRIBUTARY_JAVA_OPTS -cp '/opt/tributary/tributary-node.jar:/opt/tributary/lib/*' dev.tributary.node.cli.TributaryCli \"$@\"", "tributary"]
CMD ["start", "--data-dir", "/var/lib/tributary"]
