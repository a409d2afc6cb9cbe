#!/usr/bin/env bash
# Sets up etcd's role-based access control for a Shoal fabric, then turns authentication on.
# Users are the client certificates' CNs (etcd --client-cert-auth): for every server S,
#   srv-S  publishes S's record, slices and requests only:  readwrite P/servers/S, P/slices/S/*,
#          P/requests/S/*; read P*
#   mgr-S  S's manager identity: readwrite P/grants/*, P/results/*, P/election/S; read P*
# and root (needed by etcd to enable auth). Run once per cluster, with root's certificate:
#   fabric-etcd-auth.sh --endpoints https://127.0.0.1:2379 --cacert ca.pem --cert root.pem \
#                       --key root-key.pem [--prefix /shoal/fabric/] SERVER...
set -euo pipefail
prefix=/shoal/fabric/
endpoints= cacert= cert= key=
servers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --endpoints) endpoints=$2; shift 2 ;;
    --cacert) cacert=$2; shift 2 ;;
    --cert) cert=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --prefix) prefix=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) echo "fabric-etcd-auth: unknown option $1" >&2; exit 2 ;;
    *) servers+=("$1"); shift ;;
  esac
done
if [ -z "$endpoints" ] || [ -z "$cacert" ] || [ -z "$cert" ] || [ -z "$key" ] || [ ${#servers[@]} -eq 0 ]; then
  echo "fabric-etcd-auth: need --endpoints, --cacert, --cert, --key and at least one server (see --help)" >&2
  exit 2
fi
case "$prefix" in */) ;; *) prefix="$prefix/" ;; esac
e() { ETCDCTL_API=3 etcdctl --endpoints "$endpoints" --cacert "$cacert" --cert "$cert" --key "$key" "$@" >/dev/null; }
e user add root --no-password
e role add root
e user grant-role root root
for s in "${servers[@]}"; do
  case "$s" in *[!a-z0-9_-]*|"") echo "fabric-etcd-auth: bad server name '$s'" >&2; exit 2 ;; esac
  e role add "srv-$s"
  e role grant-permission "srv-$s" --prefix=true read "$prefix"
  e role grant-permission "srv-$s" readwrite "${prefix}servers/$s"
  e role grant-permission "srv-$s" --prefix=true readwrite "${prefix}slices/$s/"
  e role grant-permission "srv-$s" --prefix=true readwrite "${prefix}requests/$s/"
  e user add "srv-$s" --no-password
  e user grant-role "srv-$s" "srv-$s"
  e role add "mgr-$s"
  e role grant-permission "mgr-$s" --prefix=true read "$prefix"
  e role grant-permission "mgr-$s" --prefix=true readwrite "${prefix}grants/"
  e role grant-permission "mgr-$s" --prefix=true readwrite "${prefix}results/"
  e role grant-permission "mgr-$s" readwrite "${prefix}election/$s"
  e user add "mgr-$s" --no-password
  e user grant-role "mgr-$s" "mgr-$s"
done
e auth enable
echo "fabric-etcd-auth: ${#servers[@]} servers, auth enabled"
