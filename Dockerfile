# syntax=docker/dockerfile:1
# The chatgpt-optout image: this checkout built from source, with Debian's
# Chromium and fonts, running as a user without rights.
#
#   docker build -t ghcr.io/OWNER/chatgpt-optout:VERSION \
#     --build-arg VERSION="$(git describe --tags --always --dirty)" \
#     --build-arg REVISION="$(git rev-parse HEAD)" .
#   docker run --rm --init ghcr.io/OWNER/chatgpt-optout:VERSION version
#
# examples/kubernetes-cronjob.yaml runs it. Multi-arch: docker buildx build
# --platform linux/amd64,linux/arm64 . (Go cross-compiles; no emulation).

# The Go stage runs on the build machine's platform and cross-compiles.
FROM --platform=$BUILDPLATFORM golang:1.26.8-trixie AS build
WORKDIR /src
# Modules first, so that a change to the code reuses the download layer.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH
ARG VERSION=dev
ARG REVISION=
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
      -o /out/chatgpt-optout ./cmd/chatgpt-optout

FROM debian:trixie-slim
# Chromium and the fonts pages are drawn with (Latin, and the emoji of
# ChatGPT's menus), so that --artifacts and --evidence screenshots read
# right; tini reaps the browser's processes when the tool is PID 1.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium ca-certificates fonts-liberation fonts-noto-core fonts-noto-color-emoji tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 optout \
 && useradd --uid 10001 --gid 10001 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin optout
# Chromium's sandbox needs user namespaces, which container runtimes'
# default seccomp profiles refuse to a user without CAP_SYS_ADMIN. Where
# they are refused, Debian's launcher starts Chromium without its sandbox:
# the container (no root, no capabilities) is then the boundary. Where
# they are allowed, the sandbox stays on.
RUN printf '%s\n' \
      '# Added by the chatgpt-optout image: no user namespaces, no sandbox.' \
      'if ! unshare --user --map-root-user true 2>/dev/null; then' \
      '  export CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"' \
      'fi' > /etc/chromium.d/zz-chatgpt-optout-sandbox
COPY --from=build /out/chatgpt-optout /usr/local/bin/chatgpt-optout
# Chrome writes its profile and crash folder under HOME and TMPDIR: both
# are /tmp, an emptyDir in Kubernetes when the root filesystem is read-only.
ENV HOME=/tmp TMPDIR=/tmp CHROME_PATH=/usr/bin/chromium
USER 10001:10001
WORKDIR /tmp
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/chatgpt-optout"]
CMD ["--help"]
