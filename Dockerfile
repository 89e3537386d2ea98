# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only, as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# .npmrc: onnxruntime-node's postinstall must not fetch CUDA libraries.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY gen ./gen
COPY web ./web
COPY scripts/fetch-model.mjs ./scripts/
# The server, then the playground (dist/web, served at /).
RUN npm run build
# The minilm embedder's model (.cache/models, SHA-256 pinned), so that the image starts with no network.
RUN node scripts/fetch-model.mjs

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node ships binaries for every platform (about 290 MB): keep this one's only.
RUN npm ci --omit=dev --no-audit --no-fund \
 && keep="linux/$(node -p process.arch)" \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d ! -path "*/$keep" -exec rm -rf {} +

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    LLM_GATEWAY_HOST=0.0.0.0 \
    LLM_GATEWAY_GRPC_PORT=50051 \
    LLM_GATEWAY_HTTP_PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/.cache/models ./.cache/models
COPY package.json ./
USER node
EXPOSE 50051 8080
# Probes the gateway's own grpc.health.v1 service over the Connect protocol on the HTTP listener.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.LLM_GATEWAY_HTTP_PORT||8080)+'/grpc.health.v1.Health/Check',{method:'POST',headers:{'content-type':'application/json'},body:'{}'}).then(r=>r.json()).then(b=>process.exit(b.status==='SERVING'?0:1),()=>process.exit(1))"
# --max-semi-space-size: V8's young generation capped at 16 MB (docs/operations.md, "Memory").
CMD ["node", "--max-semi-space-size=16", "dist/src/main.js"]
