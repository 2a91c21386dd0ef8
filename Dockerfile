# Roomcast relay image: the production bundle (`pnpm bundle`) on Node 20, Debian 12 (glibc 2.36,
# where the pinned uWebSockets.js build loads). Not built on the development machines (no Docker
# engine there); every step it runs is the one `pnpm bundle` runs and its test checks.
#   docker build -t roomcast-relay .
#   docker run --rm -p 8080:8080 -p 8081:8081 roomcast-relay
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN npm install -g pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile && node scripts/bundle.mjs /out/roomcast

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 TCP_PORT=8081
COPY --from=build /out/roomcast /opt/roomcast
# The image's unprivileged user; the ports are above 1024.
USER node
EXPOSE 8080 8081
HEALTHCHECK --interval=15s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The relay drains on SIGTERM (docker stop) and exits 0.
STOPSIGNAL SIGTERM
# V8's young generation capped at 2 x 4 MB: apps/relay/README.md#memory.
CMD ["node", "--max-semi-space-size=4", "/opt/roomcast/relay/dist/main.js"]
