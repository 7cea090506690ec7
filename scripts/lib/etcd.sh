#!/usr/bin/env bash
# A real etcd cluster (Debian etcd-server) for the discovery server's tests, benchmarks and
# demos: one member per network namespace, all on one bridge. Nothing here touches the host's
# network when run where the tests run it (inside private namespaces: the itests' isolated
# java, scripts/bench-discovery); run by hand, run it under `unshare --net` too.
#
# Members are ks-etcd1..N at $ETCD_NET.$((ETCD_BASE+i)) (client port 2379, peer port 2380),
# with lease checkpoints on (so a leader change does not renew every lease to its full TTL).
#
#   etcd.sh up       WORK N [BRIDGE_NS]  members 1..N; without BRIDGE_NS: a bridge namespace
#                                        ks-ebr of its own plus a veth into the caller's
#                                        namespace ($ETCD_NET.1), so the caller reaches them
#   etcd.sh endpoints N                  http://A:2379,http://B:2379,...
#   etcd.sh kill     WORK I              SIGKILL member I (its namespace stays)
#   etcd.sh start    WORK I              start member I again (rejoins with its data)
#   etcd.sh stop-all WORK                SIGKILL every member
#   etcd.sh start-all WORK               start every member again, wait for a healthy cluster
#   etcd.sh down     WORK                every member, namespace and link this script made
#   etcd.sh ctl      I ARGS...           etcdctl against member I
#
# ETCD_NET (default 10.98.0) and ETCD_BASE (default 10) choose the addresses; with a
# BRIDGE_NS of another lab (mesh.sh's ks-br, 10.99.0), set them to fit that lab.
# ETCD_TLS=1: clients must use TLS with a client certificate (https://); `up` makes a CA, a
# server certificate for every member address and a client certificate in WORK/etcd/tls
# (ca.pem, client.pem, client-key.pem: PEM, the key PKCS#8).
set -euo pipefail

ETCD_NET=${ETCD_NET:-10.98.0}
ETCD_BASE=${ETCD_BASE:-10}
ETCD_TLS=${ETCD_TLS:-0}
SCHEME=http
[ "$ETCD_TLS" = 1 ] && SCHEME=https

log() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
ip_of() { echo "$ETCD_NET.$((ETCD_BASE + $1))"; }

cluster_of() { # N
    local out="" i
    for i in $(seq 1 "$1"); do out="$out${out:+,}e$i=http://$(ip_of "$i"):2380"; done
    echo "$out"
}

cmd_endpoints() {
    local out="" i
    for i in $(seq 1 "$1"); do out="$out${out:+,}$SCHEME://$(ip_of "$i"):2379"; done
    echo "$out"
}

ctl_tls() { # WORK: etcdctl's TLS flags, if any
    [ "$ETCD_TLS" = 1 ] && echo "--cacert $1/etcd/tls/ca.pem --cert $1/etcd/tls/client.pem --key $1/etcd/tls/client-key.pem"
    return 0
}

make_certs() { # WORK N
    local dir=$1/etcd/tls n=$2 san="IP:127.0.0.1" i
    mkdir -p "$dir"
    for i in $(seq 1 "$n"); do san="$san,IP:$(ip_of "$i")"; done
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ks-etcd-lab-ca \
        -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=ks-etcd-member \
        -keyout "$dir/server-key.pem" -out "$dir/server.csr" 2>/dev/null
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
        -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=discovery \
        -keyout "$dir/client-key.pem" -out "$dir/client.csr" 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\n' >"$dir/client.ext"
    openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
        -extfile "$dir/client.ext" -out "$dir/client.pem" 2>/dev/null
}

member_start() { # WORK I
    local work=$1 i=$2 n; n=$(cat "$work/etcd/size")
    local a; a=$(ip_of "$i")
    local state=new tls=()
    [ -d "$work/etcd/e$i/member" ] && state=existing
    [ "$ETCD_TLS" = 1 ] && tls=(--cert-file "$work/etcd/tls/server.pem" --key-file "$work/etcd/tls/server-key.pem"
        --trusted-ca-file "$work/etcd/tls/ca.pem" --client-cert-auth)
    ip netns exec "ks-etcd$i" etcd --name "e$i" --data-dir "$work/etcd/e$i" "${tls[@]}" \
        --listen-client-urls "$SCHEME://$a:2379" --advertise-client-urls "$SCHEME://$a:2379" \
        --listen-peer-urls "http://$a:2380" --initial-advertise-peer-urls "http://$a:2380" \
        --initial-cluster "$(cluster_of "$n")" --initial-cluster-state "$state" \
        --initial-cluster-token ks-etcd-lab --experimental-enable-lease-checkpoint=true \
        --logger zap --log-outputs "$work/etcd/e$i.log" >>"$work/etcd/e$i.out" 2>&1 &
    echo $! >"$work/etcd/e$i.pid"
}

cmd_up() {
    local work=$1 n=$2 br=${3:-}
    mkdir -p "$work/etcd"
    echo "$n" >"$work/etcd/size"
    if [ -z "$br" ]; then
        br=ks-ebr
        ip netns add "$br"
        ip -n "$br" link set lo up
        ip -n "$br" link add br0 type bridge
        ip -n "$br" link set br0 up
        ip link add ks-etcd0 type veth peer name hub0 netns "$br"
        ip -n "$br" link set hub0 master br0 up
        ip addr add "$ETCD_NET.1/24" dev ks-etcd0
        ip link set ks-etcd0 up
        echo "$br" >"$work/etcd/own-bridge"
    fi
    local i
    [ "$ETCD_TLS" = 1 ] && make_certs "$work" "$n"
    for i in $(seq 1 "$n"); do
        ip netns add "ks-etcd$i"
        ip -n "ks-etcd$i" link set lo up
        ip link add "ev$i" netns "ks-etcd$i" type veth peer name "eb$i" netns "$br"
        ip -n "$br" link set "eb$i" master br0 up
        ip -n "ks-etcd$i" link set "ev$i" name eth0
        ip -n "ks-etcd$i" addr add "$(ip_of "$i")/24" dev eth0
        ip -n "ks-etcd$i" link set eth0 up
        member_start "$work" "$i"
    done
    local deadline=$(( $(date +%s) + 30 ))
    # shellcheck disable=SC2046
    until ip netns exec ks-etcd1 etcdctl $(ctl_tls "$work") --endpoints "$(cmd_endpoints "$n")" endpoint health >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge $deadline ]; then
            log "etcd did not become healthy; member logs:"
            for i in $(seq 1 "$n"); do tail -n 15 "$work/etcd/e$i.log" "$work/etcd/e$i.out" >&2 || true; done
            return 1
        fi
        sleep 0.2
    done
}

cmd_kill() {
    local work=$1 i=$2
    local pid; pid=$(cat "$work/etcd/e$i.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    # Gone, or a zombie (where no one reaps it: the tests' JVM is PID 1 of its namespace).
    for _ in $(seq 1 50); do
        [ -n "$pid" ] && [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
        sleep 0.1
    done
    rm -f "$work/etcd/e$i.pid"
}

cmd_start() {
    member_start "$1" "$2"
    local a; a=$(ip_of "$2")
    for _ in $(seq 1 150); do
        # shellcheck disable=SC2046
        ip netns exec "ks-etcd$2" etcdctl $(ctl_tls "$1") --endpoints "$SCHEME://$a:2379" endpoint health >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    log "etcd member $2 did not come back"; return 1
}

cmd_stop_all() {
    local work=$1 i
    for i in $(seq 1 "$(cat "$work/etcd/size")"); do cmd_kill "$work" "$i"; done
}

cmd_start_all() {
    local work=$1 n i; n=$(cat "$work/etcd/size")
    for i in $(seq 1 "$n"); do member_start "$work" "$i"; done
    for _ in $(seq 1 150); do
        # shellcheck disable=SC2046
        ip netns exec ks-etcd1 etcdctl $(ctl_tls "$work") --endpoints "$(cmd_endpoints "$n")" endpoint health >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    log "etcd did not come back"; return 1
}

cmd_down() {
    local work=$1 i
    [ -f "$work/etcd/size" ] || return 0
    cmd_stop_all "$work"
    for i in $(seq 1 "$(cat "$work/etcd/size")"); do ip netns del "ks-etcd$i" 2>/dev/null || true; done
    if [ -f "$work/etcd/own-bridge" ]; then
        ip link del ks-etcd0 2>/dev/null || true
        ip netns del "$(cat "$work/etcd/own-bridge")" 2>/dev/null || true
        rm -f "$work/etcd/own-bridge"
    fi
}

cmd_ctl() { # without TLS only (the tests that change etcd's users run without it)
    local i=$1; shift
    ip netns exec "ks-etcd$i" etcdctl --endpoints "http://$(ip_of "$i"):2379" "$@"
}

sub=${1:?usage: etcd.sh <command> ...}; shift
case "$sub" in
    up) cmd_up "$@" ;;
    endpoints) cmd_endpoints "$@" ;;
    kill) cmd_kill "$@" ;;
    start) cmd_start "$@" ;;
    stop-all) cmd_stop_all "$@" ;;
    start-all) cmd_start_all "$@" ;;
    down) cmd_down "$@" ;;
    ctl) cmd_ctl "$@" ;;
    *) echo "etcd.sh: unknown command $sub" >&2; exit 2 ;;
esac
