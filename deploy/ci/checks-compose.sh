# shellcheck shell=bash
# Compose for real: a Docker engine started by hand (engine.sh), images built on a locally made Node base, and the
# Makefile's targets run against the services that exist. Sourced by run-all.sh.
#
# The CI stack uses its own project name and host ports, so it never collides with a developer's stack:
#   COMPOSE_PROJECT_NAME=juniperci, ports 18100 / 18200 / 18050 / 19090 on 127.0.0.1 (or free ones above them).

ci_compose_env() {
  export DOCKER_CONFIG=$W/docker-config DOCKER_HOST=unix://$W/docker.sock
  export COMPOSE_PROJECT_NAME=juniperci
  export NODE_IMAGE=localhost/juniper-node-base:ci JUNIPER_APP_SOURCE=prebuilt JUNIPER_BUILD_CONTEXT=$W/context
  export JUNIPER_SECRETS_DIR=$W/secrets JUNIPER_HEALTH_INTERVAL=1s
  # Host ports: 18100 / 18200 / 18050 / 19090 / 13000, or the first free ones above them (chosen once per run).
  if [ ! -f "$W/ports" ]; then
    local p out=""
    for p in 18100 18200 18050 19090 13000; do
      while ss -ltnH "sport = :$p" 2> /dev/null | grep -q .; do p=$((p + 1000)); done
      out+="$p "
    done
    echo "$out" > "$W/ports"
  fi
  read -r DATA_HOST_PORT CASCOR_HOST_PORT CANOPY_HOST_PORT PROMETHEUS_HOST_PORT GRAFANA_HOST_PORT < "$W/ports"
  export DATA_HOST_PORT CASCOR_HOST_PORT CANOPY_HOST_PORT PROMETHEUS_HOST_PORT GRAFANA_HOST_PORT
  export PROMETHEUS_IMAGE=localhost/juniper-prometheus:ci BLACKBOX_IMAGE=localhost/juniper-blackbox:ci
  export NO_COLOR=1
}
dc() { docker compose --project-directory "$DEPLOY" -f "$DEPLOY/docker-compose.yml" "$@"; }
mk() { make --no-print-directory -C "$DEPLOY" "$@"; }
project_containers() { docker ps -a -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"; }
running_services() { dc --profile '*' ps --services --status running | sort | tr '\n' ' '; }

# Every check starts from nothing (a failed check before it may have left containers) and leaves nothing: the
# secrets are reset to empty (authentication off) and `make down` runs on exit, also when the check fails.
compose_fresh() {
  ci_compose_env
  local s
  for s in juniper_data_api_keys juniper_cascor_api_keys; do : > "$W/secrets/$s"; done
  mk down > /dev/null 2>&1 || true
  trap 'mk down > /dev/null 2>&1 || true' EXIT
}
set_data_key() {
  node -e 'console.log(require("crypto").randomBytes(24).toString("base64url"))' > "$W/secrets/juniper_data_api_keys"
  head -n 1 "$W/secrets/juniper_data_api_keys"
}

# make down, then nothing of the project may be left.
down_and_verify() {
  mk down > "$W/make-down.log" 2>&1 || { cat "$W/make-down.log"; return 1; }
  local left
  left=$(project_containers)
  [ -z "$left" ] || { echo "make down left containers:"; docker ps -a --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"; return 1; }
  echo "make down: no container of $COMPOSE_PROJECT_NAME left"
}

# Engine, base image, staged application and every Juniper image.
check_images_build() {
  ci_compose_env
  ci_secrets
  engine_start
  base_image "$NODE_IMAGE"
  # A small build context: the Dockerfiles, the stack tests and the production tree staged from this checkout.
  rm -rf "$W/context"
  mkdir -p "$W/context/deploy/.build"
  cp -r "$DEPLOY/docker" "$DEPLOY/tests" "$W/context/deploy/"
  ( cd "$REPO" && node deploy/docker/stage-app.mjs --out "$W/context/deploy/.build/app" --offline )
  mk build > "$W/build.log" 2>&1 || { tail -n 40 "$W/build.log"; return 1; }
  local img
  for img in data cascor canopy test-runner; do
    docker image inspect "juniper/$img:latest" --format "juniper/$img: user={{.Config.User}} healthcheck={{if .Config.Healthcheck}}{{index .Config.Healthcheck.Test 1}}{{else}}-{{end}} title={{index .Config.Labels \"org.opencontainers.image.title\"}} size={{.Size}}"
  done
  for img in data cascor canopy; do
    [ "$(docker image inspect "juniper/$img:latest" --format '{{.Config.User}}')" = 1000:1000 ] || { echo "juniper/$img does not run as 1000"; return 1; }
    [ -n "$(docker image inspect "juniper/$img:latest" --format '{{index .Config.Labels "org.opencontainers.image.version"}}')" ] || { echo "juniper/$img: no OCI version label"; return 1; }
  done
  # Local Prometheus and blackbox images from Debian's binaries (no registry), for the monitor profile.
  monitor_images
}

monitor_images() {
  tools_prometheus > /dev/null
  local t=$W/prometheus-tools/usr/bin r
  for r in prometheus blackbox; do
    rm -rf "$W/$r-rootfs"
    mkdir -p "$W/$r-rootfs/bin" "$W/$r-rootfs/etc" "$W/$r-rootfs/prometheus" "$W/$r-rootfs/tmp"
    chmod 1777 "$W/$r-rootfs/tmp" "$W/$r-rootfs/prometheus"
    printf 'root:x:0:0::/:/nonexistent\nnobody:x:65534:65534::/nonexistent:/nonexistent\n' > "$W/$r-rootfs/etc/passwd"
  done
  cp "$t/prometheus" "$t/promtool" "$W/prometheus-rootfs/bin/"
  cp "$t/prometheus-blackbox-exporter" "$W/blackbox-rootfs/bin/blackbox_exporter"
  for lib in $( (ldd "$t/prometheus"; ldd "$t/prometheus-blackbox-exporter") 2> /dev/null | grep -o '/[^ ]*' | sort -u); do
    for r in prometheus blackbox; do mkdir -p "$W/$r-rootfs$(dirname "$lib")" && cp -L "$lib" "$W/$r-rootfs$lib"; done
  done
  tar -C "$W/prometheus-rootfs" -c . | docker import -c 'USER 65534' -c 'ENTRYPOINT ["/bin/prometheus"]' - "$PROMETHEUS_IMAGE" > /dev/null
  tar -C "$W/blackbox-rootfs" -c . | docker import -c 'USER 65534' -c 'ENTRYPOINT ["/bin/blackbox_exporter"]' - "$BLACKBOX_IMAGE" > /dev/null
  rm -rf "$W/prometheus-rootfs" "$W/blackbox-rootfs"
  echo "monitor images from Debian: $("$t/prometheus" --version 2>&1 | head -n 1)"
}

# JuniperData alone (profile full, SERVICES=juniper-data): up healthy through make, make health, API key secret
# enforced, restart after kill -9, datasets kept across make down/up (named volume).
check_compose_data() {
  compose_fresh
  local key
  key=$(set_data_key)
  mk up PROFILE=full SERVICES=juniper-data
  mk health SERVICES=juniper-data
  local base=http://127.0.0.1:$DATA_HOST_PORT code id
  code=$(node -e 'fetch(process.argv[1]).then((r) => console.log(r.status))' "$base/v1/generators")
  [ "$code" = 401 ] || { echo "without the key: HTTP $code, want 401"; return 1; }
  id=$(node -e '
    fetch(process.argv[1] + "/v1/datasets", { method: "POST", headers: { "content-type": "application/json", "x-api-key": process.argv[2] },
      body: JSON.stringify({ generator: "xor", params: { n_points: 64, seed: 3 }, persist: true }) })
      .then(async (r) => { if (r.status !== 201) throw new Error(`HTTP ${r.status} ${await r.text()}`); console.log((await r.json()).dataset_id) })' "$base" "$key")
  echo "API key from the secret file enforced (401 without it); created dataset $id with it"
  local cid pid
  cid=$(dc --profile full ps -q juniper-data)
  pid=$(docker inspect -f '{{.State.Pid}}' "$cid")
  kill -9 "$pid"
  wait_until 60 bash -c "[ \"\$(docker inspect -f '{{.RestartCount}}' $cid)\" -ge 1 ]" || { echo "no restart after kill -9"; return 1; }
  mk wait SERVICES=juniper-data TIMEOUT=60
  echo "kill -9 of the main process: restarted (RestartCount=$(docker inspect -f '{{.RestartCount}}' "$cid")) and ready again"
  down_and_verify
  mk up PROFILE=full SERVICES=juniper-data
  node -e '
    fetch(process.argv[1] + "/v1/datasets/" + process.argv[3], { headers: { "x-api-key": process.argv[2] } })
      .then((r) => { if (r.status !== 200) { console.log(`dataset lost after down/up: HTTP ${r.status}`); process.exit(1) } console.log("dataset kept across make down / make up (named volume)") })' "$base" "$key" "$id"
  down_and_verify
}

# demo-seed against the real JuniperData: exits 0 and the demo dataset is there.
check_compose_demo_seed() {
  compose_fresh
  dc --profile demo run --rm demo-seed
  node -e '
    fetch(process.argv[1] + "/v1/datasets?limit=1000").then((r) => r.json()).then((ids) => {
      const demo = ids.filter((id) => id.startsWith("spiral-"))
      if (!demo.length) { console.log("no spiral dataset after demo-seed"); process.exit(1) }
      console.log(`demo dataset present: ${demo.join(", ")}`)
    })' "http://127.0.0.1:$DATA_HOST_PORT"
  down_and_verify
}

# The test-runner image against the services that exist (JUNIPER_STACK_SERVICES), with API keys configured.
check_test_runner_partial() {
  compose_fresh
  local services=$1
  set_data_key > /dev/null
  local svc list=()
  for svc in ${services//,/ }; do list+=("juniper-$svc"); done
  mk up PROFILE=test SERVICES="${list[*]}"
  dc --profile test run --rm --no-deps -e JUNIPER_STACK_SERVICES="$services" test-runner
  down_and_verify
}

# Prometheus + blackbox exporter (real binaries) scrape and probe the running services; the dashboard's metric names
# exist in their scrapes.
check_monitor() {
  compose_fresh
  local services=$1 svc list=()
  for svc in ${services//,/ }; do list+=("juniper-$svc"); done
  mk monitor PROFILE=full SERVICES="${list[*]} prometheus blackbox"
  local prom=http://127.0.0.1:$PROMETHEUS_HOST_PORT
  # Wait for a scrape and a probe of every running service.
  node -e '
    const [prom, services] = [process.argv[1], process.argv[2].split(",")]
    const q = async (expr) => (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()).data.result
    const deadline = Date.now() + 90000
    const tick = async () => {
      const up = await q(`up{job=~"juniper-.*"}`).catch(() => [])
      const probe = await q(`probe_success{job="juniper-readiness"}`).catch(() => [])
      const ok = services.every((s) => up.some((r) => r.metric.job === `juniper-${s}` && r.value[1] === "1") &&
                                        probe.some((r) => r.metric.service === `juniper-${s}` && r.value[1] === "1"))
      if (ok) {
        for (const s of services) console.log(`juniper-${s}: scraped (up=1) and ready (probe_success=1)`)
        const down = probe.filter((r) => !services.includes(r.metric.service.replace("juniper-", "")))
        for (const r of down) console.log(`${r.metric.service}: probe_success=${r.value[1]} (not running)`)
        return
      }
      if (Date.now() > deadline) { console.log("targets not all up:", JSON.stringify({ up, probe })); process.exit(1) }
      setTimeout(tick, 2000)
    }
    tick()' "$prom" "$services"
  # The alert rules were loaded.
  node -e 'fetch(process.argv[1] + "/api/v1/rules").then((r) => r.json()).then((b) => {
      const n = b.data.groups.flatMap((g) => g.rules).length
      if (!n) { console.log("no rules loaded"); process.exit(1) } console.log(`${n} alert rules loaded`) })' "$prom"
  # The dashboard reads only metrics the running services expose.
  local args=()
  for svc in ${services//,/ }; do
    local port_var=${svc^^}_HOST_PORT
    node -e 'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t))' "http://127.0.0.1:${!port_var}/metrics" > "$W/$svc.metrics"
    args+=("$svc=$W/$svc.metrics")
  done
  node "$CI/check-dashboard.mjs" "$DEPLOY/conf/grafana/dashboards/juniper-overview.json" \
    "$DEPLOY/conf/grafana/provisioning/datasources/prometheus.yml" "$W/dashboard-rules.yml" "${args[@]}"
  down_and_verify
}

# --- Full profiles (need every service of the profile) -------------------------------------------------------------
# make demo: training progresses, make health, make down. $1 limits the services (before JuniperCanopy exists).
check_make_demo() {
  compose_fresh
  COMPOSE="docker compose" "$DEPLOY/scripts/test_demo_profile.sh" --progress-timeout 120 ${1:+--services "$1"}
}

check_make_full() {
  compose_fresh
  mk full
  mk health
  [ "$(running_services)" = "juniper-canopy juniper-cascor juniper-data " ] || { echo "running: $(running_services)"; return 1; }
  local cid
  cid=$(dc --profile full ps -q juniper-cascor)
  kill -9 "$(docker inspect -f '{{.State.Pid}}' "$cid")"
  wait_until 60 bash -c "[ \"\$(docker inspect -f '{{.RestartCount}}' $cid)\" -ge 1 ]" || { echo "cascor not restarted after kill -9"; return 1; }
  mk wait TIMEOUT=90
  echo "juniper-cascor restarted after kill -9 and the stack is ready again"
  down_and_verify
}

check_make_dev() {
  compose_fresh
  mk dev
  mk health
  [ "$(running_services)" = "juniper-canopy-dev juniper-data " ] || { echo "running: $(running_services)"; return 1; }
  if node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then(() => process.exit(0), () => process.exit(1))' "http://127.0.0.1:$CASCOR_HOST_PORT/v1/health"; then
    echo "JuniperCascor answers in the dev profile"; return 1
  fi
  echo "dev: JuniperData + JuniperCanopy (demo mode) ready; no JuniperCascor"
  down_and_verify
}

check_make_test() {
  compose_fresh
  set_data_key > /dev/null
  mk test
  [ -z "$(project_containers)" ] || { echo "make test left containers"; return 1; }
}

# The cluster profile (issue 7) for real: PostgreSQL (a local image of the host's PostgreSQL 15), the JuniperCascor
# API and two runners from the one cascor image; runs go through /v1/runs as durable workflows, candidate jobs split
# over both runners; kill -9 of a runner mid-run and the run still completes on the other.
dcc() { dc -f "$DEPLOY/docker-compose.cluster.yml" --profile cluster "$@"; }
check_compose_cluster() {
  compose_fresh
  export JUNIPER_POSTGRES_IMAGE=localhost/juniper-postgres:ci
  docker image inspect "$JUNIPER_POSTGRES_IMAGE" > /dev/null 2>&1 || postgres_image "$JUNIPER_POSTGRES_IMAGE"
  trap 'dcc down -v > /dev/null 2>&1 || true' EXIT
  mk cluster > "$W/cluster-up.log" 2>&1 || { cat "$W/cluster-up.log"; dcc ps -a; dcc logs --tail 40; return 1; }
  local want="juniper-cascor-api juniper-cascor-runner-1 juniper-cascor-runner-2 juniper-postgres "
  [ "$(dc -f "$DEPLOY/docker-compose.cluster.yml" --profile cluster ps --services --status running | sort | tr '\n' ' ')" = "$want" ] || { dcc ps -a; return 1; }
  echo "cluster profile up and healthy: postgres, api, 2 runners"
  # Two runs, their candidate pools split in two jobs; a runner is killed while they train.
  node "$CI/cluster-runs.mjs" "http://127.0.0.1:$CASCOR_HOST_PORT" start > "$W/cluster-runs.json" || { dcc logs --tail 60; return 1; }
  local cid
  cid=$(dcc ps -q juniper-cascor-runner-1)
  kill -9 "$(docker inspect -f '{{.State.Pid}}' "$cid")"
  echo "killed juniper-cascor-runner-1 (kill -9) while the runs train"
  node "$CI/cluster-runs.mjs" "http://127.0.0.1:$CASCOR_HOST_PORT" finish "$W/cluster-runs.json" || { dcc logs --tail 80; return 1; }
  wait_until 90 bash -c "[ \"\$(docker inspect -f '{{.State.Health.Status}}' $cid)\" = healthy ]" || { echo "runner-1 not healthy again"; dcc logs --tail 40 juniper-cascor-runner-1; return 1; }
  echo "runner-1 restarted and healthy again"
  down_and_verify
  dcc down -v > /dev/null 2>&1
}

check_nothing_running() {
  ci_compose_env
  local left
  left=$(docker ps -q)
  [ -z "$left" ] || { echo "containers still running:"; docker ps; return 1; }
  echo "no container is running"
}

check_engine_cleanup() {
  ci_compose_env
  engine_stop
  local left
  left=$(engine_leftovers)
  [ -z "$left" ] || { echo "left behind:"; echo "$left"; return 1; }
  echo "dockerd, containerd, bridges, iptables chains and mounts of this run are gone"
}

# Opt-in (JUNIPER_CI_SOURCE_BUILD=1): the images' default path, `npm ci && npm run build` inside the build stage, on a
# builder made locally (the debootstrap rootfs + python3/make/g++ + this machine's Node and npm, laid out like the
# official node image). Needs the npm registry and the Debian mirror from inside containers; a CA bundle for a
# TLS-intercepting proxy is handed over as the build_ca secret (JUNIPER_BUILD_CA, default the system bundle).
check_images_source_build() {
  ci_compose_env
  local R=$W/rootfs b=$W/builder
  if [ -f "$W/rootfs.pid" ]; then while kill -0 "$(cat "$W/rootfs.pid")" 2> /dev/null; do sleep 1; done; fi
  [ -x "$R/usr/bin/apt-get" ] || nspawn_rootfs "$R"
  tar -C "$R" --exclude=./home --exclude=./usr/bin/node -c . | docker import - localhost/juniper-bookworm:ci > /dev/null
  rm -rf "$b" && mkdir -p "$b"
  cp "$(readlink -f "$(command -v node)")" "$b/node"
  cp -r "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$b/npm"
  cat > "$b/Dockerfile" <<'DOCKERFILE'
FROM localhost/juniper-bookworm:ci
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ ca-certificates && rm -rf /var/lib/apt/lists/*
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
DOCKERFILE
  DOCKER_BUILDKIT=0 docker build -q -t localhost/juniper-builder:ci "$b" > /dev/null 2> "$W/builder.log" || { cat "$W/builder.log"; return 1; }
  JUNIPER_APP_SOURCE=source JUNIPER_BUILD_CONTEXT=$REPO BUILDER_IMAGE=localhost/juniper-builder:ci JUNIPER_IMAGE_PREFIX=jsource \
    JUNIPER_BUILD_CA=${JUNIPER_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt} \
    dc --profile full build --progress plain juniper-data juniper-cascor juniper-canopy > "$W/source-build.log" 2>&1 ||
    { tail -n 40 "$W/source-build.log"; return 1; }
  docker run --rm --entrypoint /usr/local/bin/node jsource/cascor:latest -e \
    'const a = require("/app/native/index.cjs"); console.log("addon loads in jsource/cascor:", JSON.stringify(a.info?.() ?? Object.keys(a)))'
  local svc
  for svc in data cascor canopy; do
    if service_built "$svc"; then docker run --rm --entrypoint /usr/local/bin/node "jsource/$svc:latest" -e "require('node:fs').accessSync('/app/dist/$svc/index.js'); console.log('jsource/$svc: dist/$svc built in the image')"; fi
  done
}
