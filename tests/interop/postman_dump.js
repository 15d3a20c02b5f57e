// Loads a Postman collection with the official postman-collection SDK and prints, as JSON, each
// request as the SDK resolves it (variables substituted from the collection and the given
// overrides): method, URL, enabled headers and body. Usage: node postman_dump.js FILE [JSON_VARS]
"use strict";
const fs = require("fs");
const sdk = require("postman-collection");

const raw = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const overrides = JSON.parse(process.argv[3] || "{}");
const collection = new sdk.Collection(raw);
const scope = new sdk.VariableScope({ values: collection.variables.all().map((v) => v.toJSON()) });
for (const [key, value] of Object.entries(overrides)) scope.set(key, value);
const sub = (text) => sdk.Property.replaceSubstitutions(String(text), scope.toObject());

const out = [];
collection.forEachItem((item) => {
  const request = item.request;
  const headers = request.headers.all().filter((h) => !h.disabled).map((h) => [sub(h.key), sub(h.value)]);
  let body = null;
  if (request.body && request.body.mode) {
    const mode = request.body.mode;
    body = { mode };
    if (mode === "raw") body.raw = sub(request.body.raw);
    if (mode === "urlencoded" || mode === "formdata") {
      body[mode] = request.body[mode].all().filter((p) => !p.disabled)
        .map((p) => [sub(p.key), sub(p.type === "file" ? p.src : p.value)]);
    }
    if (mode === "file") body.src = request.body.file && request.body.file.src;
  }
  const auth = request.auth ? request.auth.type : null;
  out.push({ name: item.name, method: request.method, url: sub(request.url.toString()), headers, body, auth });
});
process.stdout.write(JSON.stringify(out));
