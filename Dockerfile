# Larder: MCP server (and the Telegram bot when TELEGRAM_BOT_TOKEN is set).
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    LARDER_HOST=0.0.0.0 \
    PORT=3000 \
    LARDER_DATA_DIR=/data

WORKDIR /app
COPY package.json package-lock.json ./
# tsx runs the TypeScript sources directly, so dependencies are all that is installed; no build step.
# Scripts wait for the sources (the postinstall step is `larder prepare`, run below).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY drizzle ./drizzle
COPY tsconfig.json ./
# An initialized empty database in the image: a new /data volume starts from it in about a second.
RUN node bin/larder.js prepare

# The embedded database (when DATABASE_URL is not set) lives here.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"

# SIGTERM stops Larder cleanly: in-flight requests finish, the database closes.
STOPSIGNAL SIGTERM
CMD ["node", "bin/larder.js", "serve"]
