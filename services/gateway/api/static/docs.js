"use strict";
// The interactive API page: reads openapi.json and builds one form per operation. No external code.
(function () {
  const METHODS = ["get", "post", "put", "patch", "delete"];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value; else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  function resolve(spec, ref) {
    return ref.replace(/^#\//, "").split("/").reduce((node, key) => node[key], spec);
  }

  function example(spec, schema, depth) {
    if (!schema || depth > 4) return null;
    if (schema.$ref) return example(spec, resolve(spec, schema.$ref), depth + 1);
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    switch (schema.type) {
      case "object": {
        const out = {};
        for (const [name, prop] of Object.entries(schema.properties || {})) {
          if ((schema.required || []).includes(name)) out[name] = example(spec, prop, depth + 1);
        }
        return out;
      }
      case "array": return [];
      case "integer": case "number": return 0;
      case "boolean": return false;
      default: return "";
    }
  }

  function operationForm(spec, path, method, op) {
    const params = (op.parameters || []).concat(spec.paths[path].parameters || []);
    const inputs = [];
    const form = el("form", { class: "op" });
    if (op.description) form.append(el("p", { class: "muted" }, op.description));
    for (const param of params) {
      const id = `${method}-${path}-${param.in}-${param.name}`;
      const input = el("input", { type: "text", id, placeholder: param.schema && param.schema.type || "" });
      inputs.push({ param, input });
      form.append(el("label", { for: id }, `${param.name} (${param.in}${param.required ? ", required" : ""})`), input);
    }
    let body = null;
    const content = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
    if (content) {
      body = el("textarea", { spellcheck: "false" });
      body.value = JSON.stringify(example(spec, content.schema, 0), null, 2);
      form.append(el("label", {}, "JSON body"), body);
    }
    const output = el("pre", {}, "");
    form.append(el("p", {}, el("button", { type: "submit" }, "Send")), output);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      let url = path;
      const query = new URLSearchParams();
      for (const { param, input } of inputs) {
        if (!input.value) continue;
        if (param.in === "path") url = url.replace(`{${param.name}}`, encodeURIComponent(input.value));
        else if (param.in === "query") input.value.split("|").forEach((v) => query.append(param.name, v));
      }
      if ([...query].length) url += `?${query}`;
      const headers = { Accept: "application/json" };
      const token = document.getElementById("token").value.trim();
      if (token) headers.Authorization = `Bearer ${token}`;
      const init = { method: method.toUpperCase(), headers };
      if (body) { headers["Content-Type"] = "application/json"; init.body = body.value; }
      output.textContent = "…";
      try {
        const answer = await fetch(url, init);
        const text = await answer.text();
        let shown = text;
        try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
        output.textContent = `${answer.status} ${answer.statusText}   X-Request-ID: ${answer.headers.get("X-Request-ID")}\n\n${shown}`;
      } catch (err) {
        output.textContent = `request failed: ${err}`;
      }
    });
    return form;
  }

  async function main() {
    const status = document.getElementById("status");
    const spec = await (await fetch("openapi.json")).json();
    const groups = new Map();
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of METHODS) {
        if (!item[method]) continue;
        const tag = (item[method].tags || ["other"])[0];
        if (!groups.has(tag)) groups.set(tag, []);
        groups.get(tag).push([path, method, item[method]]);
      }
    }
    const main = document.getElementById("operations");
    for (const [tag, operations] of groups) {
      const info = (spec.tags || []).find((t) => t.name === tag);
      main.append(el("h2", {}, tag));
      if (info && info.description) main.append(el("p", { class: "muted" }, info.description));
      for (const [path, method, op] of operations) {
        const summary = el("summary", {}, el("span", { class: `method ${method.toUpperCase()}` }, method.toUpperCase()),
                           el("code", {}, path), " ", el("span", { class: "muted" }, op.summary || ""));
        main.append(el("details", {}, summary, operationForm(spec, path, method, op)));
      }
    }
    status.textContent = `${spec.info.title} ${spec.info.version}. Separate repeated query values with |.`;
  }

  main().catch((err) => { document.getElementById("status").textContent = `Could not load the API description: ${err}`; });
})();
