{{/* Names */}}
{{- define "rocksraft.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The full name: resource names, and the pods' prefix (<fullname>-<ordinal> is a member id). */}}
{{- define "rocksraft.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "rocksraft.headless" -}}
{{- printf "%s-headless" (include "rocksraft.fullname" .) -}}
{{- end -}}

{{- define "rocksraft.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rocksraft.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "rocksraft.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "rocksraft.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "rocksraft.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rocksraft.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "rocksraft.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* A majority of the voting members. */}}
{{- define "rocksraft.quorum" -}}
{{- add (div (int .Values.replicas) 2) 1 -}}
{{- end -}}

{{/* DNS name of member <ordinal> (passed as .ordinal beside .ctx). */}}
{{- define "rocksraft.memberHost" -}}
{{- $ctx := .ctx -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "rocksraft.fullname" $ctx) (int .ordinal) (include "rocksraft.headless" $ctx) $ctx.Release.Namespace $ctx.Values.cluster.clusterDomain -}}
{{- end -}}

{{/* The peers: the StatefulSet's pods 0 .. replicas-1 by their DNS names. */}}
{{- define "rocksraft.peers" -}}
{{- $peers := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $host := include "rocksraft.memberHost" (dict "ctx" $ "ordinal" $i) -}}
{{- $peers = append $peers (dict "id" (printf "%s-%d" (include "rocksraft.fullname" $) $i) "raftAddress" (printf "%s:%d" $host (int $.Values.ports.raft)) "clientAddress" (printf "%s:%d" $host (int $.Values.ports.grpc))) -}}
{{- end -}}
{{- toYaml $peers -}}
{{- end -}}

{{/* The members' gRPC addresses, comma separated (kvctl --endpoints). */}}
{{- define "rocksraft.endpoints" -}}
{{- $out := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $out = append $out (printf "%s:%d" (include "rocksraft.memberHost" (dict "ctx" $ "ordinal" $i)) (int $.Values.ports.grpc)) -}}
{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{/* node.join: false while the release is installed (the pods form the group), true afterwards. */}}
{{- define "rocksraft.join" -}}
{{- if eq (toString .Values.cluster.join) "" -}}
{{- ternary "false" "true" .Release.IsInstall -}}
{{- else -}}
{{- toString .Values.cluster.join -}}
{{- end -}}
{{- end -}}

{{/* This cluster's object key prefix in the bucket. */}}
{{- define "rocksraft.tierPrefix" -}}
{{- default (printf "%s/%s/" .Release.Namespace (include "rocksraft.fullname" .)) .Values.tier.s3.prefix -}}
{{- end -}}

{{/* The object-storage tier's settings (node.tier); credentials never appear here. */}}
{{- define "rocksraft.tier" -}}
{{- $s3 := dict "region" .Values.tier.s3.region "bucket" .Values.tier.s3.bucket "pathStyle" .Values.tier.s3.pathStyle "prefix" (include "rocksraft.tierPrefix" .) -}}
{{- if .Values.tier.s3.endpoint -}}
{{- $_ := set $s3 "endpoint" .Values.tier.s3.endpoint -}}
{{- end -}}
{{- toYaml (mustMergeOverwrite (deepCopy .Values.tier.settings) (dict "enabled" true "backend" "s3" "s3" $s3)) -}}
{{- end -}}

{{/*
The node settings that need a restart to take effect: everything of the node YAML but the peers
and join, which only matter at a member's first start. The pods' config checksum covers these,
so scaling (which changes the peers) rolls no pod.
*/}}
{{- define "rocksraft.nodeSettings" -}}
{{- $reserved := list "id" "cluster" "dataDir" "raftAddress" "clientAddress" "peers" "join" "tier" -}}
{{- range $k, $v := .Values.node -}}
{{- if has $k $reserved -}}
{{- fail (printf "node.%s is set by the chart; see values.yaml" $k) -}}
{{- end -}}
{{- end -}}
{{- if hasKey (default (dict) .Values.node.security) "tls" -}}
{{- fail "node.security.tls is set by the chart from tls.existingSecret; see values.yaml" -}}
{{- end -}}
{{- $node := deepCopy .Values.node -}}
{{- if .Values.tls.existingSecret -}}
{{- $security := default (dict) $node.security -}}
{{- $_ := set $security "tls" (dict "certFile" (printf "%s/tls.crt" (include "rocksraft.tlsDir" .)) "keyFile" (printf "%s/tls.key" (include "rocksraft.tlsDir" .)) "caFile" (printf "%s/ca.crt" (include "rocksraft.tlsDir" .)) "clientAuth" .Values.tls.clientAuth "reloadSeconds" (int .Values.tls.reloadSeconds)) -}}
{{- $_ := set $node "security" $security -}}
{{- end -}}
{{- $_ := set $node "cluster" (default (include "rocksraft.fullname" .) .Values.cluster.name) -}}
{{- $_ := set $node "dataDir" "/data" -}}
{{- $_ := set $node "raftAddress" (printf "%s:%d" .Values.listenHost (int .Values.ports.raft)) -}}
{{- $_ := set $node "clientAddress" (printf "%s:%d" .Values.listenHost (int .Values.ports.grpc)) -}}
{{- if .Values.tier.enabled -}}
{{- $_ := set $node "tier" (fromYaml (include "rocksraft.tier" .)) -}}
{{- end -}}
{{- $server := dict
  "applicationConnectors" (list (dict "type" "http" "port" (int .Values.ports.rest) "maxRequestHeaderSize" "64KiB"))
  "adminConnectors" (list (dict "type" "http" "port" (int .Values.ports.admin))) -}}
{{- $logging := dict "level" .Values.logging.level "loggers" .Values.logging.loggers -}}
{{- toYaml (dict "node" $node "server" $server "logging" $logging) -}}
{{- end -}}

{{/*
What `kvctl restore` reads at install when restore is on: the tier's settings with the prefix of
the cluster the backup comes from.
*/}}
{{- define "rocksraft.restoreYaml" -}}
{{- if not .Values.tier.enabled -}}
{{- fail "restore.enabled needs tier.enabled (the bucket, endpoint and credentials to restore from)" -}}
{{- end -}}
{{- if eq .Values.restore.prefix (include "rocksraft.tierPrefix" .) -}}
{{- fail "restore.prefix must differ from this cluster's tier prefix: the new cluster would find the old one's manifests and refuse to upload" -}}
{{- end -}}
{{- $tier := fromYaml (include "rocksraft.tier" .) -}}
{{- $_ := set $tier.s3 "prefix" .Values.restore.prefix -}}
{{- toYaml (dict "node" (dict "tier" $tier)) -}}
{{- end -}}

{{/* The whole node YAML: the settings plus the peers and join. */}}
{{- define "rocksraft.nodeYaml" -}}
{{- $doc := fromYaml (include "rocksraft.nodeSettings" .) -}}
{{- $_ := set $doc.node "peers" (fromYamlArray (include "rocksraft.peers" .)) -}}
{{- $_ := set $doc.node "join" (eq (include "rocksraft.join" .) "true") -}}
{{- toYaml $doc -}}
{{- end -}}

{{/* Where the pods find tls.existingSecret's files. */}}
{{- define "rocksraft.tlsDir" -}}
/etc/rocksraft-tls
{{- end -}}

{{/* The volume of tls.existingSecret, for the pods that dial or serve the nodes; nothing without TLS. */}}
{{- define "rocksraft.tlsVolume" -}}
{{- if .Values.tls.existingSecret }}
- name: tls
  secret:
    secretName: {{ .Values.tls.existingSecret }}
{{- end }}
{{- end -}}

{{/* The pod security context and pull secrets, shared by the node and the jobs. */}}
{{- define "rocksraft.podCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
A container running kvctl against the members (hook jobs, the gc CronJob); with .config, also the
node YAML at /etc/rocksraft, the tier's credentials (kvctl backup reads them) and at /data the
volume .dataVolume (default: an emptyDir named scratch). Without .config it dials the members, over
TLS with the volume "tls" when tls.existingSecret is set.
*/}}
{{- define "rocksraft.kvctlContainer" -}}
image: {{ include "rocksraft.image" .ctx }}
imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .ctx.Values.securityContext | nindent 2 }}
env:
  - name: KVCTL_OPTS
    value: {{ .ctx.Values.membership.kvctlOpts | quote }}
  {{- if and .ctx.Values.tls.existingSecret (not .config) }}
  # kvctl dials the members over TLS with the nodes' own certificate.
  - name: ROCKSRAFT_CACERT
    value: {{ include "rocksraft.tlsDir" .ctx }}/ca.crt
  - name: ROCKSRAFT_CERT
    value: {{ include "rocksraft.tlsDir" .ctx }}/tls.crt
  - name: ROCKSRAFT_KEY
    value: {{ include "rocksraft.tlsDir" .ctx }}/tls.key
  {{- end }}
  {{- if .config }}
  {{- with include "rocksraft.tierEnv" .ctx }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- end }}
resources:
  {{- toYaml .ctx.Values.membership.resources | nindent 2 }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  {{- if and .ctx.Values.tls.existingSecret (not .config) }}
  - name: tls
    mountPath: {{ include "rocksraft.tlsDir" .ctx }}
    readOnly: true
  {{- end }}
  {{- if .config }}
  - name: config
    mountPath: /etc/rocksraft
    readOnly: true
  - name: {{ default "scratch" .dataVolume }}
    mountPath: /data
  {{- end }}
{{- end -}}

{{/* The Secret with the tier's credentials: the given one, the chart's, or none (the SDK's chain). */}}
{{- define "rocksraft.tierSecret" -}}
{{- if .Values.tier.credentials.existingSecret -}}
{{- .Values.tier.credentials.existingSecret -}}
{{- else if .Values.tier.credentials.accessKeyId -}}
{{- printf "%s-tier" (include "rocksraft.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The tier's credentials as environment variables, for the nodes and the gc CronJob. */}}
{{- define "rocksraft.tierEnv" -}}
{{- if and .Values.tier.enabled (include "rocksraft.tierSecret" .) -}}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ include "rocksraft.tierSecret" . }}
      key: {{ .Values.tier.credentials.accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "rocksraft.tierSecret" . }}
      key: {{ .Values.tier.credentials.secretAccessKeyKey }}
{{- end }}
{{- end -}}
