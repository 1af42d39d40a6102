# syntax=docker/dockerfile:1
# The gateway as a container: built on the official .NET SDK image, run on the ASP.NET Core runtime image
# as the image's non-root user.
#   docker build -t gateway .
#   docker run -p 8080:8080 -v "$PWD/deploy/compose/gateway:/etc/gateway:ro" gateway
# Ports: 8080 public (Urls in appsettings.Production.json); 9901 admin, which stays on the container's
# loopback until Gateway__Admin__Urls binds it to the container's interfaces (http://0.0.0.0:9901).

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
WORKDIR /src
# Restore first, from the project files alone, so the layer is reused until a dependency changes.
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Directory.Build.props src/
COPY src/Gateway/Gateway.csproj src/Gateway/
RUN dotnet restore src/Gateway/Gateway.csproj -a "$TARGETARCH"
COPY appsettings.json appsettings.Production.json ./
COPY src/ src/
RUN dotnet publish src/Gateway/Gateway.csproj -c Release -a "$TARGETARCH" --no-self-contained --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# ASPNETCORE_HTTP_PORTS is emptied so that Urls from appsettings.Production.json (or --urls) decides alone.
# GATEWAY_CONFIG is the operator's file, mounted read-only; a missing file stops the gateway with exit code 1.
# Mounted files are polled (every 4 s) rather than watched: Kubernetes ConfigMap volumes publish a new
# version by swapping a symlink and some bind mounts forward no change events, so inotify never fires.
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS= \
    GATEWAY_CONFIG=/etc/gateway/gateway.json \
    DOTNET_USE_POLLING_FILE_WATCHER=true
EXPOSE 8080 9901
USER $APP_UID
ENTRYPOINT ["/app/Gateway"]
