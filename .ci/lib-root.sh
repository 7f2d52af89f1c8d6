# Shell functions for checks on a pristine Debian 12 root (sourced by .ci scripts; POSIX sh).
#   root_tarball          the cached pristine root, made with debootstrap when missing
#   root_unpack DIR       a fresh copy of it in DIR, with this machine's package-index settings
#   root_mount DIR        /proc, /sys, /dev, /dev/pts, /dev/shm inside DIR
#   root_unmount DIR      undo root_mount (safe to call twice, and on a DIR never mounted)
#   root_run DIR SCRIPT   run SCRIPT with sh -c as root inside DIR, with a clean environment
# The cache folder is ZSDESK_FRESH_CACHE (default /var/cache/zsdesk-fresh); the pristine root
# holds debootstrap's minbase plus git and ca-certificates, nothing else.

ZSDESK_FRESH_CACHE=${ZSDESK_FRESH_CACHE:-/var/cache/zsdesk-fresh}
ZSDESK_DEBIAN_MIRROR=${ZSDESK_DEBIAN_MIRROR:-http://deb.debian.org/debian}

root_tarball() {
    tar_path=${ZSDESK_ROOT_TAR:-$ZSDESK_FRESH_CACHE/bookworm-amd64.tar}
    if [ ! -s "$tar_path" ]; then
        command -v debootstrap >/dev/null 2>&1 || {
            echo "debootstrap is needed: apt-get install debootstrap" >&2; return 1; }
        mkdir -p "$(dirname "$tar_path")"
        build=$(mktemp -d "$(dirname "$tar_path")/build.XXXXXX")
        debootstrap --variant=minbase --include=git,ca-certificates bookworm "$build" \
            "$ZSDESK_DEBIAN_MIRROR" > "$(dirname "$tar_path")/debootstrap.log" 2>&1 || {
            tail -20 "$(dirname "$tar_path")/debootstrap.log" >&2; rm -rf "$build"; return 1; }
        rm -rf "$build/var/cache/apt/archives/"*.deb
        tar -C "$build" -cf "$tar_path.partial" . && mv "$tar_path.partial" "$tar_path"
        rm -rf "$build"
    fi
    echo "$tar_path"
}

root_unpack() {
    dir=$1
    tar_path=$(root_tarball) || return 1
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -C "$dir" -xf "$tar_path"
    # What lets this machine reach the package index, and nothing else: apt's sources and
    # settings, DNS, the extra CA certificates, pip's configuration and local wheel folders.
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    # The host's sources replace debootstrap's (both at once would name the mirror twice).
    if [ -f /etc/apt/sources.list ] || ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1 \
        || ls /etc/apt/sources.list.d/*.list >/dev/null 2>&1; then
        rm -f "$dir/etc/apt/sources.list"
        [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$dir/etc/apt/sources.list"
        cp -a /etc/apt/sources.list.d/. "$dir/etc/apt/sources.list.d/" 2>/dev/null || true
    fi
    for f in /etc/apt/apt.conf.d/*proxy* /etc/apt/apt.conf.d/99artifact-registry; do
        [ -f "$f" ] && cp "$f" "$dir/etc/apt/apt.conf.d/"
    done
    if [ -d /usr/local/share/ca-certificates ]; then
        mkdir -p "$dir/usr/local/share/ca-certificates"
        cp -a /usr/local/share/ca-certificates/. "$dir/usr/local/share/ca-certificates/"
        chroot "$dir" update-ca-certificates > /dev/null 2>&1 || true
    fi
    [ -f /etc/pip.conf ] && cp /etc/pip.conf "$dir/etc/pip.conf"
    if [ -d /etc/xdg/pip ]; then mkdir -p "$dir/etc/xdg"; cp -a /etc/xdg/pip "$dir/etc/xdg/"; fi
    # PIP_* variables become the root's environment (root_run passes them on).
    env | grep '^PIP_' > "$dir/etc/zsdesk-pip.env" || true
    for folder in $(env | sed -n 's/^PIP_FIND_LINKS=//p' | tr ' ' '\n'); do
        case "$folder" in /*) [ -d "$folder" ] && mkdir -p "$dir$folder" && cp -a "$folder/." "$dir$folder/" ;; esac
    done
    return 0
}

root_mount() {
    dir=$1
    mount -t proc proc "$dir/proc"
    mount -t sysfs sys "$dir/sys"
    mount --bind /dev "$dir/dev"
    mount -t devpts -o newinstance,ptmxmode=0666 devpts "$dir/dev/pts" 2>/dev/null \
        || mount --bind /dev/pts "$dir/dev/pts"
    mkdir -p "$dir/dev/shm"
    mount -t tmpfs -o mode=1777 shm "$dir/dev/shm"
}

root_unmount() {
    dir=$1
    [ -d "$dir" ] || return 0
    # Innermost first; lazily, so a process that is still ending cannot keep a mount alive.
    for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
}

root_run() {
    dir=$1
    shift
    # shellcheck disable=SC2046
    chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        $(cat "$dir/etc/zsdesk-pip.env" 2>/dev/null) \
        /bin/sh -c "$1"
}
