/*
 * A stand-in for the minilm worker that misbehaves on purpose, for minilm.test.ts: it fails to load when
 * its model file is named broken.onnx, never says it is ready when it is named silent.onnx, and given "crash" it exits, given "hang" it never answers. Anything else gets a
 * vector whose first value is the text's length. Runs as TypeScript directly: erasable syntax only.
 */
import { parentPort, workerData } from "node:worker_threads";

const port = parentPort!;
if ((workerData as { onnx: string }).onnx.endsWith("broken.onnx")) {
  port.postMessage({ failed: "no such model" });
} else if ((workerData as { onnx: string }).onnx.endsWith("silent.onnx")) {
  // Loads forever: keeps its thread alive and never answers.
  setInterval(() => {}, 60_000);
} else {
  port.on("message", (job: { id: number; texts: string[] }) => {
    if (job.texts.includes("crash")) process.exit(3);
    if (job.texts.includes("hang")) return;
    const vectors = new Float32Array(job.texts.length * 384);
    for (const [i, t] of job.texts.entries()) vectors[i * 384] = t.length;
    port.postMessage({ id: job.id, vectors }, [vectors.buffer]);
  });
  port.postMessage({ ready: true });
}
