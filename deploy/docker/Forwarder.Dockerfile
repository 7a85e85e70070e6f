# syntax=docker/dockerfile:1
# kube-syslog Forwarder. Build from the repository root:
#   docker build -f deploy/docker/Forwarder.Dockerfile -t kube-syslog/forwarder:0.1.0 .
#
# Native AOT on runtime-deps, not the JIT build on mcr.microsoft.com/dotnet/aspnet: it runs on every node, where
# no JIT at start and run time means less CPU and memory taken from the node's workloads (the Collector's benchmarks
# in docs/performance.md: half the CPU and RSS of the JIT build), and the image carries no .NET runtime. The price: clang and
# zlib in the build stage, and one build per architecture (the image is built for the platform it is built on).
# Tags name the .NET major.minor (global.json: SDK 10.0.x) and the OS; pin a digest for byte-for-byte rebuilds.

# The bases are build arguments so that CI can build with local stand-ins (deploy/containers/build.sh, where
# mcr.microsoft.com cannot be reached); a plain `docker build` uses these defaults.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0-noble

FROM ${SDK_IMAGE} AS build
# Native AOT links with clang and needs zlib (https://learn.microsoft.com/dotnet/core/deploying/native-aot/).
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props BannedSymbols.txt .editorconfig ./
COPY Shared/ Shared/
COPY Forwarder/ Forwarder/
RUN --mount=type=cache,id=kube-syslog-nuget,target=/root/.nuget/packages \
    dotnet publish Forwarder/Forwarder.csproj -c Release -o /out

FROM ${RUNTIME_IMAGE}
# The checkpoint directory belongs to the app user (1654, the .NET images' "app"), so a fresh volume there is
# writable. On a node the DaemonSet runs it as root instead: container logs are root's files, mode 0640.
RUN install -d -o 1654 -g 1654 /var/lib/kube-syslog/forwarder
WORKDIR /app
COPY --from=build /out/Forwarder /app/
# The same settings as deploy/kubernetes/forwarder-configmap.yaml: HTTP on every address (kubelet probes the pod IP),
# checkpoints in the volume above, ship to the Service log-collector over RELP, the own log as JSON lines.
ENV Forwarder__Http="*:8084" \
    Forwarder__State="/var/lib/kube-syslog/forwarder" \
    Forwarder__Targets__0="relp://log-collector:2514" \
    Forwarder__LogFormat="json"
EXPOSE 8084/tcp
USER 1654:1654
# The image has no curl: bash's /dev/tcp asks /healthz (first scan done) on the Http port above.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8084 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/app/Forwarder"]
