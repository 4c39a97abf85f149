// Validates Lanyard's deployment files with the ecosystem's schemas, offline: every document of
// deploy/kubernetes against the Kubernetes API's OpenAPI schemas (kubernetes-models, one class per
// apiVersion and kind: types, required fields, formats), and deploy/compose/compose.yaml against the
// Compose Specification's JSON schema (the copy dclint ships, checked with ajv). `make check-deploy`
// runs it; check.test.mjs shows that it refuses broken files.
//
// The Kubernetes schemas allow fields they do not define, as the API's OpenAPI documents do, so a
// misspelt field passes here: deploy/strict_test.go refuses those with Kubernetes' own strict decoding.
//
//   node deploy/check/check.mjs [kubernetes dir] [compose file]

import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv from "ajv";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");

// dclint's package exports no path to its schema file: it is found beside its package.json.
const composeSchemaFile = path.join(
  path.dirname(createRequire(import.meta.url).resolve("dclint/package.json")),
  "schemas/compose.schema.json",
);
const composeSchema = JSON.parse(readFileSync(composeSchemaFile, "utf8"));
// The schema names draft 7 by an https URI that is not the meta-schema's id; ajv knows draft 7 by its id
// (dclint makes the same substitution).
if (composeSchema.$schema === "https://json-schema.org/draft-07/schema") {
  composeSchema.$schema = "http://json-schema.org/draft-07/schema#";
}
// The schema uses union types and leaves out some "type": "object"; ajv's strict types would only warn.
const validateComposeSchema = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(composeSchema);

// The one file of deploy/kubernetes that is not a Kubernetes object: kustomize's own, which names the
// others (checked against the directory, so that no manifest is left out of what is applied).
const kustomization = "kustomization.yaml";

// parseYAML returns the documents of text as plain objects, or the problems that kept it from being
// read. Duplicate keys are errors: the Kubernetes API would keep one of them silently.
function parseYAML(text, name) {
  const docs = [];
  const problems = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true })) {
    if (doc.errors.length > 0) {
      problems.push(...doc.errors.map((e) => `${name}: ${e.message}`));
      continue;
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) {
      docs.push(value);
    }
  }
  return { docs, problems };
}

// modelClass finds the kubernetes-models class of an object's apiVersion and kind, or says why there
// is none.
async function modelClass(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion)) {
    return { problem: `apiVersion ${JSON.stringify(apiVersion)} and kind ${JSON.stringify(kind)} do not name a Kubernetes type` };
  }
  let mod;
  try {
    mod = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return { problem: `unknown apiVersion ${apiVersion}` };
  }
  const cls = Object.hasOwn(mod, kind) ? mod[kind] : undefined;
  if (typeof cls !== "function" || typeof cls.prototype?.validate !== "function") {
    return { problem: `unknown kind ${kind} in ${apiVersion}` };
  }
  return { cls };
}

// checkKubernetesDocs validates the Kubernetes objects of one file and returns the problems found.
export async function checkKubernetesText(text, name) {
  const { docs, problems } = parseYAML(text, name);
  if (problems.length === 0 && docs.length === 0) {
    problems.push(`${name}: no Kubernetes object`);
  }
  for (const [i, obj] of docs.entries()) {
    const where = `${name}#${i + 1} (${obj?.kind ?? "no kind"} ${obj?.metadata?.name ?? ""})`.replace(" )", ")");
    if (typeof obj !== "object" || Array.isArray(obj)) {
      problems.push(`${where}: not an object`);
      continue;
    }
    const { cls, problem } = await modelClass(obj.apiVersion, obj.kind);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    try {
      new cls(obj).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
    }
  }
  return problems;
}

// checkKustomization checks that kustomization.yaml lists exactly the other YAML files of the directory.
function checkKustomization(text, name, files) {
  const { docs, problems } = parseYAML(text, name);
  if (problems.length > 0) {
    return problems;
  }
  const k = docs[0];
  if (docs.length !== 1 || k?.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k?.kind !== "Kustomization") {
    return [`${name}: expected one kustomize.config.k8s.io/v1beta1 Kustomization`];
  }
  const listed = Array.isArray(k.resources) ? k.resources : [];
  for (const f of files) {
    if (!listed.includes(f)) {
      problems.push(`${name}: ${f} is not listed in resources, so kubectl apply -k leaves it out`);
    }
  }
  for (const r of listed) {
    if (!files.includes(r)) {
      problems.push(`${name}: resource ${r} is not a YAML file of the directory`);
    }
  }
  return problems;
}

// checkKubernetesDir validates every YAML file of dir.
export async function checkKubernetesDir(dir) {
  const names = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  const manifests = names.filter((f) => f !== kustomization);
  const problems = [];
  if (manifests.length === 0) {
    problems.push(`${dir}: no manifests`);
  }
  for (const f of manifests) {
    problems.push(...(await checkKubernetesText(readFileSync(path.join(dir, f), "utf8"), f)));
  }
  if (names.includes(kustomization)) {
    problems.push(...checkKustomization(readFileSync(path.join(dir, kustomization), "utf8"), kustomization, manifests));
  }
  return { problems, files: manifests.length };
}

// checkComposeText validates one Compose file.
export function checkComposeText(text, name) {
  const { docs, problems } = parseYAML(text, name);
  if (problems.length > 0) {
    return problems;
  }
  if (docs.length !== 1) {
    return [`${name}: expected one YAML document, found ${docs.length}`];
  }
  if (validateComposeSchema(docs[0])) {
    return [];
  }
  return validateComposeSchema.errors.map((e) => {
    const extra = e.params?.additionalProperty ?? e.params?.allowedValues?.join(", ");
    return `${name}: ${e.instancePath || "/"} ${e.message}${extra ? ` (${extra})` : ""}`;
  });
}

async function main(argv) {
  const k8sDir = argv[0] ?? path.join(repo, "deploy/kubernetes");
  const composeFile = argv[1] ?? path.join(repo, "deploy/compose/compose.yaml");
  const k8s = await checkKubernetesDir(k8sDir);
  const compose = checkComposeText(readFileSync(composeFile, "utf8"), path.basename(composeFile));
  const problems = [...k8s.problems, ...compose];
  for (const p of problems) {
    console.error(`check-deploy: ${p}`);
  }
  if (problems.length > 0) {
    console.error(`check-deploy: ${problems.length} problem(s)`);
    return 1;
  }
  console.log(`check-deploy: ${k8s.files} Kubernetes manifests and ${path.basename(composeFile)} are valid`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
