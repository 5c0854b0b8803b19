import { GenserveClient, GenserveError } from "genserve-client";

const gs = new GenserveClient({ baseUrl: "http://127.0.0.1:8000", apiKey: "my-api-key" });
const { samples, seed } = await gs.sample({ model: "digits-vae", n: 16 }); // samples.shape [16, 8, 8]
const { log_likelihood } = await gs.logLikelihood([[0.5, 1.0]], { model: "pinwheel-gmm" });
try {
  await gs.sample({ n: 0 });
} catch (error) {
  if (error instanceof GenserveError) console.log(error.field, error.rule); // "n" "greater_than_equal"
}
console.log(samples.shape, seed, log_likelihood);
