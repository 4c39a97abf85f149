// Tests of check.mjs: the committed files pass, and each kind of mistake in a copy of them is refused,
// by the functions and by the command that `make check-deploy` runs (its exit status).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseDocument } from "yaml";
import { checkComposeText, checkKubernetesDir, checkKubernetesText } from "./check.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8sDir = path.resolve(here, "../kubernetes");
const composeFile = path.resolve(here, "../compose/compose.yaml");
const deploymentText = readFileSync(path.join(k8sDir, "deployment.yaml"), "utf8");
const serviceText = readFileSync(path.join(k8sDir, "service.yaml"), "utf8");
const composeText = readFileSync(composeFile, "utf8");

// edit returns text (one YAML document) with the change made by fn to its parsed form.
function edit(text, fn) {
  const doc = parseDocument(text);
  fn(doc);
  return doc.toString();
}

// refused asserts that checking gives at least one problem and that one of them matches re.
function refused(problems, re) {
  assert.ok(problems.length > 0, "expected the file to be refused, but it passed");
  assert.ok(problems.some((p) => re.test(p)), `no problem matches ${re}:\n${problems.join("\n")}`);
}

test("the committed manifests and Compose file pass", async () => {
  const { problems, files } = await checkKubernetesDir(k8sDir);
  assert.deepEqual(problems, []);
  assert.ok(files >= 4, `only ${files} manifests found`);
  assert.deepEqual(checkComposeText(composeText, "compose.yaml"), []);
});

test("the unchanged documents pass on their own, so the refusals below come from the edits", async () => {
  assert.deepEqual(await checkKubernetesText(deploymentText, "deployment.yaml"), []);
  assert.deepEqual(await checkKubernetesText(serviceText, "service.yaml"), []);
});

test("a value of the wrong type is refused", async () => {
  const text = edit(deploymentText, (d) => d.setIn(["spec", "replicas"], "two"));
  refused(await checkKubernetesText(text, "deployment.yaml"), /replicas/);
  const port = edit(serviceText, (d) => d.setIn(["spec", "ports", 0, "port"], "fifty thousand"));
  refused(await checkKubernetesText(port, "service.yaml"), /port/);
});

// The schemas of kubernetes-models, like the Kubernetes API's OpenAPI documents, allow fields they do not
// define. Misspelt fields are refused by Kubernetes' own strict decoding in deploy/strict_test.go, which
// `make check-deploy` runs too; this test fails if kubernetes-models turns strict, so that the split can
// be revisited.
test("a misspelt field passes the schemas (deploy/strict_test.go refuses it)", async () => {
  const deep = edit(deploymentText, (d) => {
    d.setIn(["spec", "template", "spec", "containers", 0, "imagePulPolicy"], "Always");
  });
  assert.deepEqual(await checkKubernetesText(deep, "deployment.yaml"), []);
});

test("a missing required field is refused", async () => {
  const text = edit(deploymentText, (d) => d.deleteIn(["spec", "template", "spec", "containers", 0, "name"]));
  refused(await checkKubernetesText(text, "deployment.yaml"), /name/);
});

test("an unknown kind or apiVersion is refused", async () => {
  const kind = edit(serviceText, (d) => d.set("kind", "Servce"));
  refused(await checkKubernetesText(kind, "service.yaml"), /unknown kind Servce/);
  const version = edit(serviceText, (d) => d.set("apiVersion", "v2"));
  refused(await checkKubernetesText(version, "service.yaml"), /unknown apiVersion v2/);
  refused(await checkKubernetesText("apiVersion: v1\nmetadata: {name: x}\n", "x.yaml"), /do not name a Kubernetes type/);
});

test("a duplicate key and a file without objects are refused", async () => {
  const dup = serviceText.replace("spec:\n", "spec:\n  type: NodePort\n");
  refused(await checkKubernetesText(dup, "service.yaml"), /[Dd]uplicate|unique/);
  refused(await checkKubernetesText("# nothing\n", "empty.yaml"), /no Kubernetes object/);
});

test("a manifest left out of kustomization.yaml is refused", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "check-deploy-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(k8sDir, dir, { recursive: true });
  writeFileSync(path.join(dir, "extra.yaml"), serviceText.replace("name: lanyard\n", "name: lanyard-extra\n"));
  const { problems } = await checkKubernetesDir(dir);
  refused(problems, /extra\.yaml is not listed in resources/);
});

test("Compose: a misspelt key, a wrong type and a wrong value are refused", () => {
  const misspelt = edit(composeText, (d) => d.setIn(["services", "lanyard", "healtcheck"], { test: ["NONE"] }));
  refused(checkComposeText(misspelt, "compose.yaml"), /healtcheck/);
  // Most Compose values may also be strings (for ${VARIABLE} interpolation); a list may not.
  const type = edit(composeText, (d) => d.setIn(["services", "lanyard", "cap_drop"], "ALL"));
  refused(checkComposeText(type, "compose.yaml"), /cap_drop/);
  const value = edit(composeText, (d) => d.setIn(["services", "lanyard", "depends_on", "mongo-init", "condition"], "service_done"));
  refused(checkComposeText(value, "compose.yaml"), /condition/);
});

test("the command exits 1 on a broken directory and 0 on the committed files", (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "check-deploy-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(k8sDir, dir, { recursive: true });
  writeFileSync(path.join(dir, "deployment.yaml"), edit(deploymentText, (d) => d.setIn(["spec", "replicas"], "two")));
  const check = path.join(here, "check.mjs");
  const bad = spawnSync(process.execPath, [check, dir, composeFile], { encoding: "utf8" });
  assert.equal(bad.status, 1, `exit status ${bad.status}, stderr:\n${bad.stderr}`);
  assert.match(bad.stderr, /deployment\.yaml.*replicas/);
  const good = execFileSync(process.execPath, [check, k8sDir, composeFile], { encoding: "utf8" });
  assert.match(good, /are valid/);
});
