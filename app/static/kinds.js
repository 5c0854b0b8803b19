// The model kinds the server can train (GET /kinds): each kind's title and the JSON schemas of
// its parameters, so the page learns a plugin's kind from its registration.

import { api } from "./api.js";

let loading = null;
const titles = new Map();

export function loadKinds() {
  loading ??= api("/kinds").then((body) => {
    for (const kind of body.kinds) titles.set(kind.kind, kind.title);
    return body.kinds;
  }).catch((error) => {
    loading = null; // try again next time
    throw error;
  });
  return loading;
}

// "Gaussian mixture (gmm)", or the bare name before /kinds has answered.
export function kindLabel(kind) {
  return titles.has(kind) ? `${titles.get(kind)} (${kind})` : kind;
}
