{{/* Scale-out (issue 7) helpers: the cluster database Secret and key, and the env of a cluster member. */}}
{{- define "juniper.clusterDbSecret" -}}
{{- if eq .Values.cluster.postgres.mode "external" -}}
{{- required "cluster.postgres.existingSecret is required when cluster.postgres.mode is external" .Values.cluster.postgres.existingSecret -}}
{{- else -}}
{{- include "juniper.fullname" . }}-cluster-db
{{- end -}}
{{- end -}}

{{- define "juniper.clusterDbKey" -}}
{{- if eq .Values.cluster.postgres.mode "external" -}}{{ .Values.cluster.postgres.secretKey }}{{- else -}}url{{- end -}}
{{- end -}}

{{/* Env entries every cluster member (API and runners) needs: the mode, the database URL (from the Secret), the
     table prefix, the shard count. (dict "ctx" $ "role" "api"|"runner"). */}}
{{- define "juniper.clusterEnv" -}}
- name: JUNIPER_CASCOR_CLUSTER__MODE
  value: postgres
- name: JUNIPER_CASCOR_CLUSTER__ROLE
  value: {{ .role | quote }}
- name: JUNIPER_CASCOR_CLUSTER__DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "juniper.clusterDbSecret" .ctx }}
      key: {{ include "juniper.clusterDbKey" .ctx }}
- name: JUNIPER_CASCOR_CLUSTER__SHARDS_PER_GROUP
  value: {{ .ctx.Values.cluster.shardsPerGroup | quote }}
- name: JUNIPER_CASCOR_CLUSTER__TABLE_PREFIX
  value: {{ .ctx.Values.cluster.tablePrefix | quote }}
- name: JUNIPER_CASCOR_CLUSTER__CANDIDATE_CHUNKS
  value: {{ .ctx.Values.cluster.candidateChunks | quote }}
{{- end -}}
