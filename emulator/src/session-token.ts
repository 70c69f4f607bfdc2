// App Bridge session tokens, minted the way Shopify's admin hands them to an embedded app.
//
// A session token is a compact JWS (HS256) signed with the app's client secret. The claims are the
// ones Shopify documents for embedded apps (iss/dest/aud/sub/exp/nbf/iat/jti/sid). What the app
// actually checks is decided by `@shopify/shopify-api` 15 `session/decode-session-token`:
//   * jose `jwtVerify` with `algorithms: ["HS256"]` and a 10 s clock tolerance, so `exp` and `nbf`
//     are enforced (±10 s) and the signature must match the secret's UTF-8 bytes;
//   * then `payload.aud === apiKey`;
//   * `shopify-app-remix` takes the shop from `new URL(payload.dest).hostname` and, with online
//     tokens, the user from `sub`.
// The negative-test knobs below move each of those checks just far enough to fail.
import { randomUUID, timingSafeEqual } from "node:crypto";
import { hmacSha256, hmacSha256Base64Url } from "./signing";

/** Claims of a Shopify admin session token. Times are seconds since the epoch. */
export interface SessionTokenClaims {
  /** `https://{shop}/admin` */
  iss: string;
  /** `https://{shop}`; the app derives the shop from this. */
  dest: string;
  /** The app's API key (client id). */
  aud: string;
  /** The staff user id, as a decimal string. */
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  /** Random per token; lets a server refuse replays. */
  jti: string;
  /** Admin session id of the staff member. */
  sid: string;
}

/**
 * How to break a token for negative tests. Each moves one check past the library's 10 s
 * tolerance (or changes one value) and leaves the rest valid, so a rejection proves that check.
 */
export type SessionTokenTamper =
  | "expired" // exp 60 s in the past
  | "not-yet-valid" // nbf (and iat) 60 s in the future
  | "wrong-secret" // signed with another secret
  | "wrong-audience" // aud is another app's key
  | "bad-signature"; // last character of the signature changed

/** Clock tolerance used by `@shopify/shopify-api` 15 when it verifies session tokens. */
export const LIBRARY_CLOCK_TOLERANCE_SECONDS = 10;

/** Shopify's admin issues tokens that live for one minute. */
export const DEFAULT_SESSION_TOKEN_TTL_SECONDS = 60;

export interface MintSessionTokenOptions {
  /** `{name}.myshopify.com` */
  shop: string;
  apiKey: string;
  apiSecret: string;
  /** Staff user id; numeric ids are written as decimal strings like Shopify does. Default "1". */
  userId?: string | number | bigint;
  /** Admin session id (`sid`). Random when absent. */
  sessionId?: string;
  /** Lifetime in seconds. Default 60. */
  ttlSeconds?: number;
  /** Clock to mint against. Default: now. */
  now?: Date | number;
  /** Forced `jti`, for tests that check replay handling. Random when absent. */
  jti?: string;
  /** Break one aspect of the token (see {@link SessionTokenTamper}). */
  tamper?: SessionTokenTamper;
  /** Secret used with `tamper: "wrong-secret"`. */
  wrongSecret?: string;
  /** Audience used with `tamper: "wrong-audience"`. */
  wrongAudience?: string;
  /** Last-resort overrides applied after everything else (e.g. a different `dest`). */
  claims?: Partial<SessionTokenClaims>;
}

export interface MintedSessionToken {
  token: string;
  claims: SessionTokenClaims;
  /** `Authorization` header value as App Bridge's fetch patch sends it. */
  authorization: string;
}

const JWT_HEADER = { alg: "HS256", typ: "JWT" } as const;

function toEpochSeconds(now: Date | number | undefined): number {
  const ms = now === undefined ? Date.now() : typeof now === "number" ? now : now.getTime();
  return Math.floor(ms / 1000);
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** Signs arbitrary claims as an HS256 JWS. Exposed so tests can craft tokens the minter won't. */
export function signJwtHs256(claims: object, secret: string, header: object = JWT_HEADER): string {
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  return `${signingInput}.${hmacSha256Base64Url(secret, signingInput)}`;
}

/** Mints a session token; see {@link MintSessionTokenOptions}. */
export function mintSessionToken(options: MintSessionTokenOptions): MintedSessionToken {
  const now = toEpochSeconds(options.now);
  const ttl = options.ttlSeconds ?? DEFAULT_SESSION_TOKEN_TTL_SECONDS;
  // Shopify issues tokens valid from the moment they are minted: nbf == iat.
  let iat = now;
  let nbf = now;
  let exp = now + ttl;
  const outside = LIBRARY_CLOCK_TOLERANCE_SECONDS + 50; // comfortably beyond the tolerance
  if (options.tamper === "expired") {
    iat = now - ttl - outside;
    nbf = iat;
    exp = now - outside;
  } else if (options.tamper === "not-yet-valid") {
    iat = now + outside;
    nbf = iat;
    exp = nbf + ttl;
  }

  const claims: SessionTokenClaims = {
    iss: `https://${options.shop}/admin`,
    dest: `https://${options.shop}`,
    aud: options.tamper === "wrong-audience" ? (options.wrongAudience ?? `not-${options.apiKey}`) : options.apiKey,
    sub: String(options.userId ?? "1"),
    exp,
    nbf,
    iat,
    jti: options.jti ?? randomUUID(),
    sid: options.sessionId ?? randomUUID(),
    ...options.claims,
  };

  const secret =
    options.tamper === "wrong-secret" ? (options.wrongSecret ?? `${options.apiSecret}-wrong`) : options.apiSecret;
  let token = signJwtHs256(claims, secret);
  if (options.tamper === "bad-signature") {
    // Change the signature's first character: it carries 6 real bits. (The last character of a
    // 32-byte base64url value has 2 padding bits, so changing it may not change the bytes.)
    const dot = token.lastIndexOf(".");
    const first = token[dot + 1];
    token = `${token.slice(0, dot + 1)}${first === "A" ? "B" : "A"}${token.slice(dot + 2)}`;
  }
  return { token, claims, authorization: `Bearer ${token}` };
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: string;
}

/** Splits and parses a JWS without checking anything. Returns null when it is not a JWS. */
export function decodeJwtUnverified(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(h, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as unknown;
    if (!isRecord(header) || !isRecord(payload)) return null;
    return { header, payload, signingInput: `${h}.${p}`, signature: s };
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type SessionTokenVerification =
  | { ok: true; claims: SessionTokenClaims; shop: string }
  | {
      ok: false;
      reason: "malformed" | "unsupported_algorithm" | "bad_signature" | "expired" | "not_yet_valid" | "wrong_audience" | "bad_claims";
    };

export interface VerifySessionTokenOptions {
  apiKey: string;
  apiSecret: string;
  now?: Date | number;
  /** Seconds of clock skew accepted on exp/nbf. Default: the library's 10 s. */
  clockToleranceSeconds?: number;
}

/**
 * Verifies a session token with the same rules as the library. The emulator needs this where
 * Shopify itself receives one: the token-exchange grant of `/admin/oauth/access_token`.
 */
export function verifySessionToken(token: string, options: VerifySessionTokenOptions): SessionTokenVerification {
  const decoded = decodeJwtUnverified(token);
  if (!decoded) return { ok: false, reason: "malformed" };
  if (decoded.header.alg !== "HS256") return { ok: false, reason: "unsupported_algorithm" };
  // Compare bytes, not text, as jose does: a non-canonical last character that decodes to the
  // same bytes is still the same signature.
  if (!/^[A-Za-z0-9_-]{43}$/.test(decoded.signature)) return { ok: false, reason: "bad_signature" };
  const expected = hmacSha256(options.apiSecret, decoded.signingInput);
  if (!timingSafeEqual(expected, Buffer.from(decoded.signature, "base64url"))) return { ok: false, reason: "bad_signature" };

  const p = decoded.payload;
  const str = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : null);
  const num = (k: string) => (typeof p[k] === "number" ? (p[k] as number) : null);
  const claims = {
    iss: str("iss"),
    dest: str("dest"),
    aud: str("aud"),
    sub: str("sub"),
    exp: num("exp"),
    nbf: num("nbf"),
    iat: num("iat"),
    jti: str("jti"),
    sid: str("sid"),
  };
  if (claims.dest === null || claims.aud === null || claims.exp === null) return { ok: false, reason: "bad_claims" };

  const now = toEpochSeconds(options.now);
  const tolerance = options.clockToleranceSeconds ?? LIBRARY_CLOCK_TOLERANCE_SECONDS;
  if (now - tolerance >= claims.exp) return { ok: false, reason: "expired" };
  if (claims.nbf !== null && now + tolerance < claims.nbf) return { ok: false, reason: "not_yet_valid" };
  if (claims.aud !== options.apiKey) return { ok: false, reason: "wrong_audience" };

  let shop: string;
  try {
    shop = new URL(claims.dest).hostname;
  } catch {
    return { ok: false, reason: "bad_claims" };
  }
  return {
    ok: true,
    shop,
    claims: {
      iss: claims.iss ?? "",
      dest: claims.dest,
      aud: claims.aud,
      sub: claims.sub ?? "",
      exp: claims.exp,
      nbf: claims.nbf ?? claims.exp,
      iat: claims.iat ?? claims.exp,
      jti: claims.jti ?? "",
      sid: claims.sid ?? "",
    },
  };
}
