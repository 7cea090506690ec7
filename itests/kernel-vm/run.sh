#!/usr/bin/env bash
# The kernel-WireGuard VM test: boots Debian's kernel under QEMU (TCG), shares this machine's root
# filesystem into it read-only over 9p, and runs KernelWireGuardVmCheck there with plain java.
# Exit status 0 only when the console shows "RESULT: N passed, 0 failed" with N > 0; non-zero on
# test failures, a missing RESULT line, a timeout or a kernel panic (the console tail is printed).
#
# Needs root, qemu-system-x86_64, a static busybox, cpio, kmod and a cached kernel: run
# scripts/install-vm-deps once (it also works when this script has network and apt itself).
#
# Environment (all optional):
#   KUBESPAN_VM_CACHE    kernel cache (default /var/cache/kubespan-vm)
#   KUBESPAN_VM_WORK     build and log directory; must not be under /run, which the VM covers
#                        with its own tmpfs (default <repo>/itests/target/kernel-vm); under /tmp
#                        is fine: the VM's /tmp shows the host's /tmp entries read-only
#   KUBESPAN_VM_TIMEOUT  seconds the VM may run (default 540)
#   KUBESPAN_VM_JAVA     java executable of a JDK (javac next to it); default $JAVA_HOME or PATH
#   KUBESPAN_VM_WG_JAR, KUBESPAN_VM_API_JAR, KUBESPAN_VM_JNA_JAR
#                        the jars to test (default: the reactor-built bundles and JNA from ~/.m2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
start=$(date +%s.%N)
say() { echo "kernel-vm: $*"; }
elapsed() { awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (9p export of /, netns inside the VM is root there anyway)"
for tool in qemu-system-x86_64 cpio depmod modprobe timeout gzip; do
    command -v "$tool" >/dev/null || fail "$tool is missing; run scripts/install-vm-deps"
done
busybox=/bin/busybox
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' \
    || dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' \
    || fail "a static busybox is needed (package busybox-static); run scripts/install-vm-deps"

work=${KUBESPAN_VM_WORK:-$repo/itests/target/kernel-vm}
case "$work" in /run|/run/*) fail "KUBESPAN_VM_WORK=$work is hidden inside the VM (tmpfs)";; esac
case "$work" in *[[:space:]]*) fail "KUBESPAN_VM_WORK must not contain blanks";; esac
timeout_s=${KUBESPAN_VM_TIMEOUT:-540}

if [ -n "${KUBESPAN_VM_JAVA:-}" ]; then java=$KUBESPAN_VM_JAVA
elif [ -n "${JAVA_HOME:-}" ]; then java=$JAVA_HOME/bin/java
else java=$(readlink -f "$(command -v java)"); fi
javac=$(dirname "$java")/javac
[ -x "$java" ] && [ -x "$javac" ] || fail "no JDK at $java (javac next to it is needed)"

jna_version=$(sed -n 's:.*<jna.version>\(.*\)</jna.version>.*:\1:p' "$repo/pom.xml" | head -1)
wg_jar=${KUBESPAN_VM_WG_JAR:-$repo/bundles/dev.kubespan.wireguard/target/dev.kubespan.wireguard-0.1.0-SNAPSHOT.jar}
net_jar=${KUBESPAN_VM_NET_JAR:-$repo/bundles/dev.kubespan.net/target/dev.kubespan.net-0.1.0-SNAPSHOT.jar}
api_jar=${KUBESPAN_VM_API_JAR:-$repo/bundles/dev.kubespan.api/target/dev.kubespan.api-0.1.0-SNAPSHOT.jar}
test_jar=${KUBESPAN_VM_TEST_JAR:-$repo/bundles/dev.kubespan.test/target/dev.kubespan.test-0.1.0-SNAPSHOT.jar}
jna_jar=${KUBESPAN_VM_JNA_JAR:-$HOME/.m2/repository/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar}
for j in "$wg_jar" "$net_jar" "$api_jar" "$test_jar" "$jna_jar"; do
    [ -e "$j" ] || fail "$j not found (build with: mvn -B -pl bundles/dev.kubespan.wireguard,bundles/dev.kubespan.net,bundles/dev.kubespan.test -am package -DskipTests)"
    case "$j" in /run/*) fail "$j is hidden inside the VM (tmpfs); copy it elsewhere";; esac
done

# 1. kernel (cached; downloaded only when the cache is empty)
kdir=$("$here/fetch-kernel.sh" --any-cached) || fail "no kernel in the cache and none could be fetched; run scripts/install-vm-deps"
kroot=$kdir/kroot
kver=$(basename "$(ls -d "$kroot"/lib/modules/*/ | head -1)")
vmlinuz=$kroot/boot/vmlinuz-$kver
[ -f "$vmlinuz" ] || fail "no $vmlinuz"
say "kernel $kver from $kdir"

# 2. initramfs: static busybox, the modules in dependency order, /init
rm -rf "$work/initramfs" && mkdir -p "$work/initramfs"/{bin,dev,proc,sys,modules,newroot}
cp "$busybox" "$work/initramfs/bin/busybox"
cp "$here/init.sh" "$work/initramfs/init" && chmod 755 "$work/initramfs/init"
: > "$work/initramfs/modules.list"
for top in virtio_pci 9pnet_virtio 9p wireguard veth; do
    modprobe -d "$kroot" -S "$kver" --show-depends "$top" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
    cp "$ko" "$work/initramfs/modules/"
    basename "$ko" >> "$work/initramfs/modules.list"
done
grep -q '^wireguard.ko$' "$work/initramfs/modules.list" || fail "the kernel package has no wireguard module"
mknod -m 600 "$work/initramfs/dev/console" c 5 1 2>/dev/null || true
(cd "$work/initramfs" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
say "initramfs with $(wc -l < "$work/initramfs/modules.list") modules ($(du -k "$work/initrd.gz" | cut -f1) KiB) at $(elapsed) s"

# 3. the test program, compiled here; the VM runs it from the shared root
rm -rf "$work/classes" && mkdir -p "$work/classes"
"$javac" --release 17 -nowarn -d "$work/classes" -cp "$wg_jar:$net_jar:$api_jar:$test_jar:$jna_jar" \
    $(find "$here/src" -name '*.java')
cat > "$work/vm-command.sh" <<CMD
#!/bin/sh
# written by run.sh; runs inside the VM (chroot into the shared host root)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8
mkdir -p /tmp/jna
cd /tmp
exec "$java" -XX:TieredStopAtLevel=1 -Xshare:auto -XX:+UseSerialGC -Djna.tmpdir=/tmp/jna -Djava.io.tmpdir=/tmp \\
    -cp "$work/classes:$wg_jar:$net_jar:$api_jar:$test_jar:$jna_jar" dev.kubespan.itests.kernelvm.KernelWireGuardVmCheck
CMD
chmod 755 "$work/vm-command.sh"
say "test program compiled at $(elapsed) s; booting (timeout ${timeout_s} s)"

# 4. boot; the console is the VM's only way out
console=$work/console.log
set +e
timeout --kill-after=10 "$timeout_s" qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 2 \
    -nographic -no-reboot -nic none \
    -kernel "$vmlinuz" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet random.trust_cpu=on ksvm_cmd=$work/vm-command.sh" \
    -fsdev "local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap" \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    </dev/null 2>&1 | tr -d '\r' | tee "$console"
qemu_status=${PIPESTATUS[0]}
set -e
say "VM finished with status $qemu_status after $(elapsed) s in total"

# 5. verdict
tail_console() { say "console tail:"; tail -n 40 "$console" | sed 's/^/  | /'; }
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
    tail_console; fail "the VM did not finish within ${timeout_s} s"
fi
if grep -a -q 'Kernel panic' "$console"; then
    tail_console; fail "kernel panic"
fi
result=$(grep -a -o 'RESULT: [0-9]* passed, [0-9]* failed' "$console" | tail -1 || true)
[ -n "$result" ] || { tail_console; fail "no RESULT line on the console"; }
passed=$(echo "$result" | awk '{ print $2 }')
failed=$(echo "$result" | awk '{ print $4 }')
if [ "$failed" != 0 ] || [ "$passed" -le 0 ]; then
    grep -a '^CHECK FAIL' "$console" | sed 's/^/  /' || true
    fail "$result"
fi
say "OK: $result in $(elapsed) s"
