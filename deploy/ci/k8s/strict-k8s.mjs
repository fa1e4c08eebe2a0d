// strict-k8s.mjs OUT.ts FILE...: writes each document as a typed literal (kubernetes-types); then
// `tsc --noEmit --strict OUT.ts` rejects any field Kubernetes does not define (excess-property check) and wrong types.
// Together with validate-k8s.mjs this is what `kubeconform -strict` checks.
import { readFileSync, writeFileSync } from "node:fs"
import { parseAllDocuments } from "yaml"

const [out, ...files] = process.argv.slice(2)
const lines = []
for (const file of files)
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const obj = doc.toJS()
    if (!obj) continue
    const api = String(obj.apiVersion)
    const [group, version] = api.includes("/") ? api.split("/") : ["core", api]
    // kubernetes-types names a group's folder by its first label (networking.k8s.io → networking, rbac.authorization.k8s.io → rbac).
    const mod = `kubernetes-types/${group.split(".")[0]}/${version}`
    lines.push(`// ${file}: ${obj.kind}/${obj.metadata?.name}`)
    lines.push(`export const doc${lines.length}: import("${mod}").${obj.kind} = ${JSON.stringify(obj)};`)
  }
writeFileSync(out, lines.join("\n") + "\n")
console.log(`${lines.length / 2} documents written to ${out}`)
