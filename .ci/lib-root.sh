# A pristine Debian 12 root for checks that must start from nothing (sourced by bash scripts:
# .ci/fresh-debian, .ci/deb-check). Needs root (debootstrap, chroot, mounts).
#
#   root_setup R LOGS     unpack the cached pristine root into R (debootstrap it first when the
#                         cache is empty), mount /proc /sys /dev /dev/pts /dev/shm, copy in this
#                         machine's package-index settings, install git and ca-certificates only
#   in_root R CMD...      run CMD as root inside R with a clean environment (ROOT_ENV)
#   root_cleanup R        kill what still runs inside R, unmount everything below it, remove it
#                         (never while a mount remains: /dev is bound in)
#
# The cache is $ZSDESK_FRESH_CACHE (default /var/cache/zsdesk-fresh, outside any checkout).
# The settings copied in are the host's where it has them: apt sources, keyrings and proxy
# settings, pip's configuration files (/etc/pip.conf, /etc/xdg/pip/, the user's pip.conf),
# PIP_* and proxy variables, the local folders they name (bind-mounted read-only), extra CA
# certificates (/usr/local/share/ca-certificates + update-ca-certificates).
# Callers define say() and die().

ROOT_CACHE=${ZSDESK_FRESH_CACHE:-/var/cache/zsdesk-fresh}
ROOT_SUITE=bookworm
ROOT_MIRROR=${ZSDESK_FRESH_MIRROR:-http://deb.debian.org/debian}
ROOT_ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
ROOT_TARBALL=${ZSDESK_ROOT_TAR:-$ROOT_CACHE/$ROOT_SUITE-$ROOT_ARCH.tar}
declare -a ROOT_ENV=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb)

in_root() {
    local r=$1
    shift
    chroot "$r" /usr/bin/env -i "${ROOT_ENV[@]}" "$@"
}

root_unmount_all() {
    # Every mount at or below $1, deepest first.
    local r=$1 mounts m
    mounts=$(awk -v r="$r" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo | sort -r)
    for m in $mounts; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "could not unmount $m"
    done
}

root_cleanup() {
    local r=$1 p
    [ -n "$r" ] && [ -d "$r" ] || return 0
    # Processes left inside the root (an Xvfb, a soffice, the program) hold mounts busy.
    if [ -d "$r/proc" ]; then
        for p in /proc/[0-9]*; do
            if [ "$(readlink "$p/root" 2>/dev/null)" = "$r" ]; then kill -9 "${p#/proc/}" 2>/dev/null || true; fi
        done
    fi
    root_unmount_all "$r"
    if [ "${ZSDESK_FRESH_KEEP:-0}" = 1 ]; then
        say "kept the root: $r"
    elif awk -v r="$r" 'index($5, r) == 1 {found=1} END {exit !found}' /proc/self/mountinfo; then
        say "mounts remain under $r; not removing it"
    else
        rm -rf --one-file-system "$r"
    fi
}

root_tarball() {
    local logs=$1
    [ -s "$ROOT_TARBALL" ] && return 0
    command -v debootstrap >/dev/null || die "debootstrap is needed: apt-get install debootstrap"
    say "no cached root at $ROOT_TARBALL: debootstrap $ROOT_SUITE from $ROOT_MIRROR"
    mkdir -p "$(dirname "$ROOT_TARBALL")"
    local build=$ROOT_CACHE/build.$$
    rm -rf "$build"
    debootstrap --arch="$ROOT_ARCH" "$ROOT_SUITE" "$build" "$ROOT_MIRROR" > "$logs/debootstrap.log" 2>&1 \
        || { rm -rf "$build"; die "debootstrap failed (log: $logs/debootstrap.log)"; }
    tar -C "$build" --numeric-owner -cf "$ROOT_TARBALL.part" .
    mv "$ROOT_TARBALL.part" "$ROOT_TARBALL"
    rm -rf "$build"
}

root_setup() {
    local r=$1 logs=$2 f d rel line
    root_tarball "$logs"
    mkdir -p "$r"
    tar -C "$r" --numeric-owner -xf "$ROOT_TARBALL"

    mount -t proc proc "$r/proc"
    mount -t sysfs sysfs "$r/sys" 2>/dev/null || mount --bind /sys "$r/sys"
    mount --bind /dev "$r/dev"
    mount --bind /dev/pts "$r/dev/pts"
    mount -t tmpfs -o mode=1777 shm "$r/dev/shm"

    cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
    # apt: the host's sources (active files only) and proxy settings.
    local host_sources
    host_sources=$(ls /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
    if [ -n "$host_sources" ]; then   # the host's sources replace debootstrap's own
        rm -f "$r/etc/apt/sources.list" "$r"/etc/apt/sources.list.d/*
        for f in $host_sources; do
            case "$f" in
                /etc/apt/sources.list) cp "$f" "$r/etc/apt/sources.list" ;;
                *) cp "$f" "$r/etc/apt/sources.list.d/" ;;
            esac
        done
    fi
    for f in /etc/apt/apt.conf.d/*proxy* /etc/apt/apt.conf.d/*Proxy*; do
        if [ -f "$f" ]; then cp "$f" "$r/etc/apt/apt.conf.d/"; fi
    done
    for d in /etc/apt/keyrings /etc/apt/trusted.gpg.d; do
        if [ -d "$d" ]; then mkdir -p "$r$d" && cp -a "$d/." "$r$d/"; fi
    done
    # pip: configuration files, and the local folders they or PIP_* name.
    if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$r/etc/pip.conf"; fi
    if [ -d /etc/xdg/pip ]; then mkdir -p "$r/etc/xdg" && cp -a /etc/xdg/pip "$r/etc/xdg/pip"; fi
    for f in "${HOME:-/root}/.config/pip/pip.conf" "${HOME:-/root}/.pip/pip.conf"; do
        if [ -f "$f" ]; then
            rel=${f#"${HOME:-/root}"/}
            mkdir -p "$r/root/$(dirname "$rel")"
            cp "$f" "$r/root/$rel"
        fi
    done
    local local_dirs
    local_dirs=$( set +o pipefail; {
        env | sed -n 's/^PIP_\(FIND_LINKS\|INDEX_URL\|EXTRA_INDEX_URL\)=//p'
        cat /etc/pip.conf /etc/xdg/pip/pip.conf "${HOME:-/root}/.config/pip/pip.conf" "${HOME:-/root}/.pip/pip.conf" 2>/dev/null \
            | sed -n 's/^[[:space:]]*\(find-links\|index-url\|extra-index-url\)[[:space:]]*=//p'
    } | tr ' \t' '\n\n' | sed -e 's|^file://||' | grep '^/' | sed -e 's|/simple/*$||' -e 's|/*$||' | sort -u)
    for d in ${local_dirs:-}; do
        if [ -d "$d" ]; then
            mkdir -p "$r$d"
            mount --bind "$d" "$r$d"
            mount -o remount,bind,ro "$r$d" 2>/dev/null || true
            say "pip's local folder $d bind-mounted read-only"
        fi
    done
    # Variables carried into the root: pip's, proxies', CI's.
    while IFS= read -r line; do
        case "$line" in
            PIP_*=*|http_proxy=*|https_proxy=*|no_proxy=*|HTTP_PROXY=*|HTTPS_PROXY=*|NO_PROXY=*|CI=*) ROOT_ENV+=("$line") ;;
        esac
    done < <(env)
    # Extra CA certificates (a corporate proxy's), installed once ca-certificates is.
    if [ -d /usr/local/share/ca-certificates ]; then
        mkdir -p "$r/usr/local/share/ca-certificates"
        cp -a /usr/local/share/ca-certificates/. "$r/usr/local/share/ca-certificates/"
    fi
    in_root "$r" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null && update-ca-certificates >/dev/null' \
        > "$logs/root-setup.log" 2>&1 || die "apt-get install git ca-certificates in the root (log: $logs/root-setup.log)"
}
