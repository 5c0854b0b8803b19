// genserve's page: plain ES modules, no build step, nothing fetched from elsewhere.

import { initInspect } from "./inspect.js";
import { initInterpolate } from "./interpolate.js";
import { initModels, refreshModels } from "./models.js";
import { initSample } from "./sample.js";
import { $ } from "./state.js";
import { initTrain, refreshJobs } from "./train.js";

async function main() {
  initModels();
  initSample();
  initInspect();
  initInterpolate();
  initTrain();
  await refreshModels();
  refreshJobs();
  $("main").dataset.ready = "true";
}

main();
