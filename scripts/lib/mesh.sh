#!/usr/bin/env bash
# A local KubeSpan lab: one bridge, a discovery server and agents, each in its own network
# namespace (agents also get their own mount and UTS namespaces: own /run/wireguard, hostname).
# Used by scripts/demo and by the end-to-end tests (itests), so both build the mesh one way.
#
# Run it inside private namespaces (scripts/demo and the itests' isolated-java do): it creates
# namespaces named ks-* and addresses 10.99.0.0/24 and fd99::/64 that exist only there.
#
# A node's etc/kubespan.yaml is WORK/cluster.yaml, or WORK/NAME.yaml when that exists (a whole
# config of its own), followed by WORK/NAME.extra.yaml when that exists; written at first start.
# Files in WORK/NAME.etc/ (e.g. org.apache.felix.http.cfg) are copied into the node's etc/ then.
#
#   mesh.sh lab-up          WORK                       bridge namespace ks-br
#   mesh.sh discovery-start WORK DIST                  standalone discovery server, 10.99.0.254:3000
#                                                      (metrics at 10.99.0.254:2122)
#   mesh.sh observer-up     WORK                       puts the caller's own namespace on the bridge as
#                                                      10.99.0.250 / fd99::fa (Prometheus, a browser)
#   mesh.sh discovery-stop  WORK
#   mesh.sh discovery-kill  WORK [SIGNAL]              SIGKILL (or SIGNAL) the server, its namespace kept
#                                                      (discovery-start starts it again on the same snapshot)
#   mesh.sh discovery-metrics WORK                     the discovery server's /metrics
#   mesh.sh cluster-config  WORK DIST [URL]            generate the shared cluster id and secret (discovery
#                                                      endpoint URL: default the lab's server)
#   mesh.sh replica-start   WORK DIST I ETCD_URLS      discovery replica I on etcd, 10.99.0.(240+I):3000
#                                                      (metrics on the same address, port 2122)
#   mesh.sh replica-kill    WORK I                     SIGKILL replica I
#   mesh.sh replica-metrics WORK I                     its /metrics text
#   mesh.sh node-net        WORK NAME INDEX            only the node's namespace on the bridge (to add
#                                                      links before its agent's first start)
#   mesh.sh node-home       WORK DIST NAME             only the node's installation (WORK/NAME), not started
#   mesh.sh node-start      WORK DIST NAME INDEX [--pidns|--pidns-outer-proc]
#                                                      agent NAME at 10.99.0.INDEX / fd99::INDEX; --pidns: in a
#                                                      PID namespace of its own with its own /proc (a container);
#                                                      --pidns-outer-proc: same, but /proc is the enclosing one's
#                                                      KS_AGENT_WRAP="CMD ARGS": the launcher runs under CMD
#                                                      (e.g. strace injecting faults); KS_NO_WAIT=1: return
#                                                      at once instead of waiting for the shell socket
#   mesh.sh node-kill       WORK NAME                  SIGKILL every process of the node
#   mesh.sh node-stop       WORK NAME                  SIGTERM the agent (wireguard-go stays)
#   mesh.sh shell           WORK NAME COMMAND...       a Gogo command in the node's agent
#   mesh.sh wait-mesh       WORK TIMEOUT NAME...       until every node sees all others up
#   mesh.sh ping-matrix     WORK NAME...               ping6 between all KubeSpan addresses
#   mesh.sh timeline        WORK NAME...               start-up timeline from the agents' logs
#   mesh.sh figures         WORK NAME...               the timeline, then RSS and idle CPU per agent
#   mesh.sh soak            WORK SECONDS on|off NAME... a healthy mesh left alone: down transitions, ping loss
#   mesh.sh demo            DIST WORK NODES TIMEOUT SHELL [SOAK_MINUTES]

# The NAT lab (issue: edge to edge through NAT). In it the bridge's namespace ks-br also routes:
# every edge has a router (namespace ks-rt-NAME) whose wan sits on its own link to ks-br
# (10.99.1INDEX.1, e.g. 10.99.101.1 for index 1), and the edge node behind it has 192.168.INDEX.2.
# So two edge routers are never on one segment: there is always a hop (ks-br) between them, as on
# the internet. Public hosts on the bridge reach the routers through ks-br (10.99.0.200).
#   mesh.sh nat-up          WORK                        make ks-br the internet's router
#   mesh.sh edge-net        WORK NAME INDEX FLAVOUR     router + node namespace; FLAVOUR:
#                                                        home      port-preserving MASQUERADE, drops
#                                                                  unsolicited packets (also to itself)
#                                                        hard      as home, but accepts packets to
#                                                                  itself (collision-prone)
#                                                        symmetric MASQUERADE --random-fully
#   mesh.sh nat-flavour     WORK NAME FLAVOUR           change a running router's rules (existing
#                                                        conntrack entries stay, as on a real router)
#   mesh.sh relay-start     WORK [coturn options...]    coturn (STUN/TURN) at 10.99.0.253:3478, TURN
#                                                        REST shared secret WORK/relay/secret
#   mesh.sh relay-stop      WORK
#   mesh.sh nat-config      WORK [SECRET]               the KubeSpanNATConfig document for the lab's
#                                                        coturn (SECRET: the one to use, e.g. a wrong one)
#   mesh.sh nat-demo        DIST WORK FLAVOUR TIMEOUT SHELL   the demo in the NAT lab
set -euo pipefail

BR_NS=ks-br
DISC_NS=ks-disc
DISC_IP=10.99.0.254
OBS_IP=10.99.0.250
RELAY_NS=ks-relay
RELAY_IP=10.99.0.253
CORE_IP=10.99.0.200
NET4=10.99.0
NET6=fd99:

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }

host_up() { # NS INDEX: a namespace on the bridge with 10.99.0.INDEX and fd99::INDEX
    local ns=$1 i=$2
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "v$i" netns "$ns" type veth peer name "b$i" netns "$BR_NS"
    ip -n "$BR_NS" link set "b$i" master br0 up
    ip -n "$ns" link set "v$i" name eth0
    ip -n "$ns" addr add "$NET4.$i/24" dev eth0
    ip -n "$ns" addr add "${NET6}:$(printf '%x' "$i")/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
}

cmd_lab_up() {
    local work=$1
    mkdir -p "$work"
    ip netns add "$BR_NS"
    ip -n "$BR_NS" link set lo up
    ip -n "$BR_NS" link add br0 type bridge
    ip -n "$BR_NS" link set br0 up
}

cmd_discovery_start() {
    local work=$1 dist=$2
    ip netns list | grep -qw "$DISC_NS" || { host_up "$DISC_NS" 254; public_routes "$DISC_NS" "$work"; }
    mkdir -p "$work/discovery"
    ip netns exec "$DISC_NS" "$dist/bin/kubespan-discovery" --addr "$DISC_IP:3000" --metrics-addr "$DISC_IP:2122" \
        --snapshot-path "$work/discovery/state.bin" --snapshot-interval 10s \
        >>"$work/discovery/server.log" 2>&1 &
    local pid=$!
    echo $pid >"$work/discovery/pid"
    for _ in $(seq 1 100); do
        ip netns exec "$DISC_NS" bash -c "exec 3<>/dev/tcp/$DISC_IP/3000" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break # it exited: no point in waiting
        sleep 0.2
    done
    log "discovery server did not start; its log:"; tail -n 30 "$work/discovery/server.log" >&2
    log "addresses in $DISC_NS:"; ip -n "$DISC_NS" -br addr >&2 || true
    return 1
}

cmd_discovery_metrics() { # WORK: the discovery server's Prometheus text (no curl needed)
    ip netns exec "$DISC_NS" bash -c 'exec 3<>/dev/tcp/'"$DISC_IP"'/2122 &&
        printf "GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3 && sed "1,/^\r\{0,1\}$/d" <&3'
}

cmd_observer_up() { # the caller's namespace (a test JVM's private one) joins the bridge
    local work=$1
    ip link add ks-obs type veth peer name bobs netns "$BR_NS"
    ip -n "$BR_NS" link set bobs master br0 up
    ip link set lo up
    ip addr add "$OBS_IP/24" dev ks-obs
    ip addr add "${NET6}:fa/64" dev ks-obs nodad
    ip link set ks-obs up
}

cmd_discovery_stop() {
    local work=$1
    local pid; pid=$(cat "$work/discovery/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    ip netns del "$DISC_NS" 2>/dev/null || true
}

cmd_discovery_kill() { # WORK [SIGNAL]: default KILL; waits up to 10 s for the exit, then KILLs
    local work=$1 sig=${2:-KILL}
    local pid; pid=$(cat "$work/discovery/pid")
    kill -"$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

cmd_cluster_config() {
    local work=$1 dist=$2 url=${3:-http://$DISC_IP:3000/}
    "$dist/bin/kubespan" gen-config --with-kubespan --discovery-endpoint "$url" >"$work/cluster.yaml"
    chmod 600 "$work/cluster.yaml"
}

# Discovery replicas sharing their state in etcd (scripts/lib/etcd.sh puts the members on ks-br).
cmd_replica_start() {
    local work=$1 dist=$2 i=$3 etcd=$4
    local ip="$NET4.$((240 + i))"
    ip netns list | grep -qw "ks-disc$i" || host_up "ks-disc$i" $((240 + i))
    mkdir -p "$work/replica$i"
    ip netns exec "ks-disc$i" "$dist/bin/kubespan-discovery" --addr "$ip:3000" --metrics-addr "$ip:2122" \
        --state etcd --etcd-endpoints "$etcd" >>"$work/replica$i/server.log" 2>&1 &
    echo $! >"$work/replica$i/pid"
    for _ in $(seq 1 150); do
        ip netns exec "ks-disc$i" bash -c "exec 3<>/dev/tcp/$ip/3000" 2>/dev/null && return 0
        sleep 0.2
    done
    log "replica $i did not start; its log:"; tail -n 30 "$work/replica$i/server.log" >&2
    return 1
}

cmd_replica_kill() {
    local work=$1 i=$2
    local pid; pid=$(cat "$work/replica$i/pid")
    kill -KILL "$pid" 2>/dev/null || true
}

cmd_replica_metrics() {
    local work=$1 i=$2 ip="$NET4.$((240 + $2))"
    ip netns exec "ks-disc$i" bash -c "exec 3<>/dev/tcp/$ip/2122; printf 'GET /metrics HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3; cat <&3"
}

cmd_node_home() {
    local work=$1 dist=$2 name=$3
    local home="$work/$name"
    if [ ! -d "$home" ]; then
        mkdir -p "$home"
        cp -a "$dist/." "$home/"
        if [ -f "$work/$name.yaml" ]; then cp "$work/$name.yaml" "$home/etc/kubespan.yaml"
        else cp "$work/cluster.yaml" "$home/etc/kubespan.yaml"; fi
        chmod 600 "$home/etc/kubespan.yaml"
        # The lab's discovery server runs on its own host; agents do not host one.
        printf 'enabled = false\n' >"$home/etc/dev.kubespan.discovery.server.cfg"
        [ -f "$work/$name.extra.yaml" ] && cat "$work/$name.extra.yaml" >>"$home/etc/kubespan.yaml"
        if [ -d "$work/$name.etc" ]; then cp -a "$work/$name.etc/." "$home/etc/"; fi
    fi
}

cmd_node_start() {
    local work=$1 dist=$2 name=$3 i=$4 pidns_opt=${5:-}
    local home="$work/$name"
    cmd_node_home "$work" "$dist" "$name"
    local wrap=()
    [ -n "${KS_AGENT_WRAP:-}" ] && read -r -a wrap <<<"$KS_AGENT_WRAP"
    ip netns list | grep -qw "ks-$name" || { host_up "ks-$name" "$i"; public_routes "ks-$name" "$work"; }
    date +%s%3N >"$home/launched"
    # --pidns: the agent also gets its own PID namespace with its own /proc, as in a container; the
    # JVM is then its PID 1 (wireguard-go dies with it) and the pid file names the JVM, not unshare.
    # --pidns-outer-proc: the same without mounting a proc (unshare -pf alone): /proc is the
    # enclosing namespace's, where the agent's pids name other processes.
    local pidns=()
    case "$pidns_opt" in
        --pidns) pidns=(--pid --fork --kill-child --mount-proc) ;;
        --pidns-outer-proc) pidns=(--pid --fork --kill-child) ;;
        "") ;;
        *) log "node-start: unknown option $pidns_opt"; return 2 ;;
    esac
    ip netns exec "ks-$name" unshare --mount --uts "${pidns[@]}" --propagation private -- sh -c '
        mount -t tmpfs -o mode=0755 tmpfs /run/wireguard 2>/dev/null || { mkdir -p /run/wireguard; mount -t tmpfs tmpfs /run/wireguard; }
        mkdir -p /run/kubespan && mount -t tmpfs -o mode=0755 tmpfs /run/kubespan
        hostname "$1"
        shift 2; exec "$@" --service' sh "$name" "$home" "${wrap[@]}" "$home/bin/kubespan" >>"$home/agent.log" 2>&1 &
    local outer=$!
    if [ ${#pidns[@]} -gt 0 ]; then
        local jvm=""
        for _ in $(seq 1 50); do
            jvm=$(cat "/proc/$outer/task/$outer/children" 2>/dev/null | awk '{print $1}')
            [ -n "$jvm" ] && break
            sleep 0.1
        done
        [ -n "$jvm" ] || { log "$name: no agent process under unshare pid $outer"; return 1; }
        echo "$jvm" >"$home/pid"
    else
        echo "$outer" >"$home/pid"
    fi
    [ "${KS_NO_WAIT:-}" = 1 ] && return 0
    for _ in $(seq 1 150); do
        [ -S "$home/data/shell.sock" ] && return 0
        sleep 0.2
    done
    log "$name did not start; its log:"; tail -n 40 "$home/agent.log" >&2; return 1
}

cmd_node_net() {
    local work=$1 name=$2 i=$3
    ip netns list | grep -qw "ks-$name" || { host_up "ks-$name" "$i"; public_routes "ks-$name" "$work"; }
}

cmd_node_kill() {
    local work=$1 name=$2
    local pids; pids=$(ip netns pids "ks-$name" 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
    rm -f "$work/$name/data/shell.sock"
}

cmd_node_stop() {
    local work=$1 name=$2
    local pid; pid=$(cat "$work/$name/pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

cmd_shell() {
    local work=$1 name=$2; shift 2
    "$work/$name/bin/kubespan" shell "$@"
}

ksaddr() { # NAME: the node's KubeSpan address, without prefix length
    cmd_shell "$1" "$2" kubespan:get ksi -o yaml | sed -n 's/^ *address: *\(.*\)\/128$/\1/p' | head -n1
}

cmd_wait_mesh() {
    local work=$1 timeout=$2; shift 2
    local want=$(( $# - 1 )) deadline=$(( $(date +%s) + timeout ))
    while :; do
        local ok=1
        for n in "$@"; do
            local up; up=$(cmd_shell "$work" "$n" kubespan:peerstatuses 2>/dev/null | grep -cw up || true)
            [ "$up" -ge "$want" ] || ok=0
        done
        [ $ok = 1 ] && return 0
        [ "$(date +%s)" -lt $deadline ] || { log "mesh not complete after ${timeout}s"; return 1; }
        sleep 1
    done
}

cmd_ping_matrix() {
    local work=$1; shift
    local fails=0
    printf '%-8s' "from\\to"; for t in "$@"; do printf '%-8s' "$t"; done; echo
    for f in "$@"; do
        printf '%-8s' "$f"
        for t in "$@"; do
            if [ "$f" = "$t" ]; then printf '%-8s' "-"; continue; fi
            local a; a=$(ksaddr "$work" "$t")
            if ip netns exec "ks-$f" ping -6 -c 1 -W 2 "$a" >/dev/null 2>&1; then printf '%-8s' ok; else printf '%-8s' FAIL; fails=$((fails+1)); fi
        done
        echo
    done
    return $fails
}

cmd_timeline() { # WORK NAME...: the start-up timeline from the agents' logs
    local work=$1; shift
    java "$(dirname "${BASH_SOURCE[0]}")/MeshTimeline.java" "$work" "$@"
}

cmd_figures() { # WORK NAME...: start-up timeline, then per-agent memory and idle CPU
    local work=$1; shift
    cmd_timeline "$work" "$@" || true
    local hz; hz=$(getconf CLK_TCK)
    declare -A before
    for n in "$@"; do
        local pid; pid=$(cat "$work/$n/pid")
        before[$n]=$(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    done
    sleep 10
    printf '%-8s %10s %16s\n' node "RSS (MiB)" "idle CPU (%)"
    for n in "$@"; do
        local pid ticks rss; pid=$(cat "$work/$n/pid")
        ticks=$(( $(awk '{print $14+$15}' "/proc/$pid/stat" 2>/dev/null || echo 0) - ${before[$n]} ))
        rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status" 2>/dev/null || echo '?')
        printf '%-8s %10s %16s\n' "$n" "$rss" "$(awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.2f", 100 * t / hz / 10}')"
    done
}

# A healthy mesh left alone for SECONDS, with ping6 at 5/s on every path or without traffic: the
# `down` transitions the agents logged meanwhile (there should be none), and the pings lost.
cmd_soak() { # WORK SECONDS TRAFFIC(on|off) NAME...
    local work=$1 secs=$2 traffic=$3; shift 3
    local since pids=() lost=0 sent=0
    since=$(date -u +%Y-%m-%dT%H:%M:%S)
    if [ "$traffic" = on ]; then
        for f in "$@"; do for t in "$@"; do
            [ "$f" = "$t" ] && continue
            local a; a=$(ksaddr "$work" "$t")
            ip netns exec "ks-$f" ping -6 -q -i 0.2 -w "$secs" "$a" >"$work/soak-$f-$t.log" 2>&1 &
            pids+=($!)
        done; done
    fi
    sleep "$secs"
    for p in "${pids[@]}"; do wait "$p" || true; done
    if [ "$traffic" = on ]; then
        for f in "$@"; do for t in "$@"; do
            [ "$f" = "$t" ] && continue
            local line; line=$(grep 'packets transmitted' "$work/soak-$f-$t.log" || echo "0 packets transmitted, 0 received")
            local tx rx; tx=$(echo "$line" | awk '{print $1}'); rx=$(echo "$line" | awk '{print $4}')
            sent=$((sent + tx)); lost=$((lost + tx - rx))
        done; done
    fi
    local downs=0
    for n in "$@"; do
        local d; d=$(awk -v s="$since" '$1 >= s' "$work/$n/agent.log" | grep -c -e ' -> down' -e 'no answer to liveness probes' || true)
        [ "$d" -gt 0 ] && awk -v s="$since" '$1 >= s' "$work/$n/agent.log" | grep -e ' -> down' -e 'no answer to liveness probes' >&2
        downs=$((downs + d))
    done
    local what="without traffic"
    [ "$traffic" = on ] && what="with ping6 at 5/s on every path, $lost of $sent pings lost"
    echo "FIGURE soak of $# healthy nodes for $((secs / 60)) min $what: $downs down transitions"
}

cmd_demo() {
    local dist=$1 work=$2 nodes=$3 timeout=$4 shell=$5 soak=${6:-0}
    local names=() t0
    for i in $(seq 1 "$nodes"); do names+=("node$i"); done
    cmd_lab_up "$work"
    log "starting the discovery server (standalone, $DISC_IP:3000)"
    cmd_discovery_start "$work" "$dist"
    cmd_cluster_config "$work" "$dist"
    t0=$(date +%s.%N)
    for i in $(seq 1 "$nodes"); do
        log "starting node$i (10.99.0.$i)"
        cmd_node_start "$work" "$dist" "node$i" "$i"
    done
    log "waiting for the full mesh (every node sees $((nodes-1)) peers up) ..."
    cmd_wait_mesh "$work" "$timeout" "${names[@]}"
    log "full mesh after $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"
    echo; echo "== start-up timeline (from the agents' logs), memory and idle CPU over 10 s"
    cmd_figures "$work" "${names[@]}"
    for n in "${names[@]}"; do
        echo; echo "== $n: kubespan:peerstatuses"
        cmd_shell "$work" "$n" kubespan:peerstatuses
    done
    echo; echo "== ping6 over the KubeSpan addresses"
    cmd_ping_matrix "$work" "${names[@]}"
    if [ "$soak" -gt 0 ]; then
        echo; echo "== soak: $soak min without traffic, then $soak min with traffic"
        cmd_soak "$work" $((soak * 60)) off "${names[@]}"
        cmd_soak "$work" $((soak * 60)) on "${names[@]}"
    fi
    if [ "$shell" != no ] && [ -t 0 ]; then
        echo; echo "== node1's Gogo shell (try: kubespan:get ksps, kubespan:members, kubespan:get links; 'exit' or Ctrl-D ends the demo)"
        cmd_shell "$work" node1 || true
    fi
    log "stopping; every namespace and process of this demo goes with it"
}

# ---- the NAT lab ---------------------------------------------------------------------------

cmd_nat_up() { # WORK: ks-br routes between the bridge and the edge routers' links
    ip -n "$BR_NS" addr add "$CORE_IP/24" dev br0
    ip netns exec "$BR_NS" sysctl -qw net.ipv4.ip_forward=1
    touch "$1/nat-lab"
}

# Public hosts on the bridge reach the edge routers' links through ks-br.
public_routes() { # NS WORK
    [ -f "$2/nat-lab" ] || return 0
    ip -n "$1" route add 10.99.0.0/16 via "$CORE_IP" 2>/dev/null || true
}

router_rules() { # NS FLAVOUR: the router's NAT and firewall, replacing what was there
    local ns=$1 flavour=$2 masq=(-j MASQUERADE)
    case "$flavour" in
        home|hard) ;;
        symmetric) masq=(-j MASQUERADE --random-fully) ;;
        *) log "unknown router flavour $flavour (home, hard, symmetric)"; return 2 ;;
    esac
    ip netns exec "$ns" iptables -t nat -F POSTROUTING
    ip netns exec "$ns" iptables -F FORWARD
    ip netns exec "$ns" iptables -F INPUT
    ip netns exec "$ns" iptables -t nat -A POSTROUTING -o wan "${masq[@]}"
    ip netns exec "$ns" iptables -A FORWARD -i wan -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
    ip netns exec "$ns" iptables -A FORWARD -i wan -j DROP
    if [ "$flavour" != hard ]; then
        ip netns exec "$ns" iptables -A INPUT -i wan -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        ip netns exec "$ns" iptables -A INPUT -i wan -j DROP
    fi
}

cmd_edge_net() { # WORK NAME INDEX FLAVOUR
    local work=$1 name=$2 i=$3 flavour=$4
    local rt="ks-rt-$name" ns="ks-$name" wan="10.99.$((100 + i))"
    ip netns add "$rt"
    ip -n "$rt" link set lo up
    ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1
    # wan: a link of its own to the internet's router (ks-br)
    ip link add "w$i" netns "$rt" type veth peer name "r$i" netns "$BR_NS"
    ip -n "$rt" link set "w$i" name wan
    ip -n "$rt" addr add "$wan.1/24" dev wan
    ip -n "$rt" link set wan up
    ip -n "$BR_NS" addr add "$wan.254/24" dev "r$i"
    ip -n "$BR_NS" link set "r$i" up
    ip -n "$rt" route add default via "$wan.254"
    # lan: the node behind it
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "l$i" netns "$rt" type veth peer name "n$i" netns "$ns"
    ip -n "$rt" link set "l$i" name lan
    ip -n "$rt" addr add "192.168.$i.1/24" dev lan
    ip -n "$rt" link set lan up
    ip -n "$ns" link set "n$i" name eth0
    ip -n "$ns" addr add "192.168.$i.2/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "192.168.$i.1"
    router_rules "$rt" "$flavour"
    echo "$flavour" >"$work/$name.router"
}

cmd_nat_flavour() { # WORK NAME FLAVOUR
    router_rules "ks-rt-$2" "$3"
    echo "$3" >"$1/$2.router"
}

cmd_relay_start() { # WORK [extra coturn options]: coturn at RELAY_IP, TURN REST shared secret
    local work=$1; shift
    mkdir -p "$work/relay"
    [ -s "$work/relay/secret" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$work/relay/secret"
    chmod 600 "$work/relay/secret"
    ip netns list | grep -qw "$RELAY_NS" || { host_up "$RELAY_NS" 253; public_routes "$RELAY_NS" "$work"; }
    cat >"$work/relay/turnserver.conf" <<CONF
listening-ip=$RELAY_IP
relay-ip=$RELAY_IP
listening-port=3478
min-port=49152
max-port=49999
use-auth-secret
static-auth-secret=$(cat "$work/relay/secret")
realm=kubespan.lab
fingerprint
no-tls
no-dtls
$(case " $* " in *" --no-udp-relay "*) ;; *) echo no-tcp-relay ;; esac)
no-cli
no-multicast-peers
log-file=stdout
simple-log
pidfile=$work/relay/turnserver.pid
CONF
    chmod 600 "$work/relay/turnserver.conf"
    ip netns exec "$RELAY_NS" turnserver -c "$work/relay/turnserver.conf" "$@" >>"$work/relay/turnserver.log" 2>&1 &
    echo $! >"$work/relay/pid"
    for _ in $(seq 1 50); do
        ip netns exec "$RELAY_NS" ss -lun 2>/dev/null | grep -q "$RELAY_IP:3478" && return 0
        sleep 0.1
    done
    log "coturn did not start; its log:"; tail -n 20 "$work/relay/turnserver.log" >&2
    return 1
}

cmd_relay_stop() {
    local work=$1 pid
    pid=$(cat "$work/relay/pid" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}

cmd_nat_config() { # WORK [SECRET]: the lab's NAT document (the relay's secret unless one is given)
    local work=$1 secret=${2:-}
    [ -n "$secret" ] || secret=$(cat "$work/relay/secret")
    printf 'apiVersion: v1alpha1\nkind: KubeSpanNATConfig\nstunServers:\n  - %s:3478\nrelayServers:\n  - %s:3478\nrelaySharedSecret: %s\n' \
        "$RELAY_IP" "$RELAY_IP" "$secret"
}

# The demo in the NAT lab: node1 public on the bridge, node2 and node3 behind routers of FLAVOUR
# (symmetric: both; hard: collision-prone; home), coturn as the relay.
cmd_nat_demo() { # DIST WORK FLAVOUR TIMEOUT SHELL
    local dist=$1 work=$2 flavour=$3 timeout=$4 shell=$5 t0
    local names=(node1 node2 node3)
    cmd_lab_up "$work"
    cmd_nat_up "$work"
    log "starting the discovery server (standalone, $DISC_IP:3000)"
    cmd_discovery_start "$work" "$dist"
    log "starting coturn (STUN and TURN, $RELAY_IP:3478)"
    cmd_relay_start "$work"
    cmd_cluster_config "$work" "$dist"
    cmd_nat_config "$work" >"$work/nat.yaml"
    for n in "${names[@]}"; do printf -- '---\n' >"$work/$n.extra.yaml"; cat "$work/nat.yaml" >>"$work/$n.extra.yaml"; done
    log "routers: node2 and node3 behind '$flavour' NAT routers (192.168.2.2, 192.168.3.2); node1 public (10.99.0.1)"
    cmd_edge_net "$work" node2 2 "$flavour"
    cmd_edge_net "$work" node3 3 "$flavour"
    t0=$(date +%s.%N)
    log "starting node1 (public, 10.99.0.1)"
    cmd_node_start "$work" "$dist" node1 1
    for i in 2 3; do
        log "starting node$i (behind its router, public address 10.99.$((100 + i)).1)"
        cmd_node_start "$work" "$dist" "node$i" "$i"
    done
    log "waiting for the full mesh (every node sees 2 peers up) ..."
    cmd_wait_mesh "$work" "$timeout" "${names[@]}"
    log "full mesh after $(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null || echo '?') s"
    for n in "${names[@]}"; do
        echo; echo "== $n: kubespan:peerstatuses"
        cmd_shell "$work" "$n" kubespan:peerstatuses
    done
    echo; echo "== node2: kubespan:get natmapping, kubespan:get relay"
    cmd_shell "$work" node2 kubespan:get natmapping || true
    cmd_shell "$work" node2 kubespan:get relay || true
    echo; echo "== ping6 over the KubeSpan addresses"
    cmd_ping_matrix "$work" "${names[@]}"
    if [ "$shell" != no ] && [ -t 0 ]; then
        echo; echo "== node2's Gogo shell (try: kubespan:peerstatuses, kubespan:get relay, kubespan:get natmapping; Ctrl-D ends the demo)"
        cmd_shell "$work" node2 || true
    fi
    log "stopping; every namespace and process of this demo goes with it"
}

sub=${1:?usage: mesh.sh <command> ...}; shift
case "$sub" in
    lab-up) cmd_lab_up "$@" ;;
    discovery-start) cmd_discovery_start "$@" ;;
    discovery-stop) cmd_discovery_stop "$@" ;;
    discovery-kill) cmd_discovery_kill "$@" ;;
    observer-up) cmd_observer_up "$@" ;;
    cluster-config) cmd_cluster_config "$@" ;;
    replica-start) cmd_replica_start "$@" ;;
    replica-kill) cmd_replica_kill "$@" ;;
    replica-metrics) cmd_replica_metrics "$@" ;;
    node-net) cmd_node_net "$@" ;;
    node-home) cmd_node_home "$@" ;;
    node-start) cmd_node_start "$@" ;;
    node-kill) cmd_node_kill "$@" ;;
    node-stop) cmd_node_stop "$@" ;;
    shell) cmd_shell "$@" ;;
    wait-mesh) cmd_wait_mesh "$@" ;;
    ping-matrix) cmd_ping_matrix "$@" ;;
    demo) cmd_demo "$@" ;;
    timeline) cmd_timeline "$@" ;;
    discovery-metrics) cmd_discovery_metrics "$@" ;;
    soak) cmd_soak "$@" ;;
    figures) cmd_figures "$@" ;;
    nat-up) cmd_nat_up "$@" ;;
    edge-net) cmd_edge_net "$@" ;;
    nat-flavour) cmd_nat_flavour "$@" ;;
    relay-start) cmd_relay_start "$@" ;;
    relay-stop) cmd_relay_stop "$@" ;;
    nat-config) cmd_nat_config "$@" ;;
    nat-demo) cmd_nat_demo "$@" ;;
    *) echo "mesh.sh: unknown command $sub" >&2; exit 2 ;;
esac
