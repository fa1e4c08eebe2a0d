{{/* Base name of every resource: the release name when it contains "juniper", else <release>-juniper. */}}
{{- define "juniper.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "juniper" .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "juniper.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels shared by every object; components add juniper.selectorLabels, the others juniper.releaseLabels. */}}
{{- define "juniper.labels" -}}
helm.sh/chart: {{ include "juniper.chart" . }}
app.kubernetes.io/part-of: juniper
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "juniper.releaseLabels" -}}
{{ include "juniper.labels" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "data"). */}}
{{- define "juniper.selectorLabels" -}}
app.kubernetes.io/name: juniper-{{ .component }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- end -}}

{{- define "juniper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "juniper.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image reference: (dict "ctx" $ "image" .Values.data.image "tag" optional-override). */}}
{{- define "juniper.image" -}}
{{- $registry := .ctx.Values.image.registry -}}
{{- $tag := default (default .ctx.Chart.AppVersion .ctx.Values.image.tag) .image.tag -}}
{{- if .tag }}{{ $tag = .tag }}{{ end -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $registry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "juniper.cascorImage" -}}
{{- if .Values.cascor.gpu.enabled -}}
{{- include "juniper.image" (dict "ctx" . "image" .Values.cascor.image "tag" .Values.cascor.gpu.imageTag) -}}
{{- else -}}
{{- include "juniper.image" (dict "ctx" . "image" .Values.cascor.image) -}}
{{- end -}}
{{- end -}}

{{/* Service URLs inside the namespace. */}}
{{- define "juniper.dataUrl" -}}http://{{ include "juniper.fullname" . }}-data:8100{{- end -}}
{{- define "juniper.cascorUrl" -}}http://{{ include "juniper.fullname" . }}-cascor:8200{{- end -}}
{{- define "juniper.canopyUrl" -}}http://{{ include "juniper.fullname" . }}-canopy:8050{{- end -}}

{{/* The Secret with the API keys, if any. */}}
{{- define "juniper.authSecret" -}}
{{- if .Values.auth.existingSecret -}}
{{- .Values.auth.existingSecret -}}
{{- else if or .Values.auth.dataApiKeys .Values.auth.cascorApiKeys -}}
{{- include "juniper.fullname" . }}-api-keys
{{- end -}}
{{- end -}}

{{/* Init container that waits until URL answers 2xx: (dict "ctx" $ "name" "wait-for-data" "url" "..." "image" "..."). */}}
{{- define "juniper.waitFor" -}}
- name: {{ .name }}
  image: {{ .image }}
  imagePullPolicy: {{ .ctx.Values.image.pullPolicy }}
  command: ["/usr/local/bin/node", "/app/deploy/scripts/juniper-health.mjs", "wait-url", {{ .url | quote }}, "600"]
  resources:
    requests: { cpu: 10m, memory: 32Mi }
    limits: { cpu: 200m, memory: 128Mi }
  securityContext:
    {{- toYaml .ctx.Values.securityContext | nindent 4 }}
{{- end -}}

{{/* The three probes of a service container. */}}
{{- define "juniper.probes" -}}
startupProbe:
  httpGet: { path: /v1/health/live, port: http }
  periodSeconds: 2
  timeoutSeconds: 2
  failureThreshold: {{ .startupFailures | default 60 }}
livenessProbe:
  httpGet: { path: /v1/health/live, port: http }
  periodSeconds: 15
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /v1/health/ready, port: http }
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
{{- end -}}

{{/* Extra env: a name→value map rendered as a list. */}}
{{- define "juniper.extraEnv" -}}
{{- range $k, $v := . }}
- name: {{ $k }}
  value: {{ $v | toString | quote }}
{{- end }}
{{- end -}}
