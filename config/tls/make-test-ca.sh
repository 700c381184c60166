#!/usr/bin/env bash
# Makes a test CA and certificates for a rocksraft cluster with openssl (docs/security.md):
#
#   config/tls/make-test-ca.sh DIR [NAME ...]
#
# DIR/ca.crt, ca.key       the CA (keep ca.key off the nodes)
# DIR/node.crt, node.key   one certificate for every node, for serving and for dialling peers;
#                          its names: localhost, 127.0.0.1 and each of $NODE_SANS
#                          (e.g. NODE_SANS="DNS:n1.example,IP:10.0.0.5")
# DIR/NAME.crt, NAME.key   a client certificate whose common name is NAME, for each NAME
#
# Keys are EC P-256 in PKCS#8 PEM, certificates valid for $DAYS days (default 365). An existing
# ca.key in DIR is reused, so running it again issues new certificates from the same CA.
set -euo pipefail
if [ $# -lt 1 ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
dir=$1; shift
days=${DAYS:-365}
mkdir -p "$dir"
cd "$dir"
umask 077

key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
}

# sign NAME CN EXTENSIONS: NAME.csr from NAME.key, signed by the CA into NAME.crt
sign() {
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" -sha256 \
    -extfile <(printf '%s\n' "$3") -out "$1.crt" 2>/dev/null
  rm -f "$1.csr"
}

if [ ! -f ca.key ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -subj "/CN=rocksraft test CA" -days "$days" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
fi

san="DNS:localhost,IP:127.0.0.1${NODE_SANS:+,$NODE_SANS}"
key node.key
sign node "rocksraft node" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$san"

for name in "$@"; do
  key "$name.key"
  sign "$name" "$name" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
done
chmod 644 ./*.crt
echo "made in $dir: ca.crt ca.key node.crt node.key${*:+ $(printf '%s.crt/.key ' "$@")}" >&2
