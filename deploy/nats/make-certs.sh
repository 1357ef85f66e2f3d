#!/bin/sh
# A private CA for crossprobe's NATS servers, and certificates signed by it (EC P-256, OpenSSL >= 1.1.1).
#
#   sh make-certs.sh DIR ca                          DIR/ca.pem, DIR/ca-key.pem (kept if present)
#   sh make-certs.sh DIR cert NAME HOST [HOST...]    DIR/NAME.pem, DIR/NAME-key.pem for those DNS
#                                                    names / IP addresses, valid 825 days
#
# Server certificates are good for both ends of a TLS connection (serverAuth and clientAuth), as
# cluster routes between hub nodes need. A leaf node's certificate is one too: what keeps a leaf out
# of the hub cluster is the route secret (crossprobe enroll --cluster), not its certificate. Keep ca-key.pem off the servers; give ca.pem to every
# agent and the collector (--nats-ca) and to leaf nodes (their uplink's tls.ca_file).
set -eu
die() { echo "make-certs.sh: $*" >&2; exit 2; }
[ $# -ge 2 ] || die 'usage: make-certs.sh DIR ca | make-certs.sh DIR cert NAME HOST [HOST...]'
dir=$1 what=$2
shift 2
command -v openssl >/dev/null 2>&1 || die 'openssl is needed (apt-get install openssl)'
umask 077
mkdir -p "$dir"
case "$what" in
  ca)
    if [ -f "$dir/ca.pem" ]; then echo "make-certs.sh: $dir/ca.pem exists; kept"; exit 0; fi
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 -days 3650 \
      -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" -subj '/CN=crossprobe NATS CA' \
      -addext 'basicConstraints=critical,CA:TRUE,pathlen:0' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
    chmod 0644 "$dir/ca.pem"
    echo "make-certs.sh: $dir/ca.pem (give it out) and $dir/ca-key.pem (keep it safe)"
    ;;
  cert)
    [ $# -ge 2 ] || die 'usage: make-certs.sh DIR cert NAME HOST [HOST...]'
    name=$1
    shift
    [ -f "$dir/ca.pem" ] && [ -f "$dir/ca-key.pem" ] || die "no CA in $dir: run make-certs.sh $dir ca first"
    san=''
    for h in "$@"; do
      if printf '%s' "$h" | grep -Eq '^[0-9.]+$|:'; then san="$san,IP:$h"; else san="$san,DNS:$h"; fi
    done
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "${san#,}" >"$tmp/ext"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -keyout "$dir/$name-key.pem" -out "$tmp/csr" -subj "/CN=$1" 2>/dev/null
    openssl x509 -req -in "$tmp/csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -CAserial "$tmp/serial" \
      -sha256 -days 825 -extfile "$tmp/ext" -out "$dir/$name.pem" 2>/dev/null
    chmod 0644 "$dir/$name.pem"
    echo "make-certs.sh: $dir/$name.pem and $dir/$name-key.pem for ${san#,}"
    ;;
  *) die "unknown action $what (ca or cert)" ;;
esac
