#!/bin/sh
# The image's entrypoint (after tini): give the uid this container runs as a
# user name, then run the command.
#
# Each student's server runs under a uid of its own (values.yaml, hub.extraConfig),
# which no /etc/passwd in the image can list in advance. nbgrader asks the
# system for the current user's name (pwd.getpwuid) and, when that name is
# jovyan, takes JUPYTERHUB_USER as the student id instead
# (nbgrader.utils.get_username); without any name it fails. So a uid with no
# entry gets one named jovyan through nss_wrapper (Debian's libnss-wrapper):
# a private copy of passwd and group that only this container's processes
# see, kernels and terminals included. /etc/passwd stays read-only.
set -eu
uid=$(id -u)
gid=$(id -g)
if ! getent passwd "$uid" >/dev/null 2>&1; then
    files=$(mktemp -d)
    grep -v '^jovyan:' /etc/passwd >"$files/passwd"
    echo "jovyan:x:$uid:$gid:${JUPYTERHUB_USER:-jovyan}:${HOME:-/home/jovyan}:/bin/bash" >>"$files/passwd"
    cp /etc/group "$files/group"
    getent group "$gid" >/dev/null 2>&1 || echo "student:x:$gid:" >>"$files/group"
    LD_PRELOAD="libnss_wrapper.so${LD_PRELOAD:+ $LD_PRELOAD}"
    NSS_WRAPPER_PASSWD="$files/passwd"
    NSS_WRAPPER_GROUP="$files/group"
    export LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
fi
exec "$@"
