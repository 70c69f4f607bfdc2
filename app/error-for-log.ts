// What the app writes down about a thrown error — a log line's `err` (app/logger.server.ts) and a
// webhook delivery's `lastError` (app/services/webhooks/inbox.server.ts) — without the values the
// error may quote. Messages written by this app name records by id; other messages echo what they
// were given:
// - Prisma's validation errors print the whole call, every value in it ("Invalid
//   `prisma.customer.create()` invocation: { data: { email: "…", displayName: "…" } }"), and a
//   database's own message can quote the value it refused (PostgreSQL: `invalid input syntax for
//   type integer: "<value>"`, carried in Prisma's `meta` and the driver adapter error's `cause`);
// - JSON.parse's SyntaxError quotes the text around the fault (a webhook body, a stored export);
// - the Shopify API library's errors carry Shopify's answer (message, `body`, `response`), which can
//   echo a reward code or a customer id (docs/decisions/015, "Shopify's words stay out of logs").
// A log line is out of customers/redact's reach, so these are reduced to their kind, code and the
// names of what failed (model, fields, constraint): never values. The stack keeps its frames, under
// that message (its first line repeated the message as thrown).

import { cutText } from "~/domain/text";

/** An error as it may be written down. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  status?: number;
  cause?: LoggedError;
}

const MAX_DEPTH = 3;
const MAX_MESSAGE = 500;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";

/** A string or backtick-free quoted literal in a message: the value it quotes goes, the quotes stay. */
function withoutQuotedValues(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

function typeOf(error: Error): string {
  const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor !== "" && ctor !== "Error" ? ctor : error.name || "Error";
}

function framesOf(stack: unknown): string | undefined {
  if (typeof stack !== "string") return undefined;
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.join("\n") : undefined;
}

/** Prisma's client errors and the driver adapters' (the database's own refusals). */
function isDatabaseError(error: Error, type: string): boolean {
  return type.startsWith("PrismaClient") || type === "DriverAdapterError" || error.name === "DriverAdapterError" || "clientVersion" in error;
}

/** What a database error says without values: Prisma's code, the refusal's kind, and what it was about. */
function databaseMessage(error: Error, type: string): string {
  const e = error as Error & { code?: unknown; meta?: unknown; cause?: unknown };
  const meta = isRecord(e.meta) ? e.meta : {};
  const adapter = isRecord(meta.driverAdapterError) ? meta.driverAdapterError : type === "DriverAdapterError" ? e : null;
  const cause = adapter && isRecord(adapter.cause) ? adapter.cause : null;
  const parts: string[] = [];
  if (type === "PrismaClientValidationError") {
    // "Invalid `prisma.x.y()` invocation" and the closing explanation ("Argument `f`: Invalid value
    // provided. Expected Int, provided String."); the call printed between them holds the values.
    const lines = e.message.split("\n").map((l) => l.trim()).filter(Boolean);
    const call = lines.find((l) => l.startsWith("Invalid `"));
    if (call) parts.push(call.replace(/ in$/, ""));
    const last = lines.at(-1);
    if (last && last !== call) parts.push(withoutQuotedValues(last));
    return parts.join(": ");
  }
  const lines = e.message.split("\n").map((l) => l.trim()).filter(Boolean);
  const call = lines.find((l) => l.startsWith("Invalid `"));
  if (call) parts.push(call.replace(/:$/, ""));
  // Prisma's sentence ("Unique constraint failed on the fields: (`shop`,`email`)"; a raw query's
  // "Message: `<the database's>`"), with what it quotes in "" or '' cut: names are in backticks.
  const said = lines.at(-1);
  if (type.startsWith("PrismaClient") && said && said !== call) parts.push(`(${withoutQuotedValues(said)})`);
  if (typeof e.code === "string") parts.push(e.code);
  if (cause && typeof cause.kind === "string") parts.push(cause.kind);
  else if (type === "DriverAdapterError" && /^[A-Za-z]+$/.test(e.message)) parts.push(e.message);
  const modelName = typeof meta.modelName === "string" ? meta.modelName : cause && typeof cause.table === "string" ? cause.table : null;
  if (modelName) parts.push(`on ${modelName}`);
  const constraint = cause && isRecord(cause.constraint) ? cause.constraint : null;
  if (constraint && Array.isArray(constraint.fields)) parts.push(`fields ${constraint.fields.filter((f) => typeof f === "string").join(", ")}`);
  if (constraint && typeof constraint.index === "string") parts.push(`constraint ${constraint.index}`);
  if (cause && (typeof cause.originalCode === "string" || typeof cause.originalCode === "number")) parts.push(`database code ${cause.originalCode}`);
  return parts.length > 0 ? parts.join(" ") : "database error";
}

/** The Shopify API library's HTTP and GraphQL errors carry Shopify's answer: only its status is kept. */
function shopifyAnswerStatus(error: Error): number | null | undefined {
  const e = error as { response?: unknown; body?: unknown };
  if (!("response" in e) && !("body" in e)) return undefined;
  const code = isRecord(e.response) ? e.response.code ?? e.response.status : undefined;
  return typeof code === "number" ? code : null;
}

/** The error as it may be written down (see the top of this file). */
export function errorForLog(error: unknown, depth = 0): LoggedError {
  // A thrown Response (the Shopify app library's way to end a request): its status, not its body.
  if (typeof Response !== "undefined" && error instanceof Response) return { type: "Response", message: `HTTP ${error.status}`, status: error.status };
  if (!(error instanceof Error)) return { type: error === null ? "null" : typeof error, message: "a value that is not an Error was thrown (not written down)" };
  const type = typeOf(error);
  const out: LoggedError = { type, message: "" };
  const e = error as Error & { code?: unknown; status?: unknown };
  const status = shopifyAnswerStatus(error);
  if (isDatabaseError(error, type)) out.message = databaseMessage(error, type);
  else if (status !== undefined) out.message = `Shopify answered${status !== null ? ` with HTTP ${status}` : ""} (its words are not written down)`;
  else if (error instanceof SyntaxError) out.message = withoutQuotedValues(error.message);
  else out.message = error.message;
  out.message = cutText(out.message, MAX_MESSAGE);
  if (typeof e.code === "string" || typeof e.code === "number") out.code = typeof e.code === "string" ? e.code.slice(0, 64) : e.code;
  if (typeof e.status === "number") out.status = e.status;
  else if (typeof status === "number") out.status = status;
  // The stack's first line repeats the message as thrown: written with the message above instead.
  const frames = framesOf(error.stack);
  if (frames) out.stack = `${error.name}: ${out.message}\n${frames}`;
  if (error.cause !== undefined && depth < MAX_DEPTH && !isDatabaseError(error, type)) out.cause = errorForLog(error.cause, depth + 1);
  return out;
}

/** One line, for a record's error column (`lastError`): the error's name and the message of errorForLog. */
export function errorText(error: unknown): string {
  return `${error instanceof Error ? error.name : "Error"}: ${errorForLog(error).message}`;
}
