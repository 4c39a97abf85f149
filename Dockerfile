# Lanyard's container image: the static binary of `make release` on a distroless base that has CA
# certificates (for MongoDB Atlas, Google's and Facebook's endpoints, JWKS URLs over TLS) and no shell.
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#                --build-arg COMMIT=$(git rev-parse HEAD) -t lanyard .
#
# The build context holds no .git (see .dockerignore), so Go records no VCS information itself:
# VERSION and COMMIT are what `lanyard version` prints, as with `make build`.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, in a layer of their own, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
# The flags of `make release`: CGO_ENABLED=0 works because the embedded engine's SQLite is pure Go.
RUN CGO_ENABLED=0 go build -buildvcs=auto -trimpath \
        -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/lanyard . \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/lanyard /lanyard
# The data dir must belong to the user that runs Lanyard: the image has no shell to create it later.
COPY --from=build --chown=65532:65532 /out/data /data
# A numeric user, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 65532:65532
# Listen beyond loopback, or nothing outside the container reaches Lanyard. The listeners speak
# plaintext unless LANYARD_TLS_CERT_FILE and LANYARD_TLS_KEY_FILE are set: terminate TLS in Lanyard or
# in a proxy in front of it (docs/production.md).
ENV LANYARD_GRPC_ADDR=:50051 \
    LANYARD_HTTP_ADDR=:8080 \
    LANYARD_DATA_DIR=/data
EXPOSE 50051 8080
ENTRYPOINT ["/lanyard", "serve"]
