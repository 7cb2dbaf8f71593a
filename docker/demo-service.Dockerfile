# syntax=docker/dockerfile:1
# Burnrate demo service: plain Node ESM, no runtime npm dependencies.
# Build from the repo root:  docker build -f docker/demo-service.Dockerfile .
FROM node:20.19-alpine3.21
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY apps/demo-service/package.json ./package.json
COPY apps/demo-service/src ./src
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
CMD ["node", "src/main.js"]
