import type { AccessToken, TokenCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { isGatewayError } from "../../src/core/errors.js";
import { createTokenSource } from "../../src/providers/azure-token.js";
import { manualClock } from "../support/manual-clock.js";

/** A credential whose tokens expire an hour after they are issued (by the given clock), numbered, or that fails when told to. */
function scripted(now: () => number) {
  let issued = 0;
  let failing = false;
  const credential: TokenCredential = {
    getToken: async (): Promise<AccessToken> => {
      await Promise.resolve();
      if (failing) throw new Error("token endpoint unreachable");
      issued++;
      return { token: `t${issued}`, expiresOnTimestamp: now() + 3_600_000 };
    },
  };
  return {
    credential,
    issued: () => issued,
    fail: (on: boolean) => {
      failing = on;
    },
  };
}

describe("Entra ID token source", () => {
  it("reuses a token until five minutes before it expires, then fetches the next", async () => {
    const clock = manualClock();
    const c = scripted(clock.now);
    const token = createTokenSource({ credential: c.credential, provider: "azure", clock });
    expect(await token()).toBe("t1");
    clock.advance(54 * 60_000);
    expect(await token()).toBe("t1");
    clock.advance(60_000 + 1);
    expect(await token()).toBe("t2");
    expect(c.issued()).toBe(2);
  });

  it("fetches once for calls that come together", async () => {
    const clock = manualClock();
    const c = scripted(clock.now);
    const token = createTokenSource({ credential: c.credential, provider: "azure", clock });
    expect(await Promise.all([token(), token(), token()])).toEqual(["t1", "t1", "t1"]);
    expect(c.issued()).toBe(1);
  });

  it("keeps a still valid token when its refresh fails, and fails as UPSTREAM_AUTH_FAILED once it has expired", async () => {
    const clock = manualClock();
    const c = scripted(clock.now);
    const token = createTokenSource({ credential: c.credential, provider: "azure", clock });
    await token();
    c.fail(true);
    clock.advance(58 * 60_000);
    expect(await token()).toBe("t1");
    clock.advance(2 * 60_000);
    const err = await token().catch((e: unknown) => e);
    expect(isGatewayError(err) && err.reason).toBe("UPSTREAM_AUTH_FAILED");
    expect(String(err)).toContain("token endpoint unreachable");
    c.fail(false);
    expect(await token()).toBe("t2");
  });

  it("honours the refresh time a token names", async () => {
    const clock = manualClock();
    let n = 0;
    const credential: TokenCredential = {
      getToken: () =>
        Promise.resolve({ token: `r${++n}`, expiresOnTimestamp: clock.now() + 3_600_000, refreshAfterTimestamp: clock.now() + 60_000 }),
    };
    const token = createTokenSource({ credential, provider: "azure", clock });
    expect(await token()).toBe("r1");
    clock.advance(60_000);
    expect(await token()).toBe("r2");
  });
});
