# Builds the `api` binary and runs it on a slim image.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p api --locked

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/duban --create-home duban \
 && mkdir -p /var/lib/duban/data \
 && chown duban:duban /var/lib/duban/data
COPY --from=build /src/target/release/api /usr/local/bin/api
USER duban
WORKDIR /var/lib/duban
ENV BIND_ADDR=0.0.0.0:8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8000/readyz || exit 1
ENTRYPOINT ["api"]
CMD ["serve"]
