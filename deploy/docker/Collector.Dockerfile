# syntax=docker/dockerfile:1
# kube-syslog Collector. Build from the repository root:
#   docker build -f deploy/docker/Collector.Dockerfile -t kube-syslog/collector:0.1.0 .
#
# Native AOT on runtime-deps, not the JIT build on mcr.microsoft.com/dotnet/aspnet: the benchmarks in docs/performance.md measured
# the native Collector at ~31 MB RSS and 1.2-1.5 CPU-s per million messages, the JIT build at 72-75 MB and 2.7-3.0
# CPU-s (a fifth of it in the JIT compiler), and the image carries no .NET runtime. The price: clang and zlib in the
# build stage, and one build per architecture (the image is built for the platform it is built on).
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
COPY Collector/ Collector/
RUN --mount=type=cache,id=kube-syslog-nuget,target=/root/.nuget/packages \
    dotnet publish Collector/Collector.csproj -c Release -o /out

FROM ${RUNTIME_IMAGE}
# less: `kubectl exec deploy/log-collector -- less /var/log/messages`; `… -- kube-syslog query '{…}'` searches
# (docs/collector.md, Search from the command line). /var/log belongs to the app user (1654, the
# .NET images' "app"), which writes messages, its rotated files and .messages.index/ there.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends less \
 && rm -rf /var/lib/apt/lists/* \
 && chown 1654:1654 /var/log \
 && ln -s /app/Collector /usr/local/bin/kube-syslog
WORKDIR /app
COPY --from=build /out/Collector /out/appsettings.json /app/
# The same settings as deploy/kubernetes/collector-configmap.yaml: listen on every address (5514, not 514, because the
# user is not root; the Service maps 514 to it; RELP from the Forwarders on 2514), the messages file in /var/log, the
# own log as JSON lines.
ENV Collector__Tcp="*:5514" \
    Collector__Udp="*:5514" \
    Collector__Relp="*:2514" \
    Collector__Http="*:8083" \
    Collector__File="/var/log/messages" \
    Collector__LogFormat="json" \
    LESSSECURE=1
EXPOSE 5514/tcp 5514/udp 2514/tcp 8083/tcp
USER 1654:1654
# The image has no curl: bash's /dev/tcp asks /readyz (listeners bound, messages file writable) on the Http port above.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8083 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/app/Collector"]
