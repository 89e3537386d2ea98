import type { IncomingHttpHeaders } from "node:http";

/** What the fake upstream saw of an Azure OpenAI request. */
export interface AzureCall {
  /** The deployment named in the path; absent on the v1 API (/openai/v1/...), which takes the model from the body. */
  deployment?: string;
  /** The api-version query; absent on the v1 API. */
  apiVersion?: string;
}

/** How the fake upstream routes one request: the OpenAI path it stands for, or Azure's refusal. */
export interface AzureRoute {
  /** The path to answer as (/v1/chat/completions...), the request's own when it is not Azure's. */
  path: string;
  azure?: AzureCall;
  refusal?: { status: number; body: unknown };
}

const DEPLOYMENT = /^\/openai\/deployments\/([^/?]+)\/(chat\/completions|embeddings)(?:\?(.*))?$/;
const V1 = /^\/openai\/v1\/(chat\/completions|embeddings)(?:\?.*)?$/;

/**
 * Azure OpenAI's paths, as Azure answers them: /openai/deployments/{deployment}/chat/completions and
 * .../embeddings need the api-version query (Azure answers 404 "Resource not found" without it), and
 * every Azure call needs credentials, an api-key header or a bearer token (Azure answers 401 without).
 */
export function azureRoute(url: string, headers: IncomingHttpHeaders): AzureRoute {
  const d = DEPLOYMENT.exec(url);
  const v = d ? undefined : V1.exec(url);
  if (!d && !v) return { path: url };
  const apiVersion = d ? (new URLSearchParams(d[3] ?? "").get("api-version") ?? undefined) : undefined;
  const azure: AzureCall = d ? { deployment: decodeURIComponent(d[1] ?? ""), ...(apiVersion ? { apiVersion } : {}) } : {};
  const path = `/v1/${d ? d[2] : v?.[1]}`;
  if (d && !apiVersion) return { path, azure, refusal: { status: 404, body: { error: { code: "404", message: "Resource not found" } } } };
  if (!headers["api-key"] && !headers.authorization) {
    const message = "Access denied due to missing subscription key or bearer token.";
    return { path, azure, refusal: { status: 401, body: { error: { code: "401", message } } } };
  }
  return { path, azure };
}
