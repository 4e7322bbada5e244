# Fleetline's container image: build with `docker build -t fleetline .` (or podman/buildah).
# Stage 1 installs and builds (better-sqlite3 compiles here); stage 2 holds only what
# scripts/image-root.mjs picks from Next's standalone output, and runs as a non-root user on a
# read-only root filesystem (deploy/ mounts /data, /tmp and /app/.next/cache).
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npx next build && node scripts/image-root.mjs /image

FROM node:20-bookworm-slim
# Git fetches the repositories whose commits and manifests the pages show (HTTPS and SSH).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 fleetline \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /data --shell /usr/sbin/nologin fleetline \
 && mkdir -p /data && chown 10001:10001 /data
WORKDIR /app
COPY --from=build --chown=root:root /image /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 FLEETLINE_HOST=0.0.0.0 PORT=3000 FLEETLINE_DATA_DIR=/data DATABASE_URL=/data/fleetline.db HOME=/data
# The server's environment for glibc's malloc: scripts/node-flags.mjs (SERVER_ENV; a test checks).
ENV MALLOC_MMAP_THRESHOLD_=16384
USER 10001:10001
EXPOSE 3000
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# The server's node flags: scripts/node-flags.mjs (npm start uses the same list; a test checks).
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=25", "scripts/server.mjs"]
