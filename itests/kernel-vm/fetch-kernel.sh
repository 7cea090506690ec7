#!/usr/bin/env bash
# Puts Debian's own x86-64 kernel (the version the linux-image-amd64 metapackage depends on)
# into the VM cache, unpacked and with module dependencies computed, and prints its directory.
# Nothing is installed on the host: the .deb is only downloaded and extracted.
#
#   fetch-kernel.sh              the version apt names now (downloads it if not cached)
#   fetch-kernel.sh --any-cached a kernel already in the cache if there is one (no apt, works
#                                offline), else the same as without the option
#
# Cache: $KUBESPAN_VM_CACHE (default /var/cache/kubespan-vm)/kernel-<version>/{kroot,ready}.
set -euo pipefail
CACHE=${KUBESPAN_VM_CACHE:-/var/cache/kubespan-vm}
mode=${1:-}

ready_dir() {
    [ -f "$1/ready" ] && [ -d "$1/kroot/lib/modules" ] && ls "$1"/kroot/boot/vmlinuz-* >/dev/null 2>&1
}

if [ "$mode" = "--any-cached" ]; then
    for d in $(ls -d "$CACHE"/kernel-* 2>/dev/null | sort -V -r); do
        if ready_dir "$d"; then echo "$d"; exit 0; fi
    done
elif [ -n "$mode" ]; then
    echo "usage: $0 [--any-cached]" >&2
    exit 2
fi

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
    echo "fetch-kernel: apt does not know linux-image-amd64 (run apt-get update; Debian sources needed)" >&2
    exit 1
fi
version=${pkg#linux-image-}
dir=$CACHE/kernel-$version
if ready_dir "$dir"; then echo "$dir"; exit 0; fi

mkdir -p "$CACHE"
tmp=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "fetch-kernel: downloading $pkg" >&2
# apt-get download writes into the current directory; as root it warns that it cannot drop
# privileges to _apt for the download (harmless).
if ! (cd "$tmp" && apt-get download -q "$pkg" >&2); then
    echo "fetch-kernel: 'apt-get download $pkg' failed (no network? run scripts/install-vm-deps where the Debian mirror is reachable)" >&2
    exit 1
fi
dpkg -x "$tmp"/"$pkg"_*.deb "$tmp/kroot"
rm -f "$tmp"/"$pkg"_*.deb
# Only the kernel image and the modules are used; drop the rest (firmware lists, docs).
rm -rf "$tmp/kroot/usr" "$tmp/kroot/etc"
depmod -b "$tmp/kroot" "$version"
touch "$tmp/ready"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "$dir"
