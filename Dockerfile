# phi-redact as an HTTP service (`phi-redact serve`) or a queue worker: the packed package, production
# dependencies only, a non-root user. Build: docker build -t phi-redact:0.1.0 .   (see compose.yaml)

# 1. Build and pack: the image gets exactly what `npm pack` ships (package.json "files").
FROM node:20-slim AS pack
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && mkdir /pkg && npm pack --pack-destination /pkg && cp package-lock.json /pkg/

# 2. Production dependencies of the packed package. --ignore-scripts: the package's own `prepare` (tsc) is a
#    dev step; better-sqlite3's native module is then built (or fetched) on its own; compilers stay in this stage.
FROM node:20-slim AS deps
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=pack /pkg/ /pkg/
RUN tar -xzf /pkg/phi-redact-*.tgz --strip-components=1 -C /app && cp /pkg/package-lock.json /app/ \
 && npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3

# 3. Runtime: no compilers, no dev dependencies, user `node` (uid 1000).
FROM node:20-slim
ENV NODE_ENV=production ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY --from=deps --chown=root:root /app /app
USER node
EXPOSE 8080
# Ready (200) only once the pipeline has loaded and the model's checksum matched.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The token file must be readable by uid 1000 and by nobody else (chmod 600), or the service refuses to start (E130).
CMD ["node", "dist/cli/main.js", "serve", "--host", "0.0.0.0", "--allow-remote", "--port", "8080", "--token-file", "/run/secrets/serve_token"]
