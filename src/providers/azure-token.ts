import type { AccessToken, TokenCredential } from "@azure/identity";
import { type Clock, systemClock } from "../core/clock.js";
import { GatewayError } from "../core/errors.js";

/** The scope of an Entra ID token for Azure OpenAI (Azure AI services). */
export const AZURE_COGNITIVE_SCOPE = "https://cognitiveservices.azure.com/.default";

/** Options of a token source. */
export interface TokenSourceOptions {
  credential: TokenCredential;
  /** The provider the tokens are for, named in errors. */
  provider: string;
  scope?: string;
  clock?: Clock;
  /** How long before its expiry a token is replaced; Azure's own SDKs use five minutes. */
  refreshMarginMs?: number;
}

/**
 * Entra ID bearer tokens for one provider, fetched once and reused until shortly before they
 * expire (or until the refresh time the token names). Calls that come while a token is being
 * fetched wait for that one fetch. A refresh that fails while the old token is still valid
 * keeps the old token, so a blip at the token endpoint does not fail calls that would have worked;
 * with no valid token the failure is the gateway's configuration (UPSTREAM_AUTH_FAILED), not the caller's.
 */
export function createTokenSource(options: TokenSourceOptions): () => Promise<string> {
  const clock = options.clock ?? systemClock;
  const scope = options.scope ?? AZURE_COGNITIVE_SCOPE;
  const margin = options.refreshMarginMs ?? 5 * 60_000;
  let current: AccessToken | undefined;
  let pending: Promise<string> | undefined;

  const fresh = (t: AccessToken) => clock.now() < (t.refreshAfterTimestamp ?? t.expiresOnTimestamp - margin);
  const valid = (t: AccessToken) => clock.now() < t.expiresOnTimestamp;

  async function fetchToken(): Promise<string> {
    let token: AccessToken | null;
    try {
      token = await options.credential.getToken(scope);
    } catch (err) {
      if (current && valid(current)) return current.token;
      throw authFailure(options.provider, err instanceof Error ? err.message : String(err), err);
    }
    if (!token) {
      if (current && valid(current)) return current.token;
      throw authFailure(options.provider, "the credential returned no token", undefined);
    }
    current = token;
    return token.token;
  }

  return () => {
    if (current && fresh(current)) return Promise.resolve(current.token);
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

function authFailure(provider: string, message: string, cause: unknown): GatewayError {
  return new GatewayError("UPSTREAM_AUTH_FAILED", `${provider}: no Entra ID token: ${message}`, { metadata: { provider }, cause });
}
