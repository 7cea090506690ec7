#!/bin/busybox sh
# /init of the kernel-VM initramfs (run.sh packs it with a static busybox and the modules).
# Loads the modules, mounts the host's root read-only over 9p, gives it its own proc, sys, dev,
# /tmp (showing the host's /tmp entries read-only) and /run, runs the command named by ksvm_cmd= on the kernel command line inside it, and
# powers off. Everything it says starts with "KSVM:" so run.sh can tell it from the test's lines.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1

halt() {
    echo "KSVM: $1"
    sync
    poweroff -f || reboot -f
    sleep 5
}

for m in $(cat /modules.list); do
    insmod "/modules/$m" || echo "KSVM: insmod $m failed"
done
mkdir -p /newroot
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /newroot; then
    halt "cannot mount the host root over 9p"
fi
mount -t proc proc /newroot/proc
mount -t sysfs sys /newroot/sys
mount -t devtmpfs dev /newroot/dev
# /tmp must be writable inside, yet a checkout or Maven repository may live under the host's
# /tmp (CI clones anywhere): the tmpfs gets a read-only view of every host /tmp entry.
mkdir -p /hosttmp
mount -o bind /newroot/tmp /hosttmp
mount -t tmpfs -o mode=1777 tmp /newroot/tmp
for e in /hosttmp/* /hosttmp/.[!.]*; do
    [ -e "$e" ] || continue
    n=/newroot/tmp/${e#/hosttmp/}
    if [ -d "$e" ]; then mkdir -p "$n"; else touch "$n"; fi
    mount -o bind "$e" "$n" || echo "KSVM: cannot show host $e"
done
mount -t tmpfs -o mode=0755 run /newroot/run
cmd=$(sed -n 's/.*ksvm_cmd=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$cmd" ] || halt "no ksvm_cmd= on the kernel command line"
echo "KSVM: kernel $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s; running $cmd"
chroot /newroot /bin/sh "$cmd"
echo "KSVM: test command exited with code $? after $(cut -d' ' -f1 /proc/uptime) s"
halt "powering off"
