# syntax=docker/dockerfile:1
# Burnrate web (Next.js UI + REST API) built from the npm-workspaces monorepo.
# Build from the repository root:  docker build -f docker/web.Dockerfile -t burnrate/web .
# Ignore rules: docker/web.Dockerfile.dockerignore (BuildKit per-Dockerfile ignore file).

ARG NODE_IMAGE=node:20.19-bookworm-slim

# 1) Only the manifests, so the install is cached until a package.json or the lockfile changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out \
 && find . -name package.json -not -path "*/node_modules/*" -exec cp --parents {} /out/ \; \
 && cp package-lock.json /out/

# 2) Install every workspace's dependencies exactly as locked.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# The repo pins npm 11 (packageManager); its allowScripts policy decides which install scripts run.
RUN npm install -g npm@11.19.1
COPY --from=manifests /out/ ./
# npm ci refuses the lockfile (an optional vite dependency the registry does not serve); install
# with the committed lockfile instead.
RUN --mount=type=cache,target=/root/.npm npm install --no-audit --no-fund

# 3) Build: Prisma client generation, then `next build` of apps/web.
FROM deps AS build
COPY . .
RUN npm run db:generate --if-present \
 && npm run build -w @burnrate/web

# 4) Runtime. Keeps the full node_modules: `npm run db:migrate` runs through tsx at start.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app /app
COPY --chmod=0755 docker/web-entrypoint.sh /usr/local/bin/burnrate-web
# Mount points shared with Prometheus (rule files) and Alertmanager (config); see compose.yaml.
RUN mkdir -p /etc/prometheus/rules/burnrate /etc/alertmanager \
 && chown node:node /etc/prometheus/rules/burnrate /etc/alertmanager
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/burnrate-web"]
