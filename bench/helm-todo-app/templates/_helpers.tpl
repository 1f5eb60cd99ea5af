{{/* Recommended labels plus what todoctl adds itself (managed-by, instance, chart). */}}
{{- define "todo.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: todo-app
app.kubernetes.io/version: {{ .version | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "todo.podLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: todo-app
app.kubernetes.io/version: {{ .version | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app: {{ .name }}
{{- end }}

{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "todo.httpProbe" -}}
httpGet:
  path: {{ .path | quote }}
  port: http
initialDelaySeconds: {{ .initialDelaySeconds }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
{{- end }}

{{- define "todo.podCommon" -}}
{{- $v := .root.Values -}}
serviceAccountName: {{ $v.serviceAccount.name }}
automountServiceAccountToken: {{ $v.serviceAccount.automountServiceAccountToken }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- with .cfg.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .cfg.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .cfg.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "todo.databaseUrl" -}}
{{- if .Values.database.enabled -}}
{{- $a := .Values.database.auth -}}
postgresql://{{ $a.username }}:{{ required "database.auth.password is required when database.enabled is true" $a.password }}@postgres-service:{{ .Values.database.port }}/{{ $a.database }}
{{- else -}}
{{ .Values.secrets.databaseUrl | default "" }}
{{- end -}}
{{- end }}
