# The Fargate chunk worker (infra/constructs/fargate-chunk-worker.ts): the step functions' code, compiled, with
# functions/chunk-worker-main.js as the entry point. `cdk deploy` builds it for linux/arm64 from this directory.

FROM --platform=linux/arm64 node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Scripts stay off: onnxruntime-node's would fetch GPU libraries, and `prepare` would build before the sources are in.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --ignore-scripts
COPY . .
RUN npx tsc -p tsconfig.build.json

FROM --platform=linux/arm64 node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# onnxruntime-node's CPU binaries ship in its package; the ones for other platforms are removed.
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --ignore-scripts \
  && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32 \
    node_modules/onnxruntime-node/bin/napi-v*/linux/x64 \
  && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
ENTRYPOINT ["node", "--enable-source-maps", "dist/functions/chunk-worker-main.js"]
