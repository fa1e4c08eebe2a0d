// validate-k8s.mjs FILE...: every document against the Kubernetes OpenAPI schemas (kubernetes-models: types,
// required fields, enums). Unknown fields are caught by strict-k8s.mjs + tsc. Prints one FAIL line per bad document
// and `N passed, N failed`; exit 1 on any failure. Run from the directory the checkers are installed in.
import { readFileSync } from "node:fs"
import { parseAllDocuments } from "yaml"

let failed = 0
let passed = 0
for (const file of process.argv.slice(2))
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      failed++
      console.error(`FAIL ${file}: YAML: ${doc.errors[0].message}`)
      continue
    }
    const obj = doc.toJS()
    if (!obj) continue
    const where = `${file}: ${obj.kind}/${obj.metadata?.name}`
    const api = String(obj.apiVersion ?? "")
    const [group, version] = api.includes("/") ? api.split("/") : [null, api]
    const mod = group ? `kubernetes-models/${group}/${version}/${obj.kind}` : `kubernetes-models/${version}/${obj.kind}`
    let Model
    try {
      Model = (await import(mod))[obj.kind]
    } catch {
      failed++
      console.error(`FAIL ${where}: unknown apiVersion/kind ${api} ${obj.kind}`)
      continue
    }
    try {
      new Model(obj).validate()
      passed++
    } catch (e) {
      failed++
      console.error(`FAIL ${where}: ${String(e.message).split("\n").slice(0, 3).join(" | ")}`)
    }
  }
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed || passed === 0 ? 1 : 0)
