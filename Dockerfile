# syntax=docker/dockerfile:1
#
# contingencia as a small static image that runs as a non-root user.
#
#   docker build -t contingencia:local --build-arg VERSION=$(git describe --tags --always --dirty) .
#   docker run --rm contingencia:local version
#   docker run --rm -p 127.0.0.1:8080:8080 -e DATABASE_URL=postgres://… -e SLACK_BOT_TOKEN=… contingencia:local
#
# The default command is `contingencia serve`, listening on 0.0.0.0:8080
# inside the container, with the embedded Quipux plan unless
# CONTINGENCIA_PLAN (or --plan) names a mounted file. Any other subcommand
# replaces the default: `docker run … contingencia:local migrate`,
# `… plan validate /etc/contingencia/plan.yaml`. See deploy/ for compose
# files with PostgreSQL.

# ---- build: a static binary (pure Go: the embedded SQLite store needs no cgo)
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/contingencia ./cmd/contingencia
# The runtime image has no shell: prepare its users, a writable /tmp and
# the working directory (where sqlite:contingencia.db lands) here.
RUN mkdir -p /out/rootfs/etc /out/rootfs/tmp /out/data \
 && chmod 1777 /out/rootfs/tmp \
 && echo 'nonroot:x:65532:65532:contingencia:/var/lib/contingencia:/sbin/nologin' > /out/rootfs/etc/passwd \
 && echo 'nonroot:x:65532:' > /out/rootfs/etc/group

# ---- runtime: scratch + CA certificates (vSphere, Slack, Mattermost, SMTP over TLS)
FROM scratch
COPY --from=build /out/rootfs/ /
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build --chown=65532:65532 /out/data /var/lib/contingencia
COPY --from=build /out/contingencia /usr/local/bin/contingencia
USER 65532:65532
WORKDIR /var/lib/contingencia
ENV CONTINGENCIA_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/contingencia"]
CMD ["serve"]
