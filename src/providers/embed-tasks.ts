import type { EmbeddingTask } from "../config/parts.js";

/** Gemini's and Vertex's task_type for each of the catalogue's tasks: every task has one. */
export const GEMINI_TASK_TYPE: Record<EmbeddingTask, string> = {
  "retrieval-query": "RETRIEVAL_QUERY",
  "retrieval-document": "RETRIEVAL_DOCUMENT",
  similarity: "SEMANTIC_SIMILARITY",
  classification: "CLASSIFICATION",
  clustering: "CLUSTERING",
  "question-answering": "QUESTION_ANSWERING",
  "fact-verification": "FACT_VERIFICATION",
  "code-retrieval-query": "CODE_RETRIEVAL_QUERY",
};

/** Cohere's input_type for the tasks it has; it has no other. */
export const COHERE_INPUT_TYPE: Partial<Record<EmbeddingTask, string>> = {
  "retrieval-query": "search_query",
  "retrieval-document": "search_document",
  classification: "classification",
  clustering: "clustering",
};

/**
 * Why a deployment cannot embed with a catalogue model's task (or without one), or undefined when it can:
 * the rule each provider applies to every call, checked at start-up as well, so that a catalogue model
 * every call of which would be refused fails the start naming its `task`.
 */
export function taskRefusal(kind: string, upstreamModel: string, task: EmbeddingTask | undefined): string | undefined {
  if (kind === "bedrock" && upstreamModel.includes("cohere.embed")) {
    if (!task) return "Cohere Embed needs an input_type: set task to retrieval-document, retrieval-query, classification or clustering";
    return COHERE_INPUT_TYPE[task] ? undefined : `Cohere Embed has no input_type for ${task}`;
  }
  if (!task) return undefined;
  if (kind === "cohere") return COHERE_INPUT_TYPE[task] ? undefined : `Cohere Embed has no input_type for ${task}`;
  if (kind === "mistral") return "Mistral's embeddings API has no task type; remove task";
  if (kind === "bedrock" && upstreamModel.includes("amazon.titan-embed")) return "Titan Text Embeddings has no task type; remove task";
  if (kind === "openai" || kind === "openai-compatible" || kind === "azure-openai") {
    return `kind ${kind} takes no task (OpenAI's embeddings API has none); remove task`;
  }
  return undefined;
}

/** Whether Bedrock embeds with this model id (or inference profile or ARN naming it): Titan Text Embeddings and Cohere Embed. */
export const bedrockEmbeds = (model: string): boolean =>
  model.includes("amazon.titan-embed-text") || model.includes("amazon.titan-embed-g1-text") || model.includes("cohere.embed-");
