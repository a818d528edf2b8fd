# shellcheck shell=bash
# images.sh: an image for real tasks in the lab without a registry (sourced by lib.sh and by the benchmarks).
# Debian's busybox-static is packed into a root file system (/bin/busybox and its applets as symlinks, /www with
# an index.html) that each engine imports itself with `docker import`. Services run e.g. `sleep 1d` or
# `httpd -f -h /www`. Needs SB_LAB_DIR.

SB_BUSYBOX_IMAGE=sb-busybox:lab
# A task that runs until stopped and stops at once on SIGTERM (a bare `sleep` as PID 1 ignores it, and each stop
# would then wait out the 10 s grace period).
# shellcheck disable=SC2034 # used by the scripts that source this file
SB_BUSYBOX_SLEEPER=(sh -c 'trap "exit 0" TERM; while :; do sleep 1; done')

# Prints the path of the image's root file system tar (built once per lab directory).
busybox_rootfs_tar() {
  local tar="$SB_LAB_DIR/busybox-rootfs.tar" deb work bb applet
  if [[ -s $tar ]]; then
    echo "$tar"
    return 0
  fi
  work=$(mktemp -d "$SB_LAB_DIR/busybox.XXXXXX")
  # The .deb from apt's cache, or downloaded (a dynamically linked busybox would not run in the image).
  local debs=(/var/cache/apt/archives/busybox-static_*.deb)
  deb=${debs[0]}
  if [[ ! -f $deb ]]; then
    (cd "$work" && apt-get download busybox-static >/dev/null 2>&1) || {
      rm -rf "$work"
      return 1
    }
    debs=("$work"/busybox-static_*.deb)
    deb=${debs[0]}
  fi
  dpkg-deb -x "$deb" "$work/deb" || {
    rm -rf "$work"
    return 1
  }
  bb="$work/deb/bin/busybox"
  mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/www"
  cp "$bb" "$work/root/bin/busybox"
  for applet in $("$work/root/bin/busybox" --list); do
    [[ $applet == busybox ]] || ln -sf busybox "$work/root/bin/$applet"
  done
  echo "swarm-bootstrap lab" >"$work/root/www/index.html"
  tar -C "$work/root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
  rm -rf "$work"
  echo "$tar"
}

# busybox_image_on I...: makes $SB_BUSYBOX_IMAGE exist on each lab engine I (an import takes well under a
# second). Returns 1 when the image cannot be built or imported.
busybox_image_on() {
  local tar i
  tar=$(busybox_rootfs_tar) || return 1
  for i in "$@"; do
    "${SB_DOCKER:-/usr/bin/docker}" -H "unix://$SB_LAB_DIR/n$i/docker.sock" image inspect "$SB_BUSYBOX_IMAGE" \
      >/dev/null 2>&1 && continue
    "${SB_DOCKER:-/usr/bin/docker}" -H "unix://$SB_LAB_DIR/n$i/docker.sock" import "$tar" "$SB_BUSYBOX_IMAGE" \
      >/dev/null || return 1
  done
}

