// Runs the fake upstream in its own process for the benchmarks and prints its OpenAI base URL.
import { startFakeUpstream } from "../test/support/fake-upstream.js";

// Sixteen words: the fake upstream counts a word as a token and streams one word per delta,
// so every answer is 16 tokens, streamed as 16 content deltas (after a role chunk).
const ANSWER = "Benchmarks measure the gateway and its floors, not the model: sixteen words, streamed one by one.";

const upstream = await startFakeUpstream();
upstream.setDefault({ text: ANSWER });
// Keep no history: a long run would otherwise hold every request body.
setInterval(() => upstream.requests.splice(0), 1000).unref();
process.stdout.write(`${upstream.openAiBaseUrl}\n`);
