// Runs the fake upstream in its own process for the benchmark and prints its port.
import { startFakeUpstream } from "../test/support/fake-upstream.js";

const upstream = await startFakeUpstream();
upstream.setDefault({ text: "Benchmarks measure the gateway, not the model." });
// Keep no history: a long run would otherwise hold every request body.
setInterval(() => upstream.requests.splice(0), 1000).unref();
process.stdout.write(`${upstream.openAiBaseUrl}\n`);
