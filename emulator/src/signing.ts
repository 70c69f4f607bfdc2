// HMAC primitives shared by the emulator's signers (webhooks, app proxy, session tokens).
//
// Shopify signs with the app's client secret used as raw UTF-8 key bytes, and the messages are
// UTF-8 too. `@shopify/shopify-api` 15 verifies the same way (WebCrypto HMAC over
// TextEncoder-encoded strings), so anything signed here is checked byte-for-byte by the library.
import { createHmac, timingSafeEqual } from "node:crypto";

/** Bytes to sign: strings are encoded as UTF-8, exactly like a request body on the wire. */
export type SignableData = string | Uint8Array;

/** Raw HMAC-SHA256 digest (32 bytes). */
export function hmacSha256(secret: string, data: SignableData): Buffer {
  return createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(typeof data === "string" ? Buffer.from(data, "utf8") : data)
    .digest();
}

/**
 * base64(HMAC-SHA256(body, secret)): the value of `X-Shopify-Hmac-Sha256` on a webhook.
 * Pass the raw body exactly as it will be sent; re-serialising parsed JSON changes the bytes.
 */
export function hmacSha256Base64(secret: string, body: SignableData): string {
  return hmacSha256(secret, body).toString("base64");
}

/** hex(HMAC-SHA256(message, secret)): the app proxy `signature` query parameter (and OAuth `hmac`). */
export function hmacSha256Hex(secret: string, message: SignableData): string {
  return hmacSha256(secret, message).toString("hex");
}

/** base64url(HMAC-SHA256(message, secret)) without padding: a JWS HS256 signature. */
export function hmacSha256Base64Url(secret: string, message: SignableData): string {
  return hmacSha256(secret, message).toString("base64url");
}

/**
 * Constant-time string comparison. Different lengths return false straight away: every value we
 * compare is a fixed-length digest, so the length itself is not a secret.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** Checks an `X-Shopify-Hmac-Sha256` header against a raw body (the emulator's own receivers use it). */
export function verifyWebhookHmac(secret: string, rawBody: SignableData, headerValue: string | null | undefined): boolean {
  if (!headerValue) return false;
  return timingSafeEqualString(hmacSha256Base64(secret, rawBody), headerValue);
}
