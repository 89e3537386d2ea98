import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ClientSecretCredential } from "@azure/identity";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isGatewayError } from "../../src/core/errors.js";
import { createAzureOpenAiProvider } from "../../src/providers/azure.js";
import { createSdkFetch } from "../../src/providers/http.js";
import type { ProviderRequest } from "../../src/providers/provider.js";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.js";

/*
 * The real @azure/identity ClientSecretCredential (MSAL underneath) against a local fake of Entra ID's
 * token endpoint. MSAL talks only to https authorities, so the credential is given Azure's own hook for
 * its HTTP client (httpClient), which sends what was meant for https://login.fake.test to the local server.
 */

const AUTHORITY = "https://login.fake.test";
let upstream: FakeUpstream;
let entra: http.Server;
let entraUrl: string;
const tokenRequests: URLSearchParams[] = [];
let issued = 0;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  entra = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", AUTHORITY);
      const tenant = url.pathname.split("/")[1];
      const json = (status: number, value: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
      if (url.pathname.endsWith("/v2.0/.well-known/openid-configuration")) {
        return json(200, {
          token_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${AUTHORITY}/${tenant}/oauth2/v2.0/logout`,
          issuer: `${AUTHORITY}/${tenant}/v2.0`,
          jwks_uri: `${AUTHORITY}/${tenant}/discovery/v2.0/keys`,
        });
      }
      if (url.pathname.endsWith("/oauth2/v2.0/token") && req.method === "POST") {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        if (form.get("client_secret") !== "s3cret") {
          return json(401, { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret provided." });
        }
        return json(200, { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: `entra-access-${++issued}` });
      }
      json(404, { error: "not_found", error_description: url.pathname });
    });
  });
  await new Promise<void>((resolve) => entra.listen(0, "127.0.0.1", resolve));
  entraUrl = `http://127.0.0.1:${(entra.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await upstream.close();
  entra.closeAllConnections();
  await new Promise((resolve) => entra.close(resolve));
});

/** Azure's HTTP client, sending the fake authority's requests to the local server. */
function toLocal(): HttpClient {
  const inner = createDefaultHttpClient();
  return {
    sendRequest: (request) => {
      request.url = request.url.replace(AUTHORITY, entraUrl);
      request.allowInsecureConnection = true;
      return inner.sendRequest(request);
    },
  };
}

const credential = (secret: string) =>
  new ClientSecretCredential("tenant-1", "client-1", secret, {
    authorityHost: AUTHORITY,
    httpClient: toLocal(),
    disableInstanceDiscovery: true,
  });

const request: ProviderRequest = { model: "gpt4o-prod", messages: [{ role: "user", content: "Hi" }], maxTokens: 50, stop: [] };

describe.each(["direct", "sdk"] as const)("Azure OpenAI with a client secret's Entra ID token, %s client", (client) => {
  const build = (secret: string) => {
    const pool = new Agent();
    return createAzureOpenAiProvider({
      name: "azure",
      endpoint: upstream.anthropicBaseUrl,
      apiVersion: "2024-10-21",
      client,
      credential: credential(secret),
      dispatcher: pool,
      fetch: createSdkFetch(pool),
    });
  };

  it("gets a token for Azure AI services from the token endpoint and sends it as a bearer token, once for many calls", async () => {
    const provider = build("s3cret");
    const before = tokenRequests.length;
    for (let i = 0; i < 2; i++) {
      upstream.enqueue({ text: "ok" });
      for await (const _ of provider.stream(request, new AbortController().signal)) {
        // read to the end
      }
      expect(upstream.requests.at(-1)!.headers["authorization"]).toBe(`Bearer entra-access-${issued}`);
    }
    expect(tokenRequests.length - before).toBe(1);
    const form = tokenRequests.at(-1)!;
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("client_id")).toBe("client-1");
    expect(form.get("scope")).toContain("https://cognitiveservices.azure.com/.default");
  });

  it("fails as UPSTREAM_AUTH_FAILED with Entra's reason when the secret is refused", async () => {
    const provider = build("wrong");
    const calls = upstream.requests.length;
    const err = await (async () => {
      for await (const _ of provider.stream(request, new AbortController().signal)) {
        // read to the end
      }
    })().catch((e: unknown) => e);
    const translated = isGatewayError(err) ? err : provider.translateError(err);
    expect(translated?.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(translated?.message).toContain("AADSTS7000215");
    expect(upstream.requests.length).toBe(calls);
  });
});
