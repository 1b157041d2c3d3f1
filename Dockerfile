# One image for the three executables: built with the Swift toolchain, run on Debian slim with
# the Swift runtime linked statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnghttp2-dev libprotobuf-c-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY proto ./proto
RUN swift build -c release --static-swift-stdlib \
      --product user-service \
 && swift build -c release --static-swift-stdlib --product order-service \
 && swift build -c release --static-swift-stdlib --product edge \
 && mkdir -p /out \
 && cp .build/release/user-service .build/release/order-service .build/release/edge /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libnghttp2-14 libprotobuf-c1 libsqlite3-0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /data --create-home app
COPY --from=build /out/ /usr/local/bin/
USER app
WORKDIR /data
