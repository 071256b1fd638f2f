# The Sealbridge image: the CLI and the controller (`controller` is the default command).
# Built from the official Node.js 24 image; runs as the image's unprivileged `node` user (uid 1000).
#   docker build -t sealbridge:0.1.0 .

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are not run: the `node` devDependency (a Node binary for local development) is not
# needed in the image, which already has Node 24.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY cli ./cli
RUN npx tsc -p tsconfig.build.json

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080 8081
ENTRYPOINT ["node", "bin/sealbridge.js"]
CMD ["controller"]
