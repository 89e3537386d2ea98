import { createUpstreamFetch } from "./http.js";

/** One connection pool for every provider of the process, made once at start-up. */
export const upstreamFetch = createUpstreamFetch();
